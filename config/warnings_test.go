package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/config"
)

func TestWarnings(t *testing.T) {
	t.Parallel()
	const (
		unset   = "public_url is not set: signatures are checked against the URL rebuilt from each request's own Host header (and X-Forwarded-* from trusted_proxies), so a request Twilio signed for another host of the same account verifies here too; set public_url to the scheme and host Twilio calls"
		ignored = "trusted_proxies is ignored: public_url is set, so X-Forwarded-Proto and X-Forwarded-Host are never read; remove trusted_proxies, or unset public_url if the URL must come from the proxies"
		wide    = " may choose the URL that signatures are checked against; list the proxies' own addresses"
	)
	tests := []struct {
		name      string
		publicURL string
		proxies   []string
		want      []string
	}{
		{name: "public_url set", publicURL: "https://ivr.example.com", want: nil},
		{name: "nothing set", want: []string{unset}},
		{name: "narrow proxies", proxies: []string{"192.0.2.1", "10.1.2.0/24", "2001:db8::/64", "2001:db8::1", "::ffff:10.0.0.0/120"}, want: []string{unset}},
		{name: "wide proxies", proxies: []string{"192.0.2.1", "10.0.0.0/8", "10.1.2.0/23", "2001:db8::/63", "0.0.0.0/1"}, want: []string{
			unset,
			`trusted_proxies: "10.0.0.0/8" is wider than /24: every peer inside it` + wide,
			`trusted_proxies: "10.1.2.0/23" is wider than /24: every peer inside it` + wide,
			`trusted_proxies: "2001:db8::/63" is wider than /64: every peer inside it` + wide,
			`trusted_proxies: "0.0.0.0/1" is wider than /24: every peer inside it` + wide,
		}},
		{name: "wide proxies as read", proxies: []string{"10.1.2.3/8", "::ffff:10.0.0.0/104", "::ffff:0:0/95", "2001:db8:1::1/48"}, want: []string{
			unset,
			`trusted_proxies: "10.1.2.3/8" (10.0.0.0/8) is wider than /24: every peer inside it` + wide,
			`trusted_proxies: "::ffff:10.0.0.0/104" (10.0.0.0/8) is wider than /24: every peer inside it` + wide,
			`trusted_proxies: "2001:db8:1::1/48" (2001:db8:1::/48) is wider than /64: every peer inside it` + wide,
		}},
		{name: "IPv4 link-local proxies are trusted like any", proxies: []string{"169.254.0.0/16", "169.254.1.2"}, want: []string{
			unset,
			`trusted_proxies: "169.254.0.0/16" is wider than /24: every peer inside it` + wide,
		}},
		{name: "link-local proxies", proxies: []string{"fe80::1", "fe80::/10"}, want: []string{
			unset,
			`trusted_proxies: "fe80::1" (fe80::1/128) is link-local: a peer reached over link-local IPv6 carries its interface's zone and is never trusted (the address may be taken on another interface); set public_url`,
			`trusted_proxies: "fe80::/10" is link-local: a peer reached over link-local IPv6 carries its interface's zone and is never trusted (the address may be taken on another interface); set public_url`,
		}},
		{name: "entries Validate refuses are skipped", proxies: []string{"proxy.internal", "0.0.0.0/0", "10.0.0.0/33"}, want: []string{unset}},
		{name: "proxies with public_url", publicURL: "https://ivr.example.com", proxies: []string{"192.0.2.1"}, want: []string{ignored}},
		{name: "wide proxies with public_url", publicURL: "https://ivr.example.com", proxies: []string{"10.0.0.0/8"}, want: []string{ignored}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := config.Default()
			c.PublicURL = tt.publicURL
			c.TrustedProxies = tt.proxies
			got := c.Warnings()
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %d warnings:\n%s\nwant %d:\n%s", len(got), strings.Join(got, "\n"), len(tt.want), strings.Join(tt.want, "\n"))
			}
			for _, w := range got {
				if strings.ContainsAny(w, "\r\n") {
					t.Errorf("got %q, want one line", w)
				}
			}
		})
	}
	var nilConfig *config.Config
	if got := nilConfig.Warnings(); got != nil {
		t.Errorf("nil Config: got %q, want nil", got)
	}
}

// Warnings are scrubbed like LogValue: no credential shows, even one that
// reads as a prefix and was pasted into trusted_proxies.
func TestWarningsHideCredentials(t *testing.T) {
	t.Parallel()
	const prefixToken = "2001:db8:77::/48" // a token only a test would choose
	tests := []struct {
		name   string
		edit   func(*config.Config)
		secret string
	}{
		{"token pasted into trusted_proxies", func(c *config.Config) {
			c.Twilio.AuthToken = prefixToken
			c.TrustedProxies = []string{"10.0.0.0/8", prefixToken}
		}, prefixToken},
		{"rotation token pasted into trusted_proxies", func(c *config.Config) {
			c.Twilio.AuthTokens = []config.Secret{prefixToken}
			c.TrustedProxies = []string{prefixToken}
		}, prefixToken},
		{"public_url password with trusted_proxies", func(c *config.Config) {
			c.PublicURL = "https://twilio:pw-warn-1f2e3d@ivr.example.com"
			c.TrustedProxies = []string{"10.0.0.0/8", "pw-warn-1f2e3d"}
		}, "pw-warn-1f2e3d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := config.Default()
			tt.edit(c)
			got := strings.Join(c.Warnings(), "\n")
			if got == "" {
				t.Fatal("no warnings, want at least one")
			}
			if strings.Contains(got, tt.secret) {
				t.Errorf("warnings show %q:\n%s", tt.secret, got)
			}
			if tt.secret == prefixToken && !strings.Contains(got, `trusted_proxies: "[REDACTED]" is wider than /64`) {
				t.Errorf("got\n%s\nwant the pasted token named as [REDACTED]", got)
			}
		})
	}
}

// An accepted token that is not 32 lower-case hex digits, the form of every
// Twilio auth token, is a test value that anyone who knows it can sign
// with: the warning counts them and never names one.
func TestWarningsWeakTokens(t *testing.T) {
	t.Parallel()
	const real = "0123456789abcdef0123456789abcdef"
	for _, tt := range []struct {
		name    string
		primary config.Secret
		others  []config.Secret
		want    string // in the warnings; "" for no token warning
	}{
		{"a real token", real, nil, ""},
		{"the documentation's token", "12345", nil, "1 of the 1 accepted auth tokens is not 32 lower-case hex digits"},
		{"upper case", config.Secret(strings.ToUpper(real)), nil, "1 of the 1 accepted auth tokens is not"},
		{"one of a rotation", real, []config.Secret{"short-old-token"}, "1 of the 2 accepted auth tokens is not"},
		{"two", "12345", []config.Secret{"67890"}, "2 of the 2 accepted auth tokens are not"},
	} {
		c := config.Default()
		c.PublicURL = "https://ivr.example.com"
		c.Twilio.AuthToken, c.Twilio.AuthTokens = tt.primary, tt.others
		got := strings.Join(c.Warnings(), "\n")
		if tt.want == "" && strings.Contains(got, "auth token") || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("%s: warnings %q, want %q", tt.name, got, tt.want)
		}
		for _, tok := range append([]config.Secret{tt.primary}, tt.others...) {
			if strings.Contains(got, string(tok)) && tok != "12345" { // 12345 is named as the documentation's
				t.Errorf("%s: the warning names a token: %q", tt.name, got)
			}
		}
	}
}

// A token that is a word of a warning's fixed text is not revealed by a
// [REDACTED] standing in its place: only the values a warning quotes are
// redacted.
func TestWarningsFixedWordsNotRedacted(t *testing.T) {
	t.Parallel()
	for _, token := range []string{"console", "digits", "Twilio", "accepted", "signatures", "proxies"} {
		c := config.Default()
		c.Twilio.AuthToken = config.Secret(token)
		c.TrustedProxies = []string{"10.0.0.0/8"}
		for _, w := range c.Warnings() {
			if strings.Contains(w, "[REDACTED]") {
				t.Errorf("token %q: a warning redacts a word of its own text: %q", token, w)
			}
		}
	}
}
