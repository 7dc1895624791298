package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/config"
)

const testToken = "t0k3n-logging-test"

// newLoggedApp returns an App whose log is JSON at level, in logs.
func newLoggedApp(t *testing.T, level string, env map[string]string) (*App, *bytes.Buffer) {
	t.Helper()
	all := map[string]string{"TWILIO_AUTH_TOKEN": testToken, "GATEHOUSE_PUBLIC_URL": "https://ivr.example.com"}
	for k, v := range env {
		all[k] = v
	}
	var logs bytes.Buffer
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		t.Fatal(err)
	}
	a, err := New(testConfig(t, all), slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: l})))
	if err != nil {
		t.Fatal(err)
	}
	return a, &logs
}

// signedRequest builds a request signed with key ("" for none) as Twilio
// signs it for https://ivr.example.com.
func signedRequest(key, method, target string, form url.Values) *http.Request {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if key != "" {
		r.Header.Set(authn.SignatureHeader, authn.Sign(key, "https://ivr.example.com"+target, authn.ParamsFromValues(form)))
	}
	return r
}

// logLines parses JSON log lines.
func logLines(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestRequestLog(t *testing.T) {
	caller := url.Values{"From": {"+15551234567"}, "To": {"+15557654321"}, "Caller": {"+15551234567"}, "Digits": {"1"}}
	tests := []struct {
		name string
		req  *http.Request
		want map[string]any // fields of the request line; nil means absent
	}{
		{"signed menu", signedRequest(testToken, "GET", "/", nil), map[string]any{
			"method": "GET", "route": "menu", "pattern": "/", "status": 200.0, "signature": "valid",
			"principals": []any{"system.Everyone", "system.Authenticated", "group:twilio"},
			"permission": "view", "decision": "allowed", "ace": "('Allow', 'group:twilio', 'view')", "context": "/", "generation": 1.0}},
		{"unsigned menu", signedRequest("", "GET", "/", nil), map[string]any{
			"route": "menu", "signature": "missing_header", "principals": []any{"system.Everyone"},
			"permission": "view", "decision": "denied", "ace": "<default deny>", "context": "/"}},
		{"rotated token", signedRequest("old-token", "GET", "/", nil), map[string]any{
			"route": "menu", "signature": "no_match", "decision": "denied"}},
		{"signed POST with caller numbers", signedRequest(testToken, "POST", "/", caller), map[string]any{
			"method": "POST", "route": "choose", "signature": "valid", "decision": "allowed"}},
		{"signed GET with caller numbers in the query", signedRequest(testToken, "GET", "/?"+caller.Encode(), nil), map[string]any{
			"route": "menu", "pattern": "/", "signature": "valid", "decision": "allowed"}},
		{"restricted", signedRequest(testToken, "GET", "/restricted", nil), map[string]any{
			"route": "restricted", "permission": "restricted", "decision": "denied", "ace": "<default deny>", "context": "/restricted"}},
		{"not found", signedRequest(testToken, "GET", "/nope?From=%2B15551234567", nil), map[string]any{
			"route": "not_found", "pattern": nil, "status": 200.0, "signature": nil, "decision": nil}},
		{"healthz", signedRequest("", "GET", "/healthz", nil), map[string]any{
			"route": "healthz", "pattern": "/healthz", "signature": nil, "principals": nil, "permission": nil, "decision": nil, "generation": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, logs := newLoggedApp(t, "info", nil)
			w := httptest.NewRecorder()
			a.Handler().ServeHTTP(w, tt.req)
			var line map[string]any
			for _, l := range logLines(t, logs.String()) {
				if l["msg"] == "request" {
					if line != nil {
						t.Fatalf("two request lines: %v and %v", line, l)
					}
					line = l
				}
			}
			if line == nil {
				t.Fatalf("no request line in %s", logs)
			}
			if line["level"] != "INFO" {
				t.Errorf("level = %v, want INFO", line["level"])
			}
			for k, want := range tt.want {
				got, ok := line[k]
				if want == nil {
					if ok {
						t.Errorf("%s = %v, want it absent", k, got)
					}
					continue
				}
				if gotJSON, wantJSON := mustJSON(t, got), mustJSON(t, want); gotJSON != wantJSON {
					t.Errorf("%s = %s, want %s", k, gotJSON, wantJSON)
				}
			}
			id := w.Header().Get(RequestIDHeader)
			if len(id) != 32 || line["request_id"] != id {
				t.Errorf("request_id = %v, X-Request-Id = %q, want the same 32 hex digits", line["request_id"], id)
			}
			if _, ok := line["latency"]; !ok {
				t.Error("no latency")
			}
			for _, secret := range []string{testToken, "15551234567", "15557654321", tt.req.Header.Get(authn.SignatureHeader)} {
				if secret != "" && strings.Contains(logs.String(), secret) {
					t.Errorf("the log holds %q: %s", secret, logs)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A request ID sent by the client is neither believed nor echoed.
func TestRequestIDIsGenerated(t *testing.T) {
	a, logs := newLoggedApp(t, "info", nil)
	answer := func(clientID string) string {
		r := signedRequest("", "GET", "/healthz", nil)
		r.Header.Set(RequestIDHeader, clientID)
		w := httptest.NewRecorder()
		a.Handler().ServeHTTP(w, r)
		return w.Header().Get(RequestIDHeader)
	}
	first := answer("forged\nid")
	// A well-formed ID of the client's, and one equal to an ID the server
	// gave another request, are ignored as well: either would let a client
	// make its lines collide with another request's.
	sent := []string{"forged\nid", "0123456789abcdef0123456789abcdef", first}
	ids := []string{first}
	for _, clientID := range sent[1:] {
		ids = append(ids, answer(clientID))
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] || id == sent[i] || len(id) != 32 {
			t.Errorf("request %d sent ID %q and was given %q; want a fresh ID of 32 digits (all given: %q)", i, sent[i], id, ids)
		}
		seen[id] = true
	}
	for _, clientID := range sent[:2] {
		if strings.Contains(logs.String(), clientID) || strings.Contains(logs.String(), "forged") {
			t.Errorf("the log holds the client's ID %q: %s", clientID, logs)
		}
	}
	if got := strings.Count(logs.String(), first); got != 1 {
		t.Errorf("the first request's ID is in %d log lines, want 1 (its own): %s", got, logs)
	}
}

// Request IDs are unique within an App and across Apps, 32 hex digits,
// and do not read as a counter: consecutive IDs share no long prefix.
func TestRequestIDsUniqueAndOpaque(t *testing.T) {
	a, b := newRequestIDs(), newRequestIDs()
	seen := map[string]bool{}
	prev := ""
	for i := range 20000 {
		ids := a
		if i%2 == 1 {
			ids = b
		}
		id := ids.next()
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
			t.Fatalf("ID %q: want 32 lower-case hex digits", id)
		}
		if seen[id] {
			t.Fatalf("ID %q repeated after %d IDs", id, i)
		}
		seen[id] = true
		if i%2 == 0 && prev != "" {
			common := 0
			for common < 32 && id[common] == prev[common] {
				common++
			}
			if common >= 8 {
				t.Fatalf("consecutive IDs %q and %q share %d leading digits: they read as a counter", prev, id, common)
			}
		}
		if i%2 == 0 {
			prev = id
		}
	}
}

// The remembered rendering of the last principals is a copy: a caller that
// changes its slice afterwards cannot make a later request's line wrong.
func TestPrincipalTextsKeepACopy(t *testing.T) {
	var texts principalTexts
	list := []string{"system.Everyone", "group:twilio"}
	first := texts.of(list)
	list[1] = "group:staff"
	if got := string(texts.of([]string{"system.Everyone", "group:staff"}).text); got == string(first.text) {
		t.Errorf("a changed list got the old rendering %q", got)
	}
	if got, want := string(texts.of([]string{"system.Everyone", "group:twilio"}).text), string(first.text); got != want {
		t.Errorf("rendering %q, want %q", got, want)
	}
}

// debug_authorization lines are shown whatever log.level says, at level
// DEBUG; without the setting no line is logged even at debug level. The
// signature's URL is logged only at debug level, its password masked.
func TestDebugAuthorizationLevels(t *testing.T) {
	tests := []struct {
		name, level    string
		debugAuthz     bool
		wantAuthzLines int
		wantSigLines   int
	}{
		{"on at info", "info", true, 1, 0},
		{"on at warn", "warn", true, 1, 0},
		{"on at debug", "debug", true, 1, 1},
		{"off at debug", "debug", false, 0, 1},
		{"off at info", "info", false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"GATEHOUSE_PUBLIC_URL": "https://user:hunter2@ivr.example.com"}
			if tt.debugAuthz {
				env["GATEHOUSE_DEBUG_AUTHORIZATION"] = "true"
			}
			a, logs := newLoggedApp(t, tt.level, env)
			r := signedRequest("wrong", "GET", "/?From=%2B15551234567", nil)
			r.SetBasicAuth("user", "hunter2") // the public URL's credentials: past the Basic challenge
			a.Handler().ServeHTTP(httptest.NewRecorder(), r)
			var authzLines, sigLines int
			for _, l := range logLines(t, logs.String()) {
				msg, _ := l["msg"].(string)
				switch {
				case strings.HasPrefix(msg, "debug_authorization of url "):
					authzLines++
					want := "debug_authorization of url http://example.com/?From=%2B15551234567 (view name 'menu' against context '/'): " +
						"ACLDenied permission 'view' via ACE '<default deny>' in ACL [('Allow', 'group:twilio', 'view')] on context '/' for principals ['system.Everyone']"
					if msg != want || l["level"] != "DEBUG" {
						t.Errorf("got %v %q, want DEBUG %q", l["level"], msg, want)
					}
				case msg == "signature did not verify":
					sigLines++
					if l["level"] != "DEBUG" || l["reason"] != "no_match" || l["url"] != "https://user:xxxxx@ivr.example.com/?From=%2B15551234567" {
						t.Errorf("got %v, want a DEBUG line with reason no_match and the masked URL", l)
					}
				case l["level"] == "DEBUG":
					t.Errorf("unexpected debug line %v", l)
				}
			}
			if authzLines != tt.wantAuthzLines || sigLines != tt.wantSigLines {
				t.Errorf("got %d debug_authorization and %d signature lines, want %d and %d:\n%s",
					authzLines, sigLines, tt.wantAuthzLines, tt.wantSigLines, logs)
			}
			if strings.Contains(logs.String(), "hunter2") {
				t.Errorf("the password is in the log: %s", logs)
			}
		})
	}
}

// BenchmarkRequest measures a signed request through the whole server,
// request log (JSON, discarded) and metrics included, against the same
// request with logging at error level.
func BenchmarkRequest(b *testing.B) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelError} {
		b.Run(level.String(), func(b *testing.B) {
			cfg, err := config.Load(config.Options{Getenv: func(k string) (string, bool) {
				v, ok := map[string]string{"TWILIO_AUTH_TOKEN": testToken, "GATEHOUSE_PUBLIC_URL": "https://ivr.example.com"}[k]
				return v, ok
			}})
			if err != nil {
				b.Fatal(err)
			}
			a, err := New(cfg, slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level})))
			if err != nil {
				b.Fatal(err)
			}
			r := signedRequest(testToken, "GET", "/accessible", nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				a.Handler().ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
