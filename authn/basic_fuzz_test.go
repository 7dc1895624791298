package authn_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/authn"
)

// FuzzBasic feeds arbitrary Authorization header lines to a Basic policy
// and checks its answer against an oracle written from RFC 7617: the
// request gets through only with exactly one line whose scheme is "Basic"
// (any case) and whose credentials decode to exactly "user:pass"; every
// other request is challenged, never an error of another kind, and the
// challenge never quotes what the request sent.
func FuzzBasic(f *testing.F) {
	const user, pass = "twilio", "s3cr3t:pw"
	good := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	for _, seed := range []struct{ a, b string }{
		{good, ""},
		{"basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)), ""},
		{"Basic  " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)), ""},
		{good, good},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":wrong")), ""},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte(user)), ""},
		{"Basic " + base64.RawStdEncoding.EncodeToString([]byte(user+":"+pass)), ""},
		{"Bearer x", ""},
		{"Basic", ""},
		{"", ""},
		{"Basic dHdpbGlv\r\nOnMzY3IzdDpwdw==", ""},
		{"Basic dHdpbGlvOnMzY3IzdDpwdw==\n", ""},
	} {
		f.Add(seed.a, seed.b)
	}
	b, err := authn.NewBasic(authn.BasicConfig{Username: user, Password: pass, Next: authn.Static("group:ok")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line1, line2 string) {
		r, _ := http.NewRequest("GET", "https://ivr.example.com/", nil)
		var lines []string
		for _, l := range []string{line1, line2} {
			if l != "" {
				lines = append(lines, l)
			}
		}
		r.Header["Authorization"] = lines

		want := len(lines) == 1 && basicOracle(lines[0]) == user+":"+pass
		got, err := b.Principals(r)
		if want {
			if err != nil || len(got) != 1 || got[0] != "group:ok" {
				t.Fatalf("Principals(%q) = %v, %v; want [group:ok]", lines, got, err)
			}
			return
		}
		ch, ok := errors.AsType[*authn.Challenge](err)
		if !ok {
			t.Fatalf("Principals(%q) = %v, %v; want a *Challenge", lines, got, err)
		}
		if got != nil {
			t.Fatalf("Principals(%q) returned principals %v with a challenge", lines, got)
		}
		for _, l := range lines {
			if len(l) > 8 && strings.Contains(ch.Error()+ch.Header, l) {
				t.Fatalf("challenge %q / %q quotes the request's header", ch.Error(), ch.Header)
			}
		}
	})
}

// basicOracle returns the decoded credentials of a Basic Authorization
// line, or "" if it is not one: the scheme, case-insensitive, one or more
// spaces, then canonical padded standard base64 and nothing else. It
// decodes by hand, independently of encoding/base64: every character in
// the alphabet, padding only at the end, spare bits zero.
func basicOracle(line string) string {
	if len(line) < 6 || !strings.EqualFold(line[:6], "basic ") {
		return ""
	}
	enc := strings.TrimLeft(line[6:], " ")
	if len(enc) == 0 || len(enc)%4 != 0 {
		return ""
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	pad := len(enc) - len(strings.TrimRight(enc, "="))
	if pad > 2 {
		return ""
	}
	var bits uint32
	var nbits int
	var out []byte
	for _, c := range []byte(enc[:len(enc)-pad]) {
		v := strings.IndexByte(alphabet, c)
		if v < 0 {
			return ""
		}
		bits = bits<<6 | uint32(v)
		nbits += 6
		if nbits >= 8 {
			nbits -= 8
			out = append(out, byte(bits>>nbits))
			bits &= 1<<nbits - 1
		}
	}
	if bits != 0 { // spare bits set: not the canonical encoding
		return ""
	}
	return string(out)
}
