package config

import "errors"

// Sentinel errors. Match them with [errors.Is]; the lines that carry them
// name the key or file concerned.
var (
	// ErrUnknownKey reports a key in the configuration file that Gatehouse
	// does not know, usually a typo such as publc_url, or an environment
	// variable named GATEHOUSE_ that no key reads, such as
	// GATEHOUSE_POLICY_FLIE.
	ErrUnknownKey = errors.New("unknown key")

	// ErrInvalid reports a value of the wrong type (a number where a
	// duration belongs) or one that fails validation.
	ErrInvalid = errors.New("invalid value")

	// ErrRequired reports a missing value that the caller asked for, such
	// as the Twilio auth token in [Config.RequireToken].
	ErrRequired = errors.New("required")

	// ErrUnsupportedFormat reports a configuration file whose extension is
	// not .yaml, .yml or .toml.
	ErrUnsupportedFormat = errors.New("unsupported file format")

	// ErrSyntax reports a configuration file that does not parse.
	ErrSyntax = errors.New("syntax error")
)

// FieldError reports a problem with one configuration key. Its message is
// one line, "config: <key>: <problem>", and never contains a secret value.
type FieldError struct {
	// Key is the configuration key, such as "server.read_timeout", or,
	// for an unknown environment variable, the variable's name, such as
	// "GATEHOUSE_POLICY_FLIE".
	Key string
	// Err describes the problem. It matches ErrUnknownKey, ErrInvalid or
	// ErrRequired, or is the [io/fs] error from reading
	// twilio.auth_token_file.
	Err error
}

// Error returns "config: <key>: <problem>", the key quoted (as
// strconv.Quote does) if it holds a space, '"', '\\' or anything but
// printable ASCII: a key from a file, or a variable's name, holding a newline or a
// terminal's escape sequence can neither break the message in two nor
// forge a line of its own.
func (e *FieldError) Error() string { return "config: " + quoteName(e.Key) + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *FieldError) Unwrap() error { return e.Err }

// FileError reports a configuration file that cannot be used: it does not
// exist or cannot be read (Err matches the [io/fs] error, such as
// [io/fs.ErrNotExist]), its extension is not supported (ErrUnsupportedFormat)
// or it does not parse (ErrSyntax). The message never quotes the file's
// content.
type FileError struct {
	// Path is the configuration file as it was given.
	Path string
	// Err describes the problem.
	Err error
}

// Error returns "config: file <path>: <problem>".
func (e *FileError) Error() string { return "config: file " + e.Path + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *FileError) Unwrap() error { return e.Err }

// problem is an error whose message is msg and which matches kind with
// errors.Is. It lets a line read naturally ("must be greater than zero")
// while still carrying a sentinel.
type problem struct {
	kind error
	msg  string
}

func (p *problem) Error() string { return p.msg }
func (p *problem) Unwrap() error { return p.kind }

func newProblem(kind error, msg string) error { return &problem{kind: kind, msg: msg} }
