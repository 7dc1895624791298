package policies_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/policies"
)

// FuzzParseTests: ParseTests never panics; what it refuses, it refuses as
// *LineErrors at lines of the file; what it accepts is well formed, and
// each accepted row, written back with Test.String, parses to itself.
func FuzzParseTests(f *testing.F) {
	for _, seed := range []string{
		"",
		"allow, /, view, group:twilio\n",
		"# c\ndeny,/restricted,restricted,group:twilio,account:AC1\n\ndeny, /, view\n",
		"\uFEFFallow, /, view\r\n",
		"maybe, /, view\n",
		"allow, /, *\n",
		"allow, x, view\n",
		"allow, /\n",
		"allow, /, view, \xff\n",
		"allow, /a//b, view, ,\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		tests, err := policies.ParseTests("fuzz.csv", data)
		if err != nil {
			if tests != nil {
				t.Fatalf("ParseTests returned tests and an error: %v", err)
			}
			for _, le := range lineErrors(t, err) {
				if le.File != "fuzz.csv" || le.Line < 1 || le.Line > lines {
					t.Fatalf("problem at %s:%d in a file of %d lines", le.File, le.Line, lines)
				}
			}
			return
		}
		for _, tt := range tests {
			if tt.File != "fuzz.csv" || tt.Line < 1 || tt.Line > lines {
				t.Fatalf("test at %s:%d in a file of %d lines", tt.File, tt.Line, lines)
			}
			if !strings.HasPrefix(tt.Resource, "/") || tt.Permission == "" || tt.Permission == "*" {
				t.Fatalf("accepted malformed question %+v", tt)
			}
			again, err := policies.ParseTests("again.csv", []byte(tt.String()+"\n"))
			if err != nil || len(again) != 1 {
				t.Fatalf("row %q written back as %q: %v, %d tests", data, tt.String(), err, len(again))
			}
			a := again[0]
			if a.Allow != tt.Allow || a.Resource != tt.Resource || a.Permission != tt.Permission || !slices.Equal(a.Principals, tt.Principals) {
				t.Fatalf("round trip of %+v gave %+v", tt, a)
			}
		}
	})
}
