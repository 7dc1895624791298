package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Config is Gatehouse's configuration. [Load] builds one from a file, the
// environment and flags on top of [Default]; a Config built by hand should
// start from Default too. The comment on each field names its key, its
// environment variable and its flag, if any.
//
// Formatting a Config with fmt, marshalling it to JSON or logging it with
// [log/slog] never shows a Twilio token: every token is a [Secret].
// (PublicURL is a plain string; [Config.LogValue], [Config.Format] and
// [Config.MarshalJSON] mask a password in it, and replace any token, or
// that password, pasted into another field by "[REDACTED]".)
type Config struct {
	// Listen is the address the server listens on, as host:port.
	// Key listen, env GATEHOUSE_LISTEN, flag --listen.
	// Optional. Default ":8080".
	Listen string

	// PublicURL is the absolute http or https URL under which Twilio
	// reaches this server, such as "https://ivr.example.com". Signatures
	// are checked against this URL plus the request target. User
	// information, for Twilio's HTTP Basic credentials, must have both a
	// user name and a password; a port must be from 1 to 65535.
	// Key public_url, env GATEHOUSE_PUBLIC_URL, flag --public-url.
	// Optional. Default "": the URL is rebuilt from the request's own
	// scheme and host.
	PublicURL string

	// SupportNumber is the number a caller is connected to after the
	// apology: a phone number in a form Twilio's <Dial> dials, E.164 such
	// as "+15005550006" or a form Twilio also accepts, such as
	// "(415) 555-1212" (see [Config.Validate]).
	// Key support_number, env GATEHOUSE_SUPPORT_NUMBER, flag
	// --support-number.
	// Optional. Default "": the apology is followed by a hang-up.
	SupportNumber string

	// TrustedProxies lists the peers, as CIDR prefixes, whose
	// X-Forwarded-Proto and X-Forwarded-Host headers are believed when
	// PublicURL is not set; use it only when PublicURL cannot be. A bare IP
	// address means that one address (/32 or /128); an IPv4-mapped IPv6
	// entry (::ffff:10.0.0.1) is read as its IPv4 form. The last value of each
	// header is believed, whoever wrote it: list only proxies that set both
	// headers on every request, overwriting the client's (or appending
	// their own value after it), by their own addresses rather than a
	// broad range: a prefix of length 0 (0.0.0.0/0, ::/0) is refused, and
	// [Config.Warnings] names any prefix wider than /24 (IPv4) or /64
	// (IPv6). Ignored when PublicURL is set. See
	// [Config.TrustedProxyPrefixes].
	// Key trusted_proxies, env GATEHOUSE_TRUSTED_PROXIES (comma separated),
	// flag --trusted-proxies.
	// Optional. Default none: forwarding headers are ignored.
	TrustedProxies []string

	// DebugAuthorization logs the explanation of every authorization
	// decision.
	// Key debug_authorization, env GATEHOUSE_DEBUG_AUTHORIZATION, flag
	// --debug-authorization.
	// Optional. Default false.
	DebugAuthorization bool

	// Twilio holds the credentials that verify X-Twilio-Signature.
	// Optional here (see [Config.RequireToken]); keys twilio.*.
	Twilio Twilio

	// Policy names the authorization policy files.
	// Optional; keys policy.*. Default: the embedded policy.
	Policy Policy

	// Apology is what a caller hears when something goes wrong.
	// Optional; keys apology.*. Default: the views' built-in apology.
	Apology Apology

	// Server tunes the HTTP server.
	// Optional; keys server.*. Default: see each field.
	Server Server

	// Log configures the process log.
	// Optional; keys log.*. Default: info level, text format.
	Log Log
}

// Twilio holds the auth tokens that requests may be signed with. A request
// is accepted if its signature verifies with any of [Config.Tokens], which
// lets an operator rotate the token without refusing a request signed with
// either the old or the new one. The tokens are read at startup only, so
// each change restarts the server (see AuthTokens).
type Twilio struct {
	// AuthToken is the account's primary auth token.
	// Key twilio.auth_token, env TWILIO_AUTH_TOKEN (no GATEHOUSE_ prefix),
	// flag --auth-token.
	// Optional here; [Config.RequireToken] demands at least one token.
	// Default "".
	AuthToken Secret

	// AuthTokens are further accepted tokens, for a rotation. Before the
	// new token is promoted at Twilio, the new token is the one listed
	// here, beside the old primary. Once it is promoted, it becomes the
	// primary (AuthToken or AuthTokenFile), and the old token is the one
	// listed here until requests signed with it (Twilio's retries) can no
	// longer arrive; then it is removed. The server accepts every token
	// either way: which one is the primary matters only to the tools,
	// which sign with it.
	// Key twilio.auth_tokens, env GATEHOUSE_TWILIO_AUTH_TOKENS (comma
	// separated).
	// Optional. Default none.
	AuthTokens []Secret

	// AuthTokenFile names a file whose content, with surrounding white
	// space trimmed, is an accepted token: the primary kept in a file
	// (a secret store's mount), which [Config.Tokens] lists right after
	// AuthToken, before the rotation tokens, so that sign and invoke sign
	// with it. [Load] reads it into AuthTokenFromFile.
	// Key twilio.auth_token_file, env GATEHOUSE_TWILIO_AUTH_TOKEN_FILE.
	// Optional. Default "".
	AuthTokenFile string

	// AuthTokenFromFile is the token read from AuthTokenFile. It is not a
	// configuration key: Load fills it in.
	// Optional. Default "".
	AuthTokenFromFile Secret

	// AccountSid is the SID of the account the tokens belong to ("AC" and
	// 32 lower-case hex digits). When set, a signed request proves
	// account:<AccountSid> only if it carries this one (see
	// authn.TwilioConfig.AccountSid); set it if the policy grants anything
	// to an account: principal.
	// Key twilio.account_sid, env GATEHOUSE_TWILIO_ACCOUNT_SID.
	// Optional. Default "": whatever AccountSid the signed request carries.
	AccountSid string
}

// Policy names the Casbin model and policy files. Empty means the defaults
// embedded in the binary.
type Policy struct {
	// Model is the Casbin model file.
	// Key policy.model, env GATEHOUSE_POLICY_MODEL, flag --policy-model.
	// Optional. Default "": the embedded model.
	Model string

	// File is the policy (ACL) file.
	// Key policy.file, env GATEHOUSE_POLICY_FILE, flag --policy-file.
	// Optional. Default "": the embedded policy.
	File string

	// WatchInterval is how often serve checks the model and policy files
	// for changes, and reloads them when they change. Zero turns watching
	// off (SIGHUP still reloads); the embedded defaults are never watched.
	// Key policy.watch_interval, env GATEHOUSE_POLICY_WATCH_INTERVAL.
	// Optional. Default 2s.
	WatchInterval time.Duration
}

// Apology is what the forbidden, not-found and exception views say before
// they dial SupportNumber, or hang up if there is none.
type Apology struct {
	// Text is spoken to the caller: at most MaxApologyTextBytes.
	// Key apology.text, env GATEHOUSE_APOLOGY_TEXT.
	// Optional. Default "": the views' built-in apology, which offers the
	// transfer only when a support number is configured.
	Text string

	// Voice is the Twilio <Say> voice, such as "Polly.Joanna".
	// Key apology.voice, env GATEHOUSE_APOLOGY_VOICE.
	// Optional. Default "": Twilio's default voice.
	Voice string

	// Language is the Twilio <Say> language, such as "en-GB".
	// Key apology.language, env GATEHOUSE_APOLOGY_LANGUAGE.
	// Optional. Default "": Twilio's default language.
	Language string
}

// Server tunes the HTTP server. Keys are server.<name>, environment
// variables GATEHOUSE_SERVER_<NAME>; durations are written like "5s" or
// "1m30s".
type Server struct {
	// ReadHeaderTimeout bounds reading the request headers.
	// Key server.read_header_timeout.
	// Optional. Default 5s.
	ReadHeaderTimeout time.Duration

	// ReadTimeout bounds reading the whole request.
	// Key server.read_timeout.
	// Optional. Default 10s.
	ReadTimeout time.Duration

	// WriteTimeout bounds writing the response. Twilio gives up after
	// 15 seconds, so a longer value buys nothing.
	// Key server.write_timeout.
	// Optional. Default 15s.
	WriteTimeout time.Duration

	// IdleTimeout bounds how long a keep-alive connection waits for the
	// next request.
	// Key server.idle_timeout.
	// Optional. Default 60s.
	IdleTimeout time.Duration

	// ShutdownDelay is how long the server keeps serving after a shutdown
	// signal, with /readyz already answering 503, before it stops
	// accepting connections: time for a load balancer to see the failing
	// readiness and stop sending requests. Zero stops accepting at once.
	// Key server.shutdown_delay.
	// Optional. Default 5s.
	ShutdownDelay time.Duration

	// ShutdownTimeout is how long in-flight requests may drain once the
	// server has stopped accepting connections.
	// Key server.shutdown_timeout.
	// Optional. Default 15s.
	ShutdownTimeout time.Duration

	// MaxHeaderBytes limits the size of the request line and headers,
	// in bytes: a request with more is answered 431. The limit is exact
	// for a connection's first request; a request pipelined behind
	// another may pass it by what net/http has already read (under 4 KiB).
	// Key server.max_header_bytes.
	// Optional. Default 16384 (16 KiB); at least MaxHeaderBytesMin.
	MaxHeaderBytes int

	// MaxBodyBytes limits the size of a request body.
	// Key server.max_body_bytes.
	// Optional. Default 65536 (64 KiB).
	MaxBodyBytes int64
}

// Log configures the process log.
type Log struct {
	// Level is the minimum level logged: debug, info, warn or error.
	// Key log.level, env GATEHOUSE_LOG_LEVEL, flag --log-level.
	// Optional. Default "info".
	Level string

	// Format is the log format: text or json.
	// Key log.format, env GATEHOUSE_LOG_FORMAT, flag --log-format.
	// Optional. Default "text".
	Format string
}

// Default returns the configuration used when nothing is set: every
// optional field at its documented default and no auth token.
func Default() *Config {
	return &Config{
		Listen: ":8080",
		Policy: Policy{WatchInterval: 2 * time.Second},
		Server: Server{
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      15 * time.Second,
			IdleTimeout:       60 * time.Second,
			ShutdownDelay:     5 * time.Second,
			ShutdownTimeout:   15 * time.Second,
			MaxHeaderBytes:    16 << 10,
			MaxBodyBytes:      64 << 10,
		},
		Log: Log{Level: "info", Format: "text"},
	}
}

// Tokens returns every accepted auth token, the primary first: AuthToken,
// then AuthTokenFromFile (the primary kept in a file), then the rotation
// tokens of AuthTokens, without empty values and without repeats. The
// server accepts them all; sign and invoke sign with the first. It is
// empty if no token is configured.
func (c *Config) Tokens() []Secret {
	all := make([]Secret, 0, 2+len(c.Twilio.AuthTokens))
	all = append(all, c.Twilio.AuthToken, c.Twilio.AuthTokenFromFile)
	all = append(all, c.Twilio.AuthTokens...)

	tokens := all[:0]
	seen := make(map[Secret]bool, len(all))
	for _, t := range all {
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		tokens = append(tokens, t)
	}
	return tokens
}

// LogValue implements [slog.LogValuer]: a summary of c for startup logging,
// grouped like the keys. Tokens appear only as a count and the primary
// token as "[REDACTED]"; a password in public_url is masked; and any
// credential c holds is replaced by "[REDACTED]" in every other value (see
// [Config.Redact]), in case one was pasted into the wrong key.
func (c *Config) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	s := c.scrubbed()
	c = &s
	return slog.GroupValue(
		slog.String("listen", c.Listen),
		slog.String("public_url", c.PublicURL),
		slog.String("support_number", c.SupportNumber),
		slog.Any("trusted_proxies", c.TrustedProxies),
		slog.Bool("debug_authorization", c.DebugAuthorization),
		slog.Group("twilio",
			slog.Any("auth_token", c.Twilio.AuthToken),
			slog.Int("accepted_tokens", len(c.Tokens())),
			slog.String("auth_token_file", c.Twilio.AuthTokenFile),
			slog.String("account_sid", c.Twilio.AccountSid),
		),
		slog.Group("policy",
			slog.String("model", c.Policy.Model),
			slog.String("file", c.Policy.File),
			slog.Duration("watch_interval", c.Policy.WatchInterval),
		),
		slog.Group("apology",
			slog.String("text", c.Apology.Text),
			slog.String("voice", c.Apology.Voice),
			slog.String("language", c.Apology.Language),
		),
		slog.Group("server",
			slog.Duration("read_header_timeout", c.Server.ReadHeaderTimeout),
			slog.Duration("read_timeout", c.Server.ReadTimeout),
			slog.Duration("write_timeout", c.Server.WriteTimeout),
			slog.Duration("idle_timeout", c.Server.IdleTimeout),
			slog.Duration("shutdown_delay", c.Server.ShutdownDelay),
			slog.Duration("shutdown_timeout", c.Server.ShutdownTimeout),
			slog.Int("max_header_bytes", c.Server.MaxHeaderBytes),
			slog.Int64("max_body_bytes", c.Server.MaxBodyBytes),
		),
		slog.Group("log",
			slog.String("level", c.Log.Level),
			slog.String("format", c.Log.Format),
		),
	)
}

// Format implements [fmt.Formatter]: a Config prints as its fields do,
// except that a password in PublicURL is masked and any credential c holds
// is replaced by "[REDACTED]" in the other fields, as in [Config.LogValue]
// (tokens are [Secret]s, which mask themselves). It covers a Config logged by value, which [log/slog]'s
// text handler prints with fmt since only *Config has LogValue.
func (c Config) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), masked(c))
}

// MarshalJSON implements [json.Marshaler] with the same masking as Format,
// for a Config logged by value with [log/slog]'s JSON handler.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(masked(c)) }

// maskedConfig is a Config without its methods, so that formatting it does
// not recurse.
type maskedConfig Config

func masked(c Config) maskedConfig { return maskedConfig(c.scrubbed()) }

// scrubbed returns a copy of c fit to be shown: the password of PublicURL
// masked, and every credential c holds replaced by "[REDACTED]" in every
// plain string field. The tokens are [Secret]s, which mask themselves.
func (c Config) scrubbed() Config {
	secrets := c.secrets()
	s := func(p *string) { *p = scrub(*p, secrets) }
	c.PublicURL = RedactURL(c.PublicURL)
	if c.TrustedProxies != nil {
		c.TrustedProxies = slices.Clone(c.TrustedProxies)
	}
	for i := range c.TrustedProxies {
		s(&c.TrustedProxies[i])
	}
	for _, p := range []*string{
		&c.Listen, &c.PublicURL, &c.SupportNumber,
		&c.Twilio.AuthTokenFile, &c.Twilio.AccountSid,
		&c.Policy.Model, &c.Policy.File,
		&c.Apology.Text, &c.Apology.Voice, &c.Apology.Language,
		&c.Log.Level, &c.Log.Format,
	} {
		s(p)
	}
	return c
}

// RedactURL returns raw, a URL, as written except that the password of its
// user information, if any, is replaced by "xxxxx". A URL with an '@'
// that does not parse, or that parses without user information (a mistyped
// "https:/user:pass@host" puts the credentials in the path,
// "https:user:pass@host" in the opaque part), may hold a password that
// cannot be found: it is replaced whole by "[REDACTED]". Anything else is
// returned as it is.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if strings.Contains(raw, "@") {
			return redacted
		}
		return raw
	}
	if _, ok := u.User.Password(); !ok {
		return raw // a user name alone is no secret
	}
	// The URL as written, only its password masked: url.URL.Redacted
	// would re-escape the rest, and a message about a character in it
	// would then quote another. The authority ends where url.Parse ends
	// it, at the first '/', '?' or '#', and the user information at its
	// last '@'.
	var start int
	switch {
	case u.Scheme != "" && strings.HasPrefix(raw[len(u.Scheme):], "://"):
		start = len(u.Scheme) + len("://")
	case u.Scheme == "" && strings.HasPrefix(raw, "//"):
		start = len("//")
	default:
		return u.Redacted()
	}
	end := len(raw)
	if i := strings.IndexAny(raw[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndexByte(raw[start:end], '@')
	colon := strings.IndexByte(raw[start:start+max(at, 0)], ':')
	if at < 0 || colon < 0 {
		return u.Redacted()
	}
	return raw[:start+colon+1] + "xxxxx" + raw[start+at:]
}

// Interface guards.
var (
	_ slog.LogValuer = (*Config)(nil)
	_ fmt.Formatter  = Config{}
	_ json.Marshaler = Config{}
)
