package views_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/views"
)

// serveView registers one view of the IVR as `gatehouse serve` does, on
// an Echo instance whose callers are all Twilio, under the ACL of csv.
func serveView(csv, method, path, permission string, view echo.HandlerFunc) *echo.Echo {
	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn:   authn.Static(authn.TwilioGroup), // as if every request were signed
		Authz:   loadACL(csv),
		Apology: views.Apology{SupportNumber: "+15005550006"},
	})
	if err != nil {
		panic(err)
	}
	v.Add(views.Route{Method: method, Path: path, Permission: permission, Handler: view})
	if err := v.Err(); err != nil {
		panic(err)
	}
	return e
}

// call serves one request to e, with a form body if form is not empty,
// and prints the TwiML answered.
func call(e *echo.Echo, method, target, form string) {
	r := httptest.NewRequest(method, target, strings.NewReader(form))
	if form != "" {
		r.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	fmt.Println(w.Code, strings.TrimSpace(strings.TrimPrefix(w.Body.String(), `<?xml version="1.0" encoding="UTF-8"?>`+"\n")))
}

func ExampleIVR_Menu() {
	ivr := views.NewIVR("Polly.Joanna", "en-US")
	e := serveView("p, group:twilio, /, view, allow", http.MethodGet, "/", "view", ivr.Menu)
	call(e, http.MethodGet, "/", "")
	// Output:
	// 200 <Response><Gather numDigits="1" action="/" method="POST" timeout="3"><Say voice="Polly.Joanna" language="en-US">Press 1 for the accessible route. Press 2 for the restricted route.</Say></Gather><Redirect method="GET">/</Redirect></Response>
}

// Choose reads the digit from the form body, never from the query.
func ExampleIVR_Choose() {
	ivr := views.NewIVR("", "")
	e := serveView("p, group:twilio, /, view, allow", http.MethodPost, "/", "view", ivr.Choose)
	call(e, http.MethodPost, "/", "Digits=1")
	call(e, http.MethodPost, "/", "Digits=2")
	call(e, http.MethodPost, "/?Digits=1", "Digits=9")
	// Output:
	// 200 <Response><Redirect method="GET">/accessible</Redirect></Response>
	// 200 <Response><Redirect method="GET">/restricted</Redirect></Response>
	// 200 <Response><Say>Sorry, that is not an option.</Say><Redirect method="GET">/</Redirect></Response>
}

func ExampleIVR_Accessible() {
	ivr := views.NewIVR("", "")
	e := serveView("p, group:twilio, /, view, allow", http.MethodGet, "/accessible", "view", ivr.Accessible)
	call(e, http.MethodGet, "/accessible", "")
	// Output:
	// 200 <Response><Say>You reached the accessible route. Goodbye.</Say><Hangup></Hangup></Response>
}

// Under the default policy nobody holds "restricted", so the forbidden
// view, the apology, answers instead of Restricted; a policy that grants
// it lets the view run.
func ExampleIVR_Restricted() {
	var ivr *views.IVR = views.NewIVR("", "") // its documents are rendered once, here
	call(serveView("p, group:twilio, /, view, allow", http.MethodGet, "/restricted", "restricted", ivr.Restricted), http.MethodGet, "/restricted", "")
	call(serveView("p, group:twilio, /, *, allow", http.MethodGet, "/restricted", "restricted", ivr.Restricted), http.MethodGet, "/restricted", "")
	// Output:
	// 200 <Response><Say>We are sorry, something went wrong. Please hold while we connect you to support.</Say><Dial>+15005550006</Dial></Response>
	// 200 <Response><Say>You reached the restricted route. Goodbye.</Say><Hangup></Hangup></Response>
}

func ExampleApology_TwiML() {
	for _, a := range []views.Apology{
		{},
		{SupportNumber: "+15005550006", Voice: "alice", Language: "en-GB"},
	} {
		fmt.Println(string(a.TwiML().MustMarshal()))
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>We are sorry, something went wrong. Please try again later. Goodbye.</Say><Hangup></Hangup></Response>
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say voice="alice" language="en-GB">We are sorry, something went wrong. Please hold while we connect you to support.</Say><Dial>+15005550006</Dial></Response>
}

// An application that answers JSON to its API clients keeps the apology
// for its Twilio webhooks, which must always get TwiML with status 200.
func ExampleApology_Handler() {
	apology := views.Apology{Text: "Sorry, this line is closed."}.Handler()
	isTwilio := func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/voice/") }

	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn: authn.PolicyFunc(userHeader),
		Authz: loadACL("p, group:twilio, /voice, view, allow"),
		Forbidden: func(c echo.Context, _ authz.Decision) error {
			if isTwilio(c) {
				return apology(c)
			}
			return c.JSON(http.StatusForbidden, map[string]string{"error": "forbidden"})
		},
	})
	if err != nil {
		panic(err)
	}
	ok := func(c echo.Context) error { return c.NoContent(http.StatusOK) }
	v.POST("/voice/incoming", "view", ok)
	v.GET("/api/reports", "view", ok)

	call(e, http.MethodPost, "/voice/incoming", "")
	call(e, http.MethodGet, "/api/reports", "")
	// Output:
	// 200 <Response><Say>Sorry, this line is closed.</Say><Hangup></Hangup></Response>
	// 403 {"error":"forbidden"}
}
