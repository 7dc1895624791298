package views

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
)

func TestRecord(t *testing.T) {
	failingAuthz := authz.PolicyFunc(func(context.Context, []string, string, string) (authz.Decision, error) {
		return authz.Decision{}, errors.New("cannot decide")
	})
	// A policy that panics could not decide either: recorded as one that
	// fails (decision=error in the request log), not as no decision.
	panickingAuthz := authz.PolicyFunc(func(context.Context, []string, string, string) (authz.Decision, error) {
		panic("casbin: index out of range")
	})
	tests := []struct {
		name           string
		cfg            Config
		method, target string
		who            string
		want           Summary
		wantAllowed    bool
	}{
		{"allowed", Config{}, "GET", "/", "alice",
			Summary{RequestID: "r1", Route: "GET /", Permission: "view", Principals: []string{authn.Everyone, authn.Authenticated, "alice"}}, true},
		{"denied", Config{}, "GET", "/secret", "alice",
			Summary{RequestID: "r1", Route: "secret", Permission: "restricted", Principals: []string{authn.Everyone, authn.Authenticated, "alice"}}, false},
		{"unauthenticated", Config{}, "GET", "/", "",
			Summary{RequestID: "r1", Route: "GET /", Permission: "view", Principals: []string{authn.Everyone}}, false},
		{"opt-out", Config{}, "GET", "/healthz", "alice",
			Summary{RequestID: "r1", Route: "GET /healthz", Permission: authz.NoPermissionRequired}, false},
		{"not found", Config{}, "GET", "/nope", "alice", Summary{RequestID: "r1"}, false},
		{"authz error", Config{Authz: failingAuthz}, "GET", "/", "alice",
			Summary{RequestID: "r1", Route: "GET /", Permission: "view", Principals: []string{authn.Everyone, authn.Authenticated, "alice"}, AuthzFailed: true}, false},
		{"authz panic", Config{Authz: panickingAuthz}, "GET", "/", "alice",
			Summary{RequestID: "r1", Route: "GET /", Permission: "view", Principals: []string{authn.Everyone, authn.Authenticated, "alice"}, AuthzFailed: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTestViews(t, tt.cfg)
			rec := NewRecord("r1")
			e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					c.SetRequest(c.Request().WithContext(NewRecordContext(c.Request().Context(), rec)))
					return next(c)
				}
			})
			r := httptest.NewRequest(tt.method, tt.target, nil)
			r.Header.Set("X-Who", tt.who)
			e.ServeHTTP(httptest.NewRecorder(), r)

			got := rec.Summary()
			if got.RequestID != tt.want.RequestID || got.Route != tt.want.Route || got.Permission != tt.want.Permission ||
				!slices.Equal(got.Principals, tt.want.Principals) || got.AuthzFailed != tt.want.AuthzFailed {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			wantDecision := tt.want.Permission != "" && tt.want.Permission != authz.NoPermissionRequired && !tt.want.AuthzFailed
			if (got.Decision != nil) != wantDecision {
				t.Fatalf("got decision %v, want one: %v", got.Decision, wantDecision)
			}
			if got.Decision != nil && (got.Decision.Allowed != tt.wantAllowed || got.Decision.Permission != tt.want.Permission) {
				t.Errorf("got decision %v, want allowed %v for %q", got.Decision, tt.wantAllowed, tt.want.Permission)
			}
		})
	}
}

// A nil Record, as when no middleware installed one, ignores every call.
func TestRecordNil(t *testing.T) {
	var rec *Record
	rec.SetSignature(authn.ReasonValid)
	rec.setRoute(Route{Name: "x"})
	rec.setDecision(authz.Decision{Allowed: true})
	if got := rec.Summary(); got.Route != "" || got.Decision != nil || got.Signature != "" {
		t.Errorf("got %+v from a nil Record, want the zero Summary", got)
	}
	if got := RecordFrom(context.Background()); got != nil {
		t.Errorf("RecordFrom(empty context) = %v, want nil", got)
	}
	if got := rec.RequestID(); got != "" {
		t.Errorf("RequestID() = %q, want empty", got)
	}
}

// Summary returns a copy: changing it leaves the Record alone, and the
// Record may be written while another goroutine reads it.
func TestRecordSummaryIsACopy(t *testing.T) {
	rec := NewRecord("r2")
	ace := authz.ACE{Allow: true, Principal: "a", Permission: "view"}
	acl := []authz.ACE{ace} // the policy's own, shared by every request's decision
	rec.setDecision(authz.Decision{Permission: "view", Principals: []string{"a"}, ACE: &acl[0], ACL: acl})
	s := rec.Summary()
	s.Principals[0] = "mallory"
	s.Decision.Permission = "admin"
	s.Decision.Principals[0] = "mallory"
	s.Decision.ACE.Principal = "mallory"
	s.Decision.ACL[0].Allow = false
	if got := rec.Summary(); got.Principals[0] != "a" || got.Decision.Permission != "view" || got.Decision.Principals[0] != "a" {
		t.Errorf("got %+v after changing a copy, want the Record unchanged", got)
	}
	if acl[0] != ace {
		t.Errorf("the policy's ACL is %+v after changing a copy, want %+v", acl[0], ace)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			rec.SetSignature(authn.ReasonNoMatch)
			_ = rec.Summary()
		})
	}
	wg.Wait()
	if got := rec.Summary().Signature; got != authn.ReasonNoMatch {
		t.Errorf("Signature = %q, want %q", got, authn.ReasonNoMatch)
	}
}

func TestResolveRoute(t *testing.T) {
	h := func(c echo.Context) error { return c.NoContent(http.StatusOK) }
	got, err := ResolveRoute(Route{Method: "GET", Path: "/a/b", Permission: "view", Handler: h})
	if err != nil || got.Name != "GET /a/b" || got.Resource != "/a/b" {
		t.Errorf("got %+v, %v, want name %q and resource %q", got, err, "GET /a/b", "/a/b")
	}
	if _, err := ResolveRoute(Route{Method: "GET", Path: "/a", Handler: h}); !errors.Is(err, ErrNoPermission) {
		t.Errorf("got %v, want ErrNoPermission", err)
	}
}
