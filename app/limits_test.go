package app

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/config"
)

// server.max_header_bytes is the limit of the request line and headers,
// to the byte: a block of exactly that many bytes is served, one byte
// more is answered 431 by net/http, which reads 4096 bytes past the
// limit it is given (config.Server.HTTPMaxHeaderBytes).
func TestMaxHeaderBytesExact(t *testing.T) {
	for _, limit := range []int{config.MaxHeaderBytesMin, 5000, 16384} {
		_, addr, cancel, _ := serveForTest(t, map[string]string{
			"GATEHOUSE_SERVER_MAX_HEADER_BYTES": strconv.Itoa(limit), "GATEHOUSE_SERVER_SHUTDOWN_DELAY": "0s"})
		for _, tt := range []struct {
			size int
			want int
		}{{limit, http.StatusOK}, {limit + 1, http.StatusRequestHeaderFieldsTooLarge}} {
			const head, tail = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ", "\r\n\r\n"
			req := head + strings.Repeat("a", tt.size-len(head)-len(tail)) + tail
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Write([]byte(req)); err != nil {
				t.Fatal(err)
			}
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("limit %d, %d bytes: %v", limit, len(req), err)
			}
			res.Body.Close()
			c.Close()
			if res.StatusCode != tt.want {
				t.Errorf("limit %d, a request line and headers of %d bytes: status %d, want %d", limit, len(req), res.StatusCode, tt.want)
			}
		}
		cancel()
	}
}

// A body over server.max_body_bytes is refused (body_too_large) and the
// connection is closed after the answer, rather than kept alive with the
// rest of the body still to be read and thrown away: the body limit is
// also net/http's (app's MaxBytesReader), not the verifier's alone.
func TestOverLimitBodyClosesConnection(t *testing.T) {
	_, addr, cancel, _ := serveForTest(t, map[string]string{
		"GATEHOUSE_SERVER_MAX_BODY_BYTES": "100", "GATEHOUSE_SERVER_SHUTDOWN_DELAY": "0s"})
	defer cancel()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := "Digits=" + strings.Repeat("1", 193) // 200 bytes
	// A well-formed signature (of nothing), so that the body is read.
	req := "POST / HTTP/1.1\r\nHost: ivr.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nContent-Length: 200\r\n\r\n" + body
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	res := readResponse(t, br)
	if res.StatusCode != http.StatusOK || !res.Close {
		t.Errorf("status %d, Connection: close %v; want the apology's 200, and the connection closed", res.StatusCode, res.Close)
	}
	// A guard against hanging if the server kept the connection: not a
	// timing assertion, a closed connection answers EOF at once.
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("after an over-limit body, reading the connection: %v, want io.EOF (closed)", err)
	}
}
