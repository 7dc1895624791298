package authn

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// wireRequest parses a request from the bytes a server reads off the wire,
// so that RequestURI, Host and ContentLength are what net/http's server
// would give a handler. remote is the peer address; tls marks the
// connection as TLS.
type wireRequest struct {
	method, target, host string
	header               map[string][]string
	body                 string
	remote               string
	tls                  bool
}

func (w wireRequest) parse(t *testing.T) *http.Request {
	t.Helper()
	method := w.method
	if method == "" {
		method = http.MethodGet
	}
	var b strings.Builder
	b.WriteString(method + " " + w.target + " HTTP/1.1\r\nHost: " + w.host + "\r\n")
	for name, values := range w.header {
		for _, v := range values {
			b.WriteString(name + ": " + v + "\r\n")
		}
	}
	if w.body != "" {
		b.WriteString("Content-Length: " + strconv.Itoa(len(w.body)) + "\r\n")
	}
	b.WriteString("\r\n" + w.body)
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(b.String())))
	if err != nil {
		t.Fatalf("parsing %q: %v", b.String(), err)
	}
	r.RemoteAddr = "192.0.2.1:40000"
	if w.remote != "" {
		r.RemoteAddr = w.remote
	}
	if w.tls {
		r.TLS = &tls.ConnectionState{}
	}
	return r
}

// The vectors of issue 3: token 12345, the webhook
// https://mycompany.com/myapp.php?foo=1&bar=2, and these parameters unless
// a case says otherwise.
const (
	issueTarget = "/myapp.php?foo=1&bar=2"
	issueBody   = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212"
)

func TestIssueVectors(t *testing.T) {
	jsonTarget := issueTarget + "&bodySHA256=" + jsonHash
	reasonBody := issueBody + "&Reason=Participant&ReasonConferenceEnded=test"
	tests := []struct {
		name    string
		public  string // "" : the request's own scheme and host
		tls     bool
		target  string
		ctype   string
		body    string
		sig     string
		reason  Reason
		wantURL string
	}{
		{"as is", "https://mycompany.com", false, issueTarget, form, issueBody, "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
			ReasonValid, "https://mycompany.com" + issueTarget},
		{"as is, from the request's TLS and Host", "", true, issueTarget, form, issueBody, "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
			ReasonValid, "https://mycompany.com" + issueTarget},
		{"signed with :443", "https://mycompany.com", false, issueTarget, form, issueBody, "kvajT1Ptam85bY51eRf/AJRuM3w=",
			ReasonValid, "https://mycompany.com:443" + issueTarget},
		{"signed with :443, from the request", "", true, issueTarget, form, issueBody, "kvajT1Ptam85bY51eRf/AJRuM3w=",
			ReasonValid, "https://mycompany.com:443" + issueTarget},
		{"signed without :443, configured with it", "https://mycompany.com:443", false, issueTarget, form, issueBody, "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
			ReasonValid, "https://mycompany.com" + issueTarget},
		{"http signed with :80", "http://mycompany.com", false, issueTarget, form, issueBody, "0ZXoZLH/DfblKGATFgpif+LLRf4=",
			ReasonValid, "http://mycompany.com:80" + issueTarget},
		{"http signed with :80, from the request", "", false, issueTarget, form, issueBody, "0ZXoZLH/DfblKGATFgpif+LLRf4=",
			ReasonValid, "http://mycompany.com:80" + issueTarget},
		{"http's :80 signature is not https's", "https://mycompany.com", false, issueTarget, form, issueBody, "0ZXoZLH/DfblKGATFgpif+LLRf4=",
			ReasonNoMatch, "https://mycompany.com" + issueTarget},
		{"repeated Digits", "https://mycompany.com", false, issueTarget, form, "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234",
			"IK+Dwps556ElfBT0I3Rgjkr1wJU=", ReasonValid, "https://mycompany.com" + issueTarget},
		{"repeated Digits in another order", "https://mycompany.com", false, issueTarget, form, "Digits=1234&Sid=CA123&Digits=1234&SidAccount=AC123&Digits=5678",
			"IK+Dwps556ElfBT0I3Rgjkr1wJU=", ReasonValid, "https://mycompany.com" + issueTarget},
		{"JSON with bodySHA256", "https://mycompany.com", false, jsonTarget, "application/json", jsonBody, "a9nBmqA0ju/hNViExpshrM61xv4=",
			ReasonValid, "https://mycompany.com" + jsonTarget},
		{"JSON body changed under a valid URL signature", "https://mycompany.com", false, jsonTarget, "application/json", jsonBody + " ",
			"a9nBmqA0ju/hNViExpshrM61xv4=", ReasonBodyHashMismatch, "https://mycompany.com" + jsonTarget},
		{"pairs sorted as joined strings: rejected", "https://mycompany.com", false, issueTarget, form, reasonBody, "95+Bu0JVPi0r/SsESZCVf0dWAjw=",
			ReasonNoMatch, "https://mycompany.com" + issueTarget},
		{"pairs sorted by name: accepted", "https://mycompany.com", false, issueTarget, form, reasonBody, "vOEb5UThFn24KEfnOFLQY2AE5FY=",
			ReasonValid, "https://mycompany.com" + issueTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPolicy(t, TwilioConfig{PublicURL: tt.public})
			r := wireRequest{method: "POST", target: tt.target, host: "mycompany.com", tls: tt.tls, body: tt.body,
				header: map[string][]string{"Content-Type": {tt.ctype}, SignatureHeader: {tt.sig}}}.parse(t)
			v := p.Verify(r)
			if v.Reason != tt.reason || v.Valid != (tt.reason == ReasonValid) {
				t.Errorf("Verify = %v %q, want %q", v.Valid, v.Reason, tt.reason)
			}
			if v.URL != tt.wantURL {
				t.Errorf("URL = %q, want %q", v.URL, tt.wantURL)
			}
		})
	}
}

// TestCandidateURLs reads as the rules: which URL Twilio signed, which
// request arrived, and whether the signature is accepted.
func TestCandidateURLs(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	fwd := func(proto, host string) map[string][]string {
		h := map[string][]string{}
		if proto != "" {
			h["X-Forwarded-Proto"] = []string{proto}
		}
		if host != "" {
			h["X-Forwarded-Host"] = []string{host}
		}
		return h
	}
	withPort := func(h map[string][]string, port string) map[string][]string {
		h["X-Forwarded-Port"] = []string{port}
		return h
	}
	tests := []struct {
		name   string
		cfg    TwilioConfig
		req    wireRequest
		signed string // the URL Twilio signed
		valid  bool
	}{
		// Default ports.
		{"port added", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/x"}, "https://h.example:443/x", true},
		{"port removed", TwilioConfig{PublicURL: "https://h.example:443"}, wireRequest{target: "/x"}, "https://h.example/x", true},
		{"http port added", TwilioConfig{PublicURL: "http://h.example"}, wireRequest{target: "/x"}, "http://h.example:80/x", true},
		{"http port removed", TwilioConfig{PublicURL: "http://h.example:80/"}, wireRequest{target: "/x"}, "http://h.example/x", true},
		{"other scheme's default port", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/x"}, "https://h.example:80/x", false},
		{"non-default port kept", TwilioConfig{PublicURL: "https://h.example:8443"}, wireRequest{target: "/x"}, "https://h.example:8443/x", true},
		{"non-default port never removed", TwilioConfig{PublicURL: "https://h.example:8443"}, wireRequest{target: "/x"}, "https://h.example/x", false},
		{"non-default port never added", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/x"}, "https://h.example:8443/x", false},
		{"port from the Host header", TwilioConfig{}, wireRequest{target: "/x", host: "h.example:8080"}, "http://h.example:8080/x", true},
		{"Host's default port removed", TwilioConfig{}, wireRequest{target: "/x", host: "h.example:80"}, "http://h.example/x", true},

		// The root's trailing slash.
		{"root without slash", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/"}, "https://h.example", true},
		{"root without slash, query", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/?x=1"}, "https://h.example?x=1", true},
		{"root without slash, with port", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/?x=1"}, "https://h.example:443?x=1", true},
		{"root with slash", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/"}, "https://h.example/", true},
		{"root from the request", TwilioConfig{}, wireRequest{target: "/", tls: true}, "https://mycompany.com", true},
		{"prefix without slash", TwilioConfig{PublicURL: "https://h.example/ivr"}, wireRequest{target: "/"}, "https://h.example/ivr", true},
		{"prefix with slash", TwilioConfig{PublicURL: "https://h.example/ivr/"}, wireRequest{target: "/"}, "https://h.example/ivr/", true},
		{"prefix and path", TwilioConfig{PublicURL: "https://h.example/ivr"}, wireRequest{target: "/menu?a=1"}, "https://h.example/ivr/menu?a=1", true},
		{"only the root's slash is optional", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/menu/"}, "https://h.example/menu", false},
		{"no slash is added", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/menu"}, "https://h.example/menu/", false},

		// Userinfo comes from the public URL only.
		{"userinfo", TwilioConfig{PublicURL: "https://user:pa%40ss@h.example"}, wireRequest{target: "/x"}, "https://user:pa%40ss@h.example/x", true},
		{"userinfo and port", TwilioConfig{PublicURL: "https://user:pass@h.example"}, wireRequest{target: "/x"}, "https://user:pass@h.example:443/x", true},
		{"userinfo and removed port", TwilioConfig{PublicURL: "https://user:pass@h.example:443"}, wireRequest{target: "/"}, "https://user:pass@h.example", true},
		{"userinfo is part of the signature", TwilioConfig{PublicURL: "https://user:pass@h.example"}, wireRequest{target: "/x"}, "https://h.example/x", false},
		{"userinfo decoded is another URL", TwilioConfig{PublicURL: "https://user:pa%40ss@h.example"}, wireRequest{target: "/x"}, "https://user:pa@ss@h.example/x", false},

		// IPv6.
		{"IPv6 public URL, port added", TwilioConfig{PublicURL: "https://[2001:db8::1]"}, wireRequest{target: "/x"}, "https://[2001:db8::1]:443/x", true},
		{"IPv6 public URL, port removed", TwilioConfig{PublicURL: "https://[2001:db8::1]:443"}, wireRequest{target: "/x"}, "https://[2001:db8::1]/x", true},
		{"IPv6 Host with port", TwilioConfig{}, wireRequest{target: "/x", host: "[2001:db8::1]:8080"}, "http://[2001:db8::1]:8080/x", true},
		{"IPv6 Host, default port removed", TwilioConfig{}, wireRequest{target: "/x", host: "[2001:db8::1]:80"}, "http://[2001:db8::1]/x", true},
		{"IPv6 Host, port added", TwilioConfig{}, wireRequest{target: "/x", host: "[2001:db8::1]"}, "http://[2001:db8::1]:80/x", true},

		// Case and encoding are kept.
		{"host case kept", TwilioConfig{PublicURL: "https://IVR.Example.com"}, wireRequest{target: "/x"}, "https://IVR.Example.com/x", true},
		{"host not lowercased", TwilioConfig{PublicURL: "https://IVR.Example.com"}, wireRequest{target: "/x"}, "https://ivr.example.com/x", false},
		{"Host header case kept", TwilioConfig{}, wireRequest{target: "/x", host: "MyCompany.com"}, "http://MyCompany.com/x", true},
		{"Host header not lowercased", TwilioConfig{}, wireRequest{target: "/x", host: "MyCompany.com"}, "http://mycompany.com/x", false},
		{"raw target", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/x?q=it's+%27ok%27&e=%7e&u=%E2%9C%93"},
			"https://h.example/x?q=it's+%27ok%27&e=%7e&u=%E2%9C%93", true},
		{"no re-encoding of '", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/x?q=it's"}, "https://h.example/x?q=it%27s", false},
		{"no decoding", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/x?e=%7e"}, "https://h.example/x?e=~", false},
		{"no query re-ordering", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/x?b=2&a=1"}, "https://h.example/x?a=1&b=2", false},
		{"path escapes kept", TwilioConfig{PublicURL: "https://h.example"}, wireRequest{target: "/a%2Fb/c%20d"}, "https://h.example/a%2Fb/c%20d", true},

		// Several public URLs.
		{"second public URL", TwilioConfig{PublicURL: "https://a.example", PublicURLs: []string{"https://b.example"}}, wireRequest{target: "/x"}, "https://b.example/x", true},
		{"second public URL, port added", TwilioConfig{PublicURLs: []string{"https://a.example", "https://b.example"}}, wireRequest{target: "/x"}, "https://b.example:443/x", true},
		{"public URL replaces the Host", TwilioConfig{PublicURL: "https://a.example"}, wireRequest{target: "/x", host: "b.example"}, "http://b.example/x", false},

		// Forwarding headers: only from trusted proxies, only without a public URL.
		{"trusted proxy", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal:8080", remote: "10.1.2.3:5000", header: fwd("https", "public.example")}, "https://public.example/x", true},
		{"trusted proxy, port added", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal:8080", remote: "10.1.2.3:5000", header: fwd("https", "public.example")}, "https://public.example:443/x", true},
		{"trusted IPv6 proxy", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal", remote: "[fd00::5]:5000", header: fwd("https", "public.example")}, "https://public.example/x", true},
		{"trusted proxy appends: its own value counts", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal", remote: "10.1.2.3:5000", header: fwd("http, https", "evil.example, public.example")}, "https://public.example/x", true},
		{"trusted proxy appends: the client's value does not", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal", remote: "10.1.2.3:5000", header: fwd("http, https", "evil.example, public.example")}, "http://evil.example/x", false},
		{"untrusted peer", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal:8080", remote: "203.0.113.9:5000", header: fwd("https", "public.example")}, "https://public.example/x", false},
		{"untrusted peer: own Host", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal:8080", remote: "203.0.113.9:5000", header: fwd("https", "public.example")}, "http://internal:8080/x", true},
		{"no proxies configured", TwilioConfig{},
			wireRequest{target: "/x", host: "internal", remote: "10.1.2.3:5000", header: fwd("https", "public.example")}, "https://public.example/x", false},
		{"public URL ignores forwarding", TwilioConfig{PublicURL: "https://a.example", TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal", remote: "10.1.2.3:5000", header: fwd("https", "public.example")}, "https://public.example/x", false},
		{"forwarded host with userinfo ignored", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal", remote: "10.1.2.3:5000", header: fwd("", "u:p@public.example")}, "http://u:p@public.example/x", false},
		{"a link-local peer, with its zone, is never trusted", TwilioConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("fe80::/10")}},
			wireRequest{target: "/x", host: "internal", remote: "[fe80::1%eth0]:5000", header: fwd("https", "public.example")}, "https://public.example/x", false},
		{"X-Forwarded-Port is never read: a proxy may pass the client's on", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal:8080", remote: "10.1.2.3:5000", header: withPort(fwd("https", "public.example"), "8443")}, "https://public.example:8443/x", false},
		{"a public port is in X-Forwarded-Host", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal:8080", remote: "10.1.2.3:5000", header: withPort(fwd("https", "public.example:8443"), "8443")}, "https://public.example:8443/x", true},
		{"forwarded proto other than http(s) ignored", TwilioConfig{TrustedProxies: trusted},
			wireRequest{target: "/x", host: "internal", remote: "10.1.2.3:5000", header: fwd("ftp", "")}, "http://internal/x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPolicy(t, tt.cfg)
			req := tt.req
			if req.host == "" {
				req.host = "mycompany.com"
			}
			if req.header == nil {
				req.header = map[string][]string{}
			}
			req.header[SignatureHeader] = []string{hmacB64("12345", tt.signed)}
			v := p.Verify(req.parse(t))
			if v.Valid != tt.valid {
				t.Fatalf("Verify(signed %q) = %v %q (URL %q), want valid %v", tt.signed, v.Valid, v.Reason, v.URL, tt.valid)
			}
			if tt.valid && v.URL != tt.signed {
				t.Errorf("URL = %q, want %q", v.URL, tt.signed)
			}
		})
	}
}

// Every candidate is tried with every token.
func TestCandidatesTimesTokens(t *testing.T) {
	p := newPolicy(t, TwilioConfig{AuthTokens: []string{"new-token", "old-token"}, PublicURL: "https://h.example", PublicURLs: []string{"https://b.example"}})
	for _, token := range []string{"new-token", "old-token"} {
		for _, signed := range []string{"https://h.example", "https://h.example:443/", "https://b.example:443", "https://b.example/"} {
			r := wireRequest{target: "/", host: "internal", header: map[string][]string{SignatureHeader: {hmacB64(token, signed)}}}.parse(t)
			if v := p.Verify(r); !v.Valid || v.URL != signed {
				t.Errorf("token %s, signed %q: Verify = %v %q %q; want valid at that URL", token, signed, v.Valid, v.Reason, v.URL)
			}
		}
	}
}

func TestPublicURLRejected(t *testing.T) {
	const password = "s3cret-pw"
	for _, raw := range []string{
		"/relative", "ftp://h.example", "https://", "https:h.example",
		"https://user:" + password + "@h.example/?q=1",
		"https://user:" + password + "@h.example/?",
		"https://user:" + password + "@h.example/#f",
		"https://user:" + password + "@h example/",
	} {
		_, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURLs: []string{raw}})
		if !errors.Is(err, ErrPublicURL) {
			t.Errorf("%q: err = %v, want ErrPublicURL", raw, err)
			continue
		}
		if strings.Contains(err.Error(), password) {
			t.Errorf("%q: error shows the password: %v", raw, err)
		}
	}
}

// A trusted proxy prefix is matched as peers are seen: an IPv4 peer on a
// dual-stack socket shows as ::ffff:a.b.c.d and is unmapped, so an
// IPv4-mapped prefix stands for its IPv4 form. A prefix that would trust
// every peer, mapped or not, and an invalid one are refused.
func TestTrustedProxyPrefixes(t *testing.T) {
	forwarded := func(remote string) *http.Request {
		return wireRequest{target: "/x", host: "internal:8080", remote: remote, header: map[string][]string{
			"X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"ivr.example.com"},
			SignatureHeader: {hmacB64("12345", "https://ivr.example.com/x")},
		}}.parse(t)
	}
	for _, tt := range []struct {
		prefix  string
		trusted []string // peers whose headers are believed
		not     []string // peers whose headers are not
	}{
		{"::ffff:10.0.0.7/128", []string{"[::ffff:10.0.0.7]:5000", "10.0.0.7:5000"}, []string{"10.0.0.8:5000", "[::1]:5000"}},
		{"::ffff:10.0.0.0/104", []string{"[::ffff:10.9.8.7]:5000", "10.1.2.3:5000"}, []string{"11.0.0.1:5000"}},
		{"10.0.0.7/32", []string{"[::ffff:10.0.0.7]:5000", "10.0.0.7:5000"}, []string{"10.0.0.6:5000"}},
		{"::ffff:10.0.0.7/120", []string{"10.0.0.1:5000"}, []string{"10.0.1.1:5000"}}, // masked: 10.0.0.0/24
		{"fd00::/8", []string{"[fd00::5]:5000"}, []string{"10.0.0.7:5000", "[::ffff:10.0.0.7]:5000"}},
	} {
		p := newPolicy(t, TwilioConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix(tt.prefix)}})
		for _, peer := range tt.trusted {
			if v := p.Verify(forwarded(peer)); !v.Valid {
				t.Errorf("prefix %s, peer %s: %s (URL %q), want valid", tt.prefix, peer, v.Reason, v.URL)
			}
		}
		for _, peer := range tt.not {
			if v := p.Verify(forwarded(peer)); v.Valid {
				t.Errorf("prefix %s, peer %s: valid, want its forwarding headers ignored", tt.prefix, peer)
			}
		}
	}
	prefixes := func(ss ...string) []netip.Prefix {
		ps := make([]netip.Prefix, len(ss))
		for i, s := range ss {
			ps[i] = netip.MustParsePrefix(s)
		}
		return ps
	}
	for _, tt := range []struct {
		proxies []netip.Prefix
		refused bool // every peer would be trusted, or a prefix is invalid
	}{
		{[]netip.Prefix{{}}, true},
		{prefixes("0.0.0.0/0"), true},
		{prefixes("::/0"), true},
		{prefixes("::ffff:0.0.0.0/96"), true},
		{prefixes("0.0.0.0/1", "128.0.0.0/1"), true},
		{prefixes("::/1", "8000::/1"), true},
		{prefixes("::ffff:0.0.0.0/97", "::ffff:128.0.0.0/97"), true}, // 0.0.0.0/1 and 128.0.0.0/1
		{prefixes("10.0.0.0/8", "0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/4"), true},
		{prefixes("0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/4"), true},
		{prefixes("0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/5"), false}, // 248.0.0.0/5 is left
		{prefixes("0.0.0.0/1", "128.0.0.0/2"), false},
		{prefixes("0.0.0.0/1", "::/1", "8000::/2", "128.0.0.0/2"), false},
		{prefixes("0.0.0.0/1", "8000::/1"), false}, // one half of each family
	} {
		_, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, TrustedProxies: tt.proxies})
		if got := errors.Is(err, ErrTrustedProxy); got != tt.refused {
			t.Errorf("TrustedProxies %v: error %v, want refused %v", tt.proxies, err, tt.refused)
		}
	}
}
