package authn

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// What Twilio's scheme does not sign, shown as requests that verify (the
// package documentation's caveats): the string to sign joins the URL and
// the body's names and values with no separator, so a cut can move across
// the end of the URL, and the method is not signed at all. These are
// limitations of the scheme, which the verifier implements as Twilio
// defines it; the test pins the behaviour that the documentation states.
func TestSchemeLimitations(t *testing.T) {
	const public = "https://ivr.example.com"
	p := newPolicy(t, TwilioConfig{PublicURL: public})
	tests := []struct {
		name         string
		signedURL    string  // what Twilio signed ...
		signedParams []Param // ... with these body parameters
		method       string  // the request that verifies with that signature
		target       string
		contentType  string
		body         string
		wantPostForm url.Values // nil: none set
		wantQuery    url.Values
	}{
		{
			name:      "the end of a GET's query moved into a form body",
			signedURL: public + "/?CallSid=CA1&From=%2B15551234567",
			method:    http.MethodPost, target: "/?CallSid=CA1&From=%2B155", contentType: form, body: "51234567",
			wantPostForm: url.Values{"51234567": {""}},
			wantQuery:    url.Values{"CallSid": {"CA1"}, "From": {"+155"}},
		},
		{
			name:      "a form body moved into a GET's query",
			signedURL: public + "/?CallSid=CA1", signedParams: []Param{{"Digits", "1"}},
			method: http.MethodGet, target: "/?CallSid=CA1Digits1",
			wantQuery: url.Values{"CallSid": {"CA1Digits1"}},
		},
		{
			name:      "the end of the path moved into a form body",
			signedURL: public + "/foo", signedParams: []Param{{"Digits", "1"}},
			method: http.MethodPost, target: "/", contentType: form, body: "fooDigits=1",
			wantPostForm: url.Values{"fooDigits": {"1"}},
			wantQuery:    url.Values{},
		},
		{
			name:      "a GET's signature on a POST without a body",
			signedURL: public + "/",
			method:    http.MethodPost, target: "/",
			wantQuery: url.Values{},
		},
		{
			name:      "a GET's signature on a POST of an empty form",
			signedURL: public + "/",
			method:    http.MethodPost, target: "/", contentType: form,
			wantPostForm: url.Values{},
			wantQuery:    url.Values{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			r.Header.Set(SignatureHeader, Sign("12345", tt.signedURL, tt.signedParams))
			got, err := p.Principals(r)
			if err != nil || len(got) == 0 || got[0] != TwilioGroup {
				t.Fatalf("Principals = %q, %v; want %q", got, err, TwilioGroup)
			}
			if !reflect.DeepEqual(r.PostForm, tt.wantPostForm) {
				t.Errorf("PostForm = %q, want %q", r.PostForm, tt.wantPostForm)
			}
			if q := r.URL.Query(); !reflect.DeepEqual(q, tt.wantQuery) {
				t.Errorf("query = %q, want %q", q, tt.wantQuery)
			}
		})
	}
}

// A form webhook's string to sign, sent whole as a request target, is a
// URL that Twilio signed; a value the sender chose (an SMS Body) can put a
// bodySHA256 pair in its query. That pair must not admit a body of the
// forger's choosing: bodySHA256 counts only as the final pair of a JSON
// request's query, where Twilio appends it.
func TestBodyHashNotSmuggledThroughSignedValue(t *testing.T) {
	const public = "https://ivr.example.com"
	p := newPolicy(t, TwilioConfig{PublicURL: public})
	forged := `{"Digits":"1"}`
	sum := sha256.Sum256([]byte(forged))
	hash := hex.EncodeToString(sum[:])
	webhook := public + "/?lang=en"
	for _, tt := range []struct {
		name, body, contentType string
	}{
		{"JSON", forged, "application/json"},
		{"form", "Digits=1&Anything=you+like", form},
	} {
		for _, smuggled := range []string{"&bodySHA256=" + hash + "&", "&bodySHA256=" + hash} {
			// The second ends the signed string only if its parameter
			// sorts last: ZZ does.
			name := "Body"
			if !strings.HasSuffix(smuggled, "&") {
				name = "ZZ"
			}
			body := tt.body
			if tt.contentType == "application/json" {
				body = forged
			} else {
				sum := sha256.Sum256([]byte(body))
				smuggled = strings.Replace(smuggled, hash, hex.EncodeToString(sum[:]), 1)
			}
			params := []Param{{"AccountSid", "AC0123456789abcdef0123456789abcdef"}, {name, smuggled}, {"From", "+15551234567"}, {"To", "+15557654321"}}
			target := strings.TrimPrefix(StringToSign(webhook, params), public)
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			r.RequestURI = target
			r.Header.Set("Content-Type", tt.contentType)
			r.Header.Set(SignatureHeader, Sign("12345", webhook, params))
			v := p.Verify(r)
			want := ReasonBodyHashMismatch
			if name == "ZZ" && tt.contentType == "application/json" {
				// The residue the package documentation states: the
				// final pair, a JSON body, and a value the sender chose
				// that sorts last.
				want = ReasonValid
			}
			if v.Reason != want {
				t.Errorf("%s body, %s=%q: reason %q, want %q", tt.name, name, smuggled, v.Reason, want)
			}
		}
	}
}

// Every byte of the signature, and of a JSON body's hash, counts: a
// signature wrong in any one bit of any byte, or a body hash wrong in its
// last byte, does not verify. (A comparison of a prefix would pass every
// other test: their forgeries differ early.)
func TestEveryByteCounts(t *testing.T) {
	p := newPolicy(t, TwilioConfig{PublicURL: "https://ivr.example.com"})
	good, err := base64.StdEncoding.DecodeString(Sign("12345", "https://ivr.example.com/x", nil))
	if err != nil {
		t.Fatal(err)
	}
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x80
		r := httptest.NewRequest(http.MethodGet, "/x", nil)
		r.Header.Set(SignatureHeader, base64.StdEncoding.EncodeToString(bad))
		if v := p.Verify(r); v.Valid || v.Reason != ReasonNoMatch {
			t.Errorf("a signature wrong in byte %d: %+v, want %s", i, v, ReasonNoMatch)
		}
	}
	const body = `{"CallSid":"CA1"}`
	sum := sha256.Sum256([]byte(body))
	for _, i := range []int{0, len(sum) - 1} {
		wrong := sum
		wrong[i] ^= 1
		target := "/j?bodySHA256=" + hex.EncodeToString(wrong[:])
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(SignatureHeader, Sign("12345", "https://ivr.example.com"+target, nil))
		if v := p.Verify(r); v.Valid || v.Reason != ReasonBodyHashMismatch {
			t.Errorf("a body hash wrong in byte %d: %+v, want %s", i, v, ReasonBodyHashMismatch)
		}
	}
}
