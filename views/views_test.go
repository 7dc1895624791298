package views

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
)

// permitIf is a real authz.Policy that allows exactly one permission to
// principals containing who.
func permitIf(who, permission string) authz.Policy {
	return authz.PolicyFunc(func(_ context.Context, principals []string, resource, perm string) (authz.Decision, error) {
		d := authz.Decision{Permission: perm, Context: resource, Principals: principals}
		for _, p := range principals {
			if p == who && perm == permission {
				d.Allowed = true
				d.ACE = &authz.ACE{Allow: true, Principal: who, Permission: permission}
			}
		}
		return d, nil
	})
}

// byHeader proves the principal named in the X-Who header.
var byHeader = authn.PolicyFunc(func(r *http.Request) ([]string, error) {
	if w := r.Header.Get("X-Who"); w != "" {
		return []string{w}, nil
	}
	return nil, nil
})

const apologyBody = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Say>Sorry.</Say><Dial>+15005550006</Dial></Response>`

func newTestViews(t *testing.T, cfg Config) (*echo.Echo, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	if cfg.Authn == nil {
		cfg.Authn = byHeader
	}
	if cfg.Authz == nil {
		cfg.Authz = permitIf("alice", "view")
	}
	cfg.Apology = Apology{Text: "Sorry.", SupportNumber: "+15005550006"}
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := echo.New()
	v, err := New(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "view ran") }
	v.GET("/", "view", ok)
	v.Add(Route{Method: http.MethodGet, Path: "/secret", Name: "secret", Permission: "restricted", Handler: ok})
	v.GET("/panic", "view", func(echo.Context) error { panic("boom") })
	v.GET("/fails", "view", func(echo.Context) error { return errors.New("view failed") })
	v.GET("/abort", "view", func(echo.Context) error { panic(http.ErrAbortHandler) })
	v.GET("/denies", "view", func(echo.Context) error {
		own := authz.Decision{Permission: "edit", Context: "/docs/42", Principals: []string{authn.Everyone, authn.Authenticated, "alice"}}
		return fmt.Errorf("docs: %w", &authz.DeniedError{Decision: own})
	})
	v.GET("/healthz", authz.NoPermissionRequired, ok)
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	return e, &logs
}

func TestSecurity(t *testing.T) {
	failing := authn.PolicyFunc(func(*http.Request) ([]string, error) { return nil, errors.New("cannot decide") })
	failingAuthz := authz.PolicyFunc(func(context.Context, []string, string, string) (authz.Decision, error) {
		return authz.Decision{Allowed: true}, errors.New("cannot decide")
	})
	// Views of the application's own that fail: they must not cost the
	// caller an answer.
	panicking := Config{
		Forbidden: func(echo.Context, authz.Decision) error { panic("forbidden view bug") },
		NotFound:  func(echo.Context) error { panic(errors.New("not-found view bug")) },
		Exception: func(echo.Context, error) error { panic("exception view bug") },
	}
	failingViews := Config{
		Forbidden: func(echo.Context, authz.Decision) error { return errors.New("forbidden view failed") },
		NotFound:  func(echo.Context) error { return errors.New("not-found view failed") },
		Exception: func(echo.Context, error) error { return errors.New("exception view failed") },
	}
	tests := []struct {
		name           string
		cfg            Config
		method, target string
		who            string
		wantBody       string
		wantLog        string
	}{
		{"allowed", Config{}, "GET", "/", "alice", "view ran", ""},
		{"denied: no principal", Config{}, "GET", "/", "", apologyBody, ""},
		{"denied: other principal", Config{}, "GET", "/", "mallory", apologyBody, ""},
		{"denied: permission nobody holds", Config{}, "GET", "/secret", "alice", apologyBody, ""},
		{"not found", Config{}, "GET", "/nope", "alice", apologyBody, ""},
		{"method not allowed", Config{}, "DELETE", "/", "alice", apologyBody, ""},
		{"OPTIONS gets no empty 204 from Echo", Config{}, "OPTIONS", "/", "alice", apologyBody, ""},
		{"OPTIONS of an unknown path", Config{}, "OPTIONS", "/nope", "", apologyBody, ""},
		{"HEAD is not GET", Config{}, "HEAD", "/", "alice", apologyBody, ""},
		{"panic reaches exception view", Config{}, "GET", "/panic", "alice", apologyBody, ""},
		{"error reaches exception view", Config{}, "GET", "/fails", "alice", apologyBody, ""},
		{"authn error fails closed", Config{Authn: failing}, "GET", "/", "alice", apologyBody, ""},
		{"authz error fails closed", Config{Authz: failingAuthz}, "GET", "/", "alice", apologyBody, ""},
		{"opt-out skips authentication", Config{Authn: failing}, "GET", "/healthz", "", "view ran", ""},
		{"panicking forbidden view", panicking, "GET", "/", "mallory", apologyBody, "panic in forbidden view for GET /: forbidden view bug"},
		{"panicking not-found view", panicking, "GET", "/nope", "", apologyBody, "panic in not-found view for GET /nope: not-found view bug"},
		{"panicking not-found view, OPTIONS", panicking, "OPTIONS", "/", "", apologyBody, "panic in exception view for OPTIONS /: exception view bug"},
		{"panicking exception view", panicking, "GET", "/panic", "alice", apologyBody, "panic in exception view for GET /panic: exception view bug"},
		{"failing forbidden view", failingViews, "GET", "/", "mallory", apologyBody, "exception view failed"},
		{"failing not-found view", failingViews, "GET", "/nope", "", apologyBody, "not-found view failed"},
		{"failing exception view", failingViews, "GET", "/fails", "", apologyBody, "exception view failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs := newTestViews(t, tt.cfg)
			r := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.who != "" {
				r.Header.Set("X-Who", tt.who)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Errorf("status = %d, want 200", w.Code)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			if tt.wantBody == apologyBody && w.Header().Get("Content-Type") != "application/xml" {
				t.Errorf("Content-Type = %q, want application/xml", w.Header().Get("Content-Type"))
			}
			if strings.Contains(logs.String(), "goroutine ") {
				t.Errorf("a stack trace was logged: %s", logs)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log:\n%s\nwant it to say %q", logs, tt.wantLog)
			}
		})
	}
}

func TestDebugAuthorization(t *testing.T) {
	tests := []struct {
		name   string
		debug  bool
		target string
		who    string
		want   string // the whole message; "" when no line is wanted
	}{
		{"denied", true, "/secret", "alice",
			`debug_authorization of url http://example.com/secret (view name 'secret' against context '/secret'): ACLDenied permission 'restricted' via ACE '<default deny>' in ACL '<No ACL found on any object in resource lineage>' on context '/secret' for principals ['system.Everyone', 'system.Authenticated', 'alice']`},
		{"allowed, query kept", true, "/?From=%2B15551234567", "alice",
			`debug_authorization of url http://example.com/?From=%2B15551234567 (view name 'GET /' against context '/'): ACLAllowed permission 'view' via ACE ('Allow', 'alice', 'view') in ACL [] on context '/' for principals ['system.Everyone', 'system.Authenticated', 'alice']`},
		{"absolute form: the path alone, never the password", true, "http://user:pa55w0rd@example.com/secret?x=1", "alice",
			`debug_authorization of url http://example.com/secret?x=1 (view name 'secret' against context '/secret'): ACLDenied permission 'restricted' via ACE '<default deny>' in ACL '<No ACL found on any object in resource lineage>' on context '/secret' for principals ['system.Everyone', 'system.Authenticated', 'alice']`},
		{"off", false, "/secret", "alice", ""},
		{"no check, no line", true, "/healthz", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs := newTestViews(t, Config{DebugAuthorization: tt.debug})
			r := httptest.NewRequest("GET", tt.target, nil)
			r.Header.Set("X-Who", tt.who)
			e.ServeHTTP(httptest.NewRecorder(), r)
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if strings.Contains(line, "debug_authorization") {
					got = append(got, line)
				}
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("got lines %q, want none", got)
				}
				return
			}
			want := "level=DEBUG msg=" + strconv.Quote(tt.want) + " request_id=\"\""
			if len(got) != 1 || !strings.HasSuffix(got[0], want) {
				t.Errorf("got lines %q, want one ending %q", got, want)
			}
		})
	}
}

func TestCustomForbidden(t *testing.T) {
	var got authz.Decision
	e, _ := newTestViews(t, Config{Forbidden: func(c echo.Context, d authz.Decision) error {
		got = d
		return c.String(http.StatusForbidden, "no")
	}})
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/secret", nil))
	if w.Code != http.StatusForbidden || got.Permission != "restricted" || got.Allowed {
		t.Errorf("custom forbidden view: status %d, decision %+v", w.Code, got)
	}
}

// A custom forbidden view may change the decision it is given without
// changing what the Record (and so the request log) says was decided.
func TestCustomForbiddenGetsACopy(t *testing.T) {
	e, _ := newTestViews(t, Config{Forbidden: func(c echo.Context, d authz.Decision) error {
		for i := range d.Principals {
			d.Principals[i] = "redacted"
		}
		d.ACL = append(d.ACL[:0], authz.ACE{Principal: "redacted", Permission: "x"})
		return c.String(http.StatusForbidden, "no")
	}})
	rec := NewRecord("id")
	r := httptest.NewRequest("GET", "/secret", nil)
	r.Header.Set("X-Who", "alice")
	r = r.WithContext(NewRecordContext(r.Context(), rec))
	e.ServeHTTP(httptest.NewRecorder(), r)
	s := rec.Summary()
	if s.Decision == nil || slices.Contains(s.Decision.Principals, "redacted") || slices.Contains(s.Principals, "redacted") {
		t.Fatalf("the Record shows what the forbidden view changed: %+v", s)
	}
	if !slices.Contains(s.Decision.Principals, "alice") {
		t.Errorf("decision principals %q, want alice among them", s.Decision.Principals)
	}
}

func TestRegistrationErrors(t *testing.T) {
	h := func(echo.Context) error { return nil }
	tests := []struct {
		name  string
		route Route
		want  error
	}{
		{"no permission", Route{Method: "GET", Path: "/x", Handler: h}, ErrNoPermission},
		{"all permissions", Route{Method: "GET", Path: "/x", Permission: authz.AllPermissions, Handler: h}, ErrInvalidRoute},
		{"no method", Route{Path: "/x", Permission: "view", Handler: h}, ErrInvalidRoute},
		{"a method with a slash", Route{Method: "GET/admin", Path: "/users", Permission: "view", Handler: h}, ErrInvalidRoute},
		{"a method with a space", Route{Method: "GET ", Path: "/x", Permission: "view", Handler: h}, ErrInvalidRoute},
		{"relative path", Route{Method: "GET", Path: "x", Permission: "view", Handler: h}, ErrInvalidRoute},
		{"relative resource", Route{Method: "GET", Path: "/x", Permission: "view", Resource: "x", Handler: h}, ErrInvalidRoute},
		{"path with a trailing slash needs a resource", Route{Method: "GET", Path: "/x/", Permission: "view", Handler: h}, ErrInvalidRoute},
		{"dot-dot resource", Route{Method: "GET", Path: "/x", Permission: "view", Resource: "/a/../b", Handler: h}, ErrInvalidRoute},
		{"no handler", Route{Method: "GET", Path: "/x", Permission: "view"}, ErrInvalidRoute},
		{"Echo's not-found pseudo-method", Route{Method: echo.RouteNotFound, Path: "/*", Permission: "view", Handler: h}, ErrInvalidRoute},
		{"an empty segment", Route{Method: "GET", Path: "/a//b", Resource: "/r", Permission: "view", Handler: h}, ErrInvalidRoute},
		{"a dot segment", Route{Method: "GET", Path: "/a/./b", Resource: "/r", Permission: "view", Handler: h}, ErrInvalidRoute},
		{"a dot-dot segment", Route{Method: "GET", Path: "/x/../y", Resource: "/r", Permission: "view", Handler: h}, ErrInvalidRoute},
		{"an escape", Route{Method: "GET", Path: "/c%41t", Resource: "/r", Permission: "view", Handler: h}, ErrInvalidRoute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			v, err := New(e, Config{Authn: byHeader, Authz: permitIf("a", "view")})
			if err != nil {
				t.Fatal(err)
			}
			v.Add(tt.route)
			if err := v.Err(); !errors.Is(err, tt.want) {
				t.Errorf("Err() = %v, want %v", err, tt.want)
			}
			if len(v.Routes()) != 0 || len(e.Routes()) != 0 {
				t.Errorf("an invalid route was registered")
			}
		})
	}
	if _, err := New(echo.New(), Config{}); err == nil {
		t.Error("New without policies succeeded")
	}
}

// Every way of serving a route without the guard is caught by Err, and the
// routes Echo adds of its own accord are not.
func TestRouteOutsideViews(t *testing.T) {
	h := func(echo.Context) error { return nil }
	tests := []struct {
		name   string
		bypass func(e *echo.Echo, v *Views)
		want   error  // nil: Err must pass
		naming string // what the error must name
	}{
		{"none", func(*echo.Echo, *Views) {}, nil, ""},
		{"a route of its own", func(e *echo.Echo, _ *Views) { e.GET("/backdoor", h) }, ErrNoPermission, "GET /backdoor"},
		{"a route in a group", func(e *echo.Echo, _ *Views) { e.Group("/api").POST("/upload", h) }, ErrNoPermission, "POST /api/upload"},
		{"a view replaced", func(e *echo.Echo, _ *Views) { e.GET("/docs", h) }, ErrNoPermission, "GET /docs was registered on Echo directly, taking the place of a view"},
		{"a view replaced under another parameter name", func(e *echo.Echo, _ *Views) { e.GET("/docs/:name", h) }, ErrNoPermission, "GET /docs/:name was registered on Echo directly, taking the place of a view"},
		{"a route on a host router", func(e *echo.Echo, _ *Views) { e.Host("admin.example.com").GET("/dump", h) }, ErrNoPermission, `host "admin.example.com"`},
		{"a view registered twice", func(_ *echo.Echo, v *Views) { v.GET("/docs", "view", h) }, ErrInvalidRoute, "registered already, as GET /docs"},
		{"a view registered twice under another parameter name", func(_ *echo.Echo, v *Views) { v.GET("/docs/:name", "view", h) }, ErrInvalidRoute, "GET /docs/:id never runs: Echo routes its requests to GET /docs/:name, registered later"},
		{"a view registered twice under another wildcard", func(_ *echo.Echo, v *Views) { v.GET("/files/*", "admin", h); v.GET("/files/*rest", "view", h) }, ErrInvalidRoute, "GET /files/* never runs: Echo routes its requests to GET /files/*rest, registered later"},
		{"a view replaced under another wildcard", func(e *echo.Echo, v *Views) { v.GET("/files/*", "admin", h); e.GET("/files/*rest", h) }, ErrNoPermission, "GET /files/*rest was registered on Echo directly, taking the place of a view"},
		{"views with different inline verbs", func(_ *echo.Echo, v *Views) {
			v.POST(`/items/:id\:cancel`, "edit", h)
			v.POST(`/items/:id\:undelete`, "edit", h)
		}, nil, ""},
		{"a view and an inline verb on its parameter", func(_ *echo.Echo, v *Views) { v.POST("/items/:id", "edit", h); v.POST(`/items/:id\:cancel`, "edit", h) }, nil, ""},
		{"a route of Echo's that a view took the place of", func(e *echo.Echo, v *Views) { e.GET("/pages/:name", h); v.GET("/pages/:id", "view", h) }, nil, ""},
		{"a view on the same path with another method", func(_ *echo.Echo, v *Views) { v.POST("/docs", "edit", h) }, nil, ""},
		{"a not-found route", func(e *echo.Echo, _ *Views) { e.RouteNotFound("/*", h) }, ErrNoPermission, "a not-found route for /* was registered on Echo directly"},
		{"a group's middleware", func(e *echo.Echo, _ *Views) { e.Group("/assets", func(echo.HandlerFunc) echo.HandlerFunc { return h }) }, ErrNoPermission, "a not-found route for /assets/* was registered on Echo directly"},
		{"a wildcard beside a parameter view", func(e *echo.Echo, v *Views) { v.GET("/files/:name", "admin", h); e.GET("/files/*", h) }, ErrNoPermission, "GET /files/* was registered on Echo directly, without a permission"},
		{"a catch-all beside a parameter view", func(e *echo.Echo, v *Views) { v.GET("/:page", "admin", h); e.GET("/*", h) }, ErrNoPermission, "GET /* was registered on Echo directly, without a permission"},
		{"static files beside a parameter view", func(e *echo.Echo, v *Views) { v.GET("/:page", "admin", h); e.Static("/", ".") }, ErrNoPermission, "GET /* was registered on Echo directly, without a permission"},
		{"a mid-path wildcard beside a parameter view", func(e *echo.Echo, v *Views) { v.GET("/a/:p/b", "admin", h); e.GET("/a/*/b", h) }, ErrNoPermission, "GET /a/*/b was registered on Echo directly, without a permission"},
		{"a parameter beside a static view", func(e *echo.Echo, v *Views) { v.GET("/u/\x01", "admin", h); e.GET("/u/:id", h) }, ErrNoPermission, "GET /u/:id was registered on Echo directly, without a permission"},
		{"a wildcard view beside a parameter view", func(_ *echo.Echo, v *Views) { v.GET("/files/*", "admin", h); v.GET("/files/:name", "view", h) }, nil, ""},
		{"a catch-all view beside a parameter view", func(_ *echo.Echo, v *Views) { v.GET("/*", "admin", h); v.GET("/:page", "view", h) }, nil, ""},
		{"a view registered over a route of Echo's", func(e *echo.Echo, v *Views) { e.GET("/late", h); v.GET("/late", "view", h) }, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			v, err := New(e, Config{Authn: byHeader, Authz: permitIf("a", "admin")})
			if err != nil {
				t.Fatal(err)
			}
			v.GET("/docs", "admin", h)
			v.GET("/docs/:id", "admin", h)
			if err := v.Err(); err != nil {
				t.Fatalf("Err() = %v before any bypass", err)
			}
			tt.bypass(e, v)
			err = v.Err()
			switch {
			case tt.want == nil && err != nil:
				t.Errorf("Err() = %v, want nil", err)
			case tt.want != nil && (!errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.naming)):
				t.Errorf("Err() = %v, want %v naming %q", err, tt.want, tt.naming)
			}
		})
	}
}

// Err changes nothing of Echo's: it may run while Echo serves, and twice
// at once (go test -race).
func TestErrIsReadOnly(t *testing.T) {
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("a", "view")})
	if err != nil {
		t.Fatal(err)
	}
	h := func(echo.Context) error { return nil }
	v.GET("/docs/:id", "view", h)
	e.GET("/backdoor", h)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range 50 {
				if err := v.Err(); err == nil || !strings.Contains(err.Error(), "/backdoor") {
					t.Errorf("Err() = %v, want it to name /backdoor", err)
					return
				}
			}
		})
	}
	for range 200 {
		if got := e.Reverse("GET /docs/:id", "7"); got != "/docs/7" {
			t.Fatalf("Reverse = %q while Err runs, want /docs/7", got)
		}
	}
	wg.Wait()
}

// The view sees the principals the decision was made for, groups included.
func TestViewSeesDecisionPrincipals(t *testing.T) {
	withGroup := authz.PolicyFunc(func(_ context.Context, principals []string, resource, perm string) (authz.Decision, error) {
		return authz.Decision{Allowed: true, Permission: perm, Context: resource, Principals: append(principals, "group:staff")}, nil
	})
	var seen []string
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: withGroup})
	if err != nil {
		t.Fatal(err)
	}
	v.GET("/", "view", func(c echo.Context) error {
		seen, _ = authn.FromContext(c.Request().Context())
		return nil
	})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Who", "alice")
	e.ServeHTTP(httptest.NewRecorder(), r)
	want := []string{authn.Everyone, authn.Authenticated, "alice", "group:staff"}
	if !slices.Equal(seen, want) {
		t.Errorf("view saw principals %q, want %q", seen, want)
	}
}

// A view that checks a permission of its own and returns the denial as an
// *authz.DeniedError (wrapped or not) is answered by the forbidden view
// with that decision, which the Record (and so the request log) shows; no
// error is logged.
func TestViewDenialGoesToForbidden(t *testing.T) {
	var got authz.Decision
	e, logs := newTestViews(t, Config{Forbidden: func(c echo.Context, d authz.Decision) error {
		got = d
		return c.String(http.StatusForbidden, "no")
	}})
	rec := NewRecord("id")
	r := httptest.NewRequest("GET", "/denies", nil)
	r.Header.Set("X-Who", "alice")
	r = r.WithContext(NewRecordContext(r.Context(), rec))
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden || w.Body.String() != "no" {
		t.Fatalf("got %d %q, want the forbidden view's 403 no", w.Code, w.Body.String())
	}
	if got.Permission != "edit" || got.Context != "/docs/42" || got.Allowed {
		t.Errorf("the forbidden view got %+v, want the view's own denial of edit on /docs/42", got)
	}
	if s := rec.Summary(); s.Decision == nil || s.Decision.Permission != "edit" || s.Decision.Allowed {
		t.Errorf("the Record shows %+v, want the view's denial", s.Decision)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a denial was logged as an error:\n%s", logs)
	}
}

// Only a denial the view itself returned reaches the forbidden view, and
// it cannot claim to be an allowance or change the principals: anything
// else that carries a DeniedError is a failure for the exception view.
func TestViewDenialIsNotTrustedBlindly(t *testing.T) {
	own := authz.Decision{Permission: "edit", Context: "/docs/42", Principals: []string{"user:root"}}
	allowed := own
	allowed.Allowed = true
	tests := []struct {
		name          string
		authz         authz.Policy
		view          error
		wantForbidden bool
		wantError     string // in the ERROR log line, when not forbidden
	}{
		{"a denial", nil, &authz.DeniedError{Decision: own}, true, ""},
		{"a denial claiming it allowed", nil, &authz.DeniedError{Decision: allowed}, true, ""},
		{"a denial joined with a failure", nil, errors.Join(errors.New("database down"), &authz.DeniedError{Decision: own}), false, "database down"},
		{"a zero denial", nil, &authz.DeniedError{}, false, "authz: "},
		{"an authorization policy returning a denial as its error", authz.PolicyFunc(func(context.Context, []string, string, string) (authz.Decision, error) {
			return authz.Decision{}, &authz.DeniedError{Decision: own}
		}), nil, false, "views: authorizing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			cfg := Config{
				Authn:  byHeader,
				Authz:  tt.authz,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				Forbidden: func(c echo.Context, d authz.Decision) error {
					return c.String(http.StatusForbidden, fmt.Sprintf("forbidden allowed=%v", d.Allowed))
				},
				Exception: func(c echo.Context, err error) error { return c.String(http.StatusInternalServerError, "exception") },
			}
			if cfg.Authz == nil {
				cfg.Authz = permitIf("alice", "view")
			}
			e := echo.New()
			v, err := New(e, cfg)
			if err != nil {
				t.Fatal(err)
			}
			v.GET("/docs/:id", "view", func(echo.Context) error { return tt.view })
			if err := v.Err(); err != nil {
				t.Fatal(err)
			}
			rec := NewRecord("id")
			r := httptest.NewRequest("GET", "/docs/42", nil)
			r.Header.Set("X-Who", "alice")
			r = r.WithContext(NewRecordContext(r.Context(), rec))
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			s := rec.Summary()
			if tt.wantForbidden {
				if w.Code != http.StatusForbidden || w.Body.String() != "forbidden allowed=false" {
					t.Errorf("got %d %q, want 403 forbidden allowed=false", w.Code, w.Body.String())
				}
				if s.Decision == nil || s.Decision.Allowed || s.Decision.Permission != "edit" {
					t.Errorf("the Record's decision is %+v, want the view's denial of edit", s.Decision)
				}
				if slices.Contains(s.Principals, "user:root") || !slices.Contains(s.Principals, "alice") {
					t.Errorf("the Record's principals are %q, want those authentication proved", s.Principals)
				}
				if logs.Len() != 0 {
					t.Errorf("a denial was logged:\n%s", logs.String())
				}
				return
			}
			if w.Code != http.StatusInternalServerError {
				t.Errorf("got %d %q, want the exception view", w.Code, w.Body.String())
			}
			if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), tt.wantError) {
				t.Errorf("log %q, want an ERROR line with %q", logs.String(), tt.wantError)
			}
		})
	}
}

// slots.same's shortcuts (static beginnings, keys) never change the
// answer of asking Echo both ways.
func TestSlotsShortcuts(t *testing.T) {
	sl, shared := newSlots(), 0
	check := func(a, b string) {
		t.Helper()
		sa, sb := slashed(a), slashed(b) // as Echo records them
		want := sa == sb || sl.goesTo(sa, sb) && sl.goesTo(sb, sa)
		if got := sl.same(a, b); got != want {
			t.Fatalf("same(%q, %q) = %v, want %v (keys %q, %q)", a, b, got, want, sl.key(sa), sl.key(sb))
		}
		if want {
			shared++
		}
	}
	// A '*' in a parameter's name: cut there, the parameter would end in
	// an inline verb, and the keys of one slot would disagree.
	check(`/:p\:v\:*:p:qa*:p`, `/:p\:v-*:*\::p-:q`)
	check("/:p", "/:*")
	check("/a/*/b", "/a/*")
	check("/files/*", "/files/:name")
	check("x:p", "/x:p") // Echo adds the slash
	check("", "/")
	check(":p", "/:q")
	parts := []string{"/", "a", "b", ":", "*", `\`, `\:`, "\x01", ":p", ":q", "*w", `\:v`, "/x", ":p*", ":*", "*:p", "-", ":p-:q", `:p\:v`}
	rng := rand.New(rand.NewPCG(1, 2))
	pattern := func() string {
		s := "/"
		for range 1 + rng.IntN(6) {
			s += parts[rng.IntN(len(parts))]
		}
		return s
	}
	for range 6000 {
		a, b := pattern(), pattern()
		if rng.IntN(3) == 0 {
			b = a + parts[rng.IntN(len(parts))] // often one slot
		}
		check(a, b)
	}
	if shared < 300 {
		t.Errorf("only %d of the pairs shared a handler: the test shows little", shared)
	}
}

// BenchmarkErr checks an application of 900 views that share a beginning,
// as a REST API's do, a third of them wildcards whose requests their
// parameter siblings catch (so that they are compared pair by pair).
func BenchmarkErr(b *testing.B) {
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("a", "view")})
	if err != nil {
		b.Fatal(err)
	}
	h := func(echo.Context) error { return nil }
	for i := range 300 {
		v.GET(fmt.Sprintf("/api/:version/r%d", i), "view", h)
		v.GET(fmt.Sprintf("/api/:version/r%d/*", i), "view", h)
		v.GET(fmt.Sprintf("/api/:version/r%d/:id", i), "view", h)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// Whenever Err passes, no request reaches a handler registered on Echo
// directly: random applications of views and routes of Echo's own, in
// random order, each asked random requests.
func TestErrNeverPassesAnUnguardedRoute(t *testing.T) {
	parts := []string{"/", "a", "b", ":p", ":q", "*", "*w", `\:v`, "/x"}
	rng := rand.New(rand.NewPCG(3, 4))
	random := func(parts []string, n int) string {
		s := "/"
		for range 1 + rng.IntN(n) {
			s += parts[rng.IntN(len(parts))]
		}
		return s
	}
	passed := 0
	for range 4000 {
		e := echo.New()
		var logs bytes.Buffer
		v, err := New(e, Config{Authn: byHeader, Authz: permitIf("alice", "view"), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 + rng.IntN(3) {
			path := random(parts, 4)
			if rng.IntN(2) == 0 {
				v.GET(path, "view", func(c echo.Context) error { return c.String(http.StatusOK, "guarded") })
			} else {
				e.GET(path, func(c echo.Context) error { return c.String(http.StatusOK, "UNGUARDED") })
			}
		}
		if v.Err() != nil {
			continue
		}
		passed++
		for range 40 {
			target := random([]string{"/", "a", "b", "x", "v", ":v", "/x"}, 5)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "http://ivr.example.com"+target, nil))
			if w.Body.String() == "UNGUARDED" {
				t.Fatalf("Err passed, yet GET %s reached a route of Echo's: routes %v", target, e.Routes())
			}
		}
	}
	if passed < 200 {
		t.Errorf("Err passed only %d of the applications: the test shows little", passed)
	}
}

// A route registered on Echo directly never runs, even when Err was not
// asked again after it: the request is refused through the exception view,
// with a log line naming the route. Echo's own not-found and
// method-not-allowed answers still reach the not-found view.
func TestRouteOutsideViewsRefusedWhenServed(t *testing.T) {
	for _, tt := range []struct {
		name           string
		add            func(e *echo.Echo, h echo.HandlerFunc)
		method, target string
		host           string // the request's Host: "" for example.com
	}{
		{"GET after Err", func(e *echo.Echo, h echo.HandlerFunc) { e.GET("/late", h) }, "GET", "/late", ""},
		{"in a view's place", func(e *echo.Echo, h echo.HandlerFunc) { e.GET("/", h) }, "GET", "/", ""},
		{"on a host router, at a view's path", func(e *echo.Echo, h echo.HandlerFunc) { e.Host("evil.example").GET("/", h) }, "GET", "/", "evil.example"},
		{"Any", func(e *echo.Echo, h echo.HandlerFunc) { e.Any("/any", h) }, "DELETE", "/any", ""},
		{"a not-found route", func(e *echo.Echo, h echo.HandlerFunc) { e.RouteNotFound("/nf/*", h) }, "GET", "/nf/x", ""},
		{"a group with middleware", func(e *echo.Echo, h echo.HandlerFunc) {
			e.Group("/g", func(next echo.HandlerFunc) echo.HandlerFunc { return next }).GET("/x", h)
		}, "GET", "/g/x", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			e := echo.New()
			v, err := New(e, Config{Authn: byHeader, Authz: permitIf("alice", "view"), Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				Exception: func(c echo.Context, _ error) error { return c.String(http.StatusOK, "exception view") }})
			if err != nil {
				t.Fatal(err)
			}
			v.GET("/", "view", func(c echo.Context) error { return c.String(http.StatusOK, "a view") })
			if err := v.Err(); err != nil {
				t.Fatal(err)
			}
			ran := false
			tt.add(e, func(c echo.Context) error { ran = true; return c.String(http.StatusOK, "open door") })
			req := httptest.NewRequest(tt.method, tt.target, nil)
			req.Header.Set("X-Who", "alice")
			if tt.host != "" {
				req.Host = tt.host
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if ran || rec.Body.String() != "exception view" {
				t.Errorf("%s %s: ran %v, body %q; want the exception view, the handler never run", tt.method, tt.target, ran, rec.Body.String())
			}
			if !strings.Contains(logs.String(), "registered on Echo directly, not a view: refused") {
				t.Errorf("log %q, want the refusal", logs.String())
			}
		})
	}
	// Echo's own answers: a miss and a method the path does not serve, even
	// with a not-found handler of the app's own in Echo's global (one that
	// would serve files, say): it never runs.
	defer func(h echo.HandlerFunc) { echo.NotFoundHandler = h }(echo.NotFoundHandler)
	echo.NotFoundHandler = func(c echo.Context) error { return c.String(http.StatusOK, "served without a permission") }
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("alice", "view"),
		NotFound: func(c echo.Context) error { return c.String(http.StatusOK, "not-found view") }})
	if err != nil {
		t.Fatal(err)
	}
	v.GET("/", "view", func(c echo.Context) error { return c.String(http.StatusOK, "a view") })
	for _, r := range []struct{ method, target string }{{"GET", "/nothing"}, {"PUT", "/"}} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(r.method, r.target, nil))
		if rec.Body.String() != "not-found view" {
			t.Errorf("%s %s: body %q, want the not-found view", r.method, r.target, rec.Body.String())
		}
	}
}

// One Views per Echo, and Echo's error handler stays the one it installed.
func TestViewsOwnsTheErrorHandler(t *testing.T) {
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("alice", "view")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(e, Config{Authn: byHeader, Authz: permitIf("bob", "view")}); err == nil {
		t.Error("a second New on the same Echo succeeded")
	}
	if err := v.Err(); err != nil {
		t.Fatalf("Err = %v before the handler was replaced", err)
	}
	e.HTTPErrorHandler = func(err error, c echo.Context) { _ = c.String(http.StatusInternalServerError, err.Error()) }
	if err := v.Err(); !errors.Is(err, ErrErrorHandler) {
		t.Errorf("Err = %v after HTTPErrorHandler was replaced, want ErrErrorHandler", err)
	}
}

// Views that share requests with a route registered before them are
// served, in either order, exactly as Echo alone routes the same patterns
// (/files/ goes to /files/*, /files/x to /files/:name), and so are views
// with escaped colons.
func TestViewsServedInEitherOrder(t *testing.T) {
	for _, tt := range []struct {
		patterns []string
		target   string
	}{
		{[]string{"/files/:name", "/files/*"}, "/files/"},
		{[]string{"/files/*", "/files/:name"}, "/files/"},
		{[]string{"/files/:name", "/files/*"}, "/files/x"},
		{[]string{"/:page", "/*"}, "/"},
		{[]string{"/*", "/:page"}, "/"},
		{[]string{"/u/:id/:p", "/u/:id/*"}, "/u/1/"},
		{[]string{`/files/:name\:cancel/:x`, `/files/:name\:cancel/*`}, "/files/x:cancel/"},
		{[]string{`/files/:name\:cancel/*`, `/files/:name\:cancel/:x`}, "/files/x:cancel/"},
		{[]string{"/files/:name", "/files/*/meta"}, "/files/"},
		{[]string{"/files/:a/:b", "/files/*/meta"}, "/files/x/"},
		// Escaped colons, which the router must not read as parameters.
		{[]string{`/a\:b`}, "/a:b"},
		{[]string{`/q/\:id`, `/q/:id`}, "/q/7"},
		{[]string{`/q/:id`, `/q/\:id`}, "/q/:id"},
	} {
		plain := echo.New()
		e := echo.New()
		v, err := New(e, Config{Authn: byHeader, Authz: permitIf("alice", "edit"),
			Exception: func(c echo.Context, err error) error { return c.String(http.StatusOK, "exception view: "+err.Error()) }})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tt.patterns {
			h := func(c echo.Context) error { return c.String(http.StatusOK, p) }
			plain.GET(p, h)
			v.GET(p, "edit", h)
		}
		if err := v.Err(); err != nil {
			t.Errorf("%v: Err = %v", tt.patterns, err)
			continue
		}
		answer := func(e *echo.Echo) string {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			req.Header.Set("X-Who", "alice")
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			return rec.Body.String()
		}
		if got, want := answer(e), answer(plain); got != want {
			t.Errorf("%v: GET %s answered %q, want %q, as Echo alone routes it", tt.patterns, tt.target, got, want)
		}
	}
}
