package views

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyRepr renders s as Python's repr renders a str, as Pyramid's %r does in
// a debug_authorization line: in single quotes, or in double quotes if s
// holds a single quote and no double quote; the backslash and the chosen
// quote escaped; \t, \n and \r as such; other non-printable characters and
// invalid UTF-8 as \xhh, \uhhhh or \Uhhhhhhhh. A log line therefore never
// breaks on a control character in a view name or a resource.
func pyRepr(s string) string {
	q := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteRune(q)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i-1])
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
	}
	b.WriteRune(q)
	return b.String()
}
