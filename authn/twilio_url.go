package authn

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// base is the part of a candidate URL before the request target: a
// configured public URL, or the request's own scheme and host. Its parts
// are kept exactly as written (case, userinfo, port spelling), because
// Twilio signs the URL byte for byte.
type base struct {
	head string // scheme, "://" and userinfo with its "@", if any
	host string // host name or bracketed IPv6 address
	port string // ":port" as written, or ""
	alt  string // the other spelling of a default port ("" or ":443"/":80")
	path string // path prefix without a trailing slash, or ""
	// hasAlt reports that alt is a candidate: the port is absent (alt adds
	// the scheme's default port) or is the default port (alt removes it).
	hasAlt bool
}

// newBase splits hostport and works out the default-port spelling.
func newBase(head, scheme, hostport, path string) base {
	b := base{head: head, path: path}
	b.host, b.port = splitPort(hostport)
	def := ""
	switch strings.ToLower(scheme) {
	case "https":
		def = ":443"
	case "http":
		def = ":80"
	}
	switch b.port {
	case "":
		b.alt, b.hasAlt = def, def != ""
	case def:
		b.alt, b.hasAlt = "", true
	}
	return b
}

// splitPort splits "host:port" into "host" and ":port"; an IPv6 address
// keeps its brackets. A host without a port yields "".
func splitPort(hostport string) (host, port string) {
	if strings.HasPrefix(hostport, "[") {
		if i := strings.IndexByte(hostport, ']'); i >= 0 {
			return hostport[:i+1], hostport[i+1:]
		}
		return hostport, ""
	}
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		return hostport[:i], hostport[i:]
	}
	return hostport, ""
}

// portSpellings returns the port spellings to try, the one as written
// first.
func (b base) portSpellings() ([2]string, int) {
	if b.hasAlt {
		return [2]string{b.port, b.alt}, 2
	}
	return [2]string{b.port}, 1
}

// appendURL appends the candidate URL with the given port spelling and
// request target to dst.
func (b base) appendURL(dst []byte, port, target string) []byte {
	dst = append(dst, b.head...)
	dst = append(dst, b.host...)
	dst = append(dst, port...)
	dst = append(dst, b.path...)
	return append(dst, target...)
}

// urlLen returns the length of the candidate URL with the given port
// spelling and request target.
func (b base) urlLen(port, target string) int {
	return len(b.head) + len(b.host) + len(port) + len(b.path) + len(target)
}

// maxLen returns the length of b's longest candidate URL, less the
// request target.
func (b base) maxLen() int {
	return len(b.head) + len(b.host) + max(len(b.port), len(b.alt)) + len(b.path)
}

// targetSpellings returns the request targets to try: the raw target as
// received, and for the root ("/" or "/?query") also the target without
// its slash, since a webhook configured as "https://host" or
// "https://host?x=1" is requested as "/" or "/?x=1" but signed without it.
func targetSpellings(target string) ([2]string, int) {
	if target == "/" || strings.HasPrefix(target, "/?") {
		return [2]string{target, target[1:]}, 2
	}
	return [2]string{target}, 1
}

// parseBase checks a configured public URL and splits it into its parts,
// keeping their spelling. Errors never quote raw, which may carry a
// password.
func parseBase(raw string) (base, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.Host == "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#") {
		return base{}, ErrPublicURL
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return base{}, ErrPublicURL
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	head := scheme + "://"
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		head += authority[:i+1]
		authority = authority[i+1:]
	}
	return newBase(head, scheme, authority, strings.TrimSuffix(path, "/")), nil
}

// requestBase is the base URL when no public URL is configured: the
// request's own scheme (https when it came over TLS) and Host header, or
// the values of X-Forwarded-Proto and X-Forwarded-Host when the peer is a
// trusted proxy. X-Forwarded-Port is not read: a proxy that sets the
// other two headers may pass a client's X-Forwarded-Port on unchanged, and
// believing it would let the client choose the port checked. A public
// port other than the default must be in X-Forwarded-Host (nginx's
// $http_host, not $host), or in the configured public URL.
func (t *TwilioSignature) requestBase(r *http.Request) base {
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if t.trustedPeer(r.RemoteAddr) {
		if p := strings.ToLower(forwarded(r.Header, "X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := forwarded(r.Header, "X-Forwarded-Host"); h != "" && !strings.ContainsAny(h, "/?#@\\ \t") {
			host = h
		}
	}
	head := "http://"
	if scheme == "https" {
		head = "https://" // constants: no allocation per request
	}
	return newBase(head, scheme, host, "")
}

// forwarded returns the last element of a forwarding header's last line:
// the value the nearest proxy gave it, if that proxy sets the header (one
// that appends to a list puts its own value last; one that overwrites
// sends only its own). A proxy that passes the header on unchanged leaves
// the client's value last, and forwarded returns that.
func forwarded(h http.Header, name string) string {
	lines := h.Values(name)
	if len(lines) == 0 {
		return ""
	}
	v := lines[len(lines)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

func (t *TwilioSignature) trustedPeer(remoteAddr string) bool {
	if len(t.proxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	// A link-local peer's address carries its zone ("fe80::1%eth0"), which
	// no prefix contains: such a peer is never trusted. Matching it without
	// its zone would trust that address on every interface, where anyone
	// on another link may take it.
	ip = ip.Unmap()
	for _, p := range t.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
