package views_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/views"
)

func ExampleNewRecord() {
	rec := views.NewRecord("req-1")
	s := rec.Summary()
	fmt.Printf("%s route=%q decision=%v\n", s.RequestID, s.Route, s.Decision)
	// Output:
	// req-1 route="" decision=<nil>
}

// The application's outermost middleware installs a Record in each
// request's context, registered before views.New so that it wraps the
// security middleware; once the request is answered, the Record tells the
// request log what the security found out.
func ExampleNewRecordContext() {
	e := echo.New()
	n := 0
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			n++
			rec := views.NewRecord(fmt.Sprint("req-", n))
			r := c.Request()
			c.SetRequest(r.WithContext(views.NewRecordContext(r.Context(), rec)))
			if err := next(c); err != nil {
				c.Error(err) // answer now, so that the status is known
			}
			s := rec.Summary()
			fmt.Println(s.RequestID, s.Route, c.Response().Status, s.Principals, s.Decision != nil && s.Decision.Allowed)
			return nil
		}
	})
	v, err := views.New(e, views.Config{Authn: authn.PolicyFunc(userHeader), Authz: loadACL("p, user:alice, /reports, view, allow")})
	if err != nil {
		panic(err)
	}
	v.GET("/reports", "view", func(c echo.Context) error { return c.String(http.StatusOK, "the reports") })

	for _, user := range []string{"alice", "bob"} {
		r := httptest.NewRequest(http.MethodGet, "/reports", nil)
		r.Header.Set("X-Api-Key", user)
		e.ServeHTTP(httptest.NewRecorder(), r)
	}
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/nowhere", nil))
	// bob is denied, and the default forbidden view, the TwiML apology,
	// answers with status 200; no route matched /nowhere.

	// Output:
	// req-1 GET /reports 200 [system.Everyone system.Authenticated user:alice] true
	// req-2 GET /reports 200 [system.Everyone system.Authenticated user:bob] false
	// req-3  200 [] false
}

// A view reads the decision that let it in from the request's Record.
// Without a Record in the context, RecordFrom returns nil, whose methods
// return zero values.
func ExampleRecordFrom() {
	view := func(c echo.Context) error {
		s := views.RecordFrom(c.Request().Context()).Summary()
		if s.Decision == nil {
			return c.String(http.StatusOK, "no record")
		}
		return c.String(http.StatusOK, s.Decision.String())
	}
	e := echo.New()
	v, err := views.New(e, views.Config{Authn: authn.PolicyFunc(userHeader), Authz: loadACL("p, user:alice, /reports, view, allow")})
	if err != nil {
		panic(err)
	}
	v.GET("/reports", "view", view)

	r := httptest.NewRequest(http.MethodGet, "/reports", nil)
	r.Header.Set("X-Api-Key", "alice")
	for _, ctx := range []context.Context{context.Background(), views.NewRecordContext(context.Background(), views.NewRecord("req-1"))} {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r.WithContext(ctx))
		fmt.Println(w.Body.String())
	}
	// Output:
	// no record
	// ACLAllowed permission 'view' via ACE ('Allow', 'user:alice', 'view') in ACL [('Allow', 'user:alice', 'view')] on context '/reports' for principals ['system.Everyone', 'system.Authenticated', 'user:alice']
}

// After a denied request, the Summary holds the decision and its reason,
// for the request log.
func ExampleRecord_Summary() {
	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn: authn.PolicyFunc(userHeader),
		Authz: loadACL("p, group:admins, /admin, *, allow\ng, user:alice, group:admins"),
	})
	if err != nil {
		panic(err)
	}
	v.GET("/admin", "manage", func(c echo.Context) error { return c.String(http.StatusOK, "admin") })

	rec := views.NewRecord("req-7")
	r := httptest.NewRequest(http.MethodGet, "/admin", nil)
	r.Header.Set("X-Api-Key", "bob")
	e.ServeHTTP(httptest.NewRecorder(), r.WithContext(views.NewRecordContext(r.Context(), rec)))

	// A request log line, as the application's middleware would write it.
	logLine := func(s views.Summary) string {
		return fmt.Sprintf("request_id=%s route=%q permission=%s allowed=%v\n%s",
			s.RequestID, s.Route, s.Permission, s.Decision.Allowed, s.Decision)
	}
	fmt.Println(logLine(rec.Summary()))
	// Output:
	// request_id=req-7 route="GET /admin" permission=manage allowed=false
	// ACLDenied permission 'manage' via ACE '<default deny>' in ACL [('Allow', 'group:admins', ALL_PERMISSIONS)] on context '/admin' for principals ['system.Everyone', 'system.Authenticated', 'user:bob']
}

// An exception view gives the client the request ID, which the log lines
// about the request carry, and never the error itself.
func ExampleRecord_RequestID() {
	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn: authn.PolicyFunc(userHeader),
		Authz: loadACL("p, system.Everyone, /, view, allow"),
		Exception: func(c echo.Context, err error) error {
			id := views.RecordFrom(c.Request().Context()).RequestID()
			return c.String(http.StatusInternalServerError, "internal error; quote "+id)
		},
	})
	if err != nil {
		panic(err)
	}
	v.GET("/report", "view", func(c echo.Context) error { return errors.New("report: database is down") })

	r := httptest.NewRequest(http.MethodGet, "/report", nil)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r.WithContext(views.NewRecordContext(r.Context(), views.NewRecord("req-42"))))
	fmt.Println(w.Code, w.Body.String())

	var none *views.Record // no Record installed: RecordFrom returns nil
	fmt.Printf("%q\n", none.RequestID())
	// Output:
	// 500 internal error; quote req-42
	// ""
}

// The Twilio signature policy's observer records each request's signature
// outcome in its Record, next to what the security middleware records.
func ExampleRecord_SetSignature() {
	twilio, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens: []string{"12345"},
		PublicURL:  "https://ivr.example.com",
		Observe: func(r *http.Request, v authn.Verification) {
			views.RecordFrom(r.Context()).SetSignature(v.Reason)
		},
	})
	if err != nil {
		panic(err)
	}
	e := echo.New()
	v, err := views.New(e, views.Config{Authn: twilio, Authz: loadACL("p, group:twilio, /, view, allow")})
	if err != nil {
		panic(err)
	}
	v.POST("/", "view", func(c echo.Context) error { return c.String(http.StatusOK, "menu") })

	for _, signature := range []string{authn.Sign("12345", "https://ivr.example.com/", []authn.Param{{Name: "Digits", Value: "1"}}), ""} {
		rec := views.NewRecord("req")
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Digits=1"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if signature != "" {
			r.Header.Set(authn.SignatureHeader, signature)
		}
		e.ServeHTTP(httptest.NewRecorder(), r.WithContext(views.NewRecordContext(r.Context(), rec)))
		s := rec.Summary()
		fmt.Println(s.Signature, s.Principals, s.Decision.Allowed)
	}
	// Output:
	// valid [system.Everyone system.Authenticated group:twilio] true
	// missing_header [system.Everyone] false
}
