package main_test

// Graceful shutdown under load: SIGTERM while clients keep sending signed
// POSTs, and nothing the server accepted is lost.

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"slices"
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

// refused reports whether the request's connection was refused: the
// listener was closed, and the client never sent it.
func (r shutdownResult) refused() bool {
	var op *net.OpError
	return !r.gotConn && !r.wrote && errors.As(r.err, &op) && op.Op == "dial" && errors.Is(r.err, syscall.ECONNREFUSED)
}

// resetUnanswered reports whether the request failed as a connection does
// that was still in the kernel's accept queue when the listener closed: a
// new connection (or one still connecting), reset before any answer.
// Closing a listening socket resets the connections the process has not
// accepted yet; no server can avoid it (the shutdown delay exists so that
// nobody connects by then). A connection the server accepted and then
// reset without answering looks the same to its client, which is why
// classifyShutdown excuses such a reset only where the listener closed.
//
// A client still writing its body sees the reset in other shapes: EPIPE,
// or, when the transport's reader saw the reset first and closed the
// connection under the writer, net.ErrClosed with the request not
// written ("readfrom …: use of closed network connection"). A request
// that did reach the server and was then dropped is caught anyway: the
// server logged it, and no client received its answer.
func (r shutdownResult) resetUnanswered() bool {
	if r.reused || r.status != 0 {
		return false
	}
	return errors.Is(r.err, syscall.ECONNRESET) || errors.Is(r.err, syscall.EPIPE) ||
		(!r.wrote && errors.Is(r.err, net.ErrClosed))
}

// shutdownVerdict is what became of a request sent while the server shut
// down.
type shutdownVerdict int

const (
	answered    shutdownVerdict = iota // a complete answer, the view's or the apology
	refused                            // refused: the listener was closed
	closedReset                        // reset in the accept queue as the listener closed
	lost                               // anything else
)

func (v shutdownVerdict) String() string {
	return [...]string{"answered", "refused", "reset as the listener closed", "lost"}[v]
}

// classifyShutdown returns the verdict on each of one client's requests,
// in the order the client sent them (it stops at its first refusal);
// closing is when the server logged that it closes its listener. A reset
// before any answer is excused only if it ended after closing and the
// client's very next attempt was refused, the listener gone: a connection
// the server accepted and reset before then is followed by an attempt
// that the still-open listener accepts, and is lost.
func classifyShutdown(rs []shutdownResult, closing time.Time) []shutdownVerdict {
	out := make([]shutdownVerdict, len(rs))
	for i, r := range rs {
		_, problem := r.answer()
		switch {
		case problem == "":
			out[i] = answered
		case r.refused():
			out[i] = refused
		case r.resetUnanswered() && !r.end.Before(closing) && i+1 < len(rs) && rs[i+1].refused():
			out[i] = closedReset
		default:
			out[i] = lost
		}
	}
	return out
}

// logTime returns the time of the first line of logs holding msg.
func logTime(logs, msg string) (time.Time, error) {
	for line := range strings.Lines(logs) {
		if !strings.Contains(line, msg) {
			continue
		}
		l, err := parseLogLine(strings.TrimSuffix(line, "\n"))
		if err != nil {
			return time.Time{}, fmt.Errorf("log line %q: %w", line, err)
		}
		return time.Parse(time.RFC3339Nano, l["time"])
	}
	return time.Time{}, fmt.Errorf("no log line holds %s", msg)
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
//     never accepted: its connection was refused, or it was reset in the
//     kernel's accept queue as the listener closed, which is excused only
//     for a new connection reset before any answer, after the server
//     logged that it closes its listener, as the client's last attempt
//     before its first refusal (classifyShutdown); never an EOF, a reset
//     on an accepted connection or a cut answer;
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
				if r.refused() {
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

	var ids []string
	for _, rs := range results {
		for _, r := range rs {
			if r.err == nil {
				ids = append(ids, r.id)
			}
		}
	}
	logged, err := s.requestLines(ids)
	if err != nil {
		t.Error(err)
	}
	closing, err := logTime(s.Logs(), `msg="shutting down: refusing new connections`)
	if err != nil {
		t.Error(err)
	}

	const delay = time.Second
	var count [lost + 1]int
	total := 0
	var lastOK time.Time
	for w, rs := range results {
		verdicts := classifyShutdown(rs, closing)
		for i, r := range rs {
			total++
			v := verdicts[i]
			count[v]++
			reached, _ := r.answer()
			switch {
			case v == answered && reached:
				if r.start.After(lastOK) {
					lastOK = r.start
				}
			case v == answered:
				t.Errorf("client %d: %s at %v after SIGTERM: the apology, want the redirect", w, r.kind, r.start.Sub(sigterm))
			case v == lost && count[lost] <= 20:
				_, problem := r.answer()
				t.Errorf("client %d, request %d of %d, sent %v after SIGTERM, ended %v after the listener began closing (connection reused %v, request written %v): %s",
					w, i+1, len(rs), r.start.Sub(sigterm), r.end.Sub(closing), r.reused, r.wrote, problem)
			}
		}
	}
	if count[lost] > 0 {
		t.Errorf("%d of %d requests lost", count[lost], total)
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
	t.Logf("%d requests: %d answered, %d refused, %d reset in the accept queue as the listener closed, %d lost",
		total, count[answered], count[refused], count[closedReset], count[lost])
	t.Logf("after SIGTERM: /readyz 503 at %v, last answered request sent at %v, listener closing at %v, exit at %v",
		first503.Sub(sigterm).Round(time.Millisecond), lastOK.Sub(sigterm).Round(time.Millisecond),
		closing.Sub(sigterm).Round(time.Millisecond), exited.Sub(sigterm).Round(time.Millisecond))
}

// TestClassifyShutdown checks the rule that TestShutdownUnderLoad judges
// by, on one client's requests as the HTTP client reports them: a reset is
// excused only as the client's last attempt before its first refusal, and
// only once the server has logged that its listener closes.
func TestClassifyShutdown(t *testing.T) {
	closing := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	choose := loadKind{loadRoutes()[1], true}
	opErr := func(op string, errno syscall.Errno) error {
		return fmt.Errorf("Post: %w", &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, errno)})
	}
	closedErr := func(op string) error {
		return fmt.Errorf("Post: %w", &net.OpError{Op: op, Net: "tcp", Err: net.ErrClosed})
	}
	// at is a request that ended d after closing.
	at := func(d time.Duration, r shutdownResult) shutdownResult {
		r.kind, r.start, r.end = choose, closing.Add(d-time.Millisecond), closing.Add(d)
		return r
	}
	ok := func(d time.Duration) shutdownResult {
		return at(d, shutdownResult{loadResult: loadResult{status: 200, ctype: "application/xml", id: strings.Repeat("a", 32), body: choose.route.reached}, gotConn: true, wrote: true})
	}
	refusal := func(d time.Duration) shutdownResult {
		return at(d, shutdownResult{loadResult: loadResult{err: opErr("dial", syscall.ECONNREFUSED)}})
	}
	dialReset := func(d time.Duration) shutdownResult {
		return at(d, shutdownResult{loadResult: loadResult{err: opErr("dial", syscall.ECONNRESET)}})
	}
	// reset is a request reset before any answer on a connection that
	// was new, or reused.
	reset := func(d time.Duration, reused bool) shutdownResult {
		return at(d, shutdownResult{loadResult: loadResult{err: opErr("read", syscall.ECONNRESET)}, gotConn: true, reused: reused, wrote: true})
	}
	eof := func(d time.Duration) shutdownResult {
		return at(d, shutdownResult{loadResult: loadResult{err: fmt.Errorf("Post: %w", io.EOF)}, gotConn: true, wrote: true})
	}
	cut := ok(0)
	cut.body = cut.body[:10]

	ms := time.Millisecond
	for _, tt := range []struct {
		name string
		rs   []shutdownResult
		want []shutdownVerdict
	}{
		{"answered, then refused", []shutdownResult{ok(-ms), refusal(ms)}, []shutdownVerdict{answered, refused}},
		{"reset as the listener closed, then refused", []shutdownResult{ok(-2 * ms), reset(ms, false), refusal(2 * ms)}, []shutdownVerdict{answered, closedReset, refused}},
		{"body cut off by a reset as the listener closed, then refused", []shutdownResult{ok(-2 * ms),
			at(ms, shutdownResult{loadResult: loadResult{err: closedErr("readfrom")}, gotConn: true}), refusal(2 * ms)},
			[]shutdownVerdict{answered, closedReset, refused}},
		{"connection closed after the request was written", []shutdownResult{ok(-2 * ms),
			at(ms, shutdownResult{loadResult: loadResult{err: closedErr("read")}, gotConn: true, wrote: true}), refusal(2 * ms)},
			[]shutdownVerdict{answered, lost, refused}},
		{"reset while connecting as the listener closed, then refused", []shutdownResult{dialReset(0), refusal(ms)}, []shutdownVerdict{closedReset, refused}},
		{"reset, then answered: the listener was open", []shutdownResult{reset(-500*ms, false), ok(-499 * ms), refusal(ms)}, []shutdownVerdict{lost, answered, refused}},
		{"reset while connecting, then answered", []shutdownResult{dialReset(-500 * ms), ok(-499 * ms), refusal(ms)}, []shutdownVerdict{lost, answered, refused}},
		{"two resets, then refused", []shutdownResult{reset(ms, false), reset(2*ms, false), refusal(3 * ms)}, []shutdownVerdict{lost, closedReset, refused}},
		{"reset before the listener began closing, then refused", []shutdownResult{reset(-ms, false), refusal(ms)}, []shutdownVerdict{lost, refused}},
		{"reset on a reused connection, then refused", []shutdownResult{reset(ms, true), refusal(2 * ms)}, []shutdownVerdict{lost, refused}},
		{"reset as the last attempt, never refused", []shutdownResult{ok(-ms), reset(ms, false)}, []shutdownVerdict{answered, lost}},
		{"EOF, then refused", []shutdownResult{eof(ms), refusal(2 * ms)}, []shutdownVerdict{lost, refused}},
		{"a cut answer, then refused", []shutdownResult{cut, refusal(ms)}, []shutdownVerdict{lost, refused}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := classifyShutdown(tt.rs, closing); !slices.Equal(got, tt.want) {
				t.Errorf("classifyShutdown = %v, want %v", got, tt.want)
			}
		})
	}
}
