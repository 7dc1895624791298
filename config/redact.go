package config

import (
	"errors"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
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

// urlPasswords returns what must be scrubbed from messages for a
// public_url value raw, wherever an operator pasted it: the password of
// its user information as written, decoded, and re-encoded (path and
// query spellings); and, when raw is so mistyped that redactURL hides it
// whole, raw itself. It errs on the side of scrubbing: the password is
// everything between the first ':' after the scheme and the last '@'
// before any '?' or '#', even if it holds a '/', and a missing or
// one-slash "://" does not stop it.
func urlPasswords(raw string) []string {
	var out []string
	if redactURL(raw) == redacted {
		out = append(out, raw)
	}
	// Read raw with its scheme, if it has one, and as if it had none
	// ("u:pw@h" is scheme "u" to a URL parser).
	forms := []string{raw}
	if i := strings.Index(raw, "://"); i >= 0 {
		forms = append(forms, raw[i+3:])
	} else if i := strings.IndexByte(raw, ':'); i > 0 && !strings.ContainsAny(raw[:i], "@/?#") {
		forms = append(forms, strings.TrimLeft(raw[i+1:], "/")) // "https:/u:p@h", "https:u:p@h"
	}
	for _, rest := range forms {
		if i := strings.IndexAny(rest, "?#"); i >= 0 {
			rest = rest[:i]
		}
		at := strings.LastIndexByte(rest, '@')
		if at < 0 {
			continue
		}
		_, pw, ok := strings.Cut(rest[:at], ":")
		if !ok || pw == "" {
			continue
		}
		// As written, decoded, and the decoded password re-encoded the
		// other ways it may be spelled.
		spellings := []string{pw}
		for _, unescape := range []func(string) (string, error){url.PathUnescape, url.QueryUnescape} {
			if dec, err := unescape(pw); err == nil {
				spellings = append(spellings, dec, url.PathEscape(dec), url.QueryEscape(dec))
			}
		}
		for _, sp := range spellings {
			if !slices.Contains(out, sp) {
				out = append(out, sp)
			}
		}
	}
	return out
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
