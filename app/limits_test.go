package app

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

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
