package views

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policies"
)

// A request whose context is already cancelled, as net/http cancels it
// when reading the request fails (a body cut short, a read timeout) while
// still writing the answer, is decided like any other: the real Casbin
// policy, which refuses to decide on a done context, is not asked with the
// request's cancellation. The answer is the view or the forbidden view,
// never the exception view, and nothing is logged as an error.
func TestGuardDecidesCancelledRequest(t *testing.T) {
	m, err := policies.ParseModel("model.conf", policies.DefaultModel())
	if err != nil {
		t.Fatal(err)
	}
	acl, err := authz.NewCasbin(m, [][]string{{"alice", "/", "view", "allow"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		who         string
		wantBody    string
		wantAllowed bool
	}{
		{"allowed", "alice", "view ran", true},
		{"denied", "mallory", apologyBody, false},
		{"unauthenticated", "", apologyBody, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs := newTestViews(t, Config{Authz: acl})
			rec := NewRecord("r1")
			e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					c.SetRequest(c.Request().WithContext(NewRecordContext(c.Request().Context(), rec)))
					return next(c)
				}
			})
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			r := httptest.NewRequestWithContext(ctx, "GET", "/", nil)
			r.Header.Set("X-Who", tt.who)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			s := rec.Summary()
			if s.AuthzFailed || s.Decision == nil || s.Decision.Allowed != tt.wantAllowed {
				t.Errorf("got AuthzFailed %v, decision %v; want a decision, allowed %v", s.AuthzFailed, s.Decision, tt.wantAllowed)
			}
			if strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("an error was logged:\n%s", logs)
			}
		})
	}
}
