package config

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// redact returns err with every secret in its message replaced by
// "[REDACTED]". Only *FieldError and *FileError, the errors this package
// returns, are rewritten: their Key or Path is scrubbed and, if the message
// of Err held a secret, Err is replaced by an error with the scrubbed
// message that still matches, with errors.Is, every target Err matched.
// Secrets shorter than minRedacted are replaced only where they stand as
// words of their own (see scrubMessage).
func redact(err error, secrets []string) error {
	switch e := err.(type) {
	case *FieldError:
		return &FieldError{Key: scrubMessage(e.Key, secrets), Err: redactInner(e.Err, secrets)}
	case *FileError:
		return &FileError{Path: scrubMessage(e.Path, secrets), Err: redactInner(e.Err, secrets)}
	}
	return err
}

func redactInner(err error, secrets []string) error {
	msg := err.Error()
	clean := scrubMessage(msg, secrets)
	if clean == msg {
		return err
	}
	// Hide the chain, whose messages hold the secret, from errors.As, but
	// keep everything it matches.
	return &redactedError{msg: clean, err: err}
}

// minRedacted is the length below which a secret (a short public_url
// password, a token like the tour's 12345) is not searched for in what is
// logged or printed as data (scrub): there it would replace parts of real
// names and hosts ("group:ops", "ivr.example.com"). An error message
// replaces it where it stands as a word of its own (scrubMessage): a
// short value quoted back whole ("got \"s3cr5\"") must still not be
// shown.
const minRedacted = 6

// urlPasswords returns what must be scrubbed from messages for a
// public_url value raw, wherever an operator pasted it: the password of
// its user information as written, decoded, and re-encoded (path and
// query spellings); and, when raw is so mistyped that RedactURL hides it
// whole, raw itself. It errs on the side of scrubbing: the password is
// everything between the first ':' after the scheme and the last '@'
// before any '?' or '#', even if it holds a '/', and a missing or
// one-slash "://" does not stop it.
func urlPasswords(raw string) []string {
	var out []string
	if RedactURL(raw) == redacted {
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

// scrub replaces every occurrence of a secret of minRedacted bytes or
// more in s, ignoring case: Viper lower-cases keys, so a token pasted as a
// key name comes back lower-cased in an unknown-key error.
func scrub(s string, secrets []string) string {
	for _, secret := range secrets {
		if len(secret) < minRedacted {
			continue
		}
		for _, sp := range spellings(secret) {
			s = replaceFold(s, sp, false)
		}
	}
	return s
}

// scrubMessage is scrub for the text of an error message, which may quote
// back a value the operator typed: a shorter secret is also replaced,
// where it stands as a word of its own, not inside a longer run of letters
// and digits (see standalone): the password "no" is in "got \"no\"" and
// in "パスワードはnoです", not in "nobody". A short secret without a letter
// or digit is no word, and is left alone: replacing "//" or "-" wherever
// it stands would mangle every URL and flag in the message.
func scrubMessage(s string, secrets []string) string {
	s = scrub(s, secrets)
	for _, secret := range secrets {
		if len(secret) >= minRedacted || !strings.ContainsFunc(secret, isWordRune) {
			continue
		}
		for _, sp := range spellings(secret) {
			s = replaceFold(s, sp, true)
		}
	}
	return s
}

// spellings returns secret as it is and the other ways a text may spell
// it, each once, to be searched for ignoring case: lower- and upper-cased,
// for the two runes whose case mapping leaves the orbit that regexp's
// folding follows (U+0130 'İ' lower-cases to 'i', U+0131 'ı' upper-cases
// to 'I'), if secret is UTF-8 (else ToLower would make U+FFFD of its
// bytes); and as %q writes it, a '"' or '\\' escaped, and a byte that is
// not UTF-8.
func spellings(secret string) []string {
	q := strconv.Quote(secret)
	out := []string{secret}
	candidates := []string{q[1 : len(q)-1]}
	if utf8.ValidString(secret) {
		candidates = append(candidates, strings.ToLower(secret), strings.ToUpper(secret))
	}
	for _, sp := range candidates {
		if !slices.Contains(out, sp) {
			out = append(out, sp)
		}
	}
	return out
}

// holdsCredential reports whether value holds one of secrets: as scrub
// finds it, for a secret of minRedacted bytes or more; a shorter one (a
// short public_url password), found the same ways, where it stands as a
// word of its own (see standalone), as scrubMessage finds it, and also
// if it has no letter or digit, which scrubMessage leaves alone: a value
// that callers hear must not hold it at all.
func holdsCredential(value string, secrets []string) bool {
	if scrub(value, secrets) != value {
		return true
	}
	for _, secret := range secrets {
		if secret == "" || len(secret) >= minRedacted {
			continue
		}
		for _, sp := range spellings(secret) {
			for _, m := range indexFold(value, sp) {
				if standalone(value, m) {
					return true
				}
			}
		}
	}
	return false
}

// standalone reports whether the match s[m[0]:m[1]] stands as a word of
// its own: it is not part of a character (a secret of bytes that are not
// UTF-8 can match inside one), and does not join the letters or digits on
// either side of it (see joins). An escape sequence just before it, as %q
// and JSON write a tab or a control byte ("\ts3cr5", "\x01s3cr5"), ends
// there: its last letter or digit joins nothing.
func standalone(s string, m []int) bool {
	if !utf8.RuneStart(s[m[0]]) || m[1] < len(s) && !utf8.RuneStart(s[m[1]]) {
		return false
	}
	match := s[m[0]:m[1]]
	before, _ := utf8.DecodeLastRuneInString(s[:m[0]])
	if endsWithEscape(s[:m[0]]) {
		before = ' '
	}
	first, _ := utf8.DecodeRuneInString(match)
	last, _ := utf8.DecodeLastRuneInString(match)
	after, _ := utf8.DecodeRuneInString(s[m[1]:])
	return !joins(before, first) && !joins(last, after)
}

// indexFold returns the start and end of every occurrence of secret in s,
// in order, ignoring case, overlapping ones included (a password "12-12"
// is in "212-12-12" twice, the second time on its own). regexp folds case
// across Unicode, but takes only UTF-8: a secret that is not (a URL's
// password may decode to any bytes) is searched for byte by byte, its
// ASCII letters in either case, and never reaches regexp, whose error (a
// panic, in MustCompile) would quote it.
func indexFold(s, secret string) [][]int {
	var out [][]int
	if utf8.ValidString(secret) {
		re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(secret))
		for i := 0; i < len(s); {
			m := re.FindStringIndex(s[i:])
			if m == nil {
				break
			}
			start, end := i+m[0], i+m[1]
			out = append(out, []int{start, end})
			_, width := utf8.DecodeRuneInString(s[start:])
			i = start + width
		}
		return out
	}
	for i := 0; len(s)-i >= len(secret); i++ {
		if asciiEqualFold(s[i:i+len(secret)], secret) {
			out = append(out, []int{i, i + len(secret)})
		}
	}
	return out
}

// endsWithEscape reports whether s ends with an escape sequence of a Go or
// JSON string literal (a backslash and one of abfnrtv, \xHH, \uHHHH,
// \UHHHHHHHH, or three octal digits) or of a URL (%HH, as net/url's
// errors re-escape a request's URL). (A backslash that is itself escaped
// counts too: hiding a little too much is safe.)
func endsWithEscape(s string) bool {
	if len(s) >= 2 && s[len(s)-2] == '\\' && strings.IndexByte("abfnrtv", s[len(s)-1]) >= 0 {
		return true
	}
	hex := func(t string) bool {
		return t != "" && strings.Trim(t, "0123456789abcdefABCDEF") == ""
	}
	for _, e := range []struct {
		lead string
		n    int
	}{{`\x`, 2}, {`\u`, 4}, {`\U`, 8}, {`%`, 2}} {
		if k := len(s) - len(e.lead) - e.n; k >= 0 && s[k:k+len(e.lead)] == e.lead && hex(s[k+len(e.lead):]) {
			return true
		}
	}
	k := len(s) - 4
	return k >= 0 && s[k] == '\\' && strings.Trim(s[k+1:], "01234567") == ""
}

// isWordRune reports whether r is a letter or a digit.
func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// joins reports whether runes a and b, side by side, belong to one run of
// letters and digits: both are letters or digits, of one script (a digit
// joins any), and neither of a script written without spaces between
// words (Han, kana, Thai), where any character may end a word.
func joins(a, b rune) bool {
	if !isWordRune(a) || !isWordRune(b) {
		return false
	}
	if unicode.In(a, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai) ||
		unicode.In(b, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai) {
		return false
	}
	if unicode.IsDigit(a) || unicode.IsDigit(b) {
		return true
	}
	for _, script := range []*unicode.RangeTable{unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Arabic, unicode.Hebrew, unicode.Hangul} {
		if unicode.Is(script, a) != unicode.Is(script, b) {
			return false
		}
	}
	return true
}

// replaceFold replaces every occurrence of secret in s with redacted,
// ignoring case (see indexFold), or with words only those that stand as
// words of their own (see standalone): the leftmost first, then the next
// that does not overlap it, as regexp's ReplaceAll does.
func replaceFold(s, secret string, words bool) string {
	var b strings.Builder
	at := 0
	for _, m := range indexFold(s, secret) {
		if m[0] < at || words && !standalone(s, m) {
			continue
		}
		b.WriteString(s[at:m[0]])
		b.WriteString(redacted)
		at = m[1]
	}
	if at == 0 {
		return s
	}
	b.WriteString(s[at:])
	return b.String()
}

// asciiEqualFold reports whether a and b, of equal length, are equal with
// ASCII letters compared in either case and every other byte as it is.
func asciiEqualFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// secrets returns every credential c holds, for scrubbing: each token of
// [Config.Tokens] and the password of public_url in every spelling
// urlPasswords finds.
func (c *Config) secrets() []string {
	tokens := c.Tokens()
	secrets := make([]string, 0, len(tokens)+4)
	for _, t := range tokens {
		secrets = append(secrets, t.Reveal())
	}
	return append(secrets, urlPasswords(c.PublicURL)...)
}

// Redact returns s with every credential c holds replaced by "[REDACTED]",
// ignoring case: each token of [Config.Tokens] and the password of
// public_url. A value shorter than six bytes is not searched for: it
// would rewrite real names and hosts ("group:ops"); an error message
// replaces it where it stands as a word (see [Config.RedactMessage]).
// Use it on any text built from a configured value (a policy file's path, a
// support number) before it reaches a log line or a message, in case a
// credential was pasted into the wrong key. A nil c redacts nothing.
func (c *Config) Redact(s string) string {
	if c == nil {
		return s
	}
	return scrub(s, c.secrets())
}

// RedactMessage is [Config.Redact] for the text of an error message,
// which may quote back a value the operator typed: a credential shorter
// than six bytes is also replaced, where it stands as a word of its own
// (not inside a longer run of letters and digits, nor after an escape
// sequence such as \t), as [Config.RedactError] replaces it.
func (c *Config) RedactMessage(s string) string {
	if c == nil {
		return s
	}
	return scrubMessage(s, c.secrets())
}

// RedactError is [Config.RedactMessage] for errors. It returns err itself if its
// message holds no credential of c. Otherwise it returns an error whose
// message is err's with every credential replaced by "[REDACTED]", and
// which matches with [errors.Is] every target that err matches. A
// [*FieldError] or [*FileError] stays one, with its Key or Path redacted,
// and an [errors.Join] stays a join of redacted errors; any other error's
// chain is hidden from [errors.As], since the errors inside it still hold
// the credential. A nil err or c returns err.
func (c *Config) RedactError(err error) error {
	if c == nil || err == nil {
		return err
	}
	return redactError(err, c.secrets())
}

// redactError is RedactError with the secrets given.
func redactError(err error, secrets []string) error {
	msg := err.Error()
	clean := scrubMessage(msg, secrets)
	if clean == msg {
		return err
	}
	switch e := err.(type) {
	case *FieldError, *FileError:
		return redact(err, secrets)
	case interface{ Unwrap() []error }:
		// Rebuilt as a join only if it reads as one, so that the message
		// stays what it was, redacted.
		errs := e.Unwrap()
		msgs := make([]string, len(errs))
		for i, inner := range errs {
			msgs[i] = inner.Error()
		}
		if strings.Join(msgs, "\n") == msg {
			out := make([]error, len(errs))
			for i, inner := range errs {
				out[i] = redactError(inner, secrets)
			}
			return errors.Join(out...)
		}
	}
	return &redactedError{msg: clean, err: err}
}

// redactedError is an error whose message had a credential replaced. It
// matches what the original matched with errors.Is, but does not unwrap
// to it: errors.As would hand out the original's fields, credential
// included.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original error matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
