package app

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/internal/webhooks"
	"github.com/gatehouse/gatehouse/views"
	"github.com/gatehouse/gatehouse/views/twiml"
)

// gatherCallback is the signed gather callback of the load tests too.
var gatherCallback = webhooks.GatherCallback()

// benchBody is a request body a benchmark can rewind without allocating.
type benchBody struct {
	strings.Reader
	s string
}

func (b *benchBody) Close() error { return nil }

// benchWriter is a reusable http.ResponseWriter that keeps the status and
// the body.
type benchWriter struct {
	h      http.Header
	status int
	body   []byte
}

func (w *benchWriter) Header() http.Header { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) {
	w.body = append(w.body, p...)
	return len(p), nil
}
func (w *benchWriter) WriteHeader(status int) { w.status = status }

// serveLoop serves a copy of base with a fresh body as many times as the
// benchmark asks, and fails unless every answer is 200 with the TwiML
// that redirects the caller to /accessible (the apology is 200 too).
func serveLoop(b *testing.B, h http.Handler, base *http.Request, body string) {
	want := []byte(`<Redirect method="GET">/accessible</Redirect>`)
	rb := &benchBody{s: body}
	w := &benchWriter{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		r := *base
		rb.Reset(rb.s)
		r.Body = rb
		clear(w.h)
		w.status, w.body = 0, w.body[:0]
		h.ServeHTTP(w, &r)
		if w.status != http.StatusOK || !bytes.Contains(w.body, want) {
			b.Fatalf("status %d, body %q", w.status, w.body)
		}
	}
}

// chainRequest is the signed gather callback as net/http's server parses
// it from the wire.
func chainRequest(b *testing.B, token string) (*http.Request, string) {
	b.Helper()
	body := authn.EncodeForm(gatherCallback)
	wire := "POST / HTTP/1.1\r\nHost: ivr.example.com\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
		"I-Twilio-Idempotency-Token: 3f1e8a2c-7b6d-4c5e-9f0a-1b2c3d4e5f60\r\n" +
		"User-Agent: TwilioProxy/1.1\r\n" +
		authn.SignatureHeader + ": " + authn.Sign(token, "https://ivr.example.com/", gatherCallback) + "\r\n\r\n" + body
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
	if err != nil {
		b.Fatal(err)
	}
	r.RemoteAddr = "127.0.0.1:40000"
	return r, body
}

// BenchmarkChain is the signed gather callback (a form POST of 27
// parameters to /, the IVR's choose view) served in-process by
// echo.ServeHTTP (see also "bare" below):
//
//   - secured: the whole server as `gatehouse serve` builds it — request
//     ID, body limit, signature verification, authorization, request log
//     (text, at info, discarded) and metrics;
//   - secured-nolog: the same with the log at error level, so that no
//     request line is formatted;
//   - unsecured: the same view on a bare Echo route, no middleware at all.
//
// secured minus unsecured is what Gatehouse adds to a request.
func BenchmarkChain(b *testing.B) {
	for _, tt := range []struct {
		name, level string
	}{{"secured", "info"}, {"secured-nolog", "error"}} {
		b.Run(tt.name, func(b *testing.B) {
			env := map[string]string{"TWILIO_AUTH_TOKEN": testToken, "GATEHOUSE_PUBLIC_URL": "https://ivr.example.com"}
			cfg, err := config.Load(config.Options{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
			if err != nil {
				b.Fatal(err)
			}
			// serve's logger, text, to a writer that keeps nothing.
			logger, err := newLogger(config.Log{Level: tt.level, Format: "text"}, io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			a, err := New(cfg, logger)
			if err != nil {
				b.Fatal(err)
			}
			r, body := chainRequest(b, testToken)
			serveLoop(b, a.Handler(), r, body)
		})
	}
	b.Run("unsecured", func(b *testing.B) {
		e := echo.New()
		e.POST("/", views.NewIVR("", "").Choose)
		r, body := chainRequest(b, testToken)
		serveLoop(b, e, r, body)
	})
	// bare: a route that answers the view's bytes without reading the
	// request, the loopback baseline; secured minus bare is everything
	// Gatehouse and the view cost together.
	b.Run("bare", func(b *testing.B) {
		view := echo.New()
		view.POST("/", views.NewIVR("", "").Choose)
		r, body := chainRequest(b, testToken)
		first := *r
		first.Body = io.NopCloser(strings.NewReader(body))
		w := &benchWriter{h: make(http.Header)}
		view.ServeHTTP(w, &first)
		answer := bytes.Clone(w.body)
		e := echo.New()
		e.POST("/", func(c echo.Context) error { return c.Blob(http.StatusOK, twiml.ContentType, answer) })
		serveLoop(b, e, r, body)
	})
}
