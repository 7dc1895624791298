package main_test

// Graceful shutdown under load: SIGTERM while clients keep sending signed
// POSTs, and nothing the server accepted is lost.

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// shutdownResult is one request sent while the server shuts down, with
// what the client saw of its connection.
type shutdownResult struct {
	loadResult
	gotConn, reused, wrote bool
}

// notAccepted reports whether the request failed before its connection
// was established (refused, or reset while connecting): the client never
// sent it.
func (r shutdownResult) notAccepted() bool {
	var op *net.OpError
	return !r.gotConn && !r.wrote && errors.As(r.err, &op) && op.Op == "dial" &&
		(errors.Is(r.err, syscall.ECONNREFUSED) || errors.Is(r.err, syscall.ECONNRESET))
}

// queueReset reports whether the request failed as a connection does that
// was still in the kernel's accept queue when the listener closed: a new
// connection, reset before any answer. Closing a listening socket resets
// the connections the process has not accepted yet; no server can avoid
// it (the shutdown delay exists so that nobody connects by then).
func (r shutdownResult) queueReset() bool {
	return r.gotConn && !r.reused && r.status == 0 && errors.Is(r.err, syscall.ECONNRESET)
}

// shutdownSend sends a request of kind k with client, tracing its
// connection; a slow one trickles its body in.
func shutdownSend(client *http.Client, base string, k loadKind, slow bool) shutdownResult {
	var r shutdownResult
	var mu sync.Mutex
	trace := &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			mu.Lock()
			r.gotConn, r.reused = true, i.Reused
			mu.Unlock()
		},
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			mu.Lock()
			r.wrote = i.Err == nil
			mu.Unlock()
		},
	}
	c := &http.Client{Transport: shutdownTransport{client.Transport, trace, slow}, Timeout: client.Timeout}
	lr := loadSend(c, base, k)
	mu.Lock()
	defer mu.Unlock()
	r.loadResult = lr
	return r
}

// shutdownTransport adds a ClientTrace to every request, and if slow
// sends its body a few bytes at a time.
type shutdownTransport struct {
	next  http.RoundTripper
	trace *httptrace.ClientTrace
	slow  bool
}

func (t shutdownTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(httptrace.WithClientTrace(req.Context(), t.trace))
	if t.slow && req.Body != nil {
		req.Body, req.GetBody = &trickle{req.Body}, nil
	}
	return t.next.RoundTrip(req)
}

// trickle reads 8 bytes at a time, 5ms apart: a request that is in
// flight for a while.
type trickle struct{ io.ReadCloser }

func (r *trickle) Read(p []byte) (int, error) {
	time.Sleep(5 * time.Millisecond)
	return r.ReadCloser.Read(p[:min(len(p), 8)])
}

// readyzProbe is one GET /readyz on a fresh connection.
type readyzProbe struct {
	at     time.Time
	status int
	err    error
}

// Under load from 32 clients sending signed POSTs (half on kept-alive
// connections, half on a new connection each; four of them trickle their
// bodies in, so that requests are in flight when the listener closes),
// SIGTERM with a 1s shutdown delay. It asserts:
//
//   - every request either got the complete, correct answer, or was
//     never accepted: its connection was refused (or reset while
//     connecting), or it was reset in the kernel's accept queue as the
//     listener closed (a new connection, reset before any answer, sent
//     after the middle of the delay, at most one per client); never an
//     EOF, a reset on an accepted connection or a cut answer;
//   - every request the server logged was answered to its client, and
//     every answer a client got was logged;
//   - /readyz answers 503 from soon after SIGTERM on, and requests still
//     succeed after its first 503;
//   - the process exits by itself, having logged "stopped" (start's
//     cleanup then checks that it exited 0).
func TestShutdownUnderLoad(t *testing.T) {
	const clients = 32
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token, loadSupportNumber, "GATEHOUSE_SERVER_SHUTDOWN_DELAY=1s"})
	choose := loadKind{loadRoutes()[1], true}

	cs := newLoadClients(clients)
	defer cs.closeIdle()
	var wg sync.WaitGroup
	results := make([][]shutdownResult, clients)
	for w, client := range cs {
		wg.Go(func() {
			deadline := time.Now().Add(60 * time.Second) // bounds a hang
			for time.Now().Before(deadline) {
				r := shutdownSend(client, s.base, choose, w%8 == 7)
				results[w] = append(results[w], r)
				if errors.Is(r.err, syscall.ECONNREFUSED) {
					return // the listener is closed: nothing more to send
				}
			}
		})
	}
	var probes []readyzProbe
	probeDone := make(chan struct{})
	go func() {
		defer close(probeDone)
		fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
		for {
			p := readyzProbe{at: time.Now()}
			resp, err := fresh.Get(s.base + "/readyz")
			if err == nil {
				resp.Body.Close()
				p.status = resp.StatusCode
			}
			p.err = err
			probes = append(probes, p)
			if err != nil {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()

	time.Sleep(300 * time.Millisecond)
	sigterm := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("gatehouse serve did not exit within 30s of SIGTERM:\n%s", s.Logs())
	}
	exited := time.Now()
	wg.Wait()
	<-probeDone

	var all []shutdownResult
	var ids []string
	for _, rs := range results {
		for _, r := range rs {
			all = append(all, r)
			if r.err == nil {
				ids = append(ids, r.id)
			}
		}
	}
	logged, err := s.requestLines(ids)
	if err != nil {
		t.Error(err)
	}

	const delay = time.Second
	ok, notAccepted, queueResets, failed := 0, 0, 0, 0
	var lastOK time.Time
	for _, r := range all {
		reached, problem := r.answer()
		switch {
		case problem == "" && reached:
			ok++
			if r.start.After(lastOK) {
				lastOK = r.start
			}
		case problem == "":
			failed++
			t.Errorf("%s at %v after SIGTERM: the apology, want the redirect", r.kind, r.start.Sub(sigterm))
		case r.notAccepted():
			notAccepted++
		case r.queueReset() && r.start.After(sigterm.Add(delay/2)):
			// Sent after the delay's middle: the listener closes at its end.
			queueResets++
		default:
			if failed++; failed <= 20 {
				t.Errorf("request sent %v after SIGTERM (connection reused %v, request written %v): %s",
					r.start.Sub(sigterm), r.reused, r.wrote, problem)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d requests lost", failed, len(all))
	}
	if queueResets > clients {
		t.Errorf("%d connections reset as the listener closed, want at most one per client (%d)", queueResets, clients)
	}
	received := make(map[string]bool, len(ids))
	for _, id := range ids {
		received[id] = true
	}
	for id, l := range logged {
		if !received[id] && l["route"] != "readyz" {
			t.Errorf("request %s (route %s, status %s) was logged but its answer never reached a client", id, l["route"], l["status"])
		}
	}

	var first503 time.Time
	for _, p := range probes {
		switch {
		case p.err != nil:
		case p.status == http.StatusServiceUnavailable && first503.IsZero():
			first503 = p.at
		case p.status == http.StatusOK && p.at.After(sigterm.Add(delay/2)):
			t.Errorf("/readyz answered 200 %v after SIGTERM", p.at.Sub(sigterm))
		case p.status != http.StatusOK && p.status != http.StatusServiceUnavailable:
			t.Errorf("/readyz answered %d", p.status)
		}
	}
	if first503.IsZero() {
		t.Error("/readyz never answered 503")
	} else if !lastOK.After(first503) {
		t.Errorf("no request succeeded after /readyz answered 503 (%v after SIGTERM)", first503.Sub(sigterm))
	}
	for _, want := range []string{`msg="draining: readiness fails`, `msg="shutting down: refusing new connections`, "msg=stopped"} {
		if !strings.Contains(s.Logs(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	t.Logf("%d requests: %d answered, %d not accepted (refused or reset while connecting), %d reset in the accept queue, %d lost",
		len(all), ok, notAccepted, queueResets, failed)
	t.Logf("after SIGTERM: /readyz 503 at %v, last answered request sent at %v, exit at %v",
		first503.Sub(sigterm).Round(time.Millisecond), lastOK.Sub(sigterm).Round(time.Millisecond), exited.Sub(sigterm).Round(time.Millisecond))
}
