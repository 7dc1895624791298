package policies_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/policies"
)

// lineErrors returns the *LineError values joined in err, in order.
func lineErrors(t *testing.T, err error) []*policies.LineError {
	t.Helper()
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []*policies.LineError
	for _, e := range errs {
		var le *policies.LineError
		if !errors.As(e, &le) {
			t.Fatalf("error %v is not a *LineError", e)
		}
		out = append(out, le)
	}
	return out
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		wantLine int
		wantErr  error
	}{
		{"unknown row type", "x, a, /, view, allow", 1, policies.ErrRowType},
		{"capital row type", "P, a, /, view, allow", 1, policies.ErrRowType},
		{"row type only", "p", 1, policies.ErrFieldCount},
		{"p with 3 fields", "# header\n\np, a, /, view", 3, policies.ErrFieldCount},
		{"p with 5 fields", "p, a, /, view, allow, extra", 1, policies.ErrFieldCount},
		{"trailing comma", "p, a, /, view, allow,", 1, policies.ErrFieldCount},
		{"g with 1 field", "g, a", 1, policies.ErrFieldCount},
		{"g with 3 fields", "g, a, b, c", 1, policies.ErrFieldCount},
		{"empty principal", "p, , /, view, allow", 1, policies.ErrEmptyField},
		{"empty permission", "p, a, /, , allow", 1, policies.ErrEmptyField},
		{"empty group", "g, a,", 1, policies.ErrEmptyField},
		{"capital effect", "p, a, /, view, Allow", 1, policies.ErrEffect},
		{"unknown effect", "p, a, /, view, permit", 1, policies.ErrEffect},
		{"everyone made authenticated", "p, system.Authenticated, /, view, allow\ng, system.Everyone, system.Authenticated", 2, policies.ErrSystemGroup},
		{"everyone made Twilio", "p, group:twilio, /, view, allow\ng, system.Everyone, group:twilio", 2, policies.ErrProvenGroup},
		{"a user made an account", "g, user:alice, account:AC0123456789abcdef0123456789abcdef\np, a, /, view, allow", 1, policies.ErrProvenGroup},
		{"a misspelt DENY_ALL", "p, a, /, view, allow\np, system.everyone, /admin, *, deny", 2, policies.ErrUnknownSystem},
		{"a misspelt system principal as a member", "g, system.Authenticted, group:a\np, group:a, /, view, allow", 1, policies.ErrUnknownSystem},
		{"an unknown system principal", "p, system.Admin, /, *, allow", 1, policies.ErrUnknownSystem},
		{"relative resource", "p, a, community, view, allow", 1, policies.ErrResource},
		{"trailing slash", "p, a, /community/, view, allow", 1, policies.ErrResource},
		{"empty segment", "p, a, /community//blog, view, allow", 1, policies.ErrResource},
		{"dot segment", "p, a, /community/./blog, view, allow", 1, policies.ErrResource},
		{"dot-dot segment", "p, a, /community/.., view, allow", 1, policies.ErrResource},
		{"space in principal", "p, fred flintstone, /, view, allow", 1, policies.ErrCharacter},
		{"tab in member", "g, fred\tflintstone, group:a", 1, policies.ErrCharacter},
		{"double quote", `p, "fred", /, view, allow`, 1, policies.ErrCharacter},
		{"single quote", "p, fred's, /, view, allow", 1, policies.ErrCharacter},
		{"control character", "p, fred\x00, /, view, allow", 1, policies.ErrCharacter},
		{"invalid UTF-8", "p, fred\xff, /, view, allow", 1, policies.ErrCharacter},
		{"inline comment", "p, a, /, view, allow # comment", 1, policies.ErrCharacter},
		{"after CRLF lines", "# a\r\n# b\r\np, a, /, view, deny!\r\n", 3, policies.ErrEffect},
		// A line break other than \n inside a line: a terminal shows a
		// deny row after it on a line of its own, which the comment
		// before it hides from the parser.
		{"a lone CR after a comment", "# closed:\rp, system.Everyone, /, *, deny\np, a, /, view, allow", 1, policies.ErrCharacter},
		{"a vertical tab after a comment", "# closed:\vp, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
		{"a form feed after a comment", "# closed:\fp, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
		{"NEL after a comment", "# closed:\u0085p, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
		{"a line separator after a comment", "# closed:\u2028p, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
		{"a paragraph separator in a row", "p, a, /, view, allow\u2029p, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
		// Escape sequences a terminal acts on: a new line (ESC E, ESC D,
		// CSI 1E), or erasing the line above, which hides a row.
		{"ESC E in a comment", "# closed:\x1bEp, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
		{"ESC D in a comment", "# closed:\x1bDp, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
		{"CSI 1E in a comment", "# closed:\x1b[1Ep, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
		{"erasing the row above", "p, system.Everyone, /admin, *, allow\n#\x1b[1A\x1b[2K\x1b[1G# (nothing)", 2, policies.ErrCharacter},
		{"a file separator in a comment", "# closed:\x1cp, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
		{"a bidi override in a comment", "# \u202e yned ,* ,/ ,enoyrevE.metsys ,p", 1, policies.ErrCharacter},
		{"a byte that is not UTF-8 in a comment", "# closed:\x85p, system.Everyone, /, *, deny", 1, policies.ErrCharacter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := policies.Parse("policy.csv", []byte(tt.input))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.input, f)
			}
			if f != nil {
				t.Errorf("Parse(%q) returned a file with its error", tt.input)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Parse(%q) error = %v, want one matching %v", tt.input, err, tt.wantErr)
			}
			les := lineErrors(t, err)
			if len(les) != 1 {
				t.Fatalf("Parse(%q) reported %d problems, want 1: %v", tt.input, len(les), err)
			}
			if les[0].File != "policy.csv" || les[0].Line != tt.wantLine {
				t.Errorf("Parse(%q) problem at %s:%d, want policy.csv:%d", tt.input, les[0].File, les[0].Line, tt.wantLine)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	input := strings.Join([]string{
		"# policy with problems",     // 1
		"p, a, /, view, allow",       // 2: fine
		"p, a, /, view",              // 3: field count
		"",                           // 4
		"q, a, b",                    // 5: row type
		"p, , relative, view, maybe", // 6: three problems
		"g, a, b",                    // 7: fine
	}, "\n")
	_, err := policies.Parse("policy.csv", []byte(input))
	type problem struct {
		line int
		err  error
	}
	want := []problem{
		{3, policies.ErrFieldCount},
		{5, policies.ErrRowType},
		{6, policies.ErrEmptyField},
		{6, policies.ErrResource},
		{6, policies.ErrEffect},
	}
	les := lineErrors(t, err)
	if len(les) != len(want) {
		t.Fatalf("got %d problems, want %d: %v", len(les), len(want), err)
	}
	for i, le := range les {
		if le.Line != want[i].line || !errors.Is(le, want[i].err) {
			t.Errorf("problem %d = line %d %v, want line %d matching %v", i, le.Line, le.Err, want[i].line, want[i].err)
		}
	}
	if got := strings.Count(err.Error(), "\n") + 1; got != len(want) {
		t.Errorf("error text has %d lines, want one per problem (%d):\n%v", got, len(want), err)
	}
}

func TestParseValid(t *testing.T) {
	input := "\uFEFF# header\r\n" +
		"\r\n" +
		"p,group:twilio,/,view,allow\r\n" +
		"  p ,  wilma , /community/blog ,\tview , deny  \r\n" +
		"   # indented comment\n" +
		"g, account:AC1, group:customers\n" +
		"p, fred, /community, *, allow" // no final newline
	f, err := policies.Parse("acl.csv", []byte(input))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []policies.Rule{
		{File: "acl.csv", Line: 3, Kind: "p", Fields: []string{"group:twilio", "/", "view", "allow"}},
		{File: "acl.csv", Line: 4, Kind: "p", Fields: []string{"wilma", "/community/blog", "view", "deny"}},
		{File: "acl.csv", Line: 6, Kind: "g", Fields: []string{"account:AC1", "group:customers"}},
		{File: "acl.csv", Line: 7, Kind: "p", Fields: []string{"fred", "/community", "*", "allow"}},
	}
	if f.Name != "acl.csv" {
		t.Errorf("Name = %q, want %q", f.Name, "acl.csv")
	}
	if !slices.EqualFunc(f.Rules, want, equalRule) {
		t.Errorf("Rules = %+v, want %+v", f.Rules, want)
	}
	wantPolicy := [][]string{
		{"group:twilio", "/", "view", "allow"},
		{"wilma", "/community/blog", "view", "deny"},
		{"fred", "/community", "*", "allow"},
	}
	if got := f.Policy(); !slices.EqualFunc(got, wantPolicy, slices.Equal) {
		t.Errorf("Policy() = %q, want %q", got, wantPolicy)
	}
	wantGrouping := [][]string{{"account:AC1", "group:customers"}}
	if got := f.Grouping(); !slices.EqualFunc(got, wantGrouping, slices.Equal) {
		t.Errorf("Grouping() = %q, want %q", got, wantGrouping)
	}
	// Policy and Grouping return copies.
	f.Policy()[0][0] = "mallory"
	if got := f.Rules[0].Fields[0]; got != "group:twilio" {
		t.Errorf("after changing Policy()'s result, Rules[0].Fields[0] = %q, want group:twilio", got)
	}
}

// A policy without a p row would deny everything: it is refused, at
// startup and on reload, as a file caught mid-write or the wrong file.
func TestParseEmpty(t *testing.T) {
	for _, input := range []string{"", "\n\n", "# only a comment\n", "g, alice, group:ops\n"} {
		_, err := policies.Parse("policy.csv", []byte(input))
		if !errors.Is(err, policies.ErrNoRules) {
			t.Errorf("Parse(%q) = %v, want ErrNoRules", input, err)
		}
	}
	if _, err := policies.Parse("policy.csv", []byte("p, system.Everyone, /, *, deny\n")); err != nil {
		t.Errorf("Parse(deny everything on purpose) = %v, want no error", err)
	}
}

func TestParseDuplicates(t *testing.T) {
	input := "p, a, /, view, allow\n" + // 1
		"p, b, /, view, deny\n" + // 2
		"p,a,/,view,allow\n" + // 3: same as 1
		"g, a, b\n" + // 4
		"g, a, b\n" + // 5: same as 4
		"p, a, /, view, deny\n" // 6: differs from 1 in effect
	f, err := policies.Parse("policy.csv", []byte(input))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	lines := func(rules []policies.Rule) []int {
		var out []int
		for _, r := range rules {
			out = append(out, r.Line)
		}
		return out
	}
	if got, want := lines(f.Rules), []int{1, 2, 4, 6}; !slices.Equal(got, want) {
		t.Errorf("Rules from lines %v, want %v", got, want)
	}
	if got, want := lines(f.Duplicates), []int{3, 5}; !slices.Equal(got, want) {
		t.Errorf("Duplicates from lines %v, want %v", got, want)
	}
}

func TestDefaultPolicy(t *testing.T) {
	f, err := policies.Parse("policy.csv", policies.DefaultPolicy())
	if err != nil {
		t.Fatalf("embedded policy.csv: %v", err)
	}
	want := [][]string{{"group:twilio", "/", "view", "allow"}}
	if got := f.Policy(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("embedded policy = %q, want %q", got, want)
	}
	if len(f.Grouping()) != 0 || len(f.Duplicates) != 0 {
		t.Errorf("embedded policy has grouping rows %q or duplicates %v, want none", f.Grouping(), f.Duplicates)
	}
	// DefaultPolicy returns a copy each time.
	p := policies.DefaultPolicy()
	clear(p)
	if again := policies.DefaultPolicy(); len(again) == 0 || again[0] == 0 {
		t.Error("DefaultPolicy's result shares memory with the embedded file")
	}
}

func TestLoadFile(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		f, err := policies.LoadFile("")
		if err != nil {
			t.Fatalf("LoadFile(\"\"): %v", err)
		}
		if want := "policy.csv (embedded)"; f.Name != want || f.Rules[0].File != want {
			t.Errorf("Name = %q, Rules[0].File = %q, want %q", f.Name, f.Rules[0].File, want)
		}
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "acl.csv")
		if err := os.WriteFile(path, []byte("p, a, /, view, allow\np, b, /x, view\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := policies.LoadFile(path)
		les := lineErrors(t, err)
		if len(les) != 1 || les[0].File != path || les[0].Line != 2 || !errors.Is(err, policies.ErrFieldCount) {
			t.Errorf("LoadFile(%q) error = %v, want a field count problem at %s:2", path, err, path)
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := policies.LoadFile(filepath.Join(t.TempDir(), "nope.csv"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("LoadFile(missing) error = %v, want one matching fs.ErrNotExist", err)
		}
	})
}

func TestRuleStringRoundTrip(t *testing.T) {
	r := policies.Rule{Kind: "p", Fields: []string{"system.Everyone", "/community", "*", "deny"}}
	if got, want := r.String(), "p, system.Everyone, /community, *, deny"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	f, err := policies.Parse("x", []byte(r.String()))
	if err != nil {
		t.Fatalf("Parse(%q): %v", r.String(), err)
	}
	if got := f.Rules[0]; got.Kind != r.Kind || !slices.Equal(got.Fields, r.Fields) {
		t.Errorf("Parse(%q) = %+v, want %+v", r.String(), got, r)
	}
}

func equalRule(a, b policies.Rule) bool {
	return a.File == b.File && a.Line == b.Line && a.Kind == b.Kind && slices.Equal(a.Fields, b.Fields)
}

// FuzzParse checks that Parse never panics, that it either accepts a file
// or reports only line problems, and that an accepted file round-trips:
// rendering its rules and parsing them again gives the same rules.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		string(policies.DefaultPolicy()),
		"p, group:twilio, /, view, allow\n",
		"p, system.Authenticated, /, view, allow\n" +
			"p, fred, /community, *, allow\n" +
			"p, wilma, /community, view, allow\n" +
			"p, system.Everyone, /community, *, deny\n" +
			"p, barney, /community/blog, view, allow\n",
		"g, a, b\ng, b, a\ng, a, b\n",
		"\uFEFF# c\r\np,a,/,view,allow\r\n",
		"p, a, /x/, view, allow\n",
		"p, a, /x//y, view, allow\n",
		"p, \"a\", /, view, allow\n",
		"x\n,\n,,,,\np\n",
		"p, a, /, view, Allow\ng, a\n",
		"p, a b, /, view, allow\n",
		"p, \xff, /, view, allow\n",
		"p, sYstEm.AuthentiCAted, /, view, allow\n", // a case variant: Lint reports it, Parse accepts it
		"p, system.everyone, /, *, deny\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := policies.Parse("fuzz.csv", data)
		// Lint reports every problem Parse does, and on a file Parse
		// accepts, only its own kinds.
		lint := policies.Lint("fuzz.csv", data)
		for _, le := range lint {
			if le.File != "fuzz.csv" || le.Line < 1 {
				t.Fatalf("lint problem at %s:%d", le.File, le.Line)
			}
			// ErrUnknownSystem too: Parse refuses the exact "system."
			// prefix, Lint also its case variants.
			own := errors.Is(le, policies.ErrDuplicate) || errors.Is(le, policies.ErrShadowed) || errors.Is(le, policies.ErrSelfMember) ||
				errors.Is(le, policies.ErrUnknownSystem)
			if err == nil && !own {
				t.Fatalf("Parse accepted the file, Lint reports %v", le)
			}
		}
		if err != nil && len(lint) < len(lineErrors(t, err)) {
			t.Fatalf("Lint reports %d problems, Parse %d", len(lint), len(lineErrors(t, err)))
		}
		if err != nil {
			if file != nil {
				t.Fatalf("Parse returned a file and an error %v", err)
			}
			for _, le := range lineErrors(t, err) {
				if le.File != "fuzz.csv" || le.Line < 1 {
					t.Fatalf("problem at %s:%d", le.File, le.Line)
				}
			}
			return
		}
		var b strings.Builder
		for _, r := range file.Rules {
			switch {
			case r.Kind == "p" && len(r.Fields) == 4:
				if e := r.Fields[3]; e != "allow" && e != "deny" {
					t.Fatalf("accepted effect %q", e)
				}
				if !strings.HasPrefix(r.Fields[1], "/") {
					t.Fatalf("accepted resource %q", r.Fields[1])
				}
			case r.Kind == "g" && len(r.Fields) == 2:
			default:
				t.Fatalf("accepted rule %+v", r)
			}
			for _, v := range r.Fields {
				if v == "" || strings.ContainsAny(v, ", \t\r\n\"'") {
					t.Fatalf("accepted field %q", v)
				}
			}
			b.WriteString(r.String())
			b.WriteString("\n")
		}
		again, err := policies.Parse("fuzz.csv", []byte(b.String()))
		if err != nil {
			t.Fatalf("re-parsing accepted rules %q: %v", b.String(), err)
		}
		if len(again.Duplicates) != 0 || len(again.Rules) != len(file.Rules) {
			t.Fatalf("re-parsing gave %d rules and %d duplicates, want %d rules", len(again.Rules), len(again.Duplicates), len(file.Rules))
		}
		for i, r := range again.Rules {
			if r.Kind != file.Rules[i].Kind || !slices.Equal(r.Fields, file.Rules[i].Fields) {
				t.Fatalf("rule %d re-parsed as %v, want %v", i, r, file.Rules[i])
			}
		}
	})
}
