package authn

import (
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
