package app

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/authz"
)

// The request line, byte for byte, in both formats. Only the time, the
// latency and the request ID vary from run to run: they are masked.
func TestRequestLineFormat(t *testing.T) {
	caller := url.Values{"From": {"+15551234567"}, "Digits": {"1"}, "AccountSid": {"AC123"}}
	mask := regexp.MustCompile(`(time=|"time":)[^ ,]+|(latency=|"latency":)[0-9.a-zµ]+|(request_id=|"request_id":")[0-9a-f]{32}`)
	type request struct {
		key, method, target string
		form                url.Values
	}
	tests := []struct {
		name     string
		req      request
		text, js string
	}{
		{"signed POST", request{testToken, "POST", "/", caller},
			`time=X level=INFO msg=request request_id=X method=POST route=choose pattern=/ status=200 latency=X peer=192.0.2.1 signature=valid principals="[system.Everyone system.Authenticated group:twilio account:AC123]" permission=view decision=allowed ace="('Allow', 'group:twilio', 'view')" context=/ generation=1`,
			`{"time":X,"level":"INFO","msg":"request","request_id":"X","method":"POST","route":"choose","pattern":"/","status":200,"latency":X,"peer":"192.0.2.1","signature":"valid","principals":["system.Everyone","system.Authenticated","group:twilio","account:AC123"],"permission":"view","decision":"allowed","ace":"('Allow', 'group:twilio', 'view')","context":"/","generation":1}`},
		{"unsigned GET", request{"", "GET", "/", nil},
			`time=X level=INFO msg=request request_id=X method=GET route=menu pattern=/ status=200 latency=X peer=192.0.2.1 signature=missing_header principals=[system.Everyone] permission=view decision=denied ace="<default deny>" context=/ generation=1`,
			`{"time":X,"level":"INFO","msg":"request","request_id":"X","method":"GET","route":"menu","pattern":"/","status":200,"latency":X,"peer":"192.0.2.1","signature":"missing_header","principals":["system.Everyone"],"permission":"view","decision":"denied","ace":"<default deny>","context":"/","generation":1}`},
		{"restricted", request{testToken, "GET", "/restricted", nil},
			`time=X level=INFO msg=request request_id=X method=GET route=restricted pattern=/restricted status=200 latency=X peer=192.0.2.1 signature=valid principals="[system.Everyone system.Authenticated group:twilio]" permission=restricted decision=denied ace="<default deny>" context=/restricted generation=1`,
			`{"time":X,"level":"INFO","msg":"request","request_id":"X","method":"GET","route":"restricted","pattern":"/restricted","status":200,"latency":X,"peer":"192.0.2.1","signature":"valid","principals":["system.Everyone","system.Authenticated","group:twilio"],"permission":"restricted","decision":"denied","ace":"<default deny>","context":"/restricted","generation":1}`},
		{"not found", request{testToken, "GET", "/nope", nil},
			`time=X level=INFO msg=request request_id=X method=GET route=not_found status=200 latency=X peer=192.0.2.1`,
			`{"time":X,"level":"INFO","msg":"request","request_id":"X","method":"GET","route":"not_found","status":200,"latency":X,"peer":"192.0.2.1"}`},
		{"healthz", request{"", "GET", "/healthz", nil},
			`time=X level=INFO msg=request request_id=X method=GET route=healthz pattern=/healthz status=200 latency=X peer=192.0.2.1`,
			`{"time":X,"level":"INFO","msg":"request","request_id":"X","method":"GET","route":"healthz","pattern":"/healthz","status":200,"latency":X,"peer":"192.0.2.1"}`},
	}
	for _, tt := range tests {
		// serve's text logger writes the request line itself: its line
		// must be the handler's.
		for _, format := range []string{"text", "json", "serve's text"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				var logs bytes.Buffer
				var h slog.Handler = slog.NewTextHandler(&logs, nil)
				want := tt.text
				switch format {
				case "json":
					h, want = slog.NewJSONHandler(&logs, nil), tt.js
				case "serve's text":
					h = newTextHandler(&logs, nil)
				}
				cfg := testConfig(t, map[string]string{"TWILIO_AUTH_TOKEN": testToken, "GATEHOUSE_PUBLIC_URL": "https://ivr.example.com"})
				a, err := New(cfg, slog.New(h))
				if err != nil {
					t.Fatal(err)
				}
				a.Handler().ServeHTTP(httptest.NewRecorder(), signedRequest(tt.req.key, tt.req.method, tt.req.target, tt.req.form))
				if got := mask.ReplaceAllString(logs.String(), "${1}${2}${3}X"); got != want+"\n" {
					t.Errorf("got  %s\nwant %s", got, want)
				}
			})
		}
	}
}

// principalList, and principalTexts' remembered rendering, render as a
// []string renders, in both formats, whatever the principals hold (an
// AccountSid comes from the request; a group name from the policy file).
func TestPrincipalListRendering(t *testing.T) {
	tests := [][]string{
		nil,
		{},
		{""},
		{"system.Everyone"},
		{"system.Everyone", "system.Authenticated", "group:twilio", "account:AC123"},
		{`quote"d`, `back\slash`, "tab\tnew\nline\rcr", "\b\f\x00\x1f\x7f"},
		{"<html>&amp;", "caf\u00e9", "\u2028\u2029", "emoji \U0001F600", "bad \xff\xfe utf8", "\xe2\x80", "a=b c"},
	}
	var texts principalTexts
	for _, ps := range tests {
		for _, format := range []string{"text", "json"} {
			render := func(v any) string {
				var b bytes.Buffer
				var h slog.Handler = slog.NewTextHandler(&b, nil)
				if format == "json" {
					h = slog.NewJSONHandler(&b, nil)
				}
				r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
				r.AddAttrs(slog.Any("principals", v))
				if err := h.Handle(context.Background(), r); err != nil {
					t.Fatal(err)
				}
				return b.String()
			}
			want := render(ps)
			if got := render(principalList(ps)); got != want {
				t.Errorf("%s %q: got %s, want %s", format, ps, got, want)
			}
			// Remembered: a new list, then the same list again.
			for range 2 {
				if got := render(texts.of(ps)); got != want {
					t.Errorf("%s %q remembered: got %s, want %s", format, ps, got, want)
				}
			}
		}
	}
}

// An ACE's remembered rendering, as serve's text log gets it, renders as
// its text as a string does, in slog's TextHandler and in serve's own
// line, whatever the text holds (a principal or permission comes from the
// policy file).
func TestACETextRendering(t *testing.T) {
	texts := []string{defaultDeny, "('Allow', 'group:twilio', 'view')", "", "plain", `quote"d`, `back\slash`,
		"tab\tnew\nline\rcr", "\b\f\x00\x1f\x7f", "<html>&amp;", "caf\u00e9", "\u2028\u2029", "bad \xff\xfe utf8", "a=b c"}
	for _, text := range texts {
		render := func(v slog.Value) string {
			var b bytes.Buffer
			r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
			r.AddAttrs(slog.Attr{Key: "ace", Value: v})
			if err := slog.NewTextHandler(&b, nil).Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		want := render(slog.StringValue(text))
		e := newACEText(authz.ACE{}, text)
		if got := render(slog.AnyValue(e)); got != want {
			t.Errorf("TextHandler %q: got %s, want %s", text, got, want)
		}
		if got, ok := appendTextLine(nil, nil, time.Time{}, slog.LevelInfo, "m", []slog.Attr{slog.Any("ace", e)}); !ok || string(got) != want {
			t.Errorf("serve's text %q: got %s (%v), want %s", text, got, ok, want)
		}
	}
}

// Attributes handed over as one group without a key render as the same
// attributes one by one, in both formats: the request line relies on it.
func TestInlinedGroupRendering(t *testing.T) {
	attrs := []slog.Attr{slog.String("a", "x y"), slog.Int("n", 3), slog.Duration("d", 1500*time.Microsecond),
		slog.Any("p", principalList{"s", "t"}), slog.Uint64("g", 7)}
	for _, format := range []string{"text", "json"} {
		render := func(as ...slog.Attr) string {
			var b bytes.Buffer
			var h slog.Handler = slog.NewTextHandler(&b, nil)
			if format == "json" {
				h = slog.NewJSONHandler(&b, nil)
			}
			r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
			r.AddAttrs(as...)
			if err := h.Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		if got, want := render(slog.Attr{Value: slog.GroupValue(attrs...)}), render(attrs...); got != want {
			t.Errorf("%s: got %s, want %s", format, got, want)
		}
	}
}

func TestRequestIDs(t *testing.T) {
	a, b := newRequestIDs(), newRequestIDs()
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := make(map[string]bool)
	for range 1000 {
		for _, id := range []string{a.next(), b.next()} {
			if !hex32.MatchString(id) || seen[id] {
				t.Fatalf("got ID %q (seen before: %v), want 32 fresh hex digits", id, seen[id])
			}
			seen[id] = true
		}
	}
	if got, want := a.next()[:16] == b.next()[:16], false; got != want {
		t.Errorf("two generators share their random half: got %v, want %v", got, want)
	}
}

func TestACETexts(t *testing.T) {
	var texts aceTexts
	aces := []authz.ACE{
		{Allow: true, Principal: "group:twilio", Permission: "view"},
		{Allow: false, Principal: "group:twilio", Permission: "view"},
		{Allow: true, Principal: "group:twilio", Permission: "view"},
		{Allow: true, Principal: "system.Everyone", Permission: authz.AllPermissions},
		{Allow: true, Principal: "system.Everyone", Permission: authz.AllPermissions},
	}
	for _, ace := range aces {
		if got, want := texts.of(&ace).text, ace.String(); got != want {
			t.Errorf("of(%+v) = %q, want %q", ace, got, want)
		}
	}
	for range 2 {
		if got, want := texts.of(nil).text, defaultDeny; got != want {
			t.Errorf("of(nil) = %q, want %q", got, want)
		}
	}
}
