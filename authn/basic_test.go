package authn

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const basicPassword = "pa55-w0rd:with colon"

func basicHeader(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// noncanonical returns padded base64 b64 with its unused trailing bits set:
// the same bytes to a lenient decoder, an error to a strict one.
func noncanonical(b64 string) string {
	pad := strings.Count(b64, "=")
	if pad == 0 {
		panic("noncanonical needs padded base64")
	}
	i := len(b64) - pad - 1
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	v := strings.IndexByte(alphabet, b64[i]) | 1
	return b64[:i] + string(alphabet[v]) + b64[i+1:]
}

// TestBasicStrictBase64: the right credentials in a non-canonical or
// unpadded encoding are refused as malformed, like a signature header that
// is not canonical base64 (found by FuzzBasic).
func TestBasicStrictBase64(t *testing.T) {
	b, err := NewBasic(BasicConfig{Username: "twilio", Password: "s3cr3t:pw", Next: Static("group:twilio")})
	if err != nil {
		t.Fatal(err)
	}
	good := strings.TrimPrefix(basicHeader("twilio", "s3cr3t:pw"), "Basic ") // "dHdpbGlvOnMzY3IzdDpwdw=="
	for _, tt := range []struct {
		cred   string
		reason Reason
	}{
		{good, ""},
		{noncanonical(good), ReasonMalformedCredentials},
		{strings.TrimRight(good, "="), ReasonMalformedCredentials},
		{good[:8] + "\r\n" + good[8:], ReasonMalformedCredentials}, // a decoder skips CR LF
		{good + "\n", ReasonMalformedCredentials},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Basic "+tt.cred)
		_, err := b.Principals(r)
		var got Reason
		if ch, ok := errors.AsType[*Challenge](err); ok {
			got = ch.Reason
		} else if err != nil {
			t.Fatalf("Principals(%q): %v", tt.cred, err)
		}
		if got != tt.reason {
			t.Errorf("Principals(%q): reason %q, want %q", tt.cred, got, tt.reason)
		}
	}
}

func TestBasic(t *testing.T) {
	b, err := NewBasic(BasicConfig{Username: "twilio", Password: basicPassword, Realm: "ivr", Next: Static("group:twilio")})
	if err != nil {
		t.Fatal(err)
	}
	good := basicHeader("twilio", basicPassword)
	tests := []struct {
		name   string
		lines  []string
		reason Reason // "" : accepted
	}{
		{"right credentials", []string{good}, ""},
		{"scheme in another case", []string{"bASIC " + strings.TrimPrefix(good, "Basic ")}, ""},
		{"several spaces", []string{"Basic   " + strings.TrimPrefix(good, "Basic ")}, ""},
		{"no header: Twilio's first attempt", nil, ReasonNoCredentials},
		{"wrong password", []string{basicHeader("twilio", basicPassword+"x")}, ReasonWrongCredentials},
		{"password prefix", []string{basicHeader("twilio", basicPassword[:4])}, ReasonWrongCredentials},
		{"wrong user", []string{basicHeader("twilia", basicPassword)}, ReasonWrongCredentials},
		{"user in another case", []string{basicHeader("Twilio", basicPassword)}, ReasonWrongCredentials},
		{"both wrong", []string{basicHeader("x", "y")}, ReasonWrongCredentials},
		{"empty credentials", []string{basicHeader("", "")}, ReasonWrongCredentials},
		{"two headers", []string{good, good}, ReasonMalformedCredentials},
		{"empty header", []string{""}, ReasonMalformedCredentials},
		{"other scheme", []string{"Bearer " + strings.TrimPrefix(good, "Basic ")}, ReasonMalformedCredentials},
		{"not base64", []string{"Basic !!!"}, ReasonMalformedCredentials},
		{"no colon", []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("twilio"))}, ReasonMalformedCredentials},
		{"scheme only", []string{"Basic"}, ReasonMalformedCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, l := range tt.lines {
				r.Header.Add("Authorization", l)
			}
			got, err := b.Principals(r)
			if tt.reason == "" {
				if err != nil || !slices.Equal(got, []string{"group:twilio"}) {
					t.Errorf("Principals = %q, %v; want the next policy's [group:twilio]", got, err)
				}
				return
			}
			var ch *Challenge
			if !errors.As(err, &ch) {
				t.Fatalf("Principals = %q, %v; want a *Challenge", got, err)
			}
			if ch.Reason != tt.reason {
				t.Errorf("Reason = %q, want %q", ch.Reason, tt.reason)
			}
			if want := `Basic realm="ivr", charset="UTF-8"`; ch.Header != want {
				t.Errorf("Header = %q, want %q", ch.Header, want)
			}
			if got != nil {
				t.Errorf("principals %q with a challenge, want none", got)
			}
			shown := fmt.Sprintf("%v %+v %#v", err, err, ch)
			if strings.Contains(shown, "pa55") || strings.Contains(shown, strings.TrimPrefix(good, "Basic ")) {
				t.Errorf("the challenge shows the credentials: %s", shown)
			}
		})
	}
}

// The next policy is asked only once the credentials are right.
func TestBasicGatesNext(t *testing.T) {
	asked := 0
	next := PolicyFunc(func(*http.Request) ([]string, error) { asked++; return []string{"x"}, nil })
	b, err := NewBasic(BasicConfig{Username: "u", Password: "p", Next: next})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if _, err := b.Principals(r); err == nil {
		t.Fatal("no credentials: want a challenge")
	}
	if asked != 0 {
		t.Errorf("next policy asked %d times without credentials, want 0", asked)
	}
	r.Header.Set("Authorization", basicHeader("u", "p"))
	if _, err := b.Principals(r); err != nil || asked != 1 {
		t.Errorf("with credentials: err %v, next asked %d times; want nil, 1", err, asked)
	}
}

func TestNewBasicErrors(t *testing.T) {
	next := Static()
	tests := []struct {
		name string
		cfg  BasicConfig
	}{
		{"no user", BasicConfig{Password: basicPassword, Next: next}},
		{"no password", BasicConfig{Username: "u", Next: next}},
		{"colon in user", BasicConfig{Username: "u:v", Password: basicPassword, Next: next}},
		{"no next policy", BasicConfig{Username: "u", Password: basicPassword}},
		{"quote in realm", BasicConfig{Username: "u", Password: basicPassword, Realm: `a"b`, Next: next}},
		{"backslash in realm", BasicConfig{Username: "u", Password: basicPassword, Realm: `a\b`, Next: next}},
		{"newline in realm", BasicConfig{Username: "u", Password: basicPassword, Realm: "a\r\nSet-Cookie: x", Next: next}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBasic(tt.cfg)
			if !errors.Is(err, ErrBasicConfig) {
				t.Fatalf("NewBasic = %v, want ErrBasicConfig", err)
			}
			if strings.Contains(err.Error(), "pa55") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// A Twilio request to a webhook with credentials: challenged first, then
// verified against the URL with its userinfo.
func TestBasicThenSignature(t *testing.T) {
	const public = "https://twilio:pa55@ivr.example.com"
	sig := newPolicy(t, TwilioConfig{PublicURL: public})
	b, err := NewBasic(BasicConfig{Username: "twilio", Password: "pa55", Next: sig})
	if err != nil {
		t.Fatal(err)
	}
	signed := hmacB64("12345", public+"/Digits1")
	tests := []struct {
		name  string
		auth  string
		sig   string
		want  []string
		chall bool
	}{
		{"first attempt: challenged", "", signed, nil, true},
		{"credentials and signature", basicHeader("twilio", "pa55"), signed, []string{TwilioGroup}, false},
		{"credentials, signature without userinfo", basicHeader("twilio", "pa55"), hmacB64("12345", "https://ivr.example.com/Digits1"), nil, false},
		{"credentials, no signature", basicHeader("twilio", "pa55"), "", nil, false},
		{"signature, wrong credentials", basicHeader("twilio", "nope"), signed, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reqSpec{method: "POST", target: "/", body: "Digits=1", contentType: form}.build()
			if tt.sig != "" {
				r.Header.Set(SignatureHeader, tt.sig)
			}
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			got, err := b.Principals(r)
			var ch *Challenge
			if errors.As(err, &ch) != tt.chall {
				t.Fatalf("Principals error = %v, want a challenge: %v", err, tt.chall)
			}
			if !tt.chall && err != nil {
				t.Fatalf("Principals error = %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Principals = %q, want %q", got, tt.want)
			}
		})
	}
}
