package config_test

import (
	"errors"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/config"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(*config.Config)
		key    string // "" means valid
		target error
	}{
		{"defaults", func(*config.Config) {}, "", nil},
		{"listen with host", func(c *config.Config) { c.Listen = "127.0.0.1:8080" }, "", nil},
		{"listen IPv6", func(c *config.Config) { c.Listen = "[::1]:0" }, "", nil},
		{"listen empty", func(c *config.Config) { c.Listen = "" }, "listen", config.ErrRequired},
		{"listen without port", func(c *config.Config) { c.Listen = "localhost" }, "listen", config.ErrInvalid},
		{"listen port name", func(c *config.Config) { c.Listen = ":http" }, "listen", config.ErrInvalid},
		{"listen port too big", func(c *config.Config) { c.Listen = ":65536" }, "listen", config.ErrInvalid},
		{"listen empty port", func(c *config.Config) { c.Listen = "localhost:" }, "listen", config.ErrInvalid},
		{"account_sid", func(c *config.Config) { c.Twilio.AccountSid = "AC0123456789abcdef0123456789abcdef" }, "", nil},
		{"account_sid upper-case hex", func(c *config.Config) { c.Twilio.AccountSid = "AC0123456789ABCDEF0123456789ABCDEF" }, "twilio.account_sid", config.ErrInvalid},
		{"account_sid short", func(c *config.Config) { c.Twilio.AccountSid = "AC0123" }, "twilio.account_sid", config.ErrInvalid},
		{"account_sid of another kind", func(c *config.Config) { c.Twilio.AccountSid = "CA0123456789abcdef0123456789abcdef" }, "twilio.account_sid", config.ErrInvalid},
		{"public_url https", func(c *config.Config) { c.PublicURL = "https://ivr.example.com" }, "", nil},
		{"public_url http with port and path", func(c *config.Config) { c.PublicURL = "http://localhost:8080/ivr" }, "", nil},
		{"public_url relative", func(c *config.Config) { c.PublicURL = "/ivr" }, "public_url", config.ErrInvalid},
		{"public_url without scheme", func(c *config.Config) { c.PublicURL = "ivr.example.com" }, "public_url", config.ErrInvalid},
		{"public_url ftp", func(c *config.Config) { c.PublicURL = "ftp://ivr.example.com" }, "public_url", config.ErrInvalid},
		{"public_url without host", func(c *config.Config) { c.PublicURL = "https:///ivr" }, "public_url", config.ErrInvalid},
		{"public_url opaque", func(c *config.Config) { c.PublicURL = "https:ivr.example.com" }, "public_url", config.ErrInvalid},
		{"public_url port only", func(c *config.Config) { c.PublicURL = "https://:443" }, "public_url", config.ErrInvalid},
		{"public_url fragment", func(c *config.Config) { c.PublicURL = "https://ivr.example.com/#top" }, "public_url", config.ErrInvalid},
		{"public_url empty fragment", func(c *config.Config) { c.PublicURL = "https://ivr.example.com/#" }, "public_url", config.ErrInvalid},
		{"public_url query", func(c *config.Config) { c.PublicURL = "https://ivr.example.com/?a=b" }, "public_url", config.ErrInvalid},
		{"public_url empty query", func(c *config.Config) { c.PublicURL = "https://ivr.example.com/?" }, "public_url", config.ErrInvalid},
		{"public_url unparsable", func(c *config.Config) { c.PublicURL = "https://ivr example.com" }, "public_url", config.ErrInvalid},
		{"trusted_proxies good", func(c *config.Config) { c.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.1", "2001:db8::/32", "::1"} }, "", nil},
		{"trusted_proxies bad prefix", func(c *config.Config) { c.TrustedProxies = []string{"10.0.0.0/33"} }, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies hostname", func(c *config.Config) { c.TrustedProxies = []string{"proxy.internal"} }, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies zone", func(c *config.Config) { c.TrustedProxies = []string{"fe80::1%eth0"} }, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies empty entry", func(c *config.Config) { c.TrustedProxies = []string{""} }, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies every IPv4 peer", func(c *config.Config) { c.TrustedProxies = []string{"10.0.0.1", "0.0.0.0/0"} }, "trusted_proxies", config.ErrInvalid},
		// Entries that together cover every address, as /0 does.
		{"trusted_proxies two halves of IPv4", func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0/1", "128.0.0.0/1"} }, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies IPv4 in three pieces", func(c *config.Config) {
			c.TrustedProxies = []string{"10.0.0.1", "128.0.0.0/1", "64.0.0.0/2", "0.0.0.0/2"}
		}, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies two halves of IPv6", func(c *config.Config) { c.TrustedProxies = []string{"::/1", "8000::/1"} }, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies mapped halves of IPv4", func(c *config.Config) {
			c.TrustedProxies = []string{"::ffff:0.0.0.0/97", "::ffff:128.0.0.0/97"}
		}, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies three quarters of IPv4", func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0/1", "128.0.0.0/2"} }, "", nil},
		// An Account SID is sent in clear in every webhook: never a token.
		{"an Account SID as the token", func(c *config.Config) { c.Twilio.AuthToken = "AC0123456789abcdef0123456789abcdef" }, "twilio.auth_token", config.ErrInvalid},
		{"an Account SID as a rotation token", func(c *config.Config) {
			c.Twilio.AuthTokens = []config.Secret{"ac0123456789ABCDEF0123456789abcdef"}
		}, "twilio.auth_tokens", config.ErrInvalid},
		{"the pinned Account SID as the token file's", func(c *config.Config) {
			c.Twilio.AccountSid = "AC0123456789abcdef0123456789abcdef"
			c.Twilio.AuthTokenFromFile = "AC0123456789abcdef0123456789abcdef"
		}, "twilio.auth_token_file", config.ErrInvalid},
		{"trusted_proxies every IPv6 peer", func(c *config.Config) { c.TrustedProxies = []string{"::/0"} }, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies every mapped IPv4 peer", func(c *config.Config) { c.TrustedProxies = []string{"::ffff:0.0.0.0/96"} }, "trusted_proxies", config.ErrInvalid},
		{"trusted_proxies /1", func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0/1", "::/1"} }, "", nil},
		{"server.read_header_timeout zero", func(c *config.Config) { c.Server.ReadHeaderTimeout = 0 }, "server.read_header_timeout", config.ErrInvalid},
		{"server.read_timeout negative", func(c *config.Config) { c.Server.ReadTimeout = -time.Second }, "server.read_timeout", config.ErrInvalid},
		{"server.write_timeout zero", func(c *config.Config) { c.Server.WriteTimeout = 0 }, "server.write_timeout", config.ErrInvalid},
		{"server.idle_timeout zero", func(c *config.Config) { c.Server.IdleTimeout = 0 }, "server.idle_timeout", config.ErrInvalid},
		{"server.shutdown_delay zero", func(c *config.Config) { c.Server.ShutdownDelay = 0 }, "", nil},
		{"server.shutdown_delay negative", func(c *config.Config) { c.Server.ShutdownDelay = -time.Second }, "server.shutdown_delay", config.ErrInvalid},
		{"server.shutdown_timeout zero", func(c *config.Config) { c.Server.ShutdownTimeout = 0 }, "server.shutdown_timeout", config.ErrInvalid},
		{"policy.watch_interval negative", func(c *config.Config) { c.Policy.WatchInterval = -time.Second }, "policy.watch_interval", config.ErrInvalid},
		{"server.max_header_bytes zero", func(c *config.Config) { c.Server.MaxHeaderBytes = 0 }, "server.max_header_bytes", config.ErrInvalid},
		{"server.max_header_bytes below net/http's slack", func(c *config.Config) { c.Server.MaxHeaderBytes = config.MaxHeaderBytesMin - 1 }, "server.max_header_bytes", config.ErrInvalid},
		{"server.max_header_bytes the least", func(c *config.Config) { c.Server.MaxHeaderBytes = config.MaxHeaderBytesMin }, "", nil},
		{"apology.text at Twilio's limit", func(c *config.Config) { c.Apology.Text = strings.Repeat("a", config.MaxApologyTextBytes) }, "", nil},
		{"apology.text past Twilio's limit", func(c *config.Config) { c.Apology.Text = strings.Repeat("é", config.MaxApologyTextBytes/2) + "." }, "apology.text", config.ErrInvalid},
		{"server.max_body_bytes negative", func(c *config.Config) { c.Server.MaxBodyBytes = -1 }, "server.max_body_bytes", config.ErrInvalid},
		{"server.max_body_bytes over the limit", func(c *config.Config) { c.Server.MaxBodyBytes = config.MaxBodyBytesLimit + 1 }, "server.max_body_bytes", config.ErrInvalid},
		{"log.level each", func(c *config.Config) { c.Log.Level = "debug" }, "", nil},
		{"log.level unknown", func(c *config.Config) { c.Log.Level = "verbose" }, "log.level", config.ErrInvalid},
		{"log.level upper case", func(c *config.Config) { c.Log.Level = "INFO" }, "log.level", config.ErrInvalid},
		{"log.format json", func(c *config.Config) { c.Log.Format = "json" }, "", nil},
		{"log.format unknown", func(c *config.Config) { c.Log.Format = "xml" }, "log.format", config.ErrInvalid},
		{"no token is fine", func(c *config.Config) { c.Twilio = config.Twilio{} }, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := config.Default()
			tt.edit(c)
			err := c.Validate()
			if tt.key == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate: got %v, want a *FieldError", err)
			}
			if fe.Key != tt.key {
				t.Errorf("Key: got %q, want %q", fe.Key, tt.key)
			}
			if !errors.Is(err, tt.target) {
				t.Errorf("got %v, want it to match %v", err, tt.target)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "config: "+tt.key+": ") || strings.Contains(msg, "\n") {
				t.Errorf("got %q, want one line starting %q", msg, "config: "+tt.key+": ")
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.Listen = "nowhere"
	c.PublicURL = "ftp://x"
	c.TrustedProxies = []string{"a", "10.0.0.0/8", "b"}
	c.Server.WriteTimeout = 0
	c.Log.Format = "xml"
	err := c.Validate()
	want := []string{"listen", "public_url", "trusted_proxies", "server.write_timeout", "log.format"}
	got := fieldKeys(err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("keys: got %q, want %q", got, want)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%v", len(lines), len(want), err)
	}
	for i, line := range lines {
		if !strings.HasPrefix(line, "config: "+want[i]+": ") {
			t.Errorf("line %d: got %q, want it to start %q", i+1, line, "config: "+want[i]+": ")
		}
	}
}

func TestRequireToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		twilio config.Twilio
		ok     bool
	}{
		{"none", config.Twilio{}, false},
		{"only empties", config.Twilio{AuthTokens: []config.Secret{"", ""}}, false},
		{"file named but not read", config.Twilio{AuthTokenFile: "token"}, false},
		{"primary", config.Twilio{AuthToken: "a"}, true},
		{"rotation only", config.Twilio{AuthTokens: []config.Secret{"b"}}, true},
		{"file only", config.Twilio{AuthTokenFromFile: "c"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := config.Default()
			c.Twilio = tt.twilio
			err := c.RequireToken()
			if tt.ok {
				if err != nil {
					t.Errorf("RequireToken: %v", err)
				}
				return
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) || fe.Key != "twilio.auth_token" || !errors.Is(err, config.ErrRequired) {
				t.Fatalf("RequireToken: got %v, want a *FieldError for twilio.auth_token matching ErrRequired", err)
			}
			// The message must tell the operator what to set.
			for _, name := range []string{"TWILIO_AUTH_TOKEN", "--auth-token"} {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("got %q, want it to name %s", err, name)
				}
			}
		})
	}
}

func TestTrustedProxyPrefixes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   []string
		want []netip.Prefix
	}{
		{nil, []netip.Prefix{}},
		{[]string{"10.0.0.0/8"}, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
		{[]string{"10.1.2.3/8"}, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
		{[]string{"192.0.2.7"}, []netip.Prefix{netip.MustParsePrefix("192.0.2.7/32")}},
		{[]string{"2001:db8::1"}, []netip.Prefix{netip.MustParsePrefix("2001:db8::1/128")}},
		{[]string{"2001:db8::/32", "::1"}, []netip.Prefix{netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("::1/128")}},
		// IPv4-mapped IPv6 entries, address and prefix forms, become IPv4:
		// the signature check unmaps the peer before it compares.
		{[]string{"::ffff:10.0.0.1"}, []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}},
		{[]string{"::FFFF:a00:1"}, []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}},
		{[]string{"::ffff:10.0.0.1/128"}, []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}},
		{[]string{"::ffff:10.0.0.0/104"}, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
		{[]string{"::ffff:10.1.2.3/120"}, []netip.Prefix{netip.MustParsePrefix("10.1.2.0/24")}},
		{[]string{"::ffff:0.0.0.0/97"}, []netip.Prefix{netip.MustParsePrefix("0.0.0.0/1")}},
		// Other IPv6 entries stay IPv6, a prefix reaching beyond the mapped
		// range (shorter than /96) included.
		{[]string{"::ffff:0:0/95"}, []netip.Prefix{netip.MustParsePrefix("::fffe:0:0/95")}},
		{[]string{"::/80", "64:ff9b::/96", "64:ff9b::a00:1", "::a00:1"}, []netip.Prefix{
			netip.MustParsePrefix("::/80"), netip.MustParsePrefix("64:ff9b::/96"),
			netip.MustParsePrefix("64:ff9b::a00:1/128"), netip.MustParsePrefix("::a00:1/128")}},
	}
	for _, tt := range tests {
		c := config.Default()
		c.TrustedProxies = tt.in
		got, err := c.TrustedProxyPrefixes()
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.in, got, tt.want)
		}
	}

	// A mapped entry matches the peer it names, as the signature check
	// sees it: unmapped.
	for _, tt := range []struct{ entry, peer string }{
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1"},
		{"::ffff:10.0.0.1", "10.0.0.1"},
		{"::ffff:10.0.0.0/104", "::ffff:10.9.8.7"},
	} {
		c := config.Default()
		c.TrustedProxies = []string{tt.entry}
		got, err := c.TrustedProxyPrefixes()
		peer := netip.MustParseAddr(tt.peer).Unmap()
		if err != nil || len(got) != 1 || !got[0].Contains(peer) {
			t.Errorf("entry %q, peer %s: got %v, %v; want a prefix holding the peer", tt.entry, tt.peer, got, err)
		}
	}

	// An unparsable entry, or one that would trust every peer, refuses
	// the whole list.
	for _, tt := range []struct {
		in   []string
		want string // the error's message
	}{
		{[]string{"10.0.0.0/8", "not-an-ip"}, `config: trusted_proxies: entry 2: want a CIDR prefix or an IP address, got "not-an-ip"`},
		{[]string{"0.0.0.0/0"}, `config: trusted_proxies: entry 1: "0.0.0.0/0" is a prefix of length 0, which would trust every peer: any client could choose the URL that signatures are checked against`},
		{[]string{"10.0.0.1", "::/0"}, `config: trusted_proxies: entry 2: "::/0" is a prefix of length 0, which would trust every peer: any client could choose the URL that signatures are checked against`},
		{[]string{"192.0.2.1/0"}, `config: trusted_proxies: entry 1: "192.0.2.1/0" is a prefix of length 0, which would trust every peer: any client could choose the URL that signatures are checked against`},
		{[]string{"::ffff:0.0.0.0/96"}, `config: trusted_proxies: entry 1: "::ffff:0.0.0.0/96" is a prefix of length 0, which would trust every peer: any client could choose the URL that signatures are checked against`},
		{[]string{"::ffff:10.0.0.0/96"}, `config: trusted_proxies: entry 1: "::ffff:10.0.0.0/96" is a prefix of length 0, which would trust every peer: any client could choose the URL that signatures are checked against`},
	} {
		c := config.Default()
		c.TrustedProxies = tt.in
		got, err := c.TrustedProxyPrefixes()
		if got != nil || !errors.Is(err, config.ErrInvalid) {
			t.Errorf("%q: got %v, %v; want nil and ErrInvalid", tt.in, got, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, err, tt.want)
		}
	}
}

func TestPublicURLPasswordNeverShown(t *testing.T) {
	t.Parallel()
	const password = "pa55word-in-url"
	tests := []string{
		"https://user:" + password + "@ivr.example.com/?q",    // invalid: query
		"ftp://user:" + password + "@ivr.example.com",         // invalid: scheme
		"https://user:" + password + "@ivr example.com",       // does not parse
		"https://user:" + password + "@ivr.example.com/voice", // valid
		"https:/user:" + password + "@ivr.example.com",        // one slash: the credentials are a path
		"https:user:" + password + "@ivr.example.com",         // no slashes: the credentials are opaque
		"user:" + password + "@ivr.example.com",               // no scheme: "user" is one
	}
	for _, raw := range tests {
		c := config.Default()
		c.PublicURL = raw
		var shown strings.Builder
		if err := c.Validate(); err != nil {
			shown.WriteString(err.Error())
		}
		shown.WriteString(c.LogValue().Resolve().String())
		if strings.Contains(shown.String(), password) {
			t.Errorf("%q: password shown in %s", raw, shown.String())
		}
	}
}

// A credential pasted into a value that is sent to callers (the support
// number, the apology's text, voice and language) is refused, in any
// case, whichever credential it is; the message names the key and never
// the value.
func TestValidateRefusesCredentialSentToCallers(t *testing.T) {
	t.Parallel()
	const (
		primary  = "tok-primary-9a8b7c"
		rotation = "tok-rotation-6d5e4f"
		fromFile = "tok-fromfile-3a2b1c"
		password = "pa55-in-public-url"
	)
	fields := []struct {
		key string
		set func(*config.Config, string)
		why string
	}{
		{"support_number", func(c *config.Config, s string) { c.SupportNumber = s }, "the apology's TwiML would send it to callers"},
		{"apology.text", func(c *config.Config, s string) { c.Apology.Text = s }, "callers would hear it"},
		{"apology.voice", func(c *config.Config, s string) { c.Apology.Voice = s }, "the TwiML would send it to callers"},
		{"apology.language", func(c *config.Config, s string) { c.Apology.Language = s }, "the TwiML would send it to callers"},
	}
	values := []struct {
		name, value string
		refused     bool
	}{
		{"the primary token", "Sorry " + primary, true},
		{"the primary token, upper-cased", strings.ToUpper(primary), true},
		{"a rotation token", rotation, true},
		{"the token from the file", "+1" + fromFile, true},
		{"the public_url password", "Sorry " + password + ".", true},
		{"no credential", "+15005550006", false},
		{"empty", "", false},
	}
	// A short password, which messages do not search for, is still
	// refused where callers would get it.
	const short = "s3cr"
	values = append(values, []struct {
		name, value string
		refused     bool
	}{
		{"a short public_url password", "Sorry, " + short + ".", true},
		{"a short public_url password in another case", "S3CR", true},
		// Only as a word of its own: in a longer run of letters and
		// digits it is not the password.
		{"a short password inside a word", "Sorry, xs3cry.", false},
		{"a short password inside a number", "+1415s3cr1234", false},
		{"a short password in Japanese, written without spaces", "申し訳ありません。パスワードはs3crです。", true},
		{"a short password in Chinese", "抱歉，密码s3cr", true},
		{"a short password spelled with a long s, which folds to s", "ſ3cr", true},
		// A short password of punctuation alone, which messages leave
		// alone (it is no word), is refused wherever it stands.
		{"a short password of punctuation alone", "Sorry, *** goodbye.", true},
		// A password that begins or ends with a digit joins letters of
		// any script, except those written without spaces: next to kana
		// or Han it stands on its own.
		{"a short password of digits in Japanese", "申し訳ありません。パスワードは1234です。", true},
		{"a short password of digits in Chinese", "密码1234", true},
		{"a short password of digits inside a Latin word", "Sorry, x1234y.", false},
	}...)
	for _, f := range fields {
		for _, v := range values {
			t.Run(f.key+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				c := config.Default()
				c.Twilio.AuthToken = primary
				c.Twilio.AuthTokens = []config.Secret{rotation}
				c.Twilio.AuthTokenFromFile = fromFile
				c.PublicURL = "https://twilio:" + password + "@ivr.example.com"
				if strings.Contains(strings.ToLower(v.value), short) || strings.Contains(v.value, "ſ3cr") {
					c.PublicURL = "https://twilio:" + short + "@ivr.example.com"
				}
				if strings.Contains(v.value, "***") {
					c.PublicURL = "https://twilio:***@ivr.example.com"
				}
				if strings.Contains(v.value, "1234") {
					c.PublicURL = "https://twilio:1234@ivr.example.com"
				}
				f.set(c, v.value)
				err := c.Validate()
				if !v.refused {
					// support_number's own rule may refuse a value that
					// is not a phone number; never as a credential.
					if err != nil && (f.key != "support_number" || strings.Contains(err.Error(), "holds a credential")) {
						t.Fatalf("Validate: got %v, want nil", err)
					}
					return
				}
				var fe *config.FieldError
				if !errors.As(err, &fe) || fe.Key != f.key {
					t.Fatalf("Validate: got %v, want a *FieldError for %s", err, f.key)
				}
				if !errors.Is(err, config.ErrInvalid) {
					t.Errorf("got %v, want it to match ErrInvalid", err)
				}
				want := "config: " + f.key + ": holds a credential (a Twilio auth token or the public_url password): " + f.why
				if got := err.Error(); got != want {
					t.Errorf("got %q, want %q", got, want)
				}
			})
		}
	}
}

// support_number must be something <Dial> can dial; anything else would
// be read out, or fail, on every call that goes wrong.
func TestValidateSupportNumber(t *testing.T) {
	t.Parallel()
	const want = `config: support_number: want a phone number <Dial> can dial, such as "+15005550006" or "(415) 555-1212", got `
	tests := []struct {
		number string
		ok     bool
	}{
		{"", true},
		{"+15005550006", true},
		{"+441632960961", true},
		{"+123456789012345", true},
		{"15005550006", true},
		{"415-555-1212", true},
		{"(415) 555-1212", true},
		{"+1 (500) 555-0006", true},
		{"+1-500-555-0006", true},
		{"+1 500 555 0006", true},
		{"415.555.1212", true},
		{"911", true},

		{"call us", false},
		{"+1", false},
		{"12", false},
		{"+1234567890123456", false},
		{"+01005550006", false},
		{" +15005550006", false},
		{"+15005550006 ", false},
		{"+15005550006\n", false},
		{"415--555-1212", false},
		{"415  555 1212", false},
		{"(415 555-1212", false},
		{"+", false},
		{"tel:+15005550006", false},
		{"sip:support@example.com", false},
		{"client:support", false},
		{"+1 500 555 0006 ext 2", false},
		{")415(555-1212", false},
		{"()911", false},
		{"(415) (555) 1212", false},
		{"((415)) 555-1212", false},
		{"(415 555-1212", false},
		{"+1 (500) 555-0006 0006 0006 0006", false},
		{"https://example.com/support", false},
	}
	for _, tt := range tests {
		c := config.Default()
		c.SupportNumber = tt.number
		err := c.Validate()
		if tt.ok {
			if err != nil {
				t.Errorf("%q: got %v, want nil", tt.number, err)
			}
			continue
		}
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Key != "support_number" || !errors.Is(err, config.ErrInvalid) {
			t.Errorf("%q: got %v, want a *FieldError for support_number matching ErrInvalid", tt.number, err)
			continue
		}
		if got, want := err.Error(), want+strconv.Quote(tt.number); got != want {
			t.Errorf("%q:\ngot  %s\nwant %s", tt.number, got, want)
		}
	}
}

// A credential in support_number is reported as such, once, without the
// value: the check of the format, which quotes it, is skipped.
func TestValidateSupportNumberCredentialFirst(t *testing.T) {
	t.Parallel()
	const token = "tok-support-4d3c2b"
	c := config.Default()
	c.Twilio.AuthToken = token
	c.SupportNumber = "call " + token
	err := c.Validate()
	want := "config: support_number: holds a credential (a Twilio auth token or the public_url password): the apology's TwiML would send it to callers"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// A short public_url password counts as a word of its own wherever its
// own first or last character is not a letter or a digit, and in any case
// that Unicode folds to it.
func TestValidateShortPasswordEdges(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		password, key, value string
	}{
		{"-1212", "support_number", "(415) 555-1212"},
		{"!x9", "apology.text", "Sorry!x9"},
		{"%CF%82%CE%B1", "apology.text", "ΣΑ"}, // the password ςα, in capitals
		// Twice, overlapping: the second time on its own.
		{"12-12", "support_number", "+7 495 212-12-12"},
		{"12-12", "support_number", "+7 495 112-12-12"},
	} {
		c := config.Default()
		c.PublicURL = "https://twilio:" + tt.password + "@ivr.example.com"
		switch tt.key {
		case "support_number":
			c.SupportNumber = tt.value
		case "apology.text":
			c.Apology.Text = tt.value
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "holds a credential") {
			t.Errorf("password %q in %s %q: Validate() = %v, want a credential refused", tt.password, tt.key, tt.value, err)
		}
	}
	// A password of bytes that are not UTF-8 is not any replacement
	// character of the text.
	// Nor a part of a character: the byte A9 is the end of 'é'.
	for pw, text := range map[string]string{"%ff": "Sorry \ufffd.", "%A9": "Désolé, réessayez."} {
		c := config.Default()
		c.PublicURL = "https://twilio:" + pw + "@ivr.example.com"
		c.Apology.Text = text
		if err := c.Validate(); err != nil {
			t.Errorf("password %s, apology.text %q: Validate() = %v, want nil", pw, text, err)
		}
	}
}
