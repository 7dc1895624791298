package authz

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Repr renders s as Python's repr renders a str, the quoting of every
// explanation (Decision.String, ACE.String) and of Pyramid's
// debug_authorization line: in single quotes, or in
// double quotes if s holds a single quote and no double quote; with the
// backslash and the chosen quote escaped; with \t, \n, \r and other
// non-printable characters escaped as \xhh, \uhhhh or \Uhhhhhhhh. Bytes that
// are not valid UTF-8 are escaped as \xhh.
func Repr(s string) string {
	q := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteRune(q)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' || r == q:
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	b.WriteRune(q)
	return b.String()
}
