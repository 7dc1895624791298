package main_test

// The running servers and the raw-TCP exchanges of the hostile-input and
// secrets suites (hostile_test.go, secrets_test.go). A request is written
// byte for byte on its own connection, so that nothing (net/http's client
// least of all) normalises or refuses it on the way.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hostileBuffer is an io.Writer safe for concurrent use: a process's
// stdout.
type hostileBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *hostileBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *hostileBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// hostileServer is a running `gatehouse serve` whose stdout is kept as well
// as its stderr (the log, in server.logs), and whose log may be text or
// JSON.
type hostileServer struct {
	*server
	addr   string // host:port it listens on
	stdout hostileBuffer

	stopOnce sync.Once
	exitErr  error // of the process, once stopped

	mu      sync.Mutex
	granted map[string]bool // request IDs of the requests a case expects to be allowed
}

// hostileListening matches the "listening" line in either log format.
var hostileListening = regexp.MustCompile(`msg=listening addr=(\S+)|"msg":"listening","addr":"([^"]+)"`)

// hostileStart runs gatehouse serve with env (and nothing else in the
// environment but PATH and HOME) and args, and waits until it listens. The
// process is stopped with SIGTERM at the end of the test, if the test has
// not stopped it, and must then exit 0.
func hostileStart(t *testing.T, env []string, args ...string) *hostileServer {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GATEHOUSE_SERVER_SHUTDOWN_DELAY=0s"}, env...)
	h := &hostileServer{server: &server{cmd: cmd, done: make(chan struct{})}, granted: make(map[string]bool)}
	cmd.Stdout = &h.stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		defer close(h.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			h.server.mu.Lock()
			h.logs.WriteString(line + "\n")
			h.server.mu.Unlock()
			if m := hostileListening.FindStringSubmatch(line); m != nil {
				addr <- m[1] + m[2]
			}
		}
	}()
	select {
	case a := <-addr:
		h.addr, h.base = a, "http://"+a
	case <-h.done:
		cmd.Wait()
		t.Fatalf("gatehouse serve exited before listening:\n%s", h.Logs())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("gatehouse serve did not listen within 30s:\n%s", h.Logs())
	}
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("gatehouse serve did not exit cleanly on SIGTERM: %v\n%s", err, h.Logs())
		}
	})
	return h
}

// stop sends SIGTERM and waits for the process to exit, once; it returns
// the exit error (nil for status 0).
func (h *hostileServer) stop() error {
	h.stopOnce.Do(func() {
		h.cmd.Process.Signal(syscall.SIGTERM)
		<-h.done
		h.exitErr = h.cmd.Wait()
	})
	return h.exitErr
}

// expectGranted notes that the request logged under id is one that a case
// expects to be allowed.
func (h *hostileServer) expectGranted(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.granted[id] = true
}

func (h *hostileServer) isGranted(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.granted[id]
}

// hostileRaw builds a request message byte for byte: the request line,
// "Host: host" unless host is "", the header lines in order, a
// Content-Length for a non-empty body unless the lines frame the body
// themselves, the empty line and the body.
func hostileRaw(method, target, host string, lines []string, body string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	if host != "" {
		fmt.Fprintf(&b, "Host: %s\r\n", host)
	}
	framed := false
	for _, l := range lines {
		b.WriteString(l + "\r\n")
		name, _, _ := strings.Cut(strings.ToLower(l), ":")
		framed = framed || name == "content-length" || name == "transfer-encoding"
	}
	if body != "" && !framed {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.Bytes()
}

// hostilePair is one decoded name=value pair of a form body.
type hostilePair struct{ name, value string }

// hostileSign is Twilio's signature, written from TWILIO.md independently
// of the code under test: the URL, then each distinct body pair sorted by
// name and then by value (bytewise), name then value appended; HMAC-SHA1
// with the token; standard base64.
func hostileSign(key, u string, pairs ...hostilePair) string {
	ps := append([]hostilePair(nil), pairs...)
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].name != ps[j].name {
			return ps[i].name < ps[j].name
		}
		return ps[i].value < ps[j].value
	})
	var s strings.Builder
	s.WriteString(u)
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		s.WriteString(p.name + p.value)
	}
	return hmacB64(key, s.String())
}

// hostileForm encodes pairs as a form body, in the given order.
func hostileForm(pairs ...hostilePair) string {
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = url.QueryEscape(p.name) + "=" + url.QueryEscape(p.value)
	}
	return strings.Join(parts, "&")
}

// hostileAnswer is what came back on one connection.
type hostileAnswer struct {
	resp *http.Response // nil if the connection closed without an answer
	body string
	err  error // why no answer could be read, if none was
}

// hostileExchange writes raw on a new connection to addr and reads one
// answer (for a HEAD request: without a body). halfClose closes the
// writing side once raw is written, as a client that gives up on a body
// does. The whole exchange is bounded by limit, which only keeps a hang
// from hanging the test.
func hostileExchange(addr string, raw []byte, halfClose bool, limit time.Duration) hostileAnswer {
	c, err := net.DialTimeout("tcp", addr, limit)
	if err != nil {
		return hostileAnswer{err: err}
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(limit))
	// A server that answers before reading everything (431, a body over the
	// limit) may stop reading: the answer is what counts, not this write.
	c.Write(raw)
	if halfClose {
		c.(*net.TCPConn).CloseWrite()
	}
	method, _, _ := strings.Cut(string(raw), " ")
	return hostileReadAnswer(c, method)
}

// hostileReadAnswer reads one answer to a request with method from c.
func hostileReadAnswer(c net.Conn, method string) hostileAnswer {
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		return hostileAnswer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return hostileAnswer{resp: resp, body: string(b), err: err}
}
