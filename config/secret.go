package config

import (
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
)

// redacted is what every formatting path prints in place of a non-empty
// Secret.
const redacted = "[REDACTED]"

// Secret holds a credential such as a Twilio auth token. Every way of
// formatting it — String, GoString, every fmt verb (%v, %s, %q, %+v, %#v,
// %x, ...), LogValue for [log/slog], MarshalText and MarshalJSON — renders
// "[REDACTED]", or "" for an empty Secret so that "not set" stays visible.
//
// [Secret.Reveal] is the only method that returns the value. Prefer it to a
// string conversion so that every place that handles the credential is easy
// to find.
type Secret string

// Reveal returns the credential. Call it only where the value is used, for
// example to compute an HMAC, and never pass the result to a logger or an
// error.
func (s Secret) Reveal() string { return string(s) }

// String returns "[REDACTED]", or "" if s is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the quoted redaction, `"[REDACTED]"`, or `""` if s is
// empty.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format implements [fmt.Formatter] so that every verb, flag and width
// applies to the redaction and never to the value. %q and %#v quote it, as
// they would a string; every other verb prints it as %s would.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v', 'q':
		fmt.Fprintf(f, fmt.FormatString(f, verb), s.String())
	default:
		fmt.Fprintf(f, fmt.FormatString(f, 's'), s.String())
	}
}

// LogValue implements [slog.LogValuer]: a Secret logs as "[REDACTED]", or ""
// if it is empty.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements [encoding.TextMarshaler] with the redaction.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON implements [json.Marshaler] with the redaction as a JSON
// string.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Interface guards.
var (
	_ fmt.Stringer           = Secret("")
	_ fmt.GoStringer         = Secret("")
	_ fmt.Formatter          = Secret("")
	_ slog.LogValuer         = Secret("")
	_ encoding.TextMarshaler = Secret("")
	_ json.Marshaler         = Secret("")
)
