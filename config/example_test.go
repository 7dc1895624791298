package config_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/config"
)

// lookup returns a Getenv for Options that reads m instead of the process
// environment.
func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// Load layers the file, the environment and the flags the user set over
// the defaults. Here the file sets listen to ":8000" and log.level is
// unset; the environment overrides listen and the command line sets the
// log level.
func ExampleLoad() {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	config.AddFlags(fs)
	if err := fs.Parse([]string{"--config", "testdata/example.yaml", "--log-level", "debug"}); err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := config.Load(config.Options{
		Flags: fs,
		Getenv: lookup(map[string]string{
			"GATEHOUSE_LISTEN":  ":9000",
			"TWILIO_AUTH_TOKEN": "example-primary-token",
		}),
	})
	if err == nil {
		err = errors.Join(cfg.Validate(), cfg.RequireToken())
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("listen:", cfg.Listen)
	fmt.Println("public_url:", cfg.PublicURL)
	fmt.Println("trusted_proxies:", cfg.TrustedProxies)
	fmt.Println("server.shutdown_timeout:", cfg.Server.ShutdownTimeout)
	fmt.Println("server.write_timeout:", cfg.Server.WriteTimeout)
	fmt.Println("log:", cfg.Log.Level, cfg.Log.Format)
	fmt.Println("twilio.auth_token:", cfg.Twilio.AuthToken)
	fmt.Println("accepted tokens:", len(cfg.Tokens()))
	// Output:
	// listen: :9000
	// public_url: https://ivr.example.com
	// trusted_proxies: []
	// server.shutdown_timeout: 30s
	// server.write_timeout: 15s
	// log: debug json
	// twilio.auth_token: [REDACTED]
	// accepted tokens: 2
}

// A TOML file works the same way; the extension picks the format.
func ExampleLoad_toml() {
	cfg, err := config.Load(config.Options{File: "testdata/example.toml", Getenv: lookup(nil)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Listen, cfg.SupportNumber, cfg.Apology.Voice)
	// Output:
	// :8000 +15005550006 Polly.Joanna
}

// Load rejects keys it does not know and values of the wrong type, naming
// the key. Match the errors with errors.Is and errors.As.
func ExampleLoad_errors() {
	_, err := config.Load(config.Options{File: "testdata/typo.yaml", Getenv: lookup(nil)})
	fmt.Println(err)

	var fe *config.FieldError
	if errors.As(err, &fe) {
		fmt.Println("first key:", fe.Key)
	}
	fmt.Println("unknown key:", errors.Is(err, config.ErrUnknownKey))
	fmt.Println("invalid value:", errors.Is(err, config.ErrInvalid))
	// Output:
	// config: publc_url: unknown key (did you mean public_url?)
	// config: server.read_timeout: want a duration such as "5s" or "1m30s", got "banana"
	// first key: publc_url
	// unknown key: true
	// invalid value: true
}

// A Secret is redacted however it is printed, logged or marshalled; only
// Reveal returns it.
func ExampleSecret() {
	token := config.Secret("0123456789abcdef0123456789abcdef")

	fmt.Println(token)
	fmt.Printf("%s %q %+v %#v %x\n", token, token, token, token, token)
	js, _ := json.Marshal(map[string]config.Secret{"token": token, "unset": ""})
	fmt.Println(string(js))

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	}))
	logger.Info("verifying", "token", token)

	fmt.Println(len(token.Reveal()))
	// Output:
	// [REDACTED]
	// [REDACTED] "[REDACTED]" [REDACTED] "[REDACTED]" [REDACTED]
	// {"token":"[REDACTED]","unset":""}
	// level=INFO msg=verifying token=[REDACTED]
	// 32
}

func ExampleSecret_Reveal() {
	token := config.Secret("example-token")
	fmt.Println(token.Reveal() == "example-token")
	// Output:
	// true
}

func ExampleDefault() {
	cfg := config.Default()
	fmt.Println(cfg.Listen, cfg.Server.WriteTimeout, cfg.Server.MaxBodyBytes, cfg.Log.Level, cfg.Log.Format)
	fmt.Println(cfg.Validate())
	// Output:
	// :8080 15s 65536 info text
	// <nil>
}

// Validate reports every problem at once, one line each.
func ExampleConfig_Validate() {
	cfg := config.Default()
	cfg.Listen = "8080"
	cfg.PublicURL = "https://ivr.example.com/voice?debug=1"
	cfg.TrustedProxies = []string{"10.0.0.0/8", "10.0.0.300"}
	cfg.Server.ReadTimeout = 0
	cfg.Log.Level = "verbose"

	err := cfg.Validate()
	fmt.Println(err)

	var fe *config.FieldError
	fmt.Println(errors.As(err, &fe), fe.Key, errors.Is(err, config.ErrInvalid))
	// Output:
	// config: listen: want host:port, such as ":8080", got "8080"
	// config: public_url: want an absolute http or https URL such as "https://ivr.example.com", got "https://ivr.example.com/voice?debug=1": a query is not allowed
	// config: trusted_proxies: entry 2: want a CIDR prefix or an IP address, got "10.0.0.300"
	// config: server.read_timeout: must be greater than zero, got 0s
	// config: log.level: want debug, info, warn or error, got "verbose"
	// true listen true
}

func ExampleConfig_RequireToken() {
	cfg := config.Default()
	err := cfg.RequireToken()
	fmt.Println(err)
	fmt.Println(errors.Is(err, config.ErrRequired))

	cfg.Twilio.AuthToken = "example-token"
	fmt.Println(cfg.RequireToken())
	// Output:
	// config: twilio.auth_token: required: set TWILIO_AUTH_TOKEN or --auth-token (or twilio.auth_token_file)
	// true
	// <nil>
}

// Tokens lists every accepted token once: during a rotation a signature
// made with either the new or the old token verifies.
func ExampleConfig_Tokens() {
	cfg := config.Default()
	cfg.Twilio.AuthToken = "new-token"
	cfg.Twilio.AuthTokens = []config.Secret{"old-token", "new-token", ""}
	for _, t := range cfg.Tokens() {
		fmt.Println(t.Reveal())
	}
	// Output:
	// new-token
	// old-token
}

func ExampleConfig_TrustedProxyPrefixes() {
	cfg := config.Default()
	cfg.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::1", "::ffff:198.51.100.0/120"}
	prefixes, err := cfg.TrustedProxyPrefixes()
	fmt.Println(prefixes, err)
	// Output:
	// [10.0.0.0/8 192.0.2.7/32 2001:db8::1/128 198.51.100.0/24] <nil>
}

// Redact scrubs text built from configured values, such as a policy
// file's path, of every credential the Config holds, in case one was
// pasted into the wrong key.
func ExampleConfig_Redact() {
	cfg := config.Default()
	cfg.Twilio.AuthToken = "0123456789abcdef0123456789abcdef"
	cfg.Policy.File = "0123456789abcdef0123456789abcdef" // pasted into the wrong key
	fmt.Println("watching the policy file " + cfg.Redact(cfg.Policy.File))
	// Output:
	// watching the policy file [REDACTED]
}

// RedactError scrubs an error the same way, and the result still matches
// what the original matched.
func ExampleConfig_RedactError() {
	cfg := config.Default()
	cfg.Twilio.AuthToken = "0123456789abcdef0123456789abcdef"
	cfg.Policy.File = "/etc/gatehouse/0123456789abcdef0123456789abcdef.csv"
	_, err := os.ReadFile(cfg.Policy.File)
	err = cfg.RedactError(fmt.Errorf("policy file: %w", err))
	fmt.Println(err)
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// policy file: open /etc/gatehouse/[REDACTED].csv: no such file or directory
	// true
}

// LogValue summarises a Config for the startup log without its secrets.
func ExampleConfig_LogValue() {
	cfg := config.Default()
	cfg.PublicURL = "https://ivr.example.com"
	cfg.Twilio.AuthToken = "0123456789abcdef0123456789abcdef"

	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("starting", "config", cfg)
	// Output:
	// {"level":"INFO","msg":"starting","config":{"listen":":8080","public_url":"https://ivr.example.com","support_number":"","trusted_proxies":null,"debug_authorization":false,"twilio":{"auth_token":"[REDACTED]","accepted_tokens":1,"auth_token_file":"","account_sid":""},"policy":{"model":"","file":"","watch_interval":2000000000},"apology":{"text":"","voice":"","language":""},"server":{"read_header_timeout":5000000000,"read_timeout":10000000000,"write_timeout":15000000000,"idle_timeout":60000000000,"shutdown_delay":5000000000,"shutdown_timeout":15000000000,"max_header_bytes":16384,"max_body_bytes":65536},"log":{"level":"info","format":"text"}}}
}

// AddFlags registers the configuration flags; Load uses only those the
// user set.
func ExampleAddFlags() {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	config.AddFlags(fs)
	_ = fs.Parse([]string{"--listen", ":9000", "--trusted-proxies", "10.0.0.0/8,192.0.2.7"})

	cfg, err := config.Load(config.Options{Flags: fs, Getenv: lookup(nil)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Listen, cfg.TrustedProxies, cfg.Log.Level)
	// Output:
	// :9000 [10.0.0.0/8 192.0.2.7] info
}

// Errors from Load and Validate are matched by type and sentinel, never by
// their text.
func ExampleFieldError() {
	_, err := config.Load(config.Options{Getenv: lookup(map[string]string{
		"GATEHOUSE_SERVER_MAX_BODY_BYTES": "64KiB",
	})})
	var fe *config.FieldError
	if errors.As(err, &fe) && errors.Is(fe, config.ErrInvalid) {
		fmt.Println("fix", fe.Key)
	}
	fmt.Println(err)
	// Output:
	// fix server.max_body_bytes
	// config: server.max_body_bytes: want a whole number, got "64KiB" (from environment variable GATEHOUSE_SERVER_MAX_BODY_BYTES)
}

func ExampleFileError() {
	_, err := config.Load(config.Options{File: "testdata/missing.yaml", Getenv: lookup(nil)})
	var fe *config.FileError
	fmt.Println(errors.As(err, &fe), fe.Path, errors.Is(err, os.ErrNotExist))
	// Output:
	// true testdata/missing.yaml true
}

// A Config built in code starts from Default and sets what differs; each
// group of keys is a struct of its own. Printing it never shows a token.
func ExampleConfig() {
	var cfg *config.Config = config.Default()
	cfg.PublicURL = "https://ivr.example.com"
	cfg.SupportNumber = "+15005550006"
	cfg.Twilio = config.Twilio{
		AuthToken:  "new-token",
		AuthTokens: []config.Secret{"old-token"}, // during a rotation
	}
	cfg.Policy = config.Policy{File: "policy.csv", WatchInterval: 500 * time.Millisecond}
	cfg.Apology = config.Apology{Text: "Sorry, please hold.", Voice: "Polly.Joanna", Language: "en-US"}
	cfg.Log = config.Log{Level: "debug", Format: "json"}
	cfg.Server = config.Server{
		ReadHeaderTimeout: 2 * time.Second,
		ReadTimeout:       5 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		ShutdownDelay:     0, // no load balancer to warn
		ShutdownTimeout:   10 * time.Second,
		MaxHeaderBytes:    8 << 10,
		MaxBodyBytes:      32 << 10,
	}
	fmt.Println(errors.Join(cfg.Validate(), cfg.RequireToken()))
	fmt.Printf("%+v\n", cfg.Twilio)
	fmt.Println(len(cfg.Tokens()), "accepted tokens")

	cfg.Server = config.Server{} // not the defaults: Validate refuses zero timeouts and limits
	fmt.Println(cfg.Validate() != nil)
	// Output:
	// <nil>
	// {AuthToken:[REDACTED] AuthTokens:[[REDACTED]] AuthTokenFile: AuthTokenFromFile: AccountSid:}
	// 2 accepted tokens
	// true
}

// Warnings says what serve logs at warn level at startup: here that the
// URL is rebuilt from each request, and that a trusted proxy's prefix
// takes in far more peers than a few proxies.
func ExampleConfig_Warnings() {
	cfg := config.Default()
	cfg.TrustedProxies = []string{"10.0.0.7", "10.0.0.0/8", "2001:db8::/48"}
	for _, w := range cfg.Warnings() {
		fmt.Println(w)
	}

	cfg.PublicURL = "https://ivr.example.com"
	fmt.Println(cfg.Warnings())
	// Output:
	// public_url is not set: signatures are checked against the URL rebuilt from each request's own Host header (and X-Forwarded-* from trusted_proxies), so a request Twilio signed for another host of the same account verifies here too; set public_url to the scheme and host Twilio calls
	// trusted_proxies: "10.0.0.0/8" is wider than /24: every peer inside it may choose the URL that signatures are checked against; list the proxies' own addresses
	// trusted_proxies: "2001:db8::/48" is wider than /64: every peer inside it may choose the URL that signatures are checked against; list the proxies' own addresses
	// [trusted_proxies is ignored: public_url is set, so X-Forwarded-Proto and X-Forwarded-Host are never read; remove trusted_proxies, or unset public_url if the URL must come from the proxies]
}

func ExampleRedactURL() {
	fmt.Println(config.RedactURL("https://twilio:s3cret@ivr.example.com/ivr?x=1"))
	fmt.Println(config.RedactURL("https://ivr.example.com/ivr"))
	// Output:
	// https://twilio:xxxxx@ivr.example.com/ivr?x=1
	// https://ivr.example.com/ivr
}

// The limit net/http is given is the configured one less what it reads
// past its own limit, so that server.max_header_bytes is exact.
func ExampleServer_HTTPMaxHeaderBytes() {
	s := config.Default().Server
	fmt.Println(s.MaxHeaderBytes, s.HTTPMaxHeaderBytes())
	s.MaxHeaderBytes = config.MaxHeaderBytesMin
	fmt.Println(s.MaxHeaderBytes, s.HTTPMaxHeaderBytes())
	// Output:
	// 16384 12288
	// 4097 1
}

// A short password is hidden in an error message where it stands as a word
// of its own, and left alone in data and inside longer words.
func ExampleConfig_RedactMessage() {
	cfg := config.Default()
	cfg.PublicURL = "https://twilio:ops@ivr.example.com"
	fmt.Println(cfg.RedactMessage(`argument "ops" is not name=value`))
	fmt.Println(cfg.RedactMessage("no such principal: group:opsteam"))
	fmt.Println(cfg.Redact("group:ops"))
	// Output:
	// argument "[REDACTED]" is not name=value
	// no such principal: group:opsteam
	// group:ops
}
