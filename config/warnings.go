package config

import (
	"fmt"
	"strings"
)

// Widest trusted_proxies prefixes that draw no warning: a /24 of IPv4
// addresses or a /64 of IPv6 addresses, a subnet of proxies. Every peer
// inside a wider prefix may choose the URL that signatures are checked
// against.
const (
	warnIPv4Bits = 24
	warnIPv6Bits = 64
)

// publicURLUnset is the warning for a Config without public_url.
const publicURLUnset = "public_url is not set: signatures are checked against the URL rebuilt from each request's own Host header " +
	"(and X-Forwarded-* from trusted_proxies), so a request Twilio signed for another host of the same account verifies here too; " +
	"set public_url to the scheme and host Twilio calls"

// Warnings returns what an operator should be told about c at startup,
// one line each, in this order, or nil if there is nothing to say:
//
//   - public_url is not set, so signatures are checked against a URL
//     rebuilt from each request;
//   - trusted_proxies is set together with public_url, and therefore
//     ignored;
//   - otherwise, each trusted_proxies prefix wider than /24 (IPv4) or /64
//     (IPv6), named as written (and as read, when that differs, such as
//     10.0.0.0/8 for ::ffff:10.0.0.0/104): every peer inside it may choose
//     the URL that signatures are checked against;
//   - an accepted token that is not 32 lower-case hex digits, the form of
//     every Twilio auth token: a test value, such as the documentation's
//     12345, which anyone who knows it can sign with (the token itself is
//     never named, only how many there are).
//
// Entries that do not parse are skipped: [Config.Validate] reports them,
// and Warnings is meant for a Config that passed it. Like
// [Config.LogValue], Warnings never shows a credential: a token or the
// password of public_url is replaced by "[REDACTED]" in every value a
// warning quotes. The fixed words around the values are left as they
// are, so that a token that happens to be one of them ("console") is not
// revealed by where a [REDACTED] stands. A nil c has no warnings.
func (c *Config) Warnings() []string {
	if c == nil {
		return nil
	}
	var warnings []string
	switch {
	case c.PublicURL == "":
		warnings = append(warnings, publicURLUnset)
	case len(c.TrustedProxies) > 0:
		warnings = append(warnings, "trusted_proxies is ignored: public_url is set, so X-Forwarded-Proto and X-Forwarded-Host are never read; "+
			"remove trusted_proxies, or unset public_url if the URL must come from the proxies")
	}
	secrets := c.secrets()
	if c.PublicURL == "" {
		for _, s := range c.TrustedProxies {
			p, err := parseProxy(s)
			if err != nil {
				continue
			}
			// Only the value is scrubbed, never the sentence around it: a
			// token that is a word of the sentence ("console", "digits")
			// would show as [REDACTED] in a place that names it.
			name := scrub(fmt.Sprintf("%q", s), secrets)
			if p.String() != s {
				name += " (" + scrub(p.String(), secrets) + ")"
			}
			if p.Addr().Is6() && p.Addr().IsLinkLocalUnicast() {
				warnings = append(warnings, fmt.Sprintf("trusted_proxies: %s is link-local: a peer reached over link-local IPv6 "+
					"carries its interface's zone and is never trusted (the address may be taken on another interface); set public_url", name))
				continue
			}
			limit := warnIPv6Bits
			if p.Addr().Is4() {
				limit = warnIPv4Bits
			}
			if p.Bits() >= limit {
				continue
			}
			warnings = append(warnings, fmt.Sprintf("trusted_proxies: %s is wider than /%d: every peer inside it may choose the URL that signatures are checked against; "+
				"list the proxies' own addresses", name, limit))
		}
	}
	weak := 0
	for _, t := range c.Tokens() {
		if len(t) != 32 || strings.Trim(string(t), "0123456789abcdef") != "" {
			weak++
		}
	}
	if weak > 0 {
		verb := "are"
		if weak == 1 {
			verb = "is"
		}
		warnings = append(warnings, fmt.Sprintf("%d of the %d accepted auth tokens %s not 32 lower-case hex digits, as every Twilio auth token is: "+
			"a test value (such as the documentation's 12345) lets anyone who knows it sign requests; use the token from Twilio's console",
			weak, len(c.Tokens()), verb))
	}
	return warnings
}
