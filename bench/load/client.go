package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// errResponse is returned for a response that is not a 200 carrying the
// expected body, or that the client cannot read.
var errResponse = errors.New("load: bad response")

// errDial is returned when the server cannot be reached at all.
var errDial = errors.New("load: dial")

// maxBody bounds the body of a response the client reads.
const maxBody = 1 << 20

// conn is one keep-alive HTTP/1.1 connection that sends the same request
// over and over, one at a time, and checks every response. Raw HTTP over
// net.Conn costs the generator far less than net/http's client, and it is
// the same for every server measured.
type conn struct {
	addr     string
	c        net.Conn
	br       *bufio.Reader
	body     []byte
	deadline time.Time // the deadline set on c
}

// do sends req and reads the response, which must be a 200 whose body is
// want, all before deadline. After an error the connection is closed; the
// next do dials again.
func (c *conn) do(req, want []byte, deadline time.Time) error {
	if c.c == nil {
		nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			return fmt.Errorf("%w: %w", errDial, err)
		}
		c.c, c.deadline = nc, time.Time{}
		if c.br == nil {
			c.br = bufio.NewReaderSize(nc, 4096)
		} else {
			c.br.Reset(nc)
		}
	}
	if !deadline.Equal(c.deadline) {
		if err := c.c.SetDeadline(deadline); err != nil {
			c.close()
			return fmt.Errorf("load: deadline: %w", err)
		}
		c.deadline = deadline
	}
	if _, err := c.c.Write(req); err != nil {
		c.close()
		return fmt.Errorf("load: write: %w", err)
	}
	status, body, closing, err := readResponse(c.br, c.body)
	c.body = body[:0]
	switch {
	case err != nil:
	case status != 200 || !bytes.Equal(body, want):
		err = fmt.Errorf("%w: status %d, body %q", errResponse, status, truncate(body, 200))
	}
	if err != nil || closing {
		c.close()
	}
	return err
}

// close closes the connection, if open.
func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// readResponse reads one HTTP/1.x response with a Content-Length body
// from br, into buf (grown if needed). closing reports a "Connection:
// close" header. A chunked or unbounded body is an error: the servers
// measured send a Content-Length for a body this small.
func readResponse(br *bufio.Reader, buf []byte) (status int, body []byte, closing bool, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, buf, false, fmt.Errorf("load: read status line: %w", err)
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, buf, false, fmt.Errorf("%w: status line %q", errResponse, truncate(line, 80))
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, buf, false, fmt.Errorf("%w: status line %q", errResponse, truncate(line, 80))
	}
	length := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return status, buf, false, fmt.Errorf("load: read header: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return status, buf, false, fmt.Errorf("%w: header line %q", errResponse, truncate(line, 80))
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 || n > maxBody {
				return status, buf, false, fmt.Errorf("%w: Content-Length %q", errResponse, truncate(value, 20))
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return status, buf, false, fmt.Errorf("%w: Transfer-Encoding %q is not supported", errResponse, truncate(value, 20))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	if length < 0 {
		return status, buf, closing, fmt.Errorf("%w: no Content-Length", errResponse)
	}
	if cap(buf) < length {
		buf = make([]byte, length)
	}
	buf = buf[:length]
	if _, err := io.ReadFull(br, buf); err != nil {
		return status, buf, closing, fmt.Errorf("load: read body: %w", err)
	}
	return status, buf, closing, nil
}

// truncate returns at most n bytes of b, for error messages.
func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
