package app

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Each server timeout is applied: with it short and the others long, the
// server gives up on a stalled connection (or on writing an answer) when
// that timeout says, not when another, longer one would.
func TestServerTimeoutsApplied(t *testing.T) {
	const short, long = "300ms", "1m"
	const guard = 5 * time.Second // bounds the wait; the mutant waits a minute
	signedPost := "POST / HTTP/1.1\r\nHost: ivr.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nContent-Length: 20\r\n\r\n"
	serve := func(t *testing.T, key string) net.Conn {
		env := map[string]string{
			"GATEHOUSE_SERVER_READ_HEADER_TIMEOUT": long,
			"GATEHOUSE_SERVER_READ_TIMEOUT":        long,
			"GATEHOUSE_SERVER_WRITE_TIMEOUT":       long,
			"GATEHOUSE_SERVER_IDLE_TIMEOUT":        long,
			"GATEHOUSE_SERVER_SHUTDOWN_DELAY":      "0s",
		}
		env[key] = short
		_, addr, _, _ := serveForTest(t, env)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(guard))
		return c
	}
	// closedByServer reads until the server closes c; a timeout of the
	// guard means the server kept the connection.
	closedByServer := func(t *testing.T, r io.Reader) {
		t.Helper()
		_, err := io.Copy(io.Discard, r)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("the server kept the connection for %v: the timeout was not applied", guard)
		}
	}
	t.Run("read_header_timeout", func(t *testing.T) {
		c := serve(t, "GATEHOUSE_SERVER_READ_HEADER_TIMEOUT")
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n") // headers never end
		closedByServer(t, c)
	})
	t.Run("read_timeout", func(t *testing.T) {
		c := serve(t, "GATEHOUSE_SERVER_READ_TIMEOUT")
		io.WriteString(c, signedPost+"Digits=1") // the body never ends
		closedByServer(t, c)
	})
	t.Run("idle_timeout", func(t *testing.T) {
		c := serve(t, "GATEHOUSE_SERVER_IDLE_TIMEOUT")
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		readResponse(t, br)
		closedByServer(t, br) // kept alive, then idle
	})
	t.Run("write_timeout", func(t *testing.T) {
		c := serve(t, "GATEHOUSE_SERVER_WRITE_TIMEOUT")
		io.WriteString(c, signedPost+"Digits=1")
		time.Sleep(time.Second) // past the write timeout, counted from the headers
		io.WriteString(c, strings.Repeat("1", 12))
		if res, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
			res.Body.Close()
			t.Errorf("got an answer (%d) written after server.write_timeout, want none", res.StatusCode)
		}
	})
}

// readResponse reads one response from br, body and all.
func readResponse(t *testing.T, br *bufio.Reader) *http.Response {
	t.Helper()
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// A reload never logs a token, wherever it was pasted: into a row of the
// policy file (quoted back by the problem), or into the policy file's
// path (named by a read error, and by the line of a successful reload).
func TestReloadLogsHideToken(t *testing.T) {
	for _, tt := range []struct {
		name    string
		dir     string // the policy file's directory, below a temporary one
		edit    func(path string)
		wantErr bool
		wantLog string
	}{
		{"a token in a row", "", func(path string) {
			replaceFile(t, path, "p, group:twilio, /, view, "+reloadToken+"\n")
		}, true, "policy reload rejected"},
		{"a token in the path of a missing file", reloadToken, func(path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, true, "policy reload rejected"},
		{"a token in the path of a reloaded file", reloadToken, func(path string) {
			replaceFile(t, path, policyB)
		}, false, "policy reloaded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tt.dir)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "policy.csv")
			replaceFile(t, path, policyA)
			a, logs := reloadApp(t, path, 0)
			tt.edit(path)
			if _, err := a.reloadPolicy("test"); (err != nil) != tt.wantErr {
				t.Fatalf("reloadPolicy: error %v, want an error: %v", err, tt.wantErr)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Fatalf("no %q logged:\n%s", tt.wantLog, logs.String())
			}
			if strings.Contains(logs.String(), reloadToken) {
				t.Errorf("the reload's log names the token:\n%s", logs.String())
			}
		})
	}
}
