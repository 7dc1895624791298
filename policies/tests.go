package policies

import (
	"errors"
	"fmt"
	"strings"
)

// Test is one row of a policy test file: a question and the answer the
// policy must give.
type Test struct {
	File string // name of the file the row came from
	Line int    // 1-based line number in that file
	// Allow is the expected answer: true for allow, false for deny.
	Allow bool
	// Resource and Permission are the question.
	Resource, Permission string
	// Principals are the principals the request proved, as written; the
	// runner adds system.Everyone and system.Authenticated as authn would.
	// Empty means an unauthenticated request.
	Principals []string
}

// String renders t as a test file row, e.g.
// "allow, /, view, group:twilio".
func (t Test) String() string {
	expect := "deny"
	if t.Allow {
		expect = "allow"
	}
	return strings.Join(append([]string{expect, t.Resource, t.Permission}, t.Principals...), ", ")
}

// LoadTests reads (see ReadFile) and parses the policy test file at path
// (see ParseTests).
func LoadTests(path string) ([]Test, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	return ParseTests(path, data)
}

// ParseTests parses a policy test file; name is used in errors and in
// Test.File. A test file lists expected decisions, one per line, in the
// syntax of policy files (comma-separated fields, blank lines and #
// comments ignored):
//
//	# expect, resource, permission[, principal ...]
//	allow, /, view, group:twilio
//	deny, /restricted, restricted, group:twilio, account:AC123
//	deny, /, view
//
// expect is allow or deny; resource is a clean slash path; permission is
// a permission other than *; the principals, any number of them, are those
// a request proved (none of them a system. principal: those are added as
// authentication adds them). Like Parse, ParseTests is strict and reports every
// problem as a *LineError, joined with errors.Join. A file without a
// single test row is refused (ErrNoTests): it would pass whatever the
// policy says, and is far more likely the wrong file, or one cut short,
// than an intent.
func ParseTests(name string, data []byte) ([]Test, error) {
	var tests []Test
	lines, errs := scanRows(name, data, func(n int, fields []string) []error {
		t, problems := parseTest(fields)
		if len(problems) > 0 {
			return problems
		}
		t.File, t.Line = name, n
		tests = append(tests, t)
		return nil
	})
	if len(errs) == 0 && len(tests) == 0 {
		errs = append(errs, &LineError{File: name, Line: max(lines, 1), Err: problemf(ErrNoTests,
			"the test file has no test rows: it would pass whatever the policy says")})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return tests, nil
}

// parseTest parses the fields of one test row (see scanRows). It returns
// the row's problems.
func parseTest(fields []string) (Test, []error) {
	if len(fields) < 3 {
		return Test{}, []error{problemf(ErrFieldCount,
			"test row needs at least 3 fields (expect, resource, permission[, principal ...]), got %d", len(fields))}
	}
	t := Test{Resource: fields[1], Permission: fields[2], Principals: fields[3:]}
	var problems []error
	switch fields[0] {
	case "allow":
		t.Allow = true
	case "deny":
	default:
		problems = append(problems, problemf(ErrExpect, "expect must be allow or deny, got %q", fields[0]))
	}
	for i, v := range fields[1:] {
		name := "principal"
		switch i {
		case 0:
			name = "resource"
		case 1:
			name = "permission"
		}
		if err := checkField(name, v); err != nil {
			problems = append(problems, err)
		}
	}
	if t.Permission == "*" {
		problems = append(problems, problemf(ErrPermission, "permission * is granted, never asked for"))
	}
	for _, p := range t.Principals {
		if strings.HasPrefix(p, "system.") {
			problems = append(problems, problemf(ErrSystemPrincipal,
				"principal %q: list what the request proved; system principals are added as authentication adds them", p))
		}
	}
	return t, problems
}
