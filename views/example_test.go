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

func ExampleResolveRoute() {
	r, err := views.ResolveRoute(views.Route{
		Method: http.MethodGet, Path: "/reports", Permission: "view",
		Handler: func(c echo.Context) error { return c.NoContent(http.StatusOK) },
	})
	fmt.Printf("%s %q %q %v\n", r.Path, r.Name, r.Resource, err)
	_, err = views.ResolveRoute(views.Route{Method: http.MethodGet, Path: "/oops"})
	fmt.Println(err)
	// Output:
	// /reports "GET /reports" "/reports" <nil>
	// views: route declares no permission (use authz.NoPermissionRequired to opt out): GET /oops
}

func ExampleDebugAuthorizationLine() {
	d := authz.Decision{
		Allowed:    true,
		Permission: "view",
		Context:    "/",
		ACE:        &authz.ACE{Allow: true, Principal: "group:twilio", Permission: "view"},
		ACL:        []authz.ACE{{Allow: true, Principal: "group:twilio", Permission: "view"}},
		Principals: []string{"system.Everyone", "system.Authenticated", "group:twilio"},
	}
	fmt.Println(views.DebugAuthorizationLine("https://ivr.example.com/", "menu", "/", d))
	// Output:
	// debug_authorization of url https://ivr.example.com/ (view name 'menu' against context '/'): ACLAllowed permission 'view' via ACE ('Allow', 'group:twilio', 'view') in ACL [('Allow', 'group:twilio', 'view')] on context '/' for principals ['system.Everyone', 'system.Authenticated', 'group:twilio']
}

func ExampleRecord() {
	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn: authn.Static("group:staff"),
		Authz: authz.PolicyFunc(func(_ context.Context, principals []string, resource, permission string) (authz.Decision, error) {
			return authz.Decision{Allowed: true, Permission: permission, Context: resource, Principals: principals}, nil
		}),
	})
	if err != nil {
		panic(err)
	}
	v.Add(views.Route{Method: http.MethodGet, Path: "/report", Name: "report", Permission: "view",
		Handler: func(c echo.Context) error { return c.String(http.StatusOK, "the report") }})

	// The outermost middleware installs a Record; after the request it
	// holds what the security middleware found out.
	rec := views.NewRecord("req-1")
	r := httptest.NewRequest(http.MethodGet, "/report", nil)
	r = r.WithContext(views.NewRecordContext(r.Context(), rec))
	e.ServeHTTP(httptest.NewRecorder(), r)

	s := rec.Summary()
	fmt.Println(s.RequestID, s.Route, s.Permission, s.Decision.Allowed, s.Principals)
	// Output:
	// req-1 report view true [system.Everyone system.Authenticated group:staff]
}

func ExampleRecord_Snapshot() {
	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn: authn.Static("group:staff"),
		Authz: authz.PolicyFunc(func(_ context.Context, principals []string, resource, permission string) (authz.Decision, error) {
			return authz.Decision{Allowed: true, Permission: permission, Context: resource, Principals: principals}, nil
		}),
	})
	if err != nil {
		panic(err)
	}
	v.GET("/report", "view", func(c echo.Context) error { return c.String(http.StatusOK, "the report") })

	rec := views.NewRecord("req-2")
	r := httptest.NewRequest(http.MethodGet, "/report", nil)
	r = r.WithContext(views.NewRecordContext(r.Context(), rec))
	e.ServeHTTP(httptest.NewRecorder(), r)

	// Once the request is answered, the outermost middleware reads the
	// Record without copying it: what Snapshot returns is only looked at.
	s := rec.Snapshot()
	fmt.Println(s.RequestID, s.Route, s.Decision.Allowed, len(s.Principals))
	// Output:
	// req-2 GET /report true 3
}
