// Package config builds Gatehouse's typed [Config] from a configuration file
// (YAML or TOML), the environment and command-line flags.
//
// # The configuration
//
// A [Config] holds the top-level keys (listen, public_url, support_number,
// trusted_proxies, debug_authorization) and one struct per group of keys:
// [Twilio] (twilio.*: the accepted auth tokens), [Policy] (policy.*: the
// policy files and how often they are watched), [Apology] (apology.*: what
// a caller hears when something fails), [Server] (server.*: timeouts,
// shutdown and size limits) and [Log] (log.*). The comment on each field
// names its key, its environment variable, its flag if it has one, and its
// default; the README's "Configuration" section has the same table.
// [Default] returns every default; a Config built in code should start from
// it, since a zero [Server] is not valid.
//
// # Loading
//
// [Load] reads the sources that [Options] names through a private Viper
// instance, created per call: there is no global Viper and no mutable
// package-level state. For each key the first source that sets it wins: a
// flag the user set, then the environment, then the file, then [Default].
// [AddFlags] registers the flags; Load uses only those the user set, so an
// unset flag never hides the file or the environment.
//
// Load is strict. A key in the file that Gatehouse does not know is an
// error naming the key, so a typo such as publc_url cannot silently leave
// the default in force; so is an environment variable named GATEHOUSE_
// that no key reads, such as GATEHOUSE_POLICY_FLIE (an empty variable
// counts as unset, whatever its name); so is a variable of a key that
// holds only white space; so is a value of the wrong type,
// such as server.read_timeout: banana or a bare number where a duration
// belongs.
// [Config.Validate] then checks the values themselves and reports every
// problem at once, one line each, and [Config.RequireToken] demands an
// auth token (serve needs one; policy tools do not). Errors are
// [*FieldError] (a key) and [*FileError] (the file), matched with
// [errors.As], and wrap the sentinels [ErrUnknownKey], [ErrInvalid],
// [ErrRequired], [ErrUnsupportedFormat] and [ErrSyntax], matched with
// [errors.Is].
//
// A typical caller:
//
//	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
//	config.AddFlags(fs)
//	if err := fs.Parse(args); err != nil { ... }
//	cfg, err := config.Load(config.Options{Flags: fs})
//	if err == nil {
//		err = errors.Join(cfg.Validate(), cfg.RequireToken())
//	}
//	if err != nil { ... exit 2 ... }
//	logger.Info("starting", "config", cfg)
//
// # Auth tokens and their rotation
//
// Every token in twilio.auth_token (TWILIO_AUTH_TOKEN), twilio.auth_tokens
// and the file named by twilio.auth_token_file is accepted;
// [Config.Tokens] lists them once each. To rotate the token without
// refusing a request signed with either the old or the new one: first list
// the new token in twilio.auth_tokens beside the old primary, and promote
// it at Twilio; then make the new token the primary (twilio.auth_token or
// the token file), keep the old one in twilio.auth_tokens until requests
// signed with it (Twilio's retries) can no longer arrive, and remove it.
// The tokens are read at startup only, so each change restarts the server:
// serve drains on SIGTERM, but connections are refused until the new
// process listens, so restart several servers behind a load balancer one
// at a time. All the tokens must belong to one Twilio account.
// [Config.TrustedProxyPrefixes] parses trusted_proxies, the peers whose
// X-Forwarded-Proto and X-Forwarded-Host are believed when public_url is
// not set.
//
// # Security
//
// Twilio auth tokens are held as [Secret] values. A Secret prints as
// "[REDACTED]" through fmt (every verb), [log/slog], encoding/json and
// encoding.TextMarshaler; only [Secret.Reveal] returns the value, and only
// the signature check should call it. Because every credential in a
// [Config] is a Secret, printing, logging or marshalling a whole Config is
// safe too, and [Config.LogValue] logs only how many tokens are accepted.
//
// No error from this package contains a credential. Errors name keys,
// environment variables, flags and file paths; a wrongly typed credential
// is described by its type alone; syntax errors from the YAML and TOML
// parsers, which echo fragments of the input, have every quoted fragment
// masked; and an unreadable or malformed token file is reported by its key
// alone, never its path, which may be a token pasted in place of one, nor
// its content. Other values are quoted to help the operator,
// but any token Load or Validate knows of is replaced by "[REDACTED]"
// wherever it would appear, as when a token is pasted into the wrong
// variable (in an error, a value shorter than six bytes only where it
// stands as a word of its own, not inside a longer run of letters and
// digits; elsewhere, not at all). A
// password in public_url is masked in messages, in LogValue, and when a
// Config is printed with fmt or marshalled to JSON (as slog does with a
// Config logged by value); like a token, it is replaced by "[REDACTED]"
// wherever else a message would quote it, and a public_url with an '@'
// that does not parse as user information ("https:/user:pass@host") is
// never quoted. LogValue, Format and MarshalJSON likewise replace a
// credential pasted into any other field. [Config.Redact] applies that
// redaction to text built elsewhere from configured values (a log line
// naming policy.file), and [Config.RedactError] and
// [Config.RedactMessage] to errors, such as the failure to open
// policy.file: an error also hides a credential shorter than six bytes,
// where it stands as a word of its own.
//
// The token can come from TWILIO_AUTH_TOKEN, from a file
// (twilio.auth_token_file, suited to mounted secrets), from the
// configuration file or from --auth-token. Prefer the first two: a flag is
// visible to other users in the process list, and a configuration file
// tends to be shared. The --auth-token flag itself redacts its value
// wherever pflag shows it.
//
// Two limits of Go, not of this package: a Secret is a string type, so a
// conversion string(s) also yields the value; and fmt bypasses all methods
// when it reports a bad verb, so fmt.Sprintf("%p", s) prints the raw value.
// go vet reports that misuse.
//
// # Examples and further reading
//
// The example of [Load] layers a file, the environment and flags; those of
// [Config] and [Config.Validate] build and check a Config in code; that of
// [Secret] shows every way a token is redacted. The repository's
// docs/tutorial.md configures a server step by step, with the token in a
// file, a configuration file, a token rotation and a TLS-terminating load
// balancer.
package config
