package views

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/authn"
)

func TestChallenge(t *testing.T) {
	const password = "pa55-w0rd"
	basic, err := authn.NewBasic(authn.BasicConfig{Username: "twilio", Password: password, Realm: "ivr", Next: byHeader})
	if err != nil {
		t.Fatal(err)
	}
	wrapped := authn.PolicyFunc(func(r *http.Request) ([]string, error) {
		_, err := basic.Principals(r)
		return nil, fmt.Errorf("outer policy: %w", err)
	})
	tests := []struct {
		name       string
		cfg        Config
		target     string
		user, pass string
		who        string
		wantCode   int
		wantBody   string
		wantHeader string
	}{
		{"no credentials: 401 with the challenge", Config{Authn: basic}, "/", "", "", "alice", 401, "unauthorized\n", `Basic realm="ivr", charset="UTF-8"`},
		{"wrong password: 401", Config{Authn: basic}, "/", "twilio", "nope", "alice", 401, "unauthorized\n", `Basic realm="ivr", charset="UTF-8"`},
		{"a wrapped challenge is found", Config{Authn: wrapped}, "/", "", "", "alice", 401, "unauthorized\n", `Basic realm="ivr", charset="UTF-8"`},
		{"credentials: the view runs", Config{Authn: basic}, "/", "twilio", password, "alice", 200, "view ran", ""},
		{"credentials, denied: forbidden view", Config{Authn: basic}, "/", "twilio", password, "mallory", 200, apologyBody, ""},
		{"opt-out route is never challenged", Config{Authn: basic}, "/healthz", "", "", "", 200, "view ran", ""},
		{"unknown route: not found view, no challenge", Config{Authn: basic}, "/nope", "", "", "", 200, apologyBody, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs := newTestViews(t, tt.cfg)
			r := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.user != "" {
				r.SetBasicAuth(tt.user, tt.pass)
			}
			if tt.who != "" {
				r.Header.Set("X-Who", tt.who)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Code != tt.wantCode {
				t.Errorf("status = %d, want %d", w.Code, tt.wantCode)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.wantHeader {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wantHeader)
			}
			if tt.wantCode == 401 && strings.Contains(w.Header().Get("Content-Type"), "xml") {
				t.Errorf("Content-Type = %q, want plain text, not TwiML", w.Header().Get("Content-Type"))
			}
			if strings.Contains(logs.String(), password) || strings.Contains(w.Body.String(), password) {
				t.Errorf("the password was shown: logs %q, body %q", logs, w.Body)
			}
		})
	}
}

// Any other authentication error still fails closed into the exception view.
func TestNonChallengeErrorIsException(t *testing.T) {
	failing := authn.PolicyFunc(func(*http.Request) ([]string, error) { return nil, errors.New("cannot decide") })
	e, _ := newTestViews(t, Config{Authn: failing})
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != 200 || w.Body.String() != apologyBody || w.Header().Get("WWW-Authenticate") != "" {
		t.Errorf("got %d %q (WWW-Authenticate %q), want the apology without a challenge", w.Code, w.Body, w.Header().Get("WWW-Authenticate"))
	}
}
