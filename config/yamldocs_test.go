package config

import (
	"errors"
	"testing"
)

func TestOneYAMLDocument(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		ok         bool
	}{
		{"empty", "", true},
		{"one document", "listen: \":1\"\n", true},
		{"started with ---", "---\nlisten: \":1\"\n", true},
		{"directive, then ---", "%YAML 1.2\n---\nlisten: \":1\"\n", true},
		{"comment, then ---", "# settings\n--- # the one document\nlisten: \":1\"\n", true},
		{"ended with ...", "listen: \":1\"\n...\n# end\n", true},
		{"a trailing ---", "listen: \":1\"\n---\n", true},
		{"a trailing --- and a comment", "listen: \":1\"\n---\n# nothing more\n\n", true},
		{"CRLF and a BOM", "\ufeff---\r\nlisten: \":1\"\r\n---\r\n", true},
		{"--- indented, inside a block scalar", "apology:\n  text: |\n    ---\n    sorry\n", true},
		{"markers without white space after them", "a: ---x\nb: ...y\n----: 1\n", true},
		{"a plain scalar holding ---", "apology:\n  text: a --- b\n", true},
		// A syntax error in the first document is Viper's to report.
		{"a tab after --- is no marker", "a: 1\n---\tb: 2\n", true},

		{"two documents", "listen: \":9000\"\n---\npublc_url: https://ivr.example.com\n", false},
		{"two documents, the first empty", "---\n---\nlisten: \":9000\"\n", false},
		{"content on the --- line", "a: 1\n--- b\n", false},
		{"content after ...", "a: 1\n...\nb: 2\n", false},
		{"... then ---", "a: 1\n...\n%TAG ! tag:x,2026:\n---\nb: 2\n", false},
		{"bad YAML in a second document", "listen: \":9000\"\n---\nlisten: [\n", false},
		{"a second document of null", "a: 1\n---\nnull\n", false},
		{"CRLF", "a: 1\r\n---\r\nb: 2\r\n", false},
		{"lone CRs", "a: 1\r---\rb: 2\r", false},
		{"NEL", "a: 1\u0085---\u0085b: 2\n", false},
		{"LS", "a: 1\u2028---\u2028b: 2\n", false},
		{"PS", "a: 1\u2029...\u2029b: 2\n", false},
		{"--- at column 0 ends a block scalar", "apology:\n  text: |\n    sorry\n---\nb: 2\n", false},
		// Where the parser ends the first document with no marker.
		{"an indented first line", " listen: \":9000\"\npublic_url: https://ivr.example.com\nbogus_key: 1\n", false},
		{"a flow mapping, then a key", "{listen: \":9000\"}\nbogus_key: 1\n", false},
		{"JSON lines", "{\"listen\": \":1\"}\n{\"debug_authorization\": true}\n", false},
		{"two flow mappings on one line", "{listen: \":1\"} {debug_authorization: true}\n", false},
		{"a directive after content", "listen: \":9000\"\n%YAML 1.1\n\nbogus_key: 1\n", false},
		{"UTF-16LE, two documents", utf16le("listen: \":9000\"\n---\nbogus_key: 1\n"), false},
		{"a BOM line in the second document", "listen: \":9000\"\n---\n\ufeff#x: {bogus_key: 1}\n", false},
	} {
		err := oneYAMLDocument([]byte(tt.data))
		if ok := err == nil; ok != tt.ok {
			t.Errorf("%s: oneYAMLDocument(%q) = %v, want accepted: %v", tt.name, tt.data, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: error %v, want ErrSyntax", tt.name, err)
		}
	}
}

// utf16le encodes ASCII s as UTF-16LE with a byte order mark, as Windows
// PowerShell writes files.
func utf16le(s string) string {
	b := []byte{0xff, 0xfe}
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return string(b)
}
