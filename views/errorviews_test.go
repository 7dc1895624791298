package views

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
)

// A view that set response headers and then failed (or panicked, or
// denied, or answered 404) leaves none of them on the error view's
// answer: the apology is TwiML, whole, over a real server too. Headers
// set before the view ran (the request ID's middleware) stay.
func TestErrorViewsDropTheFailedViewsHeaders(t *testing.T) {
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("X-Request-Id", "r1")
			return next(c)
		}
	})
	v, err := New(e, Config{
		Authn:   byHeader,
		Authz:   permitIf("alice", "view"),
		Apology: Apology{Text: "Sorry.", SupportNumber: "+15005550006"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dirty := func(c echo.Context) {
		h := c.Response().Header()
		h.Set("Content-Length", "3")
		h.Set("Content-Encoding", "gzip")
		h.Set("Cache-Control", "max-age=3600")
		h.Add("X-Request-Id", "r2")
	}
	views := map[string]echo.HandlerFunc{
		// Echo's own JSON sets its Content-Type, then fails to encode.
		"/json": func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]float64{"x": math.NaN()}) },
		"/fails": func(c echo.Context) error {
			dirty(c)
			return errors.New("backend down")
		},
		"/panics": func(c echo.Context) error {
			dirty(c)
			panic("boom")
		},
		"/denies": func(c echo.Context) error {
			dirty(c)
			return &authz.DeniedError{Decision: authz.Decision{Permission: "edit", Context: "/x"}}
		},
		"/missing": func(c echo.Context) error {
			dirty(c)
			return echo.ErrNotFound
		},
	}
	for path, h := range views {
		v.GET(path, "view", h)
	}
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	for path := range views {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Who", "alice")
		req.Header.Set("Accept-Encoding", "identity")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatalf("%s: reading the answer: %v", path, err)
		}
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "</Response>") {
			t.Errorf("%s: status %d, body %q; want 200 and TwiML", path, res.StatusCode, body)
		}
		if got, want := res.Header.Get("Content-Type"), "application/xml"; got != want {
			t.Errorf("%s: Content-Type %q, want %q", path, got, want)
		}
		for _, name := range []string{"Content-Encoding", "Cache-Control"} {
			if got := res.Header.Get(name); got != "" {
				t.Errorf("%s: %s %q, from the failed view", path, name, got)
			}
		}
		if got, want := strings.Join(res.Header.Values("X-Request-Id"), ","), "r1"; got != want {
			t.Errorf("%s: X-Request-Id %q, want the middleware's %q", path, got, want)
		}
	}
}

// An error of the guard's goes to the exception view and is logged,
// whatever it wraps: a policy whose error wraps echo.ErrNotFound could not
// decide; no route is missing.
func TestGuardErrorWrappingNotFound(t *testing.T) {
	var notFound, exception int
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"authz", Config{Authz: authz.PolicyFunc(func(context.Context, []string, string, string) (authz.Decision, error) {
			return authz.Decision{}, fmt.Errorf("acl store: %w", echo.ErrNotFound)
		})}},
		{"authn", Config{Authn: authn.PolicyFunc(func(*http.Request) ([]string, error) {
			return nil, fmt.Errorf("user store: %w", echo.ErrMethodNotAllowed)
		})}},
	} {
		notFound, exception = 0, 0
		cfg := tt.cfg
		cfg.NotFound = func(c echo.Context) error { notFound++; return c.String(http.StatusOK, "not found view") }
		cfg.Exception = func(c echo.Context, err error) error { exception++; return c.String(http.StatusOK, "exception view") }
		e, logs := newTestViews(t, cfg)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Who", "alice")
		e.ServeHTTP(rec, req)
		if notFound != 0 || exception != 1 {
			t.Errorf("%s: not-found view %d times, exception view %d times; want 0 and 1", tt.name, notFound, exception)
		}
		if !strings.Contains(logs.String(), "view failed") {
			t.Errorf("%s: the failure was not logged: %q", tt.name, logs.String())
		}
	}
}

// The application's own forbidden, not-found and exception views that
// set headers and then fail leave none of them on the answer: the
// apology that answers instead is whole, over a real server.
func TestFailedErrorViewsLeaveNoHeaders(t *testing.T) {
	dirty := func(c echo.Context) {
		h := c.Response().Header()
		h.Set("Content-Length", "3")
		h.Set("Content-Encoding", "gzip")
	}
	fine := func(c echo.Context, _ error) error { return c.String(http.StatusOK, "<Response></Response>") }
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"every error view fails", Config{
			NotFound:  func(c echo.Context) error { dirty(c); return errors.New("not-found view broken") },
			Forbidden: func(c echo.Context, _ authz.Decision) error { dirty(c); return errors.New("forbidden view broken") },
			Exception: func(c echo.Context, _ error) error { dirty(c); return errors.New("exception view broken") },
		}},
		{"every error view panics", Config{
			NotFound:  func(c echo.Context) error { dirty(c); panic("not-found view broken") },
			Forbidden: func(c echo.Context, _ authz.Decision) error { dirty(c); panic("forbidden view broken") },
			Exception: func(c echo.Context, _ error) error { dirty(c); panic("exception view broken") },
		}},
		{"the forbidden view fails, the apology answers", Config{
			Forbidden: func(c echo.Context, _ authz.Decision) error { dirty(c); return errors.New("forbidden view broken") },
			Exception: fine,
		}},
		{"the not-found view fails, the apology answers", Config{
			NotFound:  func(c echo.Context) error { dirty(c); return errors.New("not-found view broken") },
			Exception: fine,
		}},
	} {
		e, _ := newTestViews(t, tt.cfg)
		srv := httptest.NewServer(e)
		for _, req := range []struct{ method, path, who string }{
			{http.MethodGet, "/nowhere", "alice"},
			{http.MethodOptions, "/", "alice"},
			{http.MethodGet, "/", "bob"},
			{http.MethodGet, "/fails", "alice"},
		} {
			r, err := http.NewRequest(req.method, srv.URL+req.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("X-Who", req.who)
			r.Header.Set("Accept-Encoding", "identity")
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || !strings.Contains(string(body), "</Response>") || res.Header.Get("Content-Encoding") != "" {
				t.Errorf("%s: %s %s as %s: Content-Encoding %q, body %q, %v; want a whole answer",
					tt.name, req.method, req.path, req.who, res.Header.Get("Content-Encoding"), body, err)
			}
		}
		srv.Close()
	}
}

// A forbidden view that fails or panics is logged, and the Apology answers,
// whether the denial was the route's (the guard's) or one a view returned:
// not the exception view, which would answer a failure of the view itself.
func TestFailingForbiddenViewAnswersApology(t *testing.T) {
	exception := func(c echo.Context, _ error) error {
		return c.JSON(http.StatusInternalServerError, map[string]string{"error": "boom"})
	}
	for _, tt := range []struct {
		name      string
		forbidden func(echo.Context, authz.Decision) error
	}{
		{"fails", func(echo.Context, authz.Decision) error { return errors.New("forbidden view broken") }},
		{"panics", func(echo.Context, authz.Decision) error { panic("forbidden view broken") }},
	} {
		for _, req := range []struct{ path, who string }{
			{"/", "bob"},         // the route denies bob
			{"/denies", "alice"}, // the view denies
		} {
			e, logs := newTestViews(t, Config{Forbidden: tt.forbidden, Exception: exception})
			r := httptest.NewRequest(http.MethodGet, req.path, nil)
			r.Header.Set("X-Who", req.who)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Code != http.StatusOK || w.Body.String() != apologyBody {
				t.Errorf("%s, %s as %s: got %d %q, want the Apology", tt.name, req.path, req.who, w.Code, w.Body.String())
			}
			if !strings.Contains(logs.String(), "forbidden view broken") {
				t.Errorf("%s, %s as %s: the failure was not logged: %q", tt.name, req.path, req.who, logs.String())
			}
		}
	}
}

// A cookie a view sets in the header is not on the apology that answers
// when it fails: the header is restored. The middleware's hooks run
// whoever answers, before the view's, in the order they were registered,
// and read the response up to date.
func TestViewCookieAndHooks(t *testing.T) {
	var order []string
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			res.Before(func() {
				order = append(order, "middleware")
				res.Header().Set("X-Middleware", "ran")
				res.Header().Set("Cache-Control", "no-store")
			})
			return next(c)
		}
	})
	v := aliceViews(t, e)
	view := func(fail bool) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			res.Header().Set("Set-Cookie", "session=alice-secret")
			res.Before(func() {
				order = append(order, "view")
				res.Header().Set("Cache-Control", "private, max-age=60")
			})
			if fail {
				return errors.New("backend down")
			}
			return c.String(http.StatusOK, "view ran")
		}
	}
	v.GET("/answers", "view", view(false))
	v.GET("/fails", "view", view(true))
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, cookie, body string }{
		{"/answers", "session=alice-secret", "view ran"},
		{"/fails", "", apologyBody},
	} {
		order = nil
		r := httptest.NewRequest(http.MethodGet, tt.path, nil)
		r.Header.Set("X-Who", "alice")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if got := w.Header().Get("Set-Cookie"); got != tt.cookie || w.Body.String() != tt.body {
			t.Errorf("%s: Set-Cookie %q, body %q; want %q, %q", tt.path, got, w.Body.String(), tt.cookie, tt.body)
		}
		if w.Header().Get("X-Middleware") != "ran" || len(order) != 2 || order[0] != "middleware" || order[1] != "view" {
			t.Errorf("%s: hooks ran in the order %v, X-Middleware %q; want the middleware's, then the view's", tt.path, order, w.Header().Get("X-Middleware"))
		}
		if tt.path == "/answers" && w.Header().Get("Cache-Control") != "private, max-age=60" {
			t.Errorf("%s: Cache-Control %q, want the view's, set after the middleware's", tt.path, w.Header().Get("Cache-Control"))
		}
	}
}

// A middleware's After hook, which reads the response through the context
// (as a request log does), sees it up to date, the bytes just written
// counted, although the view wrote through a response of its own.
func TestMiddlewareHookSeesItsResponse(t *testing.T) {
	var size int64 = -1
	var status int
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Before(func() { status = c.Response().Status })
			c.Response().After(func() { size = c.Response().Size })
			return next(c)
		}
	})
	v := aliceViews(t, e)
	v.GET("/", "view", func(c echo.Context) error { return c.String(http.StatusAccepted, "hello") })
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Who", "alice")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	if size != 5 || status != http.StatusAccepted || w.Code != http.StatusAccepted || w.Body.String() != "hello" {
		t.Errorf("the middleware's hooks saw Size %d, Status %d (answer %d %q); want 5, 202", size, status, w.Code, w.Body.String())
	}
}

// A view that streams, flushing between writes, reaches the client through
// the response it writes through: Flush finds the connection's writer.
func TestViewFlushes(t *testing.T) {
	e := echo.New()
	v := aliceViews(t, e)
	flushed := make(chan struct{})
	v.GET("/stream", "view", func(c echo.Context) error {
		res := c.Response()
		res.WriteHeader(http.StatusOK)
		if _, err := res.Write([]byte("one\n")); err != nil {
			return err
		}
		res.Flush()
		<-flushed // the client has read the first line before the second is written
		_, err := res.Write([]byte("two\n"))
		return err
	})
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	r, err := http.NewRequest(http.MethodGet, srv.URL+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Who", "alice")
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		close(flushed)
		t.Fatal(err)
	}
	defer res.Body.Close()
	first := make([]byte, 4)
	_, err = io.ReadFull(res.Body, first)
	close(flushed)
	if err != nil || string(first) != "one\n" {
		t.Fatalf("first line %q, %v; want it before the view writes the second", first, err)
	}
	if rest, err := io.ReadAll(res.Body); err != nil || string(rest) != "two\n" {
		t.Errorf("rest %q, %v; want \"two\\n\"", rest, err)
	}
}

// http.ErrAbortHandler, the panic that aborts an answer (as
// httputil.ReverseProxy uses it), goes on to net/http, which cuts the
// connection: it is not turned into an error view's answer.
func TestAbortHandlerPanicGoesOn(t *testing.T) {
	e, _ := newTestViews(t, Config{})
	srv := httptest.NewServer(e)
	defer srv.Close()
	r, err := http.NewRequest(http.MethodGet, srv.URL+"/abort", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Who", "alice")
	res, err := http.DefaultClient.Do(r)
	if err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Errorf("GET /abort: %d %q, want the connection cut", res.StatusCode, body)
	}
}

// aliceViews adds views to e that let alice (X-Who) view, with an Apology
// of their own.
func aliceViews(t *testing.T, e *echo.Echo) *Views {
	t.Helper()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("alice", "view"), Apology: Apology{Text: "Sorry.", SupportNumber: "+15005550006"}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}
