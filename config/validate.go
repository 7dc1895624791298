package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// MaxBodyBytesLimit is the largest server.max_body_bytes Validate
// accepts. Twilio's webhooks are a few kilobytes; the verifier holds a body
// in memory while it checks it.
const MaxBodyBytesLimit = 16 << 20

// MaxApologyTextBytes is the longest apology.text Validate accepts: the
// least of Twilio's <Say> limits, 3,000 single-byte characters for Polly
// voices (4,096 for the basic voices, 5,000 for Google's). Longer, Twilio
// would not say it, and the caller would hear nothing before the dial.
const MaxApologyTextBytes = 3000

// netHTTPHeaderSlack is how many bytes past http.Server.MaxHeaderBytes
// net/http reads of a request's line and headers before it answers 431
// (app's TestMaxHeaderBytesExact holds it to net/http's behaviour).
const netHTTPHeaderSlack = 4096

// MaxHeaderBytesMin is the least server.max_header_bytes Validate accepts:
// net/http reads a request's line and headers up to netHTTPHeaderSlack
// bytes past the limit it is given, so a limit of n bytes is set by giving
// it n - netHTTPHeaderSlack (see [Server.HTTPMaxHeaderBytes]), which must
// be at least 1.
const MaxHeaderBytesMin = netHTTPHeaderSlack + 1

// HTTPMaxHeaderBytes is the http.Server.MaxHeaderBytes that makes
// MaxHeaderBytes the limit of a connection's first request, to the byte.
func (s Server) HTTPMaxHeaderBytes() int { return s.MaxHeaderBytes - netHTTPHeaderSlack }

// Validate checks c and returns nil or the [errors.Join] of one
// [*FieldError] per problem, each a single line "config: <key>: <problem>"
// that matches [ErrInvalid] or [ErrRequired]. It checks that
//
//   - listen is host:port with a numeric port;
//   - public_url, if set, is an absolute http or https URL with a host and
//     without a query or fragment; its port, if it has a ':' after the
//     host, is a number from 1 to 65535; it holds no white space, control
//     or formatting character, nor any of " < > \ ^ ` { | } unescaped; and
//     its user information, if any, has both a user name and a password
//     (that message does not quote it);
//   - every trusted_proxies entry is a CIDR prefix or an IP address, and
//     no prefix has length 0 (it would trust every peer);
//   - every server timeout is greater than zero, server.max_header_bytes
//     is at least [MaxHeaderBytesMin], server.max_body_bytes is between 1
//     and [MaxBodyBytesLimit];
//     server.shutdown_delay may be zero but not negative;
//   - policy.watch_interval is zero (off) or greater;
//   - apology.text is at most [MaxApologyTextBytes];
//   - twilio.account_sid, if set, is AC and 32 lower-case hex digits (the
//     message does not quote it);
//   - log.level is debug, info, warn or error, and log.format is text or
//     json;
//   - support_number, if set, is a phone number in a form Twilio's <Dial>
//     dials: E.164 ("+15005550006") or a form Twilio also accepts, such as
//     "(415) 555-1212" (3 to 15 digits; see dialable);
//   - no value sent to callers (support_number, dialled after the apology,
//     and apology.text, apology.voice and apology.language, which the
//     TwiML carries) holds a credential of c, a token or the password of
//     public_url, as [Config.Redact] would find it, or, for a password
//     shorter than Redact searches for, as a word of its own: one pasted
//     there by mistake would be read out to anonymous callers. The
//     message names the key, never the value.
//
// Messages quote the offending value, except that a password in public_url
// is masked and any configured token, and that password, is replaced by
// "[REDACTED]" wherever it appears. Validate does not require an auth token, so
// that commands that need none can run; [Config.RequireToken] does.
func (c *Config) Validate() error {
	var errs []error
	add := func(key string, err error) {
		if err != nil {
			errs = append(errs, &FieldError{Key: key, Err: err})
		}
	}
	add("listen", checkListen(c.Listen))
	add("public_url", checkPublicURL(c.PublicURL))
	secrets := c.secrets()
	credential := make(map[string]bool)
	for _, f := range []struct{ key, value, why string }{
		{"support_number", c.SupportNumber, "the apology's TwiML would send it to callers"},
		{"apology.text", c.Apology.Text, "callers would hear it"},
		{"apology.voice", c.Apology.Voice, "the TwiML would send it to callers"},
		{"apology.language", c.Apology.Language, "the TwiML would send it to callers"},
	} {
		// Not quoted, even redacted: the operator knows what they set.
		// Every credential, however short: these values reach callers.
		if holdsCredential(f.value, secrets) {
			credential[f.key] = true
			add(f.key, newProblem(ErrInvalid,
				"holds a credential (a Twilio auth token or the public_url password): "+f.why))
		}
	}
	if n := c.SupportNumber; n != "" && !credential["support_number"] && !dialable(n) {
		add("support_number", newProblem(ErrInvalid, fmt.Sprintf(
			`want a phone number <Dial> can dial, such as "+15005550006" or "(415) 555-1212", got %q`, n)))
	}
	if n := len(c.Apology.Text); n > MaxApologyTextBytes && !credential["apology.text"] {
		add("apology.text", newProblem(ErrInvalid, fmt.Sprintf(
			"must be at most %d bytes, the least of Twilio's <Say> limits (Polly voices), got %d", MaxApologyTextBytes, n)))
	}
	if sid := c.Twilio.AccountSid; sid != "" && !validAccountSid(sid) {
		// Not quoted: a token pasted here would be printed.
		add("twilio.account_sid", newProblem(ErrInvalid, "want AC and 32 lower-case hex digits"))
	}
	// An Account SID is no secret: Twilio sends it in clear in every
	// webhook (AccountSid). Accepted as a token, it would let anyone who
	// saw one webhook sign any request. Not quoted.
	for _, f := range []struct {
		key    string
		tokens []Secret
	}{
		{"twilio.auth_token", []Secret{c.Twilio.AuthToken}},
		{"twilio.auth_token_file", []Secret{c.Twilio.AuthTokenFromFile}},
		{"twilio.auth_tokens", c.Twilio.AuthTokens},
	} {
		for _, t := range f.tokens {
			if s := string(t); len(s) == 34 && strings.EqualFold(s[:2], "AC") && validAccountSid("AC"+strings.ToLower(s[2:])) {
				add(f.key, newProblem(ErrInvalid, "holds an Account SID (AC and 32 hex digits), which Twilio sends in clear in every webhook: "+
					"the auth token is the secret shown beside it in Twilio's console"))
				break
			}
		}
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			err = fe.Err
		}
		add("trusted_proxies", err)
	}
	for _, d := range []struct {
		key string
		d   time.Duration
	}{
		{"server.read_header_timeout", c.Server.ReadHeaderTimeout},
		{"server.read_timeout", c.Server.ReadTimeout},
		{"server.write_timeout", c.Server.WriteTimeout},
		{"server.idle_timeout", c.Server.IdleTimeout},
		{"server.shutdown_timeout", c.Server.ShutdownTimeout},
	} {
		if d.d <= 0 {
			add(d.key, newProblem(ErrInvalid, fmt.Sprintf("must be greater than zero, got %v", d.d)))
		}
	}
	if d := c.Server.ShutdownDelay; d < 0 {
		add("server.shutdown_delay", newProblem(ErrInvalid, fmt.Sprintf("must not be negative, got %v", d)))
	}
	if d := c.Policy.WatchInterval; d < 0 {
		add("policy.watch_interval", newProblem(ErrInvalid, fmt.Sprintf("must be zero (off) or greater, got %v", d)))
	}
	if n := c.Server.MaxHeaderBytes; n < MaxHeaderBytesMin {
		add("server.max_header_bytes", newProblem(ErrInvalid, fmt.Sprintf("must be at least %d, got %d", MaxHeaderBytesMin, n)))
	}
	if n := c.Server.MaxBodyBytes; n <= 0 || n > MaxBodyBytesLimit {
		add("server.max_body_bytes", newProblem(ErrInvalid, fmt.Sprintf("must be between 1 and %d (16 MiB), got %d", MaxBodyBytesLimit, n)))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", newProblem(ErrInvalid, fmt.Sprintf("want debug, info, warn or error, got %q", c.Log.Level)))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		add("log.format", newProblem(ErrInvalid, fmt.Sprintf("want text or json, got %q", c.Log.Format)))
	}
	return errors.Join(c.redact(errs)...)
}

// redact replaces every configured token, and the password of
// public_url, in errs' messages, in case one was pasted into the wrong key.
func (c *Config) redact(errs []error) []error {
	secrets := c.secrets()
	for i, err := range errs {
		errs[i] = redact(err, secrets)
	}
	return errs
}

// RequireToken returns nil if [Config.Tokens] holds at least one token, and
// otherwise a [*FieldError] for twilio.auth_token that matches
// [ErrRequired] and tells the operator to set TWILIO_AUTH_TOKEN or
// --auth-token.
func (c *Config) RequireToken() error {
	if len(c.Tokens()) > 0 {
		return nil
	}
	return &FieldError{Key: "twilio.auth_token", Err: newProblem(ErrRequired,
		"required: set TWILIO_AUTH_TOKEN or --auth-token (or twilio.auth_token_file)")}
}

// TrustedProxyPrefixes parses TrustedProxies: each entry is a CIDR prefix,
// such as "10.0.0.0/8", or an IP address, which stands for itself alone
// (/32 for IPv4, /128 for IPv6). Host bits are masked, so "10.1.2.3/8"
// means 10.0.0.0/8. An IPv4-mapped IPv6 entry is converted to its IPv4
// form, which is what the signature check compares a peer with:
// "::ffff:10.0.0.1" means 10.0.0.1/32 and "::ffff:10.0.0.0/104" means
// 10.0.0.0/8. An unparsable entry, or a prefix of length 0 (0.0.0.0/0,
// ::/0, ::ffff:0.0.0.0/96), which would trust every peer, is a
// [*FieldError] for trusted_proxies matching [ErrInvalid], and so are
// entries that together cover every IPv4 or every IPv6 address
// (0.0.0.0/1 and 128.0.0.0/1), as a prefix of length 0 does; the result
// is then nil, so that a typo never trusts the wrong peers.
func (c *Config) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	prefixes := make([]netip.Prefix, 0, len(c.TrustedProxies))
	var errs []error
	for i, s := range c.TrustedProxies {
		p, err := parseProxy(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("entry %d: %w", i+1, err))
			continue
		}
		prefixes = append(prefixes, p)
	}
	for _, all := range []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")} {
		if len(errs) == 0 && coversAll(prefixes, all) {
			errs = append(errs, newProblem(ErrInvalid, fmt.Sprintf(
				"the entries together cover every address of %s, as a prefix of length 0 would: any client could choose the URL that signatures are checked against", all)))
		}
	}
	if len(errs) > 0 {
		return nil, c.redact([]error{&FieldError{Key: "trusted_proxies", Err: joinLine(errs)}})[0]
	}
	return prefixes, nil
}

// coversAll reports whether prefixes together contain every address of
// root: one of them contains it whole, or it splits into two halves that
// are each covered. It splits only where a prefix lies inside it, so its
// cost grows with the number of prefixes times their length (quadratic in
// their number at worst: 16,000 host addresses take about a second).
func coversAll(prefixes []netip.Prefix, root netip.Prefix) bool {
	inside := false
	for _, p := range prefixes {
		if p.Addr().Is4() != root.Addr().Is4() {
			continue
		}
		if p.Bits() <= root.Bits() && p.Contains(root.Addr()) {
			return true
		}
		if p.Bits() > root.Bits() && root.Contains(p.Addr()) {
			inside = true
		}
	}
	if !inside {
		return false
	}
	low := netip.PrefixFrom(root.Addr(), root.Bits()+1)
	b := root.Addr().AsSlice()
	b[root.Bits()/8] |= 0x80 >> (root.Bits() % 8)
	high, _ := netip.AddrFromSlice(b)
	return coversAll(prefixes, low) && coversAll(prefixes, netip.PrefixFrom(high, root.Bits()+1))
}

func parseProxy(s string) (netip.Prefix, error) {
	bad := newProblem(ErrInvalid, fmt.Sprintf("want a CIDR prefix or an IP address, got %q", s))
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, bad
		}
		p = unmapPrefix(p.Masked())
		if p.Bits() == 0 {
			return netip.Prefix{}, newProblem(ErrInvalid, fmt.Sprintf(
				"%q is a prefix of length 0, which would trust every peer: any client could choose the URL that signatures are checked against", s))
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, bad
	}
	return unmapPrefix(netip.PrefixFrom(a, a.BitLen())), nil
}

// unmapPrefix returns the IPv4 form of an IPv4-mapped IPv6 prefix, such as
// 10.0.0.0/8 for ::ffff:10.0.0.0/104, and any other prefix unchanged. The
// signature check unmaps a peer's address before it looks it up (an IPv4
// peer on a dual-stack socket shows as ::ffff:a.b.c.d), so the mapped form
// would never match. A prefix shorter than /96 reaches beyond the mapped
// range and is left as written.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

// joinLine joins errs on one line with "; ", keeping them all for
// errors.Is and errors.As.
func joinLine(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = err.Error()
	}
	return &lineError{msg: strings.Join(msgs, "; "), errs: errs}
}

type lineError struct {
	msg  string
	errs []error
}

func (e *lineError) Error() string   { return e.msg }
func (e *lineError) Unwrap() []error { return e.errs }

func checkListen(addr string) error {
	if addr == "" {
		return newProblem(ErrRequired, `required: want host:port, such as ":8080"`)
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return newProblem(ErrInvalid, fmt.Sprintf(`want host:port, such as ":8080", got %q`, addr))
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return newProblem(ErrInvalid, fmt.Sprintf("want a port number from 0 to 65535, got %q", port))
	}
	return nil
}

func checkPublicURL(raw string) error {
	if raw == "" {
		return nil
	}
	bad := func(why string) error {
		return newProblem(ErrInvalid, fmt.Sprintf(`want an absolute http or https URL such as "https://ivr.example.com", got %q: %s`, RedactURL(raw), why))
	}
	const invisibles = "white space, control and formatting characters cannot appear in a URL"
	u, err := url.Parse(raw)
	if err != nil {
		// Not quoted: it may hold a password that url.Redacted cannot find.
		msg := `want an absolute http or https URL such as "https://ivr.example.com", got a value that does not parse as a URL`
		if strings.ContainsFunc(raw, invisible) {
			msg += ": " + invisibles
		}
		return newProblem(ErrInvalid, msg)
	}
	if u.User != nil {
		// Not quoted: a user name alone, with nothing to mask, may be a
		// password typed in the wrong place.
		name := u.User.Username()
		password, _ := u.User.Password()
		switch {
		case name == "" && password == "":
			return newProblem(ErrInvalid, "has an '@' but no user name and no password: want https://user:password@host, or no '@'")
		case password == "":
			return newProblem(ErrInvalid, "has a user name but no password: HTTP Basic credentials need both")
		case name == "":
			return newProblem(ErrInvalid, "has a password but no user name: HTTP Basic credentials need both")
		}
	}
	switch {
	case strings.ContainsFunc(raw, invisible):
		return bad(invisibles)
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("scheme is not http or https")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return bad("no host")
	case u.RawQuery != "" || u.ForceQuery:
		return bad("a query is not allowed")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return bad("a fragment is not allowed")
	case strings.ContainsAny(raw, `"<>\^`+"`"+`{|}`):
		return bad(`the characters " < > \ ^ ` + "`" + ` { | } cannot appear in a URL unescaped`)
	case strings.HasSuffix(u.Host, ":"):
		return bad("the port is empty: drop the ':' or give a port from 1 to 65535")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return bad("the port must be a number from 1 to 65535")
		}
	}
	return nil
}

// invisible reports whether r is white space, a control character or a
// formatting character (such as a zero-width space, a byte order mark or a
// bidirectional override): none can appear in a URL, and most cannot be
// seen where an operator pasted it.
func invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// dialable reports whether s is a phone number in a form Twilio's <Dial>
// dials, the only thing the apology's <Dial> holds: E.164 ("+" and the
// number), or the unformatted and punctuated forms Twilio also accepts,
// such as "(415) 555-1212" or "415-555-1212": an optional leading '+',
// then 3 to 15 digits, with single spaces, '-' or '.' between them, and
// at most one group of digits in parentheses; the first digit after a '+'
// not 0; at most 32 bytes in all.
func dialable(s string) bool {
	if len(s) > 32 {
		return false
	}
	rest, plus := strings.CutPrefix(s, "+")
	digits, group := 0, -1 // group: the digits in the open parentheses, or -1
	groups := 0
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case c >= '0' && c <= '9':
			if plus && digits == 0 && c == '0' {
				return false
			}
			digits++
			if group >= 0 {
				group++
			}
		case c == ' ' || c == '-' || c == '.':
			// A separator between digits, groups or parentheses, never
			// first, last or doubled.
			if i == 0 || i == len(rest)-1 || strings.IndexByte(" -.", rest[i-1]) >= 0 {
				return false
			}
		case c == '(':
			if group >= 0 || groups > 0 {
				return false // nested, or a second group
			}
			group, groups = 0, 1
		case c == ')':
			if group <= 0 {
				return false // no open group, or an empty one
			}
			group = -1
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 15 && group < 0
}

// validAccountSid reports whether sid has the form of a Twilio account
// SID, "AC" and 32 lower-case hex digits (as authn's, which
// this package may not import).
func validAccountSid(sid string) bool {
	if len(sid) != 34 || !strings.HasPrefix(sid, "AC") {
		return false
	}
	return strings.Trim(sid[2:], "0123456789abcdef") == ""
}
