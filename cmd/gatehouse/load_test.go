package main_test

// Helpers shared by the load tests (policyload_test.go, soak_test.go,
// shutdown_load_test.go): the requests they send, built and sent without
// a *testing.T since many goroutines send them, and the exact answers
// they expect.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// loadSupportNumber is the support number the load tests configure, so
// that a denial answers exactly the apology constant.
const loadSupportNumber = "GATEHOUSE_SUPPORT_NUMBER=+15005550006"

// loadRoute is one protected view of the IVR as the load tests call it.
type loadRoute struct {
	name    string // the route's name in the request log
	method  string
	path    string
	form    url.Values // the POST body; nil for a GET
	reached string     // the complete answer when the view runs
}

const twimlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// loadRoutes returns the four protected views: GET /, POST / (press 1),
// GET /accessible and GET /restricted.
func loadRoutes() []loadRoute {
	return []loadRoute{
		{"menu", "GET", "/", nil, twimlHeader + `<Response><Gather numDigits="1" action="/" method="POST" timeout="3"><Say>Press 1 for the accessible route. Press 2 for the restricted route.</Say></Gather><Redirect method="GET">/</Redirect></Response>`},
		{"choose", "POST", "/", url.Values{"Digits": {"1"}, "CallSid": {"CA0123456789abcdef0123456789abcdef"}, "From": {"+15551234567"}},
			twimlHeader + `<Response><Redirect method="GET">/accessible</Redirect></Response>`},
		{"accessible", "GET", "/accessible", nil, twimlHeader + `<Response><Say>You reached the accessible route. Goodbye.</Say><Hangup></Hangup></Response>`},
		{"restricted", "GET", "/restricted", nil, twimlHeader + `<Response><Say>You reached the restricted route. Goodbye.</Say><Hangup></Hangup></Response>`},
	}
}

// loadKind is a kind of request: a route, signed with the server's token
// or not signed at all.
type loadKind struct {
	route  loadRoute
	signed bool
}

func (k loadKind) String() string {
	if k.signed {
		return "signed " + k.route.method + " " + k.route.path
	}
	return "unsigned " + k.route.method + " " + k.route.path
}

// loadKinds returns every route, signed and unsigned.
func loadKinds() []loadKind {
	var out []loadKind
	for _, r := range loadRoutes() {
		out = append(out, loadKind{r, true}, loadKind{r, false})
	}
	return out
}

// newLoadRequest builds a request of kind k to the server at base, signed
// as Twilio signs it (hmacB64, the sorted form parameters appended).
func newLoadRequest(base string, k loadKind) (*http.Request, error) {
	var body io.Reader
	toSign := base + k.route.path
	if k.route.form != nil {
		body = strings.NewReader(k.route.form.Encode())
		for _, name := range sortedKeys(k.route.form) {
			for _, v := range k.route.form[name] {
				toSign += name + v
			}
		}
	}
	req, err := http.NewRequest(k.route.method, base+k.route.path, body)
	if err != nil {
		return nil, err
	}
	if k.route.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if k.signed {
		req.Header.Set("X-Twilio-Signature", hmacB64(token, toSign))
	}
	return req, nil
}

// loadResult is one request a load test sent and what came back.
type loadResult struct {
	kind       loadKind
	start, end time.Time // just before sending, just after reading the answer
	status     int
	ctype      string // Content-Type
	id         string // X-Request-Id
	body       string
	err        error
}

// loadSend sends a request of kind k with client and records the result.
func loadSend(client *http.Client, base string, k loadKind) loadResult {
	r := loadResult{kind: k}
	req, err := newLoadRequest(base, k)
	if err != nil {
		r.err = err
		return r
	}
	r.start = time.Now()
	resp, err := client.Do(req)
	if err != nil {
		r.end, r.err = time.Now(), err
		return r
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.end = time.Now()
	r.status, r.ctype, r.id, r.body = resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Request-Id"), string(b)
	if err != nil {
		r.err = fmt.Errorf("reading the answer: %w", err)
	}
	return r
}

// answer checks that r is a complete TwiML answer, either the view's own
// or the apology of the forbidden view, and reports which.
func (r loadResult) answer() (reached bool, problem string) {
	switch {
	case r.err != nil:
		return false, fmt.Sprintf("transport error: %v", r.err)
	case r.status != http.StatusOK:
		return false, fmt.Sprintf("status %d, want 200; body %q", r.status, r.body)
	case r.ctype != "application/xml":
		return false, fmt.Sprintf("Content-Type %q, want application/xml", r.ctype)
	case len(r.id) != 32:
		return false, fmt.Sprintf("X-Request-Id %q, want 32 hex digits", r.id)
	case r.body == r.kind.route.reached:
		return true, ""
	case r.body == apology:
		return false, ""
	}
	return false, fmt.Sprintf("body %q is neither the view's answer nor the apology", r.body)
}

// loadClients are the HTTP clients of n load workers: the even ones keep
// connections alive, the odd ones open a new connection per request.
// Each has a transport of its own, and a timeout that bounds a hang.
type loadClients []*http.Client

func newLoadClients(n int) loadClients {
	out := make(loadClients, n)
	for i := range out {
		tr := &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			DisableKeepAlives:   i%2 == 1,
			MaxIdleConnsPerHost: 1,
		}
		out[i] = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	return out
}

// closeIdle closes every idle kept-alive connection.
func (cs loadClients) closeIdle() {
	for _, c := range cs {
		c.CloseIdleConnections()
	}
}

// loadRun starts one worker per client; each sends requests of every
// kind in turn (starting at its own offset) until ctx is done, and hands
// each result to each, with its worker's number (each is called by one
// worker at a time per number). wait waits for the workers.
func loadRun(ctx context.Context, base string, clients loadClients, kinds []loadKind, each func(worker int, r loadResult)) (wait func()) {
	var wg sync.WaitGroup
	for w, client := range clients {
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i++ {
				each(w, loadSend(client, base, kinds[i%len(kinds)]))
			}
		})
	}
	return wg.Wait
}

// requestLines waits until the server's log holds a request line for
// every ID in ids (the test reads the log through a pipe), and returns
// the request lines by ID. The deadline bounds the wait; it measures
// nothing.
func (s *server) requestLines(ids []string) (map[string]logLine, error) {
	lines := make(map[string]logLine)
	offset := 0
	deadline := time.Now().Add(30 * time.Second)
	for {
		logs := s.Logs()
		for _, l := range strings.SplitAfter(logs[offset:], "\n") {
			if !strings.HasSuffix(l, "\n") {
				break // not a whole line yet (never happens: lines are appended whole)
			}
			offset += len(l)
			if !strings.Contains(l, " msg=request ") {
				continue
			}
			p, err := parseLogLine(strings.TrimSuffix(l, "\n"))
			if err != nil {
				return nil, fmt.Errorf("log line %q: %w", l, err)
			}
			if _, dup := lines[p["request_id"]]; dup {
				return nil, fmt.Errorf("request_id %s logged twice", p["request_id"])
			}
			lines[p["request_id"]] = p
		}
		missing := ""
		for _, id := range ids {
			if _, ok := lines[id]; !ok {
				missing = id
				break
			}
		}
		if missing == "" {
			return lines, nil
		}
		if time.Now().After(deadline) {
			return lines, fmt.Errorf("no request line with request_id=%s after 30s", missing)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
