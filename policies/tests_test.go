package policies_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/policies"
)

func TestParseTests(t *testing.T) {
	input := "# expect, resource, permission, principals\n" +
		"allow, /, view, group:twilio\n" +
		"\n" +
		"deny,/restricted,restricted,group:twilio,account:AC1\n" +
		"deny, /, view\n"
	got, err := policies.ParseTests("t.csv", []byte(input))
	if err != nil {
		t.Fatalf("ParseTests: %v", err)
	}
	want := []policies.Test{
		{File: "t.csv", Line: 2, Allow: true, Resource: "/", Permission: "view", Principals: []string{"group:twilio"}},
		{File: "t.csv", Line: 4, Resource: "/restricted", Permission: "restricted", Principals: []string{"group:twilio", "account:AC1"}},
		{File: "t.csv", Line: 5, Resource: "/", Permission: "view", Principals: []string{}},
	}
	if !slices.EqualFunc(got, want, func(a, b policies.Test) bool {
		return a.File == b.File && a.Line == b.Line && a.Allow == b.Allow && a.Resource == b.Resource &&
			a.Permission == b.Permission && slices.Equal(a.Principals, b.Principals)
	}) {
		t.Errorf("ParseTests = %+v, want %+v", got, want)
	}
}

// A test file without a single test row is refused: run as a check, it
// would pass whatever the policy says.
func TestParseTestsEmpty(t *testing.T) {
	for _, input := range []string{"", "\n\n", "# expect, resource, permission, principals\n", "\uFEFF# only a comment"} {
		got, err := policies.ParseTests("t.csv", []byte(input))
		var le *policies.LineError
		if !errors.Is(err, policies.ErrNoTests) || !errors.As(err, &le) || le.File != "t.csv" || got != nil {
			t.Errorf("ParseTests(%q) = %v, %v; want a problem matching ErrNoTests", input, got, err)
		}
	}
}

func TestParseTestsMalformed(t *testing.T) {
	tests := []struct {
		name, input string
		want        error
	}{
		{"two fields", "allow, /", policies.ErrFieldCount},
		{"unknown expectation", "permit, /, view, a", policies.ErrExpect},
		{"capital expectation", "Allow, /, view, a", policies.ErrExpect},
		{"relative resource", "allow, x, view, a", policies.ErrResource},
		{"empty permission", "allow, /, , a", policies.ErrEmptyField},
		{"empty principal", "allow, /, view, a, ", policies.ErrEmptyField},
		{"all permissions", "allow, /, *, a", policies.ErrPermission},
		{"a system principal", "allow, /, view, system.Everyone", policies.ErrSystemPrincipal},
		{"another system principal", "deny, /, view, a, system.Admin", policies.ErrSystemPrincipal},
		{"space in a principal", "allow, /, view, a b", policies.ErrCharacter},
		{"a lone CR after a comment hides a test", "# skip:\rdeny, /, view, a", policies.ErrCharacter},
		{"an escape sequence in a comment", "# skip:\x1bEdeny, /, view, a", policies.ErrCharacter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policies.ParseTests("t.csv", []byte("# ok\n"+tt.input))
			var le *policies.LineError
			if !errors.Is(err, tt.want) || !errors.As(err, &le) || le.Line != 2 || got != nil {
				t.Errorf("ParseTests(%q) = %v, %v; want a problem on line 2 matching %v", tt.input, got, err, tt.want)
			}
		})
	}
}

func TestLoadTestsDefault(t *testing.T) {
	tests, err := policies.LoadTests("policy_test.csv")
	if err != nil || len(tests) == 0 {
		t.Errorf("LoadTests(policy_test.csv) = %d tests, %v; want some and no error", len(tests), err)
	}
}
