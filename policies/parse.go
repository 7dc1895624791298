package policies

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Row kinds: the first field of every row.
const (
	KindPolicy   = "p" // p, <principal>, <resource>, <permission>, <allow|deny>
	KindGrouping = "g" // g, <member principal>, <group principal>
)

// The fields each row kind needs after its kind, by name.
var (
	policyFields   = [...]string{"principal", "resource", "permission", "effect"}
	groupingFields = [...]string{"member", "group"}
)

// Rule is one row of a policy file.
type Rule struct {
	File string // name of the file the row came from
	Line int    // 1-based line number in that file
	Kind string // KindPolicy or KindGrouping
	// Fields are the trimmed fields after the kind: principal, resource,
	// permission and effect for a p row; member and group for a g row.
	Fields []string
}

// String renders r as a policy file row, e.g.
// "p, group:twilio, /, view, allow". Parsing the result gives r back.
func (r Rule) String() string {
	return strings.Join(append([]string{r.Kind}, r.Fields...), ", ")
}

// File is a parsed, valid policy file.
type File struct {
	// Name is the file's name as given to Parse, or "policy.csv (embedded)"
	// for the embedded default.
	Name string
	// Rules are the file's rows in file order, each kept once.
	Rules []Rule
	// Duplicates are the rows dropped from Rules because they repeat an
	// earlier row exactly. A duplicate can never decide anything, so it is
	// not an error; a linter may still report it.
	Duplicates []Rule
}

// Policy returns the fields of the p rows, in file order: principal,
// resource, permission, effect. The result is a copy.
func (f *File) Policy() [][]string { return f.rows(KindPolicy) }

// Grouping returns the fields of the g rows, in file order: member, group.
// The result is a copy.
func (f *File) Grouping() [][]string { return f.rows(KindGrouping) }

func (f *File) rows(kind string) [][]string {
	var out [][]string
	for _, r := range f.Rules {
		if r.Kind == kind {
			out = append(out, slices.Clone(r.Fields))
		}
	}
	return out
}

// LoadFile reads and parses the policy file at path. An empty path loads
// the embedded default (see DefaultPolicy) under the name
// "policy.csv (embedded)".
func LoadFile(path string) (*File, error) {
	if path == "" {
		return Parse(embeddedPolicyName, []byte(defaultPolicy))
	}
	data, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	return Parse(path, data)
}

// Parse parses a policy file; name is used in errors and in Rule.File.
//
// Each line is blank, a comment (its first non-blank character is #), or a
// row of comma-separated fields, trimmed of surrounding white space:
//
//	p, <principal>, <resource>, <permission>, <allow|deny>
//	g, <member principal>, <group principal>
//
// Parsing is strict. A row is malformed if its kind is not p or g, it has
// the wrong number of fields, a field is empty or holds white space, a
// quote, a non-printable character or invalid UTF-8, its effect is not
// exactly allow or deny, or its resource is not a clean slash path (starts
// with /, no empty, . or .. segment, no trailing slash except the root /).
// Parse reports every problem of the file, each as a *LineError, joined
// with errors.Join, and then returns a nil *File. Rows that repeat an
// earlier row exactly are moved to File.Duplicates.
func Parse(name string, data []byte) (*File, error) {
	f, errs := parse(name, data)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return f, nil
}

// parse parses what it can: it returns the well-formed rows in f, and a
// *LineError for each problem of the others.
func parse(name string, data []byte) (f *File, errs []error) {
	f = &File{Name: name}
	seen := make(map[string]bool)
	lines, errs := scanRows(name, data, func(n int, fields []string) []error {
		rule, problems := parseRow(fields)
		if len(problems) > 0 {
			return problems
		}
		rule.File, rule.Line = name, n
		key := rule.String()
		if seen[key] {
			f.Duplicates = append(f.Duplicates, rule)
			return nil
		}
		seen[key] = true
		f.Rules = append(f.Rules, rule)
		return nil
	})
	if len(errs) == 0 && len(f.Policy()) == 0 {
		errs = append(errs, &LineError{File: name, Line: max(lines, 1), Err: problemf(ErrNoRules,
			"the policy has no p rows: it would deny everything (to mean that, write: p, system.Everyone, /, *, deny)")})
	}
	return f, errs
}

// scanRows calls row with the number and the fields of each row of a
// policy or test file (a line that is neither blank nor a # comment), in
// order: the line split at commas, each field trimmed of white space. A
// line with a character that a reader would see acted on (see
// actedOnCharacter) is not a row: it is a problem of its own. scanRows
// returns the number of lines, and a *LineError for each problem, of the
// lines themselves and of the rows, in line order.
func scanRows(name string, data []byte, row func(n int, fields []string) []error) (lines int, errs []error) {
	n := 0
	for line := range strings.Lines(strings.TrimPrefix(string(data), "\uFEFF")) {
		n++
		line = strings.TrimSpace(line)
		if err := actedOnCharacter(line); err != nil {
			errs = append(errs, &LineError{File: name, Line: n, Err: err})
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		for _, err := range row(n, fields) {
			errs = append(errs, &LineError{File: name, Line: n, Err: err})
		}
	}
	return n, errs
}

// parseRow parses the fields of one row (see scanRows). It returns the
// row's problems, at most one per field.
func parseRow(fields []string) (Rule, []error) {
	kind, values := fields[0], fields[1:]
	var names []string
	switch kind {
	case KindPolicy:
		names = policyFields[:]
	case KindGrouping:
		names = groupingFields[:]
	default:
		return Rule{}, []error{problemf(ErrRowType, "unknown row type %q, want p or g", kind)}
	}
	if len(values) != len(names) {
		return Rule{}, []error{problemf(ErrFieldCount, "%s row needs %d fields (%s), got %d",
			kind, len(names), strings.Join(names, ", "), len(values))}
	}
	var problems []error
	for i, v := range values {
		if err := checkField(names[i], v); err != nil {
			problems = append(problems, err)
		}
	}
	if kind == KindGrouping && strings.HasPrefix(values[1], systemPrefix) {
		problems = append(problems, problemf(ErrSystemGroup,
			"group %q is a system principal: only authentication gives those, never a g row", values[1]))
	}
	if kind == KindGrouping && (values[1] == twilioGroup || strings.HasPrefix(values[1], accountPrefix)) {
		problems = append(problems, problemf(ErrProvenGroup,
			"group %q is proved by a verified Twilio signature only, never by a g row: its members would pass as Twilio", values[1]))
	}
	if p := values[0]; strings.HasPrefix(p, systemPrefix) && p != everyone && p != authenticated {
		problems = append(problems, problemf(ErrUnknownSystem,
			"%s %q is not a system principal that authentication gives (%s, %s): no request holds it, so the row could never apply",
			names[0], p, everyone, authenticated))
	}
	return Rule{Kind: kind, Fields: values}, problems
}

// checkField returns the first problem of the field called name, or nil.
func checkField(name, v string) error {
	if v == "" {
		return problemf(ErrEmptyField, "empty %s", name)
	}
	if !utf8.ValidString(v) {
		return problemf(ErrCharacter, "%s %q is not valid UTF-8", name, v)
	}
	for _, r := range v {
		switch {
		case unicode.IsSpace(r):
			return problemf(ErrCharacter, "%s %q contains white space", name, v)
		case r == '"' || r == '\'':
			return problemf(ErrCharacter, "%s %q contains a quote", name, v)
		case !unicode.IsPrint(r):
			return problemf(ErrCharacter, "%s %q contains a non-printable character", name, v)
		}
	}
	switch name {
	case "effect":
		if v != "allow" && v != "deny" {
			return problemf(ErrEffect, "effect must be allow or deny, got %q", v)
		}
	case "resource":
		return checkResource(v)
	}
	return nil
}

// checkResource reports whether v is a clean slash path: the root "/", or
// "/" followed by non-empty segments other than "." and "..", separated by
// single slashes, with no trailing slash.
func checkResource(v string) error {
	if !strings.HasPrefix(v, "/") {
		return problemf(ErrResource, "resource %q must start with /", v)
	}
	if v == "/" {
		return nil
	}
	if strings.HasSuffix(v, "/") {
		return problemf(ErrResource, "resource %q must not end with /", v)
	}
	for seg := range strings.SplitSeq(v[1:], "/") {
		switch seg {
		case "":
			return problemf(ErrResource, "resource %q has an empty segment", v)
		case ".", "..":
			return problemf(ErrResource, "resource %q has a %q segment", v, seg)
		}
	}
	return nil
}

// actedOnCharacter refuses a line (comments included) that holds a character a
// terminal or an editor may act on rather than show: a control character
// other than tab (C0, DEL, C1: a lone carriage return, a vertical tab, a
// form feed, NEL, an escape sequence that moves the cursor or erases a
// line), a Unicode line or paragraph separator, a bidirectional control
// (which reorders what is shown, as in "Trojan Source"), or a byte that is
// not UTF-8 (0x85 is NEL to an 8-bit terminal). "# closed for now:\rp,
// system.Everyone, /, *, deny" is one comment line to the parser, but a
// terminal shows the deny row on a line of its own: a reviewer would read
// a DENY_ALL that is not there, or miss a row that is. (White space at
// either end of a line, the \r of a CRLF line ending or a form feed page
// break included, is trimmed before: next to the \n, it stands between no
// comment and no row.)
func actedOnCharacter(line string) error {
	for i, r := range line {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(line[i:], "\uFFFD"):
			return problemf(ErrCharacter, "the line holds a byte that is not UTF-8 (0x%02x): a terminal may act on it rather than show it", line[i])
		case r == '\t':
		case r < 0x20, r == 0x7f, 0x80 <= r && r <= 0x9f, r == 0x2028, r == 0x2029, unicode.Is(unicode.Bidi_Control, r):
			return problemf(ErrCharacter, "the line holds a control character (%U): a terminal or an editor may act on it rather than show it, "+
				"and show a line that is not there, or hide one that is, a comment included", r)
		}
	}
	return nil
}

// The principals that only a verified Twilio signature proves (authn's
// TwilioGroup and AccountPrefix; this package may not import authn, and
// app's TestProvenGroupsRefused holds the two to each other): no g row
// may make them groups.
const (
	twilioGroup   = "group:twilio"
	accountPrefix = "account:"
)
