package views_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/views"
)

func ExampleViews() {
	// A toy ACL: only "group:staff" may "view".
	acl := authz.PolicyFunc(func(_ context.Context, principals []string, resource, permission string) (authz.Decision, error) {
		d := authz.Decision{Permission: permission, Context: resource, Principals: principals}
		for _, p := range principals {
			d.Allowed = d.Allowed || p == "group:staff" && permission == "view"
		}
		return d, nil
	})
	staff := authn.PolicyFunc(func(r *http.Request) ([]string, error) {
		if r.Header.Get("X-Staff") == "yes" { // illustration only: trust nothing like this
			return []string{"group:staff"}, nil
		}
		return nil, nil
	})

	e := echo.New()
	v, err := views.New(e, views.Config{Authn: staff, Authz: acl, Apology: views.Apology{Text: "Sorry."}})
	if err != nil {
		panic(err)
	}
	v.GET("/report", "view", func(c echo.Context) error { return c.String(http.StatusOK, "the report") })
	v.GET("/healthz", authz.NoPermissionRequired, func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	v.GET("/oops", "", nil) // no permission: reported by Err
	fmt.Println(v.Err())

	for _, staffHeader := range []string{"yes", "no"} {
		r := httptest.NewRequest(http.MethodGet, "/report", nil)
		r.Header.Set("X-Staff", staffHeader)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// views: route declares no permission (use authz.NoPermissionRequired to opt out): GET /oops
	// 200 the report
	// 200 <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>Sorry.</Say><Hangup></Hangup></Response>
}

func ExampleApology() {
	a := views.Apology{Text: "Sorry, we could not take your call.", SupportNumber: "+15005550006"}
	b, _ := a.TwiML().Marshal()
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>Sorry, we could not take your call.</Say><Dial>+15005550006</Dial></Response>
}

func ExampleNewIVR() {
	ivr := views.NewIVR("", "")
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Digits=1"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_ = ivr.Choose(echo.New().NewContext(r, w))
	fmt.Println(w.Body.String())
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Redirect method="GET">/accessible</Redirect></Response>
}
