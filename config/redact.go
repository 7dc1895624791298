package config

import (
	"errors"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
)

// redact returns err with every secret in its message replaced by
// "[REDACTED]". Only *FieldError and *FileError, the errors this package
// returns, are rewritten: their Key or Path is scrubbed and, if the message
// of Err held a secret, Err is replaced by an error with the scrubbed
// message that still matches the sentinel Err matched. Secrets shorter than
// minRedacted are ignored.
func redact(err error, secrets []string) error {
	switch e := err.(type) {
	case *FieldError:
		return &FieldError{Key: scrub(e.Key, secrets), Err: redactInner(e.Err, secrets)}
	case *FileError:
		return &FileError{Path: scrub(e.Path, secrets), Err: redactInner(e.Err, secrets)}
	}
	return err
}

func redactInner(err error, secrets []string) error {
	msg := err.Error()
	clean := scrub(msg, secrets)
	if clean == msg {
		return err
	}
	// Drop the chain, whose messages hold the secret, but keep what it
	// matched.
	var kind error
	for _, k := range []error{ErrUnknownKey, ErrInvalid, ErrRequired, ErrUnsupportedFormat, ErrSyntax,
		fs.ErrNotExist, fs.ErrPermission, fs.ErrInvalid} {
		if errors.Is(err, k) {
			kind = k
			break
		}
	}
	return &problem{kind: kind, msg: clean}
}

// minRedacted is the length below which a secret is not searched for in
// messages: replacing every "a" or "1" would make messages unreadable, and
// so short a value protects nothing anyway.
const minRedacted = 6

// urlPasswords returns the password of raw's user information, as written
// and, if that differs, percent-decoded, so that messages can scrub it
// wherever an operator pasted the URL. A URL without a password yields
// none.
func urlPasswords(raw string) []string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return nil
	}
	_, pw, ok := strings.Cut(rest[:at], ":")
	if !ok || pw == "" {
		return nil
	}
	if dec, err := url.PathUnescape(pw); err == nil && dec != pw {
		return []string{pw, dec}
	}
	return []string{pw}
}

// scrub replaces every occurrence of a secret in s, ignoring case: Viper
// lower-cases keys, so a token pasted as a key name comes back lower-cased
// in an unknown-key error.
func scrub(s string, secrets []string) string {
	for _, secret := range secrets {
		if len(secret) < minRedacted {
			continue
		}
		re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(secret))
		s = re.ReplaceAllLiteralString(s, redacted)
	}
	return s
}
