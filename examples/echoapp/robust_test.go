package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/views"
)

// stalledWriter is a client that does not read its answer: its first
// Write blocks until release is closed.
type stalledWriter struct {
	*httptest.ResponseRecorder
	writing chan struct{} // closed when the first Write begins
	release chan struct{}
}

func (w *stalledWriter) Write(p []byte) (int, error) {
	select {
	case <-w.writing:
	default:
		close(w.writing)
	}
	<-w.release
	return w.ResponseRecorder.Write(p)
}

// A client that does not read the answer to GET /docs or GET /docs/:id
// holds its own request only: the voice line, and every other view of the
// store, still answers while it stalls.
func TestStalledReaderDoesNotHoldTheStore(t *testing.T) {
	for _, target := range []string{"/docs", "/docs/1"} {
		app := testApp(newStore())
		w := &stalledWriter{ResponseRecorder: httptest.NewRecorder(), writing: make(chan struct{}), release: make(chan struct{})}
		stalled := make(chan struct{})
		go func() {
			defer close(stalled)
			r := httptest.NewRequest(http.MethodGet, target, nil)
			r.Header.Set("X-Api-Key", "bob-key")
			app.ServeHTTP(w, r)
		}()
		<-w.writing

		answered := make(chan string, 1)
		go func() {
			v := httptest.NewRecorder()
			app.ServeHTTP(v, signed("/voice/doc", authn.Param{Name: "CallSid", Value: "CA1"}, authn.Param{Name: "Digits", Value: "1"}))
			answered <- v.Body.String()
		}()
		select {
		case body := <-answered:
			if !strings.Contains(body, "<Say>Document 1: Welcome.</Say>") {
				t.Errorf("%s stalled: the voice line answered %q", target, body)
			}
			close(w.release)
		case <-time.After(10 * time.Second): // bounds a hang; measures nothing
			t.Errorf("%s stalled: the voice line did not answer while the client did not read", target)
			close(w.release)
			<-answered
		}
		<-stalled
	}
}

// What speak says of a title is cut to what Twilio says in a <Say>, at a
// rune boundary; a short title is said whole.
func TestSpokenTitle(t *testing.T) {
	long := strings.Repeat("é", maxSpokenTitle) // twice the bytes allowed
	for _, tt := range []struct{ title, want string }{
		{"Welcome", "Welcome"},
		{strings.Repeat("a", maxSpokenTitle), strings.Repeat("a", maxSpokenTitle)},
		{strings.Repeat("a", maxSpokenTitle+1), strings.Repeat("a", maxSpokenTitle)},
		{"a" + long, "a" + strings.Repeat("é", (maxSpokenTitle-1)/2)},
	} {
		if got := spoken(tt.title); got != tt.want {
			t.Errorf("spoken(%d bytes) = %d bytes, want %d", len(tt.title), len(got), len(tt.want))
		}
	}
	s := newStore()
	s.docs = append(s.docs, doc{ID: "3", Title: strings.Repeat("&", 100000), Published: true})
	w := httptest.NewRecorder()
	testApp(s).ServeHTTP(w, signed("/voice/doc", authn.Param{Name: "Digits", Value: "3"}))
	if w.Code != http.StatusOK || w.Body.Len() > 64<<10/4 {
		t.Errorf("a 100,000-byte title: status %d, %d bytes of TwiML; want 200 and far under Twilio's 64 kB", w.Code, w.Body.Len())
	}
}

// run does not return while a request is in flight: stopping waits for
// its answer, and then run returns 0.
func TestRunDrainsInFlightRequests(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started, release := make(chan struct{}), make(chan struct{})
	add := func(v *views.Views, s *store) {
		addRoutes(v, s)
		v.GET("/slow", authz.NoPermissionRequired, func(c echo.Context) error {
			close(started)
			<-release
			return c.String(http.StatusOK, "finished\n")
		})
	}
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard, pw, add)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	addr := ""
	for addr == "" && lines.Scan() {
		if _, after, ok := strings.Cut(lines.Text(), "msg=listening addr="); ok {
			addr = after
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if addr == "" {
		t.Fatalf("run exited with status %d before listening", <-done)
	}

	answer := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			answer <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answer <- string(body)
	}()
	<-started
	cancel()
	select {
	case code := <-done:
		t.Fatalf("run returned %d while a request was in flight", code)
	case <-time.After(200 * time.Millisecond): // a wrong early return shows within it; a right run waits any time
	}
	close(release)
	if got := <-answer; got != "finished\n" {
		t.Errorf("the request in flight got %q, want its whole answer", got)
	}
	if code := <-done; code != 0 {
		t.Errorf("exit status after draining: got %d, want 0", code)
	}
}
