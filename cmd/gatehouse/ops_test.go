package main_test

// End-to-end tests of operating gatehouse serve: the request log and the
// debug_authorization lines, /metrics, and graceful shutdown.

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// send sends req and returns the status, headers and body.
func send(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// logLine is one line of slog's text format: key=value pairs, a value
// either bare or in Go's quoted form.
type logLine map[string]string

// parseLogLine parses a line of slog's text format strictly.
func parseLogLine(line string) (logLine, error) {
	out := make(logLine)
	for rest := line; rest != ""; {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || strings.ContainsAny(rest[:eq], " \"") {
			return nil, fmt.Errorf("no key at %q", rest)
		}
		key := rest[:eq]
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil, fmt.Errorf("bad quoted value at %q: %w", rest, err)
			}
			if val, err = strconv.Unquote(q); err != nil {
				return nil, err
			}
			rest = rest[len(q):]
		} else {
			end := strings.IndexByte(rest, ' ')
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], rest[end:]
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("key %q twice", key)
		}
		out[key] = val
		if rest != "" && !strings.HasPrefix(rest, " ") {
			return nil, fmt.Errorf("no space before %q", rest)
		}
		rest = strings.TrimPrefix(rest, " ")
	}
	return out, nil
}

// waitLog waits until the log holds substr: the server writes a request's
// line before the answer leaves, but the test reads its stderr through a
// pipe and a goroutine.
func (s *server) waitLog(t *testing.T, substr string) {
	t.Helper()
	for range 2000 {
		if strings.Contains(s.Logs(), substr) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the log never held %q:\n%s", substr, s.Logs())
}

func (s *server) logLines(t *testing.T) []logLine {
	t.Helper()
	var lines []logLine
	for _, l := range strings.Split(strings.TrimSpace(s.Logs()), "\n") {
		p, err := parseLogLine(l)
		if err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, p)
	}
	return lines
}

// signedReq builds a request to the server, signed with key as Twilio
// signs it ("" leaves it unsigned). A form body is signed with its sorted
// parameters; any other body is sent as is with contentType.
func (s *server) signedReq(t *testing.T, key, method, target string, form url.Values, body, contentType string) *http.Request {
	t.Helper()
	toSign := s.base + target
	if form != nil {
		body, contentType = form.Encode(), "application/x-www-form-urlencoded"
		for _, k := range sortedKeys(form) {
			for _, v := range form[k] {
				toSign += k + v
			}
		}
	}
	req, err := http.NewRequest(method, s.base+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		req.Header.Set("X-Twilio-Signature", hmacB64(key, toSign))
	}
	return req
}

// The request log and the debug_authorization lines of a run at debug
// level: every request has one line at info level with its route,
// decision and signature reason; every permission check has a
// debug_authorization line in Pyramid's form; the token, the signatures
// and the callers' numbers appear in no line at info level or above, and
// the token in no response either.
func TestOpsLogs(t *testing.T) {
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_SUPPORT_NUMBER=+15005550006",
		"GATEHOUSE_LOG_LEVEL=debug", "GATEHOUSE_DEBUG_AUTHORIZATION=true"})
	const phone = "15551234567"
	caller := url.Values{"Digits": {"1"}, "From": {"+" + phone}, "Caller": {"+" + phone}, "To": {"+15005550006"}}
	otherBody := `{"a":1}`
	sum := sha256.Sum256([]byte(`{"a":2}`))
	root := "[('Allow', 'group:twilio', 'view')]"
	twilio := "['system.Everyone', 'system.Authenticated', 'group:twilio']"
	everyone := "['system.Everyone']"

	tests := []struct {
		name      string
		req       *http.Request
		request   map[string]string // fields of the request line; "" means absent
		debugLine string            // the debug_authorization message, with URL for the request URL; "" for none
	}{
		{"signed menu", s.signedReq(t, token, "GET", "/", nil, "", ""),
			map[string]string{"level": "INFO", "method": "GET", "route": "menu", "pattern": "/", "status": "200", "signature": "valid",
				"principals": "[system.Everyone system.Authenticated group:twilio]", "permission": "view", "decision": "allowed",
				"ace": "('Allow', 'group:twilio', 'view')", "context": "/"},
			"debug_authorization of url URL (view name 'menu' against context '/'): ACLAllowed permission 'view' via ACE ('Allow', 'group:twilio', 'view') in ACL " + root + " on context '/' for principals " + twilio},
		{"unsigned menu", s.signedReq(t, "", "GET", "/", nil, "", ""),
			map[string]string{"route": "menu", "signature": "missing_header", "principals": "[system.Everyone]",
				"permission": "view", "decision": "denied", "ace": "<default deny>", "context": "/"},
			"debug_authorization of url URL (view name 'menu' against context '/'): ACLDenied permission 'view' via ACE '<default deny>' in ACL " + root + " on context '/' for principals " + everyone},
		{"signed with a rotated-out token", s.signedReq(t, "the-old-token", "GET", "/accessible", nil, "", ""),
			map[string]string{"route": "accessible", "pattern": "/accessible", "signature": "no_match", "decision": "denied"},
			"debug_authorization of url URL (view name 'accessible' against context '/accessible'): ACLDenied permission 'view' via ACE '<default deny>' in ACL " + root + " on context '/accessible' for principals " + everyone},
		{"signed restricted", s.signedReq(t, token, "GET", "/restricted", nil, "", ""),
			map[string]string{"route": "restricted", "signature": "valid", "permission": "restricted", "decision": "denied", "ace": "<default deny>", "context": "/restricted"},
			"debug_authorization of url URL (view name 'restricted' against context '/restricted'): ACLDenied permission 'restricted' via ACE '<default deny>' in ACL " + root + " on context '/restricted' for principals " + twilio},
		{"signed choice with caller numbers", s.signedReq(t, token, "POST", "/", caller, "", ""),
			map[string]string{"method": "POST", "route": "choose", "signature": "valid", "decision": "allowed"},
			"debug_authorization of url URL (view name 'choose' against context '/'): ACLAllowed permission 'view' via ACE ('Allow', 'group:twilio', 'view') in ACL " + root + " on context '/' for principals " + twilio},
		{"signed GET with caller numbers in the query", s.signedReq(t, token, "GET", "/?"+caller.Encode(), nil, "", ""),
			map[string]string{"route": "menu", "pattern": "/", "signature": "valid", "decision": "allowed"},
			"debug_authorization of url URL (view name 'menu' against context '/'): ACLAllowed permission 'view' via ACE ('Allow', 'group:twilio', 'view') in ACL " + root + " on context '/' for principals " + twilio},
		{"body too large", s.signedReq(t, token, "POST", "/", url.Values{"Pad": {strings.Repeat("x", 70_000)}}, "", ""),
			map[string]string{"route": "choose", "signature": "body_too_large", "decision": "denied"},
			"debug_authorization of url URL (view name 'choose' against context '/'): ACLDenied permission 'view' via ACE '<default deny>' in ACL " + root + " on context '/' for principals " + everyone},
		{"malformed body", s.signedReq(t, token, "POST", "/", nil, "Digits=%zz", "application/x-www-form-urlencoded"),
			map[string]string{"route": "choose", "signature": "malformed_body", "decision": "denied"},
			"debug_authorization of url URL (view name 'choose' against context '/'): ACLDenied permission 'view' via ACE '<default deny>' in ACL " + root + " on context '/' for principals " + everyone},
		{"JSON body hash mismatch", s.signedReq(t, token, "POST", "/?bodySHA256="+hex.EncodeToString(sum[:]), nil, otherBody, "application/json"),
			map[string]string{"route": "choose", "signature": "body_hash_mismatch", "decision": "denied"},
			"debug_authorization of url URL (view name 'choose' against context '/'): ACLDenied permission 'view' via ACE '<default deny>' in ACL " + root + " on context '/' for principals " + everyone},
		{"not found", s.signedReq(t, token, "GET", "/nope?From=%2B"+phone, nil, "", ""),
			map[string]string{"route": "not_found", "pattern": "", "signature": "", "decision": "", "principals": ""}, ""},
		{"metrics", s.signedReq(t, "", "GET", "/metrics", nil, "", ""),
			map[string]string{"route": "metrics", "pattern": "/metrics", "status": "200", "signature": "", "decision": ""}, ""},
	}
	var responses []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := send(t, tt.req)
			responses = append(responses, fmt.Sprint(status, h, body))
			id := h.Get("X-Request-Id")
			if len(id) != 32 {
				t.Fatalf("X-Request-Id = %q, want 32 hex digits", id)
			}
			s.waitLog(t, "msg=request request_id="+id)
			var reqLine logLine
			var debugLines []string
			for _, l := range s.logLines(t) {
				if l["request_id"] != id {
					continue
				}
				switch {
				case l["msg"] == "request":
					reqLine = l
				case strings.HasPrefix(l["msg"], "debug_authorization"):
					if l["level"] != "DEBUG" {
						t.Errorf("debug_authorization at level %s, want DEBUG", l["level"])
					}
					debugLines = append(debugLines, l["msg"])
				}
			}
			if reqLine == nil {
				t.Fatalf("no request line with request_id=%s in\n%s", id, s.Logs())
			}
			for k, want := range tt.request {
				if got, ok := reqLine[k]; got != want || (want == "") == ok {
					t.Errorf("request line %s = %q (present %v), want %q", k, got, ok, want)
				}
			}
			if _, err := time.ParseDuration(reqLine["latency"]); err != nil {
				t.Errorf("latency %q: %v", reqLine["latency"], err)
			}
			var want []string
			if tt.debugLine != "" {
				want = []string{strings.Replace(tt.debugLine, "URL", tt.req.URL.String(), 1)}
			}
			if fmt.Sprint(debugLines) != fmt.Sprint(want) {
				t.Errorf("debug_authorization lines:\n%q\nwant:\n%q", debugLines, want)
			}
		})
	}

	logs := s.Logs()
	for _, l := range s.logLines(t) {
		if l["level"] != "DEBUG" && strings.Contains(fmt.Sprint(l), phone) {
			t.Errorf("a caller's number at level %s: %v", l["level"], l)
		}
	}
	for _, tt := range tests {
		if sig := tt.req.Header.Get("X-Twilio-Signature"); sig != "" && strings.Contains(logs, sig) {
			t.Errorf("the signature of %q is in the log", tt.name)
		}
	}
	if strings.Contains(logs, token) {
		t.Error("the auth token is in the log")
	}
	for _, r := range responses {
		if strings.Contains(r, token) {
			t.Errorf("the auth token is in a response: %s", r)
		}
	}
}

// scrape fetches /metrics and parses it with Prometheus's own text parser:
// every sample of every counter, gauge and histogram (as its count), keyed
// by name and sorted labels.
func scrape(t *testing.T, s *server) map[string]float64 {
	t.Helper()
	req, err := http.NewRequest("GET", s.base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	status, h, body := send(t, req)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", status, h.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	out := make(map[string]float64)
	for name, f := range families {
		if !strings.HasPrefix(name, "gatehouse_") {
			t.Errorf("metric %q is not prefixed gatehouse_", name)
		}
		for _, m := range f.GetMetric() {
			key := seriesKey(name, m.GetLabel())
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[key+"#count"] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

func seriesKey(name string, labels []*dto.LabelPair) string {
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		parts = append(parts, l.GetName()+"="+strconv.Quote(l.GetValue()))
	}
	sort.Strings(parts)
	return name + "{" + strings.Join(parts, ",") + "}"
}

// After N signed and M unsigned requests (and one signed with a wrong
// token), every Gatehouse counter moved by exactly what those requests
// did, and nothing else moved.
func TestOpsMetrics(t *testing.T) {
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token})
	const n, m = 3, 2
	before := scrape(t, s)
	for range n {
		s.do(t, call{method: "GET", path: "/accessible", key: token})
	}
	for range m {
		s.do(t, call{method: "GET", path: "/accessible"})
	}
	s.do(t, call{method: "GET", path: "/accessible", key: "not-the-token"})
	after := scrape(t, s)

	want := map[string]float64{
		`gatehouse_http_requests_total{route="accessible",status="200"}`:                   n + m + 1,
		`gatehouse_http_request_duration_seconds{route="accessible"}#count`:                n + m + 1,
		`gatehouse_signature_results_total{reason="valid"}`:                                n,
		`gatehouse_signature_results_total{reason="missing_header"}`:                       m,
		`gatehouse_signature_results_total{reason="no_match"}`:                             1,
		`gatehouse_authorization_decisions_total{permission="view",result="allowed"}`:      n,
		`gatehouse_authorization_decisions_total{permission="view",result="denied"}`:       m + 1,
		`gatehouse_http_requests_total{route="metrics",status="200"}`:                      1, // the first scrape
		`gatehouse_http_request_duration_seconds{route="metrics"}#count`:                   1,
		`gatehouse_authorization_decisions_total{permission="restricted",result="denied"}`: 0,
		`gatehouse_signature_results_total{reason="body_hash_mismatch"}`:                   0,
		`gatehouse_policy_reloads_total{result="ok"}`:                                      0,
		`gatehouse_policy_reloads_total{result="failed"}`:                                  0,
	}
	for key, delta := range want {
		if _, ok := after[key]; !ok {
			t.Errorf("%s: missing from /metrics", key)
		}
		if got := after[key] - before[key]; got != delta {
			t.Errorf("%s moved by %v, want %v", key, got, delta)
		}
	}
	for key, v := range after {
		if _, listed := want[key]; listed || !strings.HasPrefix(key, "gatehouse_http_") &&
			!strings.HasPrefix(key, "gatehouse_signature_") && !strings.HasPrefix(key, "gatehouse_authorization_") &&
			!strings.HasPrefix(key, "gatehouse_policy_reloads_") {
			continue
		}
		if v != before[key] {
			t.Errorf("%s moved by %v, want 0", key, v-before[key])
		}
	}
	if got := after["gatehouse_policy_generation{}"]; got != 1 {
		t.Errorf("gatehouse_policy_generation = %v, want 1", got)
	}
}

// Graceful shutdown: after SIGTERM /readyz answers 503 at once while the
// server still serves; then the listener closes (new connections are
// refused) while a signed POST whose body is still trickling in completes
// with the right answer; then the process exits 0.
func TestOpsShutdown(t *testing.T) {
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_SERVER_SHUTDOWN_DELAY=2s"})
	addr := strings.TrimPrefix(s.base, "http://")

	form := url.Values{"Digits": {"1"}, "CallSid": {"CA1"}}
	body := form.Encode()
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", s.base+"/", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", hmacB64(token, s.base+"/CallSidCA1Digits1"))
	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- result{resp.StatusCode, string(b), err}
	}()
	// The headers are sent before the body (net/http flushes them for a
	// streamed body); the server is now in the view, reading the body.
	if _, err := pw.Write([]byte(body[:5])); err != nil {
		t.Fatal(err)
	}

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var ready int
	for range 500 { // the signal is asynchronous
		resp, err := fresh.Get(s.base + "/readyz")
		if err != nil {
			t.Fatalf("GET /readyz during the delay: %v (the listener closed too early)", err)
		}
		resp.Body.Close()
		if ready = resp.StatusCode; ready == http.StatusServiceUnavailable {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	if ready != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d after SIGTERM, want 503", ready)
	}

	refused := false
	var dialErr error
	for range 1000 { // until the delay ends and the listener closes
		c, err := net.Dial("tcp", addr)
		if refused = errors.Is(err, syscall.ECONNREFUSED); refused {
			break
		}
		if err == nil {
			c.Close()
		}
		dialErr = err // another error (a busy machine's): try again
		time.Sleep(5 * time.Millisecond)
	}
	if !refused {
		t.Fatalf("new connections still accepted after the shutdown delay (last dial error: %v)", dialErr)
	}
	select {
	case r := <-slow:
		t.Fatalf("the in-flight request ended before its body was sent: %+v", r)
	default:
	}

	// Trickle the rest of the body, then the request must complete.
	for i := 5; i < len(body); i++ {
		if _, err := pw.Write([]byte{body[i]}); err != nil {
			t.Fatal(err)
		}
	}
	pw.Close()
	r := <-slow
	if r.err != nil || r.status != 200 || !strings.Contains(r.body, `<Redirect method="GET">/accessible</Redirect>`) {
		t.Errorf("in-flight request: %d %q %v, want 200 and the redirect to /accessible", r.status, r.body, r.err)
	}
	<-s.done
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("a connection was accepted after the server stopped")
	}
	logs := s.Logs()
	for _, want := range []string{"msg=\"draining: readiness fails", "msg=\"shutting down: refusing new connections", "msg=stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// A second SIGTERM during the shutdown delay stops the process at once,
// killed by the signal as its default action would, but only after the
// log lines it had already produced are written.
func TestOpsSecondSignal(t *testing.T) {
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_SERVER_SHUTDOWN_DELAY=60s"})
	s.killedBySignal = true
	status, hdr, _ := s.do(t, call{method: "GET", path: "/accessible", key: token})
	if status != 200 {
		t.Fatalf("GET /accessible = %d", status)
	}
	id := hdr.Get("X-Request-Id")
	// Readiness fails just before the draining line is logged; that line
	// most likely still waits in the log's batch (up to 5 ms) when the
	// second signal arrives.
	s.signalTwice(t, syscall.SIGTERM)
	for _, want := range []string{"request_id=" + id, `msg="draining: readiness fails`} {
		if !strings.Contains(s.Logs(), want) {
			t.Errorf("the log line with %q was lost:\n%s", want, s.Logs())
		}
	}
	if strings.Contains(s.Logs(), "msg=stopped") {
		t.Errorf("the process finished its drain instead of stopping at once:\n%s", s.Logs())
	}
}

// A request still in flight when server.shutdown_timeout ends is cut off,
// and the process says so in its log, in the log's own format (a JSON log
// stays JSON to its last line), naming the setting, and exits 1.
func TestOpsShutdownTimeout(t *testing.T) {
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_SERVER_SHUTDOWN_TIMEOUT=300ms"})
	s.exitCode = 1
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A body announced and never all sent: the handler waits for it (up
	// to server.read_timeout, 10 s), longer than the shutdown may take.
	// With Expect: 100-continue, net/http answers "100 Continue" when the
	// handler starts reading the body: the request is then in flight.
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("waiting for 100 Continue: got %q, %v", line, err)
	}
	if _, err := io.WriteString(conn, "Digits=1"); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the process still runs 30s after SIGTERM (shutdown timeout 300ms)")
	}
	want := `level=ERROR msg="serve failed" error="app: shutdown: requests still in flight after server.shutdown_timeout (300ms) were cut off: context deadline exceeded"`
	if !strings.Contains(s.Logs(), want) {
		t.Errorf("the log lacks %q:\n%s", want, s.Logs())
	}
}

// signalTwice sends sig, waits for readiness to fail (the drain has
// begun), sends sig again and waits for the process to end.
func (s *server) signalTwice(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for ready := 200; ready != http.StatusServiceUnavailable; {
		resp, err := fresh.Get(s.base + "/readyz")
		if err != nil {
			t.Fatalf("GET /readyz during the delay: %v", err)
		}
		resp.Body.Close()
		ready = resp.StatusCode
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the process still runs 30s after the second %v", sig)
	}
}

// A second SIGINT stops the process at once even when SIGINT was ignored
// when it started (a background job of a non-interactive shell): restoring
// that disposition, as the default action needs, would drop the signal,
// so the process exits as the signal would have, with status 130.
func TestOpsSecondSignalIgnoredAtStart(t *testing.T) {
	// A short delay: the process must not wait for anything once the
	// second signal comes, so the drain never gets to end (and exit 0).
	s := startWrapped(t, []string{"sh", "-c", `trap "" INT; exec "$@"`, "sh"},
		[]string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_SERVER_SHUTDOWN_DELAY=500ms"})
	s.exitCode = 130
	s.signalTwice(t, syscall.SIGINT)
	if strings.Contains(s.Logs(), "msg=stopped") {
		t.Errorf("the process finished its drain instead of stopping at once:\n%s", s.Logs())
	}
}

// SIGTERM ignored by the parent is not inherited (Go restores its default
// action at startup): the second SIGTERM kills the process, as it would
// have without the parent's trap.
func TestOpsSecondSignalTERMIgnoredByParent(t *testing.T) {
	s := startWrapped(t, []string{"sh", "-c", `trap "" TERM; exec "$@"`, "sh"},
		[]string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_SERVER_SHUTDOWN_DELAY=500ms"})
	s.killedBySignal = true
	s.signalTwice(t, syscall.SIGTERM)
	if strings.Contains(s.Logs(), "msg=stopped") {
		t.Errorf("the process finished its drain instead of stopping at once:\n%s", s.Logs())
	}
}

// gatehouse routes needs no token and lists the whole surface.
func TestOpsRoutes(t *testing.T) {
	cmd := exec.Command(binary, "routes")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gatehouse routes: %v", err)
	}
	for _, want := range []string{
		"METHOD  PATH         NAME        PERMISSION                  RESOURCE\n",
		"GET     /metrics     metrics     __no_permission_required__  -\n",
		"GET     /restricted  restricted  restricted                  /restricted\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("gatehouse routes printed\n%s\nwant a line %q", out, want)
		}
	}
}
