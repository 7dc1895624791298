package authz_test

import (
	"context"
	"testing"

	"github.com/gatehouse/gatehouse/authz"
)

func TestPolicyFunc(t *testing.T) {
	var got []string
	p := authz.PolicyFunc(func(_ context.Context, principals []string, resource, permission string) (authz.Decision, error) {
		got = append(append(got, principals...), resource, permission)
		return authz.Decision{Allowed: true, Permission: permission, Context: resource}, nil
	})
	d := permits(t, p, []string{"a"}, "/x", "view")
	if !d.Allowed || d.Context != "/x" || len(got) != 3 || got[0] != "a" || got[1] != "/x" || got[2] != "view" {
		t.Errorf("PolicyFunc.Permits = %v with arguments %q, want the function's result for [a /x view]", d, got)
	}
}
