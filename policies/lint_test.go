package policies_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/policies"
)

func TestLint(t *testing.T) {
	type problem struct {
		line int
		err  error
	}
	tests := []struct {
		name  string
		input []string
		want  []problem
	}{
		{"clean", []string{
			"p, system.Authenticated, /, view, allow",
			"p, fred, /community, *, allow",
			"p, wilma, /community, view, allow",
			"p, system.Everyone, /community, *, deny",
			"p, wilma, /community/blog, view, allow",
			"g, wilma, group:editors",
		}, nil},
		{"malformed rows, every one", []string{
			"p, a, /, view, permit",
			"p, a, /, view",
			"p, , /, view, allow",
			"p, a, community, view, allow",
			"x, a, /, view, allow",
		}, []problem{{1, policies.ErrEffect}, {2, policies.ErrFieldCount}, {3, policies.ErrEmptyField}, {4, policies.ErrResource}, {5, policies.ErrRowType}}},
		{"malformed rows do not hide others' problems", []string{
			"p, a, /, view, allow",
			"p, a, /, view",
			"p, a, /, view, allow",
		}, []problem{{2, policies.ErrFieldCount}, {3, policies.ErrDuplicate}}},
		{"duplicates", []string{
			"p, a, /, view, allow",
			"g, a, b",
			"p,a,/,view,allow",
			"g, a, b",
		}, []problem{{3, policies.ErrDuplicate}, {4, policies.ErrDuplicate}}},
		{"same principal and permission, other effect", []string{
			"p, a, /, view, allow",
			"p, a, /, view, deny",
		}, []problem{{2, policies.ErrShadowed}}},
		{"earlier * shadows a permission", []string{
			"p, a, /x, *, deny",
			"p, a, /x, view, allow",
		}, []problem{{2, policies.ErrShadowed}}},
		{"earlier permission does not shadow *", []string{
			"p, a, /x, view, deny",
			"p, a, /x, *, allow",
		}, nil},
		{"other resources do not shadow", []string{
			"p, system.Everyone, /, *, deny",
			"p, a, /x, view, allow",
			"p, a, /x/y, view, deny",
		}, nil},
		{"system.Everyone shadows every later row, allow or deny", []string{
			"p, system.Everyone, /x, view, allow",
			"p, a, /x, view, deny",
			"p, system.Authenticated, /x, view, deny",
			"p, b, /x, edit, deny",
			"p, system.Everyone, /x, *, deny",
			"p, b, /x, edit, allow",
		}, []problem{{2, policies.ErrShadowed}, {3, policies.ErrShadowed}, {6, policies.ErrShadowed}}},
		{"DENY_ALL shadows everything after it", []string{
			"p, fred, /community, *, allow",
			"p, system.Everyone, /community, *, deny",
			"p, wilma, /community, view, allow",
			"p, fred, /community, edit, allow",
		}, []problem{{3, policies.ErrShadowed}, {4, policies.ErrShadowed}}},
		{"a deny for another principal shadows nothing", []string{
			"p, bob, /, *, deny",
			"p, alice, /, view, allow",
		}, nil},
		{"groups: an earlier row for a group of the principal", []string{
			"g, alice, group:staff",
			"g, group:staff, group:all",
			"p, group:all, /, view, deny",
			"p, alice, /, view, allow",
			"p, group:staff, /, view, allow",
			"p, bob, /, view, allow",
		}, []problem{{4, policies.ErrShadowed}, {5, policies.ErrShadowed}}},
		{"groups are not inherited backwards", []string{
			"g, alice, group:staff",
			"p, alice, /, view, deny",
			"p, group:staff, /, view, allow",
		}, nil},
		{"groups of system.Everyone are always held", []string{
			"g, system.Everyone, group:public",
			"p, group:public, /, view, deny",
			"p, alice, /, view, allow",
		}, []problem{{3, policies.ErrShadowed}}},
		{"system.Authenticated shadows proven principals", []string{
			"p, system.Authenticated, /, view, deny",
			"p, group:twilio, /, view, allow",
			"p, system.Everyone, /, view, allow",
		}, []problem{{2, policies.ErrShadowed}}},
		{"system.Authenticated does not shadow what Everyone's groups give", []string{
			"g, system.Everyone, group:public",
			"p, system.Authenticated, /, view, deny",
			"p, group:public, /, view, allow",
		}, nil},
		{"cycles of groups end", []string{
			"g, a, b",
			"g, b, a",
			"p, b, /, view, deny",
			"p, a, /, view, allow",
		}, []problem{{4, policies.ErrShadowed}}},
		{"member of itself", []string{
			"g, a, a",
			"p, a, /, view, allow",
		}, []problem{{1, policies.ErrSelfMember}}},
		{"system principals misspelt", []string{
			"p, a, /, view, allow",
			"p, system.everyone, /admin, *, deny",
			"p, System.Everyone, /admin, *, deny",
			"g, SYSTEM.Authenticated, group:b",
			"p, systemic, /, view, allow",
			// A group of its own, named with a capital S: not a lookalike.
			"g, alice, System.Admins",
			"p, System.Admins, /, view, allow",
		}, []problem{{2, policies.ErrUnknownSystem}, {3, policies.ErrUnknownSystem}, {4, policies.ErrUnknownSystem}}},
		{"no p rows", []string{
			"# only groups",
			"g, a, b",
		}, []problem{{2, policies.ErrNoRules}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := policies.Lint("policy.csv", []byte(strings.Join(tt.input, "\n")))
			if len(got) != len(tt.want) {
				t.Fatalf("Lint reported %d problems, want %d: %v", len(got), len(tt.want), got)
			}
			for i, le := range got {
				if le.File != "policy.csv" || le.Line != tt.want[i].line || !errors.Is(le, tt.want[i].err) {
					t.Errorf("problem %d = %v, want one on line %d matching %v", i, le, tt.want[i].line, tt.want[i].err)
				}
			}
		})
	}
}

func TestLintDefaultPolicy(t *testing.T) {
	got, err := policies.LintFile("")
	if err != nil || len(got) != 0 {
		t.Errorf("LintFile(\"\") = %v, %v; want no problems", got, err)
	}
}
