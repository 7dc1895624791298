package main

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/authn"
)

func TestReadResponse(t *testing.T) {
	for _, tt := range []struct {
		name, wire  string
		wantStatus  int
		wantBody    string
		wantClosing bool
		wantErr     error // nil: no error
	}{
		{"200", "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", false, nil},
		{"header names in any case", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nCONNECTION: Close\r\n\r\nhi", 200, "hi", true, nil},
		{"empty body", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", 204, "", false, nil},
		{"HTTP/1.0", "HTTP/1.0 403 Forbidden\r\nContent-Length: 1\r\n\r\nx", 403, "x", false, nil},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 200, "ok", false, nil},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", 200, "", false, errResponse},
		{"no Content-Length", "HTTP/1.1 200 OK\r\n\r\nhello", 200, "", false, errResponse},
		{"bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 200, "", false, errResponse},
		{"huge Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", 200, "", false, errResponse},
		{"not HTTP", "SSH-2.0-OpenSSH_9.6\r\n", 0, "", false, errResponse},
		{"bad status code", "HTTP/1.1 2x0 OK\r\n\r\n", 0, "", false, errResponse},
		{"header without a colon", "HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\nhi", 200, "", false, errResponse},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", 200, "", false, io.ErrUnexpectedEOF},
		{"closed before the headers end", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", 200, "", false, io.EOF},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body, closing, err := readResponse(bufio.NewReader(strings.NewReader(tt.wire)), make([]byte, 0, 2))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("readResponse error = %v, want one wrapping %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || status != tt.wantStatus || string(body) != tt.wantBody || closing != tt.wantClosing {
				t.Errorf("readResponse = %d, %q, %v, %v; want %d, %q, %v, nil", status, body, closing, err, tt.wantStatus, tt.wantBody, tt.wantClosing)
			}
		})
	}
}

// TestConnDo sends the signed gather callback to real servers over
// loopback, through one connection, several times in a row.
func TestConnDo(t *testing.T) {
	want, err := expectedBody()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		handler http.Handler
		wantErr error
	}{
		{"the bare route", bareHandler(want), nil},
		{"the bare view", viewHandler(), nil},
		{"a keep-alive refusal", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			w.Write(want)
		}), nil},
		{"another status", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			w.Write(want)
		}), errResponse},
		{"another body", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<Response/>")
		}), errResponse},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			req, err := wireRequest(srv.URL+"/", srv.URL, "token")
			if err != nil {
				t.Fatal(err)
			}
			c := &conn{addr: srv.Listener.Addr().String()}
			defer c.close()
			for i := range 3 {
				if err := c.do(req, want, time.Now().Add(10*time.Second)); !errors.Is(err, tt.wantErr) {
					t.Fatalf("request %d: do = %v, want %v", i, err, tt.wantErr)
				}
			}
		})
	}
}

// TestSignedHandler: the bare route behind the signature check answers
// the expected bytes to a request signed with its token, and 403 to one
// signed with another.
func TestSignedHandler(t *testing.T) {
	want, err := expectedBody()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, token string
		wantErr     error
	}{
		{"signed with its token", "token", nil},
		{"signed with another token", "other", errResponse},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var h http.Handler // set once the server's URL is known
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
			defer srv.Close()
			if h, err = signedHandler(want, "token", srv.URL); err != nil {
				t.Fatal(err)
			}
			req, err := wireRequest(srv.URL+"/", srv.URL, tt.token)
			if err != nil {
				t.Fatal(err)
			}
			c := &conn{addr: srv.Listener.Addr().String()}
			defer c.close()
			for i := range 2 {
				if err := c.do(req, want, time.Now().Add(10*time.Second)); !errors.Is(err, tt.wantErr) {
					t.Fatalf("request %d: do = %v, want %v", i, err, tt.wantErr)
				}
			}
		})
	}
	if _, err := signedHandler(want, "", "http://127.0.0.1:9"); err == nil {
		t.Error("signedHandler without a token: no error")
	}
}

func TestWireRequest(t *testing.T) {
	for _, tt := range []struct {
		target  string
		wantErr bool
	}{
		{"http://127.0.0.1:8080/", false},
		{"http://127.0.0.1:8080", false},
		{"https://127.0.0.1:8080/", true},
		{"http://127.0.0.1:8080/ivr", true},
		{"http://127.0.0.1:8080/?a=b", true},
		{"127.0.0.1:8080", true},
	} {
		_, err := wireRequest(tt.target, "https://ivr.example.com", "token")
		if gotErr := err != nil; gotErr != tt.wantErr || (gotErr && !errors.Is(err, errUsage)) {
			t.Errorf("wireRequest(%q) error = %v, want error %v wrapping errUsage", tt.target, err, tt.wantErr)
		}
	}
}

// TestWireRequestIsSigned checks that a server that parses the request
// from the wire finds the signature valid for the public URL.
func TestWireRequestIsSigned(t *testing.T) {
	req, err := wireRequest("http://127.0.0.1:9/", "https://ivr.example.com/", "token")
	if err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(string(req))))
	if err != nil {
		t.Fatal(err)
	}
	v, err := authn.NewTwilioSignature(authn.TwilioConfig{AuthTokens: []string{"token"}, PublicURL: "https://ivr.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if res := v.Verify(r); !res.Valid {
		t.Errorf("Verify = %+v, want valid", res)
	}
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	if got, want := len(r.PostForm), len(gatherCallback); got != want {
		t.Errorf("got %d parameters, want %d", got, want)
	}
	if got := r.PostForm.Get("Digits"); got != "1" {
		t.Errorf("got Digits %q, want %q", got, "1")
	}
}
