package app

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/views"
)

// An authorization policy that cannot decide is logged decision=error and
// counted result="error" (README, "Reading the request log").
func TestAuthzFailureLoggedAndCounted(t *testing.T) {
	a, logs := newLoggedApp(t, "info", nil)
	e := echo.New()
	e.Use(a.observe)
	v, err := views.New(e, views.Config{
		Authn: authn.PolicyFunc(func(*http.Request) ([]string, error) { return nil, nil }),
		Authz: authz.PolicyFunc(func(context.Context, []string, string, string) (authz.Decision, error) {
			return authz.Decision{}, errors.New("policy store unavailable")
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	v.Add(views.Route{Method: http.MethodGet, Path: "/accessible", Name: "accessible", Permission: "view",
		Handler: func(c echo.Context) error { return c.String(http.StatusOK, "view ran") }})
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/accessible", nil))
	if strings.Contains(rec.Body.String(), "view ran") {
		t.Fatal("the view ran although the policy could not decide")
	}
	if !strings.Contains(logs.String(), `"decision":"error"`) || !strings.Contains(logs.String(), `"permission":"view"`) {
		t.Errorf("request log: want permission view and decision error:\n%s", logs.String())
	}
	if got := testutil.ToFloat64(a.metrics.decisions.WithLabelValues("view", "error")); got != 1 {
		t.Errorf(`decisions{view,error} = %v, want 1`, got)
	}
	if got := testutil.ToFloat64(a.metrics.decisions.WithLabelValues("view", "denied")); got != 0 {
		t.Errorf(`decisions{view,denied} = %v, want 0`, got)
	}
}
