// Package config builds Gatehouse's typed [Config] from a configuration file
// (YAML or TOML), the environment and command-line flags.
//
// [Load] reads them through a private Viper instance, created per call:
// there is no global Viper and no mutable package-level state. For each key the
// first source that sets it wins: a flag the user set, then the
// environment, then the file, then [Default]. The table of keys, their
// environment variables and their defaults is on each field of [Config]
// and in DESIGN.md ("Configuration keys").
//
// Load is strict. A key in the file that Gatehouse does not know is an
// error naming the key, so a typo such as publc_url cannot silently leave
// the default in force; so is a value of the wrong type, such as
// server.read_timeout: banana or a bare number where a duration belongs.
// [Config.Validate] then checks the values themselves and reports every
// problem at once, one line each. Errors are [*FieldError] (a key) and
// [*FileError] (the file), matched with [errors.As], and wrap the sentinels
// [ErrUnknownKey], [ErrInvalid], [ErrRequired], [ErrUnsupportedFormat] and
// [ErrSyntax], matched with [errors.Is].
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
// masked; and an unreadable or malformed token file is reported by its
// path, never its content. Other values are quoted to help the operator,
// but any token Load or Validate knows of is replaced by "[REDACTED]"
// wherever it would appear, as when a token is pasted into the wrong
// variable (values shorter than six characters are not searched for). A
// password in public_url is masked in messages, in LogValue, and when a
// Config is printed with fmt or marshalled to JSON (as slog does with a
// Config logged by value); like a token, it is replaced by "[REDACTED]"
// wherever else a message would quote it, and a public_url with an '@'
// that does not parse as user information ("https:/user:pass@host") is
// never quoted.
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
package config
