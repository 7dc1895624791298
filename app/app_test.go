package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/config"
)

func testConfig(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Load(config.Options{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no token", nil, "TWILIO_AUTH_TOKEN"},
		{"bad policy", map[string]string{"TWILIO_AUTH_TOKEN": "t0k3n", "GATEHOUSE_POLICY_FILE": "testdata/does-not-exist.csv"}, "does-not-exist.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(testConfig(t, tt.env), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

// A slow in-flight request completes after shutdown begins, readiness
// fails while it drains, and the listener is closed afterwards.
func TestServeDrains(t *testing.T) {
	cfg := testConfig(t, map[string]string{"TWILIO_AUTH_TOKEN": "t0k3n", "GATEHOUSE_SERVER_SHUTDOWN_DELAY": "0s"})
	var logs bytes.Buffer
	a, err := New(cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	a.views.GET("/slow", authz.NoPermissionRequired, func(c echo.Context) error { // test-only route
		close(entered)
		<-release
		return c.String(http.StatusOK, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			slow <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- string(b)
	}()
	<-entered
	cancel()
	for !a.draining.Load() {
		time.Sleep(time.Millisecond)
	}
	w := httptest.NewRecorder()
	a.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz while draining = %d, want 503", w.Code)
	}
	close(release)
	if got := <-slow; got != "done" {
		t.Errorf("in-flight request got %q, want done", got)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("new connections accepted after shutdown")
	}
}

func TestMainUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{nil, ExitUsage, "gatehouse: missing command (run 'gatehouse help' for the list)\n"},
		{[]string{"help"}, ExitOK, "usage: gatehouse"},
		{[]string{"frobnicate"}, ExitUsage, "gatehouse: unknown command \"frobnicate\" (run 'gatehouse help' for the list)\n"},
		// A long one may be a token pasted in the wrong place: not repeated.
		{[]string{"0123456789abcdef0123456789abcdef"}, ExitUsage, "gatehouse: unknown command (run 'gatehouse help' for the list)\n"},
		{[]string{"serve", "extra"}, ExitUsage, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := Main(tt.args, &stdout, &stderr); code != tt.code {
			t.Errorf("Main(%q) = %d, want %d", tt.args, code, tt.code)
		}
		if !strings.Contains(stdout.String()+stderr.String(), tt.out) {
			t.Errorf("Main(%q) printed %q, want %q", tt.args, stdout.String()+stderr.String(), tt.out)
		}
		if tt.code == ExitUsage && strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("Main(%q) printed %q on stderr, want one line", tt.args, stderr.String())
		}
	}
}

// A token pasted into log.level or log.format is refused at startup
// without being quoted: the configuration is validated, with its
// redaction, before the logger is built from it.
func TestServeBadLogSettingsHideTheToken(t *testing.T) {
	const tok = "t0k3n-in-the-wrong-place"
	for _, flag := range []string{"--log-level", "--log-format"} {
		var stdout, stderr bytes.Buffer
		code := Main([]string{"serve", "--listen", "127.0.0.1:0", "--auth-token", tok, flag, tok}, &stdout, &stderr)
		if code != ExitUsage {
			t.Errorf("serve %s <token> = %d, want %d", flag, code, ExitUsage)
		}
		out := stdout.String() + stderr.String()
		if strings.Contains(out, tok) || !strings.Contains(out, "[REDACTED]") {
			t.Errorf("serve %s <token> printed %q, want the problem with the token redacted", flag, out)
		}
	}
}

func TestServeRefusesUnguardedRoute(t *testing.T) {
	a, err := New(testConfig(t, map[string]string{"TWILIO_AUTH_TOKEN": "t0k3n"}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a.echo.GET("/backdoor", func(c echo.Context) error { return nil })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := a.Serve(context.Background(), ln); err == nil || !strings.Contains(err.Error(), "/backdoor") {
		t.Errorf("Serve = %v, want an error naming /backdoor", err)
	}
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name             string
		draining, policy bool
		status           int
		body             string
	}{
		{"serving", false, true, 200, `{"ready":true}`},
		{"draining", true, true, 503, `{"ready":false,"reason":"draining"}`},
		{"no valid policy", false, false, 503, `{"ready":false,"reason":"no valid policy"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := newLoggedApp(t, "info", nil)
			a.draining.Store(tt.draining)
			if !tt.policy {
				a.policy = nil // New never builds such an App: readiness must still say no
			}
			w := httptest.NewRecorder()
			a.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
			if got := strings.TrimSpace(w.Body.String()); w.Code != tt.status || got != tt.body {
				t.Errorf("got %d %s, want %d %s", w.Code, got, tt.status, tt.body)
			}
			w = httptest.NewRecorder()
			a.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
			if w.Code != 200 {
				t.Errorf("healthz = %d, want 200 (alive) whatever readiness says", w.Code)
			}
		})
	}
}

// The operations endpoints answer probes in plain HTTP whatever their
// method: HEAD as GET without a body, any other method 405 with Allow.
// None gets the apology's 200, which a load balancer would read as
// "ready", during a drain least of all. Other paths, near misses
// included, are the IVR's not-found answer.
func TestOpsMethods(t *testing.T) {
	tests := []struct {
		method, target string
		status         int
		allow          string
		twiml          bool // the apology answered
	}{
		{"GET", "/readyz", 503, "", false},
		{"HEAD", "/readyz", 503, "", false},
		{"OPTIONS", "/readyz", 405, "GET, HEAD", false},
		{"POST", "/readyz", 405, "GET, HEAD", false},
		{"OPTIONS", "/readyz?probe=1", 405, "GET, HEAD", false},
		{"HEAD", "/healthz", 200, "", false},
		{"DELETE", "/healthz", 405, "GET, HEAD", false},
		{"HEAD", "/metrics", 405, "GET", false},
		{"PUT", "/metrics", 405, "GET", false},
		{"GET", "/readyz/", 404, "", false},
		{"GET", "/./readyz", 404, "", false},
		{"HEAD", "/x/../readyz", 404, "", false},
		// An escaped spelling Echo does not route: plain, never the apology.
		{"GET", "/%72eadyz", 404, "", false},
		{"HEAD", "/%72eadyz", 404, "", false},
		{"OPTIONS", "/%72eadyz", 405, "GET, HEAD", false},
		{"GE", "/readyz", 405, "GET, HEAD", false},
		{"OPTIONS", "/", 200, "", true},
		{"HEAD", "/nowhere", 200, "", true},
	}
	a, _ := newLoggedApp(t, "info", nil)
	a.draining.Store(true)
	for _, tt := range tests {
		w := httptest.NewRecorder()
		a.Handler().ServeHTTP(w, httptest.NewRequest(tt.method, tt.target, nil))
		isTwiML := w.Header().Get("Content-Type") == "application/xml"
		if w.Code != tt.status || w.Header().Get("Allow") != tt.allow || isTwiML != tt.twiml {
			t.Errorf("%s %s = %d, Allow %q, TwiML %v; want %d, Allow %q, TwiML %v",
				tt.method, tt.target, w.Code, w.Header().Get("Allow"), isTwiML, tt.status, tt.allow, tt.twiml)
		}
	}
}

// A public URL with credentials makes Twilio's first request a 401
// challenge; the second, with the credentials and a signature over the URL
// with its userinfo, reaches the IVR. The password never reaches the logs.
func TestPublicURLCredentials(t *testing.T) {
	const (
		password = "pa55-w0rd-in-url"
		public   = "https://twilio:" + password + "@ivr.example.com"
		token    = "t0k3n-for-basic"
	)
	cfg := testConfig(t, map[string]string{"TWILIO_AUTH_TOKEN": token, "GATEHOUSE_PUBLIC_URL": public})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Info("starting", slog.Any("config", cfg))
	a, err := New(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	signed := authn.Sign(token, public+"/", nil)
	tests := []struct {
		name       string
		user, pass string
		sig        string
		wantCode   int
		wantInBody string
		challenged bool
	}{
		{"first attempt, no credentials", "", "", signed, 401, "unauthorized", true},
		{"wrong password", "twilio", "guess", signed, 401, "unauthorized", true},
		{"credentials and signature", "twilio", password, signed, 200, "<Gather", false},
		{"credentials, signature without userinfo", "twilio", password, authn.Sign(token, "https://ivr.example.com/", nil), 200, "We are sorry", false},
		{"credentials, unsigned", "twilio", password, "", 200, "We are sorry", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.sig != "" {
				r.Header.Set(authn.SignatureHeader, tt.sig)
			}
			if tt.user != "" {
				r.SetBasicAuth(tt.user, tt.pass)
			}
			w := httptest.NewRecorder()
			a.Handler().ServeHTTP(w, r)
			if w.Code != tt.wantCode || !strings.Contains(w.Body.String(), tt.wantInBody) {
				t.Errorf("got %d %q, want %d with %q", w.Code, w.Body, tt.wantCode, tt.wantInBody)
			}
			if got := w.Header().Get("WWW-Authenticate") != ""; got != tt.challenged {
				t.Errorf("WWW-Authenticate present = %v, want %v", got, tt.challenged)
			}
		})
	}
	if strings.Contains(logs.String(), password) {
		t.Errorf("the password reached the logs: %s", logs.String())
	}
	for _, want := range []string{"status=401 latency=", "challenged=no_credentials", "challenged=wrong_credentials"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q: %s", want, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "twilio:xxxxx@ivr.example.com") {
		t.Errorf("logs = %s, want the public URL with its password masked", logs.String())
	}
}

func TestPublicURLCredentialsIncomplete(t *testing.T) {
	cfg := testConfig(t, map[string]string{"TWILIO_AUTH_TOKEN": "t0k3n", "GATEHOUSE_PUBLIC_URL": "https://twilio@ivr.example.com"})
	_, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Key != "public_url" || !errors.Is(err, config.ErrInvalid) {
		t.Errorf("New with a user name but no password = %v, want a *config.FieldError for public_url matching config.ErrInvalid", err)
	}
}
