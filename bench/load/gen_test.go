package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/config"
)

const testToken = "0123456789abcdef0123456789abcdef"

// gatehouseServer starts the server that `gatehouse serve` builds, on its
// defaults, with testToken and its own URL as the public URL.
func gatehouseServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	env := map[string]string{"TWILIO_AUTH_TOKEN": testToken, "GATEHOUSE_PUBLIC_URL": "http://" + srv.Listener.Addr().String()}
	cfg, err := config.Load(config.Options{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// TestGen loads real servers for a moment and reads the LOAD line it
// prints: Gatehouse answers the signed callback with the bare view's very
// bytes, and a wrong token or a wrong answer fails the run.
func TestGen(t *testing.T) {
	bare := httptest.NewServer(viewHandler())
	defer bare.Close()
	gatehouse := gatehouseServer(t)
	teapot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer teapot.Close()
	for _, tt := range []struct {
		name, url, token, pid string
		wantStatus            int
	}{
		{"bare", bare.URL + "/", testToken, "self", 0},
		{"gatehouse", gatehouse.URL + "/", testToken, "self", 0},
		{"gatehouse-wrong-token", gatehouse.URL + "/", "another token", "self", 1}, // the apology, not the redirect
		{"teapot", teapot.URL + "/", testToken, "self", 1},
		// Asked for the figures of a process /proc cannot tell about
		// (beyond any PID Linux allows), gen fails instead of printing a
		// line without them.
		{"no-such-pid", bare.URL + "/", testToken, "999999999", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := []string{"gen", "-name", tt.name, "-pair", "2", "-url", tt.url, "-conns", "4", "-duration", "100ms", "-warmup", "20ms", "-pid", tt.pid}
			getenv := func(k string) string {
				if k == "TWILIO_AUTH_TOKEN" {
					return tt.token
				}
				return ""
			}
			if got := run(args, &stdout, &stderr, getenv); got != tt.wantStatus {
				t.Fatalf("run = %d, want %d; stderr %q", got, tt.wantStatus, stderr.String())
			}
			if bytes.Contains(stdout.Bytes(), []byte(tt.token)) || bytes.Contains(stderr.Bytes(), []byte(tt.token)) {
				t.Errorf("the output shows the token")
			}
			lines, err := parseLoad(&stdout)
			if err != nil {
				t.Fatal(err)
			}
			if tt.pid != "self" {
				if len(lines) != 0 || !strings.Contains(stderr.String(), "-pid "+tt.pid) {
					t.Errorf("got LOAD lines %v and stderr %q; want none, and a message naming -pid %s", lines, stderr.String(), tt.pid)
				}
				return
			}
			if tt.wantStatus != 0 {
				return
			}
			if len(lines) != 1 || lines[0].name != tt.name {
				t.Fatalf("got LOAD lines %v, want one named %s", lines, tt.name)
			}
			l := lines[0].fields
			if l["requests"] < 1 || l["errors"] != 0 || l["conns"] != 4 || l["pair"] != 2 {
				t.Errorf("requests, errors, conns, pair = %v, %v, %v, %v; want at least 1, 0, 4, 2", l["requests"], l["errors"], l["conns"], l["pair"])
			}
			for _, k := range loadFields {
				if _, ok := l[k]; !ok {
					t.Errorf("the LOAD line lacks %s, which the report needs", k)
				}
			}
			for _, k := range []string{"seconds", "rps", "p50_us", "p99_us", "p999_us", "max_us", "vmhwm_kb"} {
				if l[k] <= 0 {
					t.Errorf("%s = %v, want it positive", k, l[k])
				}
			}
			if !(l["p50_us"] <= l["p99_us"] && l["p99_us"] <= l["p999_us"] && l["p999_us"] <= l["max_us"]) {
				t.Errorf("p50, p99, p99.9, max = %v, %v, %v, %v; want them in order", l["p50_us"], l["p99_us"], l["p999_us"], l["max_us"])
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	getenv := func(string) string { return testToken }
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"no mode", nil},
		{"unknown mode", []string{"bench"}},
		{"gen without -url", []string{"gen"}},
		{"gen with an argument", []string{"gen", "-url", "http://127.0.0.1:9/", "extra"}},
		{"gen with an unknown flag", []string{"gen", "-rate", "5"}},
		{"gen without connections", []string{"gen", "-url", "http://127.0.0.1:9/", "-conns", "0"}},
		{"gen with a name of two words", []string{"gen", "-url", "http://127.0.0.1:9/", "-name", "a b"}},
		{"gen to https", []string{"gen", "-url", "https://127.0.0.1:9/"}},
		{"gen with a negative pair", []string{"gen", "-url", "http://127.0.0.1:9/", "-pair", "-1"}},
		{"report without files", []string{"report"}},
		{"report with an unknown part", []string{"report", "-parts", "verify,loopbak", "results.txt"}},
		{"report with no pairs", []string{"report", "-pairs", "0", "results.txt"}},
		{"report with an unknown flag", []string{"report", "-only", "verify", "results.txt"}},
		{"serve-bare with an argument", []string{"serve-bare", "extra"}},
		{"serve-bare with -view and -verify", []string{"serve-bare", "-view", "-verify"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(tt.args, &stdout, &stderr, getenv); got != 2 {
				t.Errorf("run(%q) = %d, want 2", tt.args, got)
			}
			if stderr.Len() == 0 {
				t.Errorf("run(%q) said nothing on stderr", tt.args)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if got := run([]string{"gen", "-url", "http://127.0.0.1:9/"}, &stdout, &stderr, func(string) string { return "" }); got != 2 {
		t.Errorf("gen without TWILIO_AUTH_TOKEN: run = %d, want 2", got)
	}
}
