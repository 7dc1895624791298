package authz_test

import (
	"context"
	"errors"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policies"
)

// A model that passes every check and the probe, yet skips the rows of one
// principal, must make Permits fail, not fall through to the parent's ACL.
func TestCasbinDisagreementFailsClosed(t *testing.T) {
	m, err := model.NewModelFromString(`
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = r.obj == p.obj && hasPrincipal(r.sub, p.sub) && (p.act == "*" || p.act == r.act) && p.sub != "group:x"
`)
	if err != nil {
		t.Fatal(err)
	}
	c, err := authz.NewCasbin(m, [][]string{
		{"system.Everyone", "/", "view", "allow"},
		{"group:x", "/a", "view", "deny"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Permits(context.Background(), []string{"system.Everyone", "group:x"}, "/a", "view")
	if !errors.Is(err, authz.ErrInvalidModel) || d.Allowed {
		t.Errorf("Permits = %v, %v; want an ErrInvalidModel error", d, err)
	}
}

// Decision.Principals from a cache hit are the caller's own, as from a miss.
func TestCachedPrincipalsCopied(t *testing.T) {
	c, err := authz.NewCasbin(mustModel(t, policies.DefaultModel()), [][]string{{"bob", "/", "view", "allow"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ask := func() authz.Decision {
		d, err := c.Permits(context.Background(), []string{"bob"}, "/", "view")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ask()                           // miss
	ask().Principals[0] = "mallory" // hit
	if d := ask(); d.Principals[0] != "bob" {
		t.Errorf("a caller's write into a cached Decision's Principals changed later decisions: %v", d)
	}
}

// Clone's ACL (and so its ACE's ACL entry) shares no memory with the policy's.
func TestCloneACL(t *testing.T) {
	c, err := authz.NewCasbin(mustModel(t, policies.DefaultModel()), [][]string{{"bob", "/", "view", "allow"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Permits(context.Background(), []string{"bob"}, "/", "view")
	cl := d.Clone()
	cl.ACL[0].Allow, cl.ACL[0].Principal = false, "mallory"
	if d, _ := c.Permits(context.Background(), []string{"bob"}, "/", "view"); !d.ACL[0].Allow || d.ACE.Principal != "bob" || d.ACL[0].Principal != "bob" {
		t.Errorf("writing into a Clone's ACL changed later explanations: %v", d)
	}
}
