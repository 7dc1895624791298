package authn

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// hmacB64 signs s the way Twilio does, independently of the code under test.
func hmacB64(token, s string) string {
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func newPolicy(t *testing.T, cfg TwilioConfig) *TwilioSignature {
	t.Helper()
	if cfg.AuthTokens == nil {
		cfg.AuthTokens = []string{"12345"}
	}
	p, err := NewTwilioSignature(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type reqSpec struct {
	method, target, body, contentType string
	sigs                              []string
	tls                               bool
	host, remote                      string
	header                            http.Header
}

func (s reqSpec) build() *http.Request {
	method := s.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if s.body != "" {
		body = strings.NewReader(s.body)
	}
	r := httptest.NewRequest(method, s.target, body)
	r.Host = "mycompany.com"
	if s.host != "" {
		r.Host = s.host
	}
	if s.remote != "" {
		r.RemoteAddr = s.remote
	}
	if s.tls {
		r.TLS = &tls.ConnectionState{}
	}
	if s.contentType != "" {
		r.Header.Set("Content-Type", s.contentType)
	}
	for _, sig := range s.sigs {
		r.Header.Add(SignatureHeader, sig)
	}
	for k, v := range s.header {
		r.Header[k] = v
	}
	return r
}

const (
	form     = "application/x-www-form-urlencoded"
	docBody  = "CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212"
	docSig   = "GvWf1cFY/Q7PnoempGyD5oXAezc="
	jsonBody = `{"property": "value", "boolean": true}`
	jsonHash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
)

func TestVerify(t *testing.T) {
	docTarget := "/myapp.php?foo=1&bar=2"
	jsonTarget := "/hook?x=1&bodySHA256=" + jsonHash
	jsonSig := hmacB64("12345", "https://mycompany.com"+jsonTarget)
	getSig := hmacB64("12345", "http://example.test:8080/menu?AccountSid=AC1")
	tests := []struct {
		name    string
		cfg     TwilioConfig
		req     reqSpec
		reason  Reason
		account string
	}{
		{"twilio docs vector", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form, sigs: []string{docSig}}, ReasonValid, ""},
		{"public URL trailing slash ignored", TwilioConfig{PublicURL: "https://mycompany.com/"},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form, sigs: []string{docSig}}, ReasonValid, ""},
		{"request's own scheme and host", TwilioConfig{},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form + "; charset=utf-8", sigs: []string{docSig}, tls: true}, ReasonValid, ""},
		{"plain http is another URL", TwilioConfig{},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form, sigs: []string{docSig}}, ReasonNoMatch, ""},
		{"rotation: second token", TwilioConfig{AuthTokens: []string{"new-token", "12345"}, PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form, sigs: []string{docSig}}, ReasonValid, ""},
		{"other token", TwilioConfig{AuthTokens: []string{"54321"}, PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form, sigs: []string{docSig}}, ReasonNoMatch, ""},
		{"query params are not appended", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form,
				sigs: []string{hmacB64("12345", "https://mycompany.com"+docTarget+"CallSidCA1234567890ABCDECaller+14158675310Digits1234From+14158675310To+18005551212bar2foo1")}}, ReasonNoMatch, ""},
		{"body tampered", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: docTarget, body: strings.Replace(docBody, "1234", "1235", 1), contentType: form, sigs: []string{docSig}}, ReasonNoMatch, ""},
		{"missing header", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form}, ReasonMissingHeader, ""},
		{"empty header", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{target: "/", sigs: []string{""}}, ReasonMissingHeader, ""},
		{"two headers", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form, sigs: []string{docSig, docSig}}, ReasonMalformedHeader, ""},
		{"not base64", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{target: "/", sigs: []string{"!!!!!!!!!!!!!!!!!!!!!!!!!!!="}}, ReasonMalformedHeader, ""},
		{"non-canonical base64 spelling", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form, sigs: []string{docSig[:26] + "d="}}, ReasonMalformedHeader, ""},
		{"truncated", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{target: "/", sigs: []string{docSig[:20]}}, ReasonMalformedHeader, ""},
		{"malformed body", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: docTarget, body: "a=%zz", contentType: form, sigs: []string{docSig}}, ReasonMalformedBody, ""},
		{"body over limit", TwilioConfig{PublicURL: "https://mycompany.com", MaxBodyBytes: 10},
			reqSpec{method: "POST", target: docTarget, body: docBody, contentType: form, sigs: []string{docSig}}, ReasonBodyTooLarge, ""},
		{"unsigned body of another type", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: "/", body: "hello", contentType: "text/plain", sigs: []string{hmacB64("12345", "https://mycompany.com/")}}, ReasonUnexpectedBody, ""},
		{"form body on PUT", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "PUT", target: "/", body: "a=1", contentType: form, sigs: []string{hmacB64("12345", "https://mycompany.com/a1")}}, ReasonUnexpectedBody, ""},
		{"json with body hash", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget, body: jsonBody, contentType: "application/json", sigs: []string{jsonSig}}, ReasonValid, ""},
		{"json hash upper case", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: "/hook?bodySHA256=" + strings.ToUpper(jsonHash), body: jsonBody, contentType: "application/json",
				sigs: []string{hmacB64("12345", "https://mycompany.com/hook?bodySHA256="+strings.ToUpper(jsonHash))}}, ReasonValid, ""},
		{"json body swapped", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget, body: `{"property": "evil"}`, contentType: "application/json", sigs: []string{jsonSig}}, ReasonBodyHashMismatch, ""},
		{"json without body hash", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: "/hook", body: jsonBody, contentType: "application/json", sigs: []string{hmacB64("12345", "https://mycompany.com/hook")}}, ReasonBodyHashMissing, ""},
		{"json hash not the final pair", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: "/hook?bodySHA256=" + jsonHash + "&x=1", body: jsonBody, contentType: "application/json",
				sigs: []string{hmacB64("12345", "https://mycompany.com/hook?bodySHA256="+jsonHash+"&x=1")}}, ReasonBodyHashMismatch, ""},
		{"json hash with its charset", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget, body: jsonBody, contentType: "Application/JSON; charset=utf-8", sigs: []string{jsonSig}}, ReasonValid, ""},
		{"json with two body hashes", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget + "&bodySHA256=" + jsonHash, body: jsonBody, contentType: "application/json", sigs: []string{jsonSig}}, ReasonBodyHashMismatch, ""},
		// A URL Twilio signed for a JSON body binds that body by its hash:
		// relabelling the request (another Content-Type, or none) must not
		// let the body be stripped or replaced, so it is refused.
		{"hashed URL, body stripped, no content type", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget, sigs: []string{jsonSig}}, ReasonBodyHashMismatch, ""},
		{"hashed URL, body stripped, text/plain", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget, contentType: "text/plain", sigs: []string{jsonSig}}, ReasonBodyHashMismatch, ""},
		{"hashed URL, relabelled as an empty form", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget, contentType: form, sigs: []string{jsonSig}}, ReasonBodyHashMismatch, ""},
		{"hashed URL, form of empty pairs", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget, body: "=&&=", contentType: form, sigs: []string{jsonSig}}, ReasonBodyHashMismatch, ""},
		{"hashed URL, the hashed body labelled as a form", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget, body: jsonBody, contentType: form, sigs: []string{jsonSig}}, ReasonBodyHashMismatch, ""},
		{"hashed URL, the hashed body without a content type", TwilioConfig{PublicURL: "https://mycompany.com"},
			reqSpec{method: "POST", target: jsonTarget, body: jsonBody, sigs: []string{jsonSig}}, ReasonBodyHashMismatch, ""},
		{"GET account from query", TwilioConfig{},
			reqSpec{target: "/menu?AccountSid=AC1", host: "example.test:8080", sigs: []string{getSig}}, ReasonValid, "AC1"},
		{"POST account from body", TwilioConfig{PublicURL: "https://h"},
			reqSpec{method: "POST", target: "/", body: "AccountSid=AC9&Digits=1", contentType: form, sigs: []string{hmacB64("12345", "https://h/AccountSidAC9Digits1")}}, ReasonValid, "AC9"},
		{"two account sids prove no account", TwilioConfig{PublicURL: "https://h"},
			reqSpec{method: "POST", target: "/", body: "AccountSid=AC9&AccountSid=AC8", contentType: form, sigs: []string{hmacB64("12345", "https://h/AccountSidAC8AccountSidAC9")}}, ReasonValid, ""},
		{"repeated identical account sid", TwilioConfig{PublicURL: "https://h"},
			reqSpec{method: "POST", target: "/", body: "AccountSid=AC9&AccountSid=AC9", contentType: form, sigs: []string{hmacB64("12345", "https://h/AccountSidAC9")}}, ReasonValid, "AC9"},
		{"forwarded headers from untrusted peer ignored", TwilioConfig{},
			reqSpec{target: "/menu", host: "internal:8080", remote: "203.0.113.9:1234", sigs: []string{hmacB64("12345", "https://public.example/menu")},
				header: http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"public.example"}}}, ReasonNoMatch, ""},
		{"forwarded headers from trusted proxy", TwilioConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			reqSpec{target: "/menu", host: "internal:8080", remote: "10.1.2.3:1234", sigs: []string{hmacB64("12345", "https://public.example/menu")},
				header: http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"public.example"}}}, ReasonValid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPolicy(t, tt.cfg)
			r := tt.req.build()
			v := p.Verify(r)
			if v.Reason != tt.reason || v.Valid != (tt.reason == ReasonValid) {
				t.Errorf("Verify = %+v, want reason %q", v, tt.reason)
			}
			if v.AccountSid != tt.account {
				t.Errorf("AccountSid = %q, want %q", v.AccountSid, tt.account)
			}
			got, err := io.ReadAll(r.Body)
			if tt.reason == ReasonBodyTooLarge {
				if !errors.Is(err, errBodyTooLarge) {
					t.Errorf("view reading an over-limit body: err = %v, want errBodyTooLarge", err)
				}
			} else if string(got) != tt.req.body || err != nil {
				t.Errorf("body after Verify = %q, %v; want %q", got, err, tt.req.body)
			}
		})
	}
}

func TestTwilioPrincipals(t *testing.T) {
	p := newPolicy(t, TwilioConfig{PublicURL: "https://h"})
	r := reqSpec{method: "POST", target: "/", body: "AccountSid=AC9", contentType: form,
		sigs: []string{hmacB64("12345", "https://h/AccountSidAC9")}}.build()
	got, err := Effective(p, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{Everyone, Authenticated, TwilioGroup, "account:AC9"}
	if !slices.Equal(got, want) {
		t.Errorf("Effective = %q, want %q", got, want)
	}
	if err := r.ParseForm(); err != nil || r.PostFormValue("AccountSid") != "AC9" {
		t.Errorf("view cannot read the body after authentication: %v", err)
	}

	unsigned := reqSpec{target: "/"}.build()
	got, err = Effective(p, unsigned)
	if err != nil || !slices.Equal(got, []string{Everyone}) {
		t.Errorf("Effective(unsigned) = %q, %v; want [system.Everyone]", got, err)
	}
}

// With TwilioConfig.AccountSid set, a verified request proves its account
// only if it is that one: a body re-cut so that its AccountSid names
// another account (which keeps the signature, see TestSchemeLimitations)
// proves group:twilio alone.
func TestTwilioPrincipalsPinnedAccount(t *testing.T) {
	const (
		mine  = "AC0123456789abcdef0123456789abcdef"
		other = "ACffffffffffffffffffffffffffffffff"
	)
	// Twilio signs an SMS whose Body the sender wrote: "hi AccountSid"+other.
	signed := "https://h/smsAccountSid" + mine + "ApiVersion2010-04-01Bodyhi AccountSid" + other + "From+15551234567"
	sig := hmacB64("12345", signed)
	original := "AccountSid=" + mine + "&ApiVersion=2010-04-01&Body=hi+AccountSid" + other + "&From=%2B15551234567"
	recut := "A=ccountSid" + mine + "ApiVersion2010-04-01Bodyhi+&AccountSid=" + other + "&From=%2B15551234567"
	for _, tt := range []struct {
		name, pinned, body string
		want               []string
	}{
		{"not pinned, as sent", "", original, []string{TwilioGroup, AccountPrefix + mine}},
		{"not pinned, re-cut: the other account", "", recut, []string{TwilioGroup, AccountPrefix + other}},
		{"pinned, as sent", mine, original, []string{TwilioGroup, AccountPrefix + mine}},
		{"pinned, re-cut: no account", mine, recut, []string{TwilioGroup}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPolicy(t, TwilioConfig{PublicURL: "https://h", AccountSid: tt.pinned})
			r := reqSpec{method: "POST", target: "/sms", body: tt.body, contentType: form, sigs: []string{sig}}.build()
			got, err := p.Principals(r)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("Principals = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"AC0123", "AC0123456789ABCDEF0123456789ABCDEF", "12345", "CA0123456789abcdef0123456789abcdef"} {
		if _, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, AccountSid: bad}); !errors.Is(err, ErrAccountSid) || strings.Contains(err.Error(), bad) {
			t.Errorf("NewTwilioSignature(AccountSid %q) error = %v, want ErrAccountSid, not quoting it", bad, err)
		}
	}
}

// The account principal is remembered from one request to the next
// (accountPrincipal): each request still gets its own account.
func TestTwilioPrincipalsAccounts(t *testing.T) {
	p := newPolicy(t, TwilioConfig{PublicURL: "https://h"})
	for _, sid := range []string{"AC9", "AC9", "AC10", "AC1", "", "AC9", "AC9x"} {
		body := "AccountSid=" + sid
		r := reqSpec{method: "POST", target: "/", body: body, contentType: form,
			sigs: []string{hmacB64("12345", "https://h/AccountSid"+sid)}}.build()
		got, err := p.Principals(r)
		want := []string{TwilioGroup, AccountPrefix + sid}
		if sid == "" {
			want = want[:1]
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Principals(%q) = %q, %v; want %q", body, got, err, want)
		}
	}
}

func TestNewTwilioSignatureErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  TwilioConfig
	}{
		{"no token", TwilioConfig{}},
		{"only empty tokens", TwilioConfig{AuthTokens: []string{""}}},
		{"relative public URL", TwilioConfig{AuthTokens: []string{"secret-token"}, PublicURL: "/x"}},
		{"ftp public URL", TwilioConfig{AuthTokens: []string{"secret-token"}, PublicURL: "ftp://h"}},
		{"public URL with query", TwilioConfig{AuthTokens: []string{"secret-token"}, PublicURL: "https://h/?a=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTwilioSignature(tt.cfg)
			if err == nil {
				t.Fatal("NewTwilioSignature succeeded, want error")
			}
			if strings.Contains(err.Error(), "secret-token") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

// fuzzPublicURLs are the public URLs FuzzVerify configures, each with the
// bases Twilio may have signed, written out by hand (the oracle's own list,
// independent of the candidate code).
var fuzzPublicURLs = []struct {
	public string
	bases  []string
}{
	{"https://mycompany.com", []string{"https://mycompany.com", "https://mycompany.com:443"}},
	{"http://u:p%40ss@MyHost:80/pre/", []string{"http://u:p%40ss@MyHost:80/pre", "http://u:p%40ss@MyHost/pre"}},
	{"https://[2001:db8::1]:8443", []string{"https://[2001:db8::1]:8443"}},
}

func FuzzVerify(f *testing.F) {
	f.Add(uint8(0), "POST", "/myapp.php?foo=1&bar=2", form, docBody, docSig)
	f.Add(uint8(0), "POST", "/hook?bodySHA256="+jsonHash, "application/json", jsonBody, docSig)
	f.Add(uint8(0), "GET", "/", "", "", "")
	f.Add(uint8(0), "POST", "/", form, "a=%zz&&b", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Add(uint8(0), "GET", "/?x=1", "", "", hmacB64("12345", "https://mycompany.com:443?x=1"))
	f.Add(uint8(0), "POST", issueTarget, form, "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234", "IK+Dwps556ElfBT0I3Rgjkr1wJU=")
	f.Add(uint8(0), "POST", issueTarget, form, issueBody+"&Reason=Participant&ReasonConferenceEnded=test", "95+Bu0JVPi0r/SsESZCVf0dWAjw=")
	f.Add(uint8(0), "POST", issueTarget+"&bodySHA256="+jsonHash, "application/json", jsonBody, "a9nBmqA0ju/hNViExpshrM61xv4=")
	f.Add(uint8(1), "POST", "/", form, "Digits=1&Empty=&Digits=1", hmacB64("12345", "http://u:p%40ss@MyHost/preDigits1Empty"))
	f.Add(uint8(1), "GET", "/menu?q=it's+%27", "", "", hmacB64("12345", "http://u:p%40ss@MyHost:80/pre/menu?q=it's+%27"))
	f.Add(uint8(2), "GET", "/x", "", "", hmacB64("12345", "https://[2001:db8::1]:8443/x"))
	var policies []*TwilioSignature
	for _, pu := range fuzzPublicURLs {
		p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURL: pu.public, MaxBodyBytes: 1 << 12})
		if err != nil {
			f.Fatal(err)
		}
		policies = append(policies, p)
	}
	f.Fuzz(func(t *testing.T, which uint8, method, target, contentType, body, sig string) {
		pu := fuzzPublicURLs[int(which)%len(fuzzPublicURLs)]
		p := policies[int(which)%len(fuzzPublicURLs)]
		r, err := http.NewRequest(method, "https://mycompany.com"+target, strings.NewReader(body))
		if err != nil || !strings.HasPrefix(target, "/") {
			return
		}
		r.RequestURI = target
		r.Header.Set("Content-Type", contentType)
		r.Header.Set(SignatureHeader, sig)
		v := p.Verify(r)
		if v.Valid {
			// Only a signature that the independent oracle agrees with, for
			// one of the URLs Twilio may have signed, may pass: form bodies
			// sign URL+params, anything else the URL alone.
			mt, _, _ := mime.ParseMediaType(contentType)
			params, perr := url.ParseQuery(body)
			// A URL with bodySHA256 signs the URL alone: only once, as the
			// query's final pair, for a JSON body that hashes to it.
			var sums []string
			final := false
			if _, q, ok := strings.Cut(target, "?"); ok {
				pairs := strings.Split(q, "&")
				for i, pair := range pairs {
					if k, v, _ := strings.Cut(pair, "="); k == "bodySHA256" {
						sums = append(sums, v)
						final = i == len(pairs)-1 && strings.Contains(pair, "=")
					}
				}
			}
			if len(sums) > 1 {
				t.Fatalf("accepted a URL with two bodySHA256: %q", target)
			}
			if len(sums) == 1 {
				if !final || mt != "application/json" {
					t.Fatalf("accepted bodySHA256 that is not the final pair of a JSON request: %q %q", target, contentType)
				}
				h := sha256.Sum256([]byte(body))
				if !strings.EqualFold(sums[0], hex.EncodeToString(h[:])) {
					t.Fatalf("accepted a body that does not hash to bodySHA256: %q %q", target, body)
				}
			}
			isForm := mt == form && len(sums) == 0
			if perr != nil && isForm {
				t.Fatalf("accepted a body the oracle cannot parse: %q", body)
			}
			var urls []string
			for _, b := range pu.bases {
				urls = append(urls, b+target)
				if target == "/" || strings.HasPrefix(target, "/?") {
					urls = append(urls, b+strings.TrimPrefix(target, "/"))
				}
			}
			matched := false
			for _, u := range urls {
				if sig == hmacB64("12345", oracleStringToSign(u, params, isForm)) {
					matched = v.URL == u
				}
			}
			if !matched {
				t.Fatalf("accepted a signature it should not: %q %q %q %q (URL %q)", target, contentType, body, sig, v.URL)
			}
		}
		if got, _ := io.ReadAll(r.Body); len(body) <= 1<<12 && string(got) != body {
			t.Fatalf("body not restored")
		}
	})
}

// oracleStringToSign is Twilio's string to sign written from the spec with
// net/url, independently of ParseForm and StringToSign: the URL, then for
// form bodies each name sorted, each distinct value of it sorted.
func oracleStringToSign(rawURL string, params url.Values, isForm bool) string {
	out := rawURL
	if !isForm {
		return out
	}
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		values := append([]string(nil), params[name]...)
		sort.Strings(values)
		for i, v := range values {
			if i > 0 && v == values[i-1] {
				continue
			}
			out += name + v
		}
	}
	return out
}

// failingBody yields some bytes, then an error, as a client that hangs up
// half way does.
type failingBody struct{ sent bool }

func (b *failingBody) Read(p []byte) (int, error) {
	if b.sent {
		return 0, io.ErrUnexpectedEOF
	}
	b.sent = true
	return copy(p, "Digits=1"), nil
}

func (b *failingBody) Close() error { return nil }

func TestVerifyBodyErrors(t *testing.T) {
	p := newPolicy(t, TwilioConfig{PublicURL: "https://h", MaxBodyBytes: 8})
	sig := hmacB64("12345", "https://h/Digits1")
	tests := []struct {
		name    string
		body    func(w http.ResponseWriter) io.ReadCloser
		reason  Reason
		wantErr error
	}{
		{"client hangs up", func(http.ResponseWriter) io.ReadCloser { return &failingBody{} }, ReasonBodyUnreadable, io.ErrUnexpectedEOF},
		{"server body limit", func(w http.ResponseWriter) io.ReadCloser {
			return http.MaxBytesReader(w, io.NopCloser(strings.NewReader("Digits=1&x=y")), 4)
		}, ReasonBodyTooLarge, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("Content-Type", form)
			r.Header.Set(SignatureHeader, sig)
			r.Body = tt.body(httptest.NewRecorder())
			if v := p.Verify(r); v.Valid || v.Reason != tt.reason {
				t.Errorf("Verify = %+v, want reason %q", v, tt.reason)
			}
			_, err := io.ReadAll(r.Body)
			if err == nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("view reads error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestTwilioObserve(t *testing.T) {
	var seen []Reason
	p := newPolicy(t, TwilioConfig{PublicURL: "https://h", Observe: func(_ *http.Request, v Verification) {
		seen = append(seen, v.Reason)
	}})
	signed := reqSpec{target: "/", sigs: []string{hmacB64("12345", "https://h/")}}.build()
	for _, r := range []*http.Request{signed, reqSpec{target: "/"}.build(), reqSpec{target: "/", sigs: []string{hmacB64("wrong", "https://h/")}}.build()} {
		if _, err := p.Principals(r); err != nil {
			t.Fatal(err)
		}
	}
	want := []Reason{ReasonValid, ReasonMissingHeader, ReasonNoMatch}
	if !slices.Equal(seen, want) {
		t.Errorf("observed %q, want %q", seen, want)
	}
}

// The body limit is exact, however the body's reader reports its end.
func TestVerifyBodyLimit(t *testing.T) {
	const limit = 16
	p := newPolicy(t, TwilioConfig{PublicURL: "https://h", MaxBodyBytes: limit})
	for _, size := range []int{limit - 1, limit, limit + 1, limit + 2, 3 * limit} {
		body := "Digits=" + strings.Repeat("1", size-len("Digits="))
		for _, reader := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{
			{"EOF after the data", func(r io.Reader) io.Reader { return r }},
			{"EOF with the data", iotest.DataErrReader},
			{"one byte at a time", iotest.OneByteReader},
		} {
			t.Run(fmt.Sprintf("%d bytes, %s", size, reader.name), func(t *testing.T) {
				r := reqSpec{method: "POST", target: "/", contentType: form,
					sigs: []string{hmacB64("12345", "https://h/Digits"+body[len("Digits="):])}}.build()
				r.Body = io.NopCloser(reader.wrap(strings.NewReader(body)))
				r.ContentLength = -1
				v := p.Verify(r)
				want := ReasonValid
				if size > limit {
					want = ReasonBodyTooLarge
				}
				if v.Reason != want {
					t.Errorf("Verify = %q, want %q", v.Reason, want)
				}
				got, err := io.ReadAll(r.Body)
				if size > limit {
					if !errors.Is(err, errBodyTooLarge) || len(got) != limit+1 {
						t.Errorf("view read %d bytes, %v; want %d bytes, then errBodyTooLarge", len(got), err, limit+1)
					}
				} else if string(got) != body || err != nil {
					t.Errorf("view read %q, %v; want %q", got, err, body)
				}
			})
		}
	}
}

// Verifications running at once share pooled scratch memory: none may see
// another's data, and nothing a Verification holds may alias that memory.
func TestVerifyConcurrent(t *testing.T) {
	p := newPolicy(t, TwilioConfig{AuthTokens: []string{"12345", "other"}, PublicURL: "https://h"})
	const workers, rounds = 8, 200
	errs := make(chan string, workers)
	type keptVerification struct {
		v       Verification
		account string
	}
	var kept []keptVerification
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				sid := fmt.Sprintf("AC%d-%d", w, i)
				escaped := i%2 == 0
				body := "AccountSid=" + sid + "&Digits=" + strconv.Itoa(i)
				if escaped {
					body = "AccountSid=" + url.QueryEscape(sid+" x") + "&Digits=" + strconv.Itoa(i)
					sid += " x"
				}
				sig := hmacB64("12345", "https://h:443/AccountSid"+sid+"Digits"+strconv.Itoa(i))
				valid := i%3 != 0
				if !valid {
					sig = hmacB64("12345", "https://h/forged")
				}
				r := reqSpec{method: "POST", target: "/", body: body, contentType: form, sigs: []string{sig}}.build()
				v := p.Verify(r)
				if v.Valid != valid || valid && (v.AccountSid != sid || v.URL != "https://h:443/") {
					errs <- fmt.Sprintf("worker %d round %d: got %+v, want valid %v, account %q", w, i, v, valid, sid)
					return
				}
				if got, _ := io.ReadAll(r.Body); string(got) != body {
					errs <- fmt.Sprintf("worker %d round %d: view read %q, want %q", w, i, got, body)
					return
				}
				if valid {
					mu.Lock()
					kept = append(kept, keptVerification{v, sid})
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for _, k := range kept {
		if k.v.AccountSid != k.account || k.v.URL != "https://h:443/" {
			t.Fatalf("a kept Verification changed after later verifications: %+v, want account %q", k.v, k.account)
		}
	}
}

// TestUnsignedBodyLeftUnread: without a usable signature header, Verify
// proves nothing and leaves the body unread, whatever its size, so that
// another policy of a Multi (an API key on an upload) or the view reads it
// whole.
func TestUnsignedBodyLeftUnread(t *testing.T) {
	p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURL: "https://ivr.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", DefaultMaxBodyBytes*2)
	for _, tt := range []struct {
		name   string
		header []string
		want   Reason
	}{
		{"no header", nil, ReasonMissingHeader},
		{"malformed header", []string{"not base64!"}, ReasonMalformedHeader},
		{"two headers", []string{"RSOYDt4T1cUTdK1PDd93/VVr8B8=", "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, ReasonMalformedHeader},
	} {
		r := httptest.NewRequest("POST", "/upload", strings.NewReader(big))
		r.Header.Set("Content-Type", "application/octet-stream")
		r.Header[SignatureHeader] = tt.header
		got := p.Verify(r)
		if got.Valid || got.Reason != tt.want {
			t.Errorf("%s: Verify = %v %q, want invalid %q", tt.name, got.Valid, got.Reason, tt.want)
		}
		if want := "https://ivr.example.com/upload"; got.URL != want {
			t.Errorf("%s: Verify's URL = %q, want the first candidate %q", tt.name, got.URL, want)
		}
		rest, err := io.ReadAll(r.Body)
		if err != nil || string(rest) != big {
			t.Errorf("%s: the body reads %d bytes, %v after Verify; want all %d", tt.name, len(rest), err, len(big))
		}
	}
}
