package main_test

// End-to-end tests: build the real gatehouse binary, start `gatehouse
// serve` on a free loopback port and talk HTTP to it. Signatures here are
// computed by hmacB64, independently of the code under test.

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const token = "e2e-token-7f3a9c"

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gatehouse-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "gatehouse")
	args := []string{"build", "-o", binary}
	if raceBuild {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building gatehouse:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hmacB64 is Twilio's signature over s, written here from the spec.
func hmacB64(key, s string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// server is a running `gatehouse serve`.
type server struct {
	base string
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs strings.Builder
	done chan struct{}
	// killedBySignal: the test expects the process to die of a signal,
	// not to exit 0.
	killedBySignal bool
	// exitCode, if not 0: the exit status the test expects instead of 0.
	exitCode int
}

func (s *server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// start runs gatehouse serve with env and args and waits until it listens.
func start(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	return startWrapped(t, nil, env, args...)
}

// startWrapped is start, with the command run by wrap, a command line that
// ends with the program and its arguments (as sh -c '...; exec "$@"' sh).
func startWrapped(t *testing.T, wrap, env []string, args ...string) *server {
	t.Helper()
	argv := append(append(wrap, binary, "serve", "--listen", "127.0.0.1:0"), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	// No pre-shutdown delay unless a test asks for one (a later entry wins).
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GATEHOUSE_SERVER_SHUTDOWN_DELAY=0s"}, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	listening := regexp.MustCompile(`msg=listening addr=(\S+)`)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.logs.WriteString(line + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		s.base = "http://" + a
	case <-s.done:
		cmd.Wait()
		t.Fatalf("gatehouse serve exited before listening:\n%s", s.Logs())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("gatehouse serve did not listen within 30s:\n%s", s.Logs())
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-s.done
		err := cmd.Wait()
		if s.killedBySignal {
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				t.Errorf("gatehouse serve exited (%v), want it killed by a signal\n%s", err, s.Logs())
			}
		} else if s.exitCode != 0 {
			if cmd.ProcessState.ExitCode() != s.exitCode {
				t.Errorf("gatehouse serve exited (%v), want exit status %d\n%s", err, s.exitCode, s.Logs())
			}
		} else if err != nil {
			t.Errorf("gatehouse serve did not exit cleanly on SIGTERM: %v\n%s", err, s.Logs())
		}
		if strings.Contains(s.Logs(), token) {
			t.Errorf("the auth token appears in the server's logs")
		}
	})
	return s
}

type call struct {
	method, path string
	form         url.Values // POST body
	key          string     // token to sign with; "" leaves the request unsigned
}

func (s *server) do(t *testing.T, c call) (int, http.Header, string) {
	t.Helper()
	var body io.Reader
	toSign := s.base + c.path
	if c.form != nil {
		body = strings.NewReader(c.form.Encode())
		// Twilio's rule, spelled out: names sorted, each name+value appended.
		for _, k := range sortedKeys(c.form) {
			for _, v := range c.form[k] {
				toSign += k + v
			}
		}
	}
	req, err := http.NewRequest(c.method, s.base+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.key != "" {
		req.Header.Set("X-Twilio-Signature", hmacB64(c.key, toSign))
	}
	return send(t, req)
}

func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	for i := range keys { // insertion sort keeps this independent of package sort
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

const apology = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Say>We are sorry, something went wrong. Please hold while we connect you to support.</Say><Dial>+15005550006</Dial></Response>`

func TestServeIVR(t *testing.T) {
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_SUPPORT_NUMBER=+15005550006"})
	tests := []struct {
		name     string
		call     call
		status   int
		wantBody string // exact, or a fragment when partial
		partial  bool
		twiml    bool
	}{
		{"unsigned menu gets the apology", call{method: "GET", path: "/"}, 200, apology, false, true},
		{"signed menu", call{method: "GET", path: "/", key: token}, 200,
			`<Gather numDigits="1" action="/" method="POST" timeout="3"><Say>Press 1 for the accessible route. Press 2 for the restricted route.</Say></Gather><Redirect method="GET">/</Redirect>`, true, true},
		{"signed choice 1", call{method: "POST", path: "/", form: url.Values{"Digits": {"1"}, "CallSid": {"CA1"}, "From": {"+15551234567"}}, key: token}, 200,
			`<Response><Redirect method="GET">/accessible</Redirect></Response>`, true, true},
		{"signed choice 2", call{method: "POST", path: "/", form: url.Values{"Digits": {"2"}}, key: token}, 200,
			`<Redirect method="GET">/restricted</Redirect>`, true, true},
		{"unsigned choice", call{method: "POST", path: "/", form: url.Values{"Digits": {"1"}}}, 200, apology, false, true},
		{"signed accessible", call{method: "GET", path: "/accessible", key: token}, 200,
			`<Say>You reached the accessible route. Goodbye.</Say><Hangup></Hangup>`, true, true},
		{"signed restricted is forbidden", call{method: "GET", path: "/restricted", key: token}, 200, apology, false, true},
		{"signed unknown path", call{method: "GET", path: "/nope", key: token}, 200, apology, false, true},
		{"signed with another token", call{method: "GET", path: "/", key: "not-the-token"}, 200, apology, false, true},
		{"signed with a query string", call{method: "GET", path: "/?x=1", key: token}, 200,
			`<Gather`, true, true},
		{"signed body over the limit", call{method: "POST", path: "/", form: url.Values{"Digits": {"1"}, "Pad": {strings.Repeat("x", 70_000)}}, key: token}, 200, apology, false, true},
		{"signed OPTIONS", call{method: "OPTIONS", path: "/", key: token}, 200, apology, false, true},
		{"signed DELETE", call{method: "DELETE", path: "/", key: token}, 200, apology, false, true},
		{"healthz unsigned", call{method: "GET", path: "/healthz"}, 200, "ok\n", false, false},
		{"readyz unsigned", call{method: "GET", path: "/readyz"}, 200, `{"ready":true}`, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := s.do(t, tt.call)
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if tt.partial && !strings.Contains(body, tt.wantBody) || !tt.partial && body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if isXML := h.Get("Content-Type") == "application/xml"; isXML != tt.twiml {
				t.Errorf("Content-Type = %q, TwiML wanted: %v", h.Get("Content-Type"), tt.twiml)
			}
		})
	}
}

// A request signed for one URL does not verify at another.
func TestServeSignatureBoundToURL(t *testing.T) {
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token})
	req, _ := http.NewRequest("GET", s.base+"/accessible", nil)
	req.Header.Set("X-Twilio-Signature", hmacB64(token, s.base+"/"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), "accessible route") || !strings.Contains(string(b), "<Hangup>") {
		t.Errorf("a signature for / opened /accessible: %q", b)
	}
}

func TestServeWithoutToken(t *testing.T) {
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 2 {
		t.Fatalf("exit status = %d (%v), want 2; output:\n%s", code, err, out)
	}
	if !strings.Contains(string(out), "TWILIO_AUTH_TOKEN") {
		t.Errorf("output does not name TWILIO_AUTH_TOKEN:\n%s", out)
	}
}

func TestServeBadConfig(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"bad policy file", []string{"TWILIO_AUTH_TOKEN=" + token}, []string{"--policy-file", "testdata/bad_policy.csv"}, "bad_policy.csv:2"},
		{"missing policy file", []string{"TWILIO_AUTH_TOKEN=" + token}, []string{"--policy-file", "testdata/missing.csv"}, "missing.csv"},
		{"bad public url", []string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_PUBLIC_URL=ftp://x"}, nil, "public_url"},
		{"unknown flag", []string{"TWILIO_AUTH_TOKEN=" + token}, []string{"--nope"}, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(binary, append([]string{"serve", "--listen", "127.0.0.1:0"}, tt.args...)...)
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, tt.env...)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != 2 {
				t.Errorf("exit status = %d, want 2; output:\n%s", code, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("output does not mention %q:\n%s", tt.want, out)
			}
			if strings.Contains(string(out), token) {
				t.Errorf("output leaks the token:\n%s", out)
			}
		})
	}
}
