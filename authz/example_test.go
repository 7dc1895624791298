package authz_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policies"
)

func ExampleNewCasbin() {
	m, err := policies.LoadModel("")
	if err != nil {
		fmt.Println(err)
		return
	}
	// An application gets these rows from policies.File.Policy and
	// policies.File.Grouping.
	policy := [][]string{
		{"group:twilio", "/", "view", "allow"},
		{"group:staff", "/admin", "*", "allow"},
		{"system.Everyone", "/admin", "*", "deny"},
	}
	grouping := [][]string{
		{"account:AC123", "group:staff"},
	}
	p, err := authz.NewCasbin(m, policy, grouping)
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	// The effective principals of a request signed by Twilio for account
	// AC123 (see authn.Effective); Permits adds group:staff from the
	// grouping row.
	twilio := []string{"system.Everyone", "system.Authenticated", "group:twilio", "account:AC123"}
	for _, q := range []struct{ resource, permission string }{
		{"/", "view"},
		{"/calls/CA1", "view"},
		{"/admin/users", "delete"},
		{"/calls/CA1", "delete"},
	} {
		d, err := p.Permits(ctx, twilio, q.resource, q.permission)
		if err != nil {
			fmt.Println("could not decide:", err) // fail closed
			continue
		}
		fmt.Println(q.permission, q.resource, d.Allowed, "by", d.Context)
	}
	// Output:
	// view / true by /
	// view /calls/CA1 true by /
	// delete /admin/users true by /admin
	// delete /calls/CA1 false by /calls/CA1
}

func ExampleNewCasbin_invalid() {
	m, err := policies.LoadModel("")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = authz.NewCasbin(m, [][]string{
		{"group:twilio", "/", "view", "Allow"},
		{"group:twilio", "calls", "view", "allow"},
	}, nil)
	fmt.Println(err)
	fmt.Println(errors.Is(err, authz.ErrInvalidPolicy))
	// Output:
	// authz: invalid policy: policy row 1 ["group:twilio" "/" "view" "Allow"]: effect must be allow or deny
	// authz: invalid policy: policy row 2 ["group:twilio" "calls" "view" "allow"]: resource must be a clean slash path
	// true
}

func ExampleCasbin_Permits() {
	m, err := policies.LoadModel("")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := authz.NewCasbin(m, [][]string{
		{"system.Authenticated", "/", "view", "allow"},
		{"fred", "/community", "*", "allow"},
		{"system.Everyone", "/community", "*", "deny"},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for _, user := range []string{"fred", "wilma"} {
		principals := []string{"system.Everyone", "system.Authenticated", user}
		d, err := p.Permits(ctx, principals, "/community/blog", "edit")
		if err != nil {
			fmt.Println("could not decide:", err)
			continue
		}
		fmt.Println(d)
	}
	_, err = p.Permits(ctx, []string{"fred"}, "/community/", "edit")
	fmt.Println(errors.Is(err, authz.ErrInvalidRequest))
	// Output:
	// ACLAllowed permission 'edit' via ACE ('Allow', 'fred', ALL_PERMISSIONS) in ACL [('Allow', 'fred', ALL_PERMISSIONS), ('Deny', 'system.Everyone', ALL_PERMISSIONS)] on context '/community' for principals ['system.Everyone', 'system.Authenticated', 'fred']
	// ACLDenied permission 'edit' via ACE ('Deny', 'system.Everyone', ALL_PERMISSIONS) in ACL [('Allow', 'fred', ALL_PERMISSIONS), ('Deny', 'system.Everyone', ALL_PERMISSIONS)] on context '/community' for principals ['system.Everyone', 'system.Authenticated', 'wilma']
	// true
}

func ExampleDecision_String() {
	allowed := authz.Decision{
		Allowed:    true,
		Permission: "view",
		Context:    "/",
		ACE:        &authz.ACE{Allow: true, Principal: "group:twilio", Permission: "view"},
		ACL:        []authz.ACE{{Allow: true, Principal: "group:twilio", Permission: "view"}},
		Principals: []string{"system.Everyone", "group:twilio"},
	}
	fmt.Println(allowed)

	defaultDeny := authz.Decision{
		Permission: "restricted",
		Context:    "/restricted",
		ACL:        []authz.ACE{{Allow: true, Principal: "group:twilio", Permission: "view"}},
		Principals: []string{"system.Everyone", "group:twilio"},
	}
	fmt.Println(defaultDeny)
	// Output:
	// ACLAllowed permission 'view' via ACE ('Allow', 'group:twilio', 'view') in ACL [('Allow', 'group:twilio', 'view')] on context '/' for principals ['system.Everyone', 'group:twilio']
	// ACLDenied permission 'restricted' via ACE '<default deny>' in ACL [('Allow', 'group:twilio', 'view')] on context '/restricted' for principals ['system.Everyone', 'group:twilio']
}

func ExampleACE_String() {
	fmt.Println(authz.ACE{Allow: true, Principal: "wilma", Permission: "view"})
	fmt.Println(authz.ACE{Allow: false, Principal: "system.Everyone", Permission: authz.AllPermissions})
	// Output:
	// ('Allow', 'wilma', 'view')
	// ('Deny', 'system.Everyone', ALL_PERMISSIONS)
}

func ExampleLineage() {
	fmt.Println(authz.Lineage("/community/blog"))
	fmt.Println(authz.Lineage("/"))
	fmt.Println(authz.Lineage("/community/") == nil)
	// Output:
	// [/community/blog /community /]
	// [/]
	// true
}

func ExamplePolicyFunc() {
	// A Policy that allows everything except on /admin; for tests.
	var p authz.Policy = authz.PolicyFunc(func(_ context.Context, principals []string, resource, permission string) (authz.Decision, error) {
		return authz.Decision{
			Allowed:    resource != "/admin",
			Permission: permission,
			Context:    resource,
			Principals: principals,
		}, nil
	})
	d, err := p.Permits(context.Background(), []string{"system.Everyone"}, "/admin", "view")
	fmt.Println(d.Allowed, err)
	// Output:
	// false <nil>
}

func ExamplePolicyFunc_Permits() {
	m, err := policies.LoadModel("")
	if err != nil {
		fmt.Println(err)
		return
	}
	acl, err := authz.NewCasbin(m, [][]string{{"group:twilio", "/", "view", "allow"}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A Policy that counts the denials of another one. A Policy must be
	// safe for concurrent use, hence the atomic counter.
	var denied atomic.Int64
	counting := authz.PolicyFunc(func(ctx context.Context, principals []string, resource, permission string) (authz.Decision, error) {
		d, err := acl.Permits(ctx, principals, resource, permission)
		if err == nil && !d.Allowed {
			denied.Add(1)
		}
		return d, err
	})

	ctx := context.Background()
	for _, principals := range [][]string{
		{"system.Everyone", "system.Authenticated", "group:twilio"},
		{"system.Everyone"}, // an unsigned request
	} {
		d, err := counting.Permits(ctx, principals, "/accessible", "view")
		if err != nil {
			fmt.Println("could not decide:", err) // fail closed
			continue
		}
		fmt.Println(d.Allowed, d.Principals)
	}
	fmt.Println("denied:", denied.Load())
	// Output:
	// true [system.Everyone system.Authenticated group:twilio]
	// false [system.Everyone]
	// denied: 1
}

func ExampleDeniedError() {
	d := authz.Decision{Permission: "restricted", Context: "/restricted", Principals: []string{"system.Everyone"},
		ACL: []authz.ACE{{Allow: true, Principal: "group:twilio", Permission: "view"}}}
	var err error = &authz.DeniedError{Decision: d}
	var denied *authz.DeniedError
	if errors.As(err, &denied) {
		fmt.Println(denied.Decision.Allowed)
	}
	fmt.Println(err)
	// Output:
	// false
	// authz: ACLDenied permission 'restricted' via ACE '<default deny>' in ACL [('Allow', 'group:twilio', 'view')] on context '/restricted' for principals ['system.Everyone']
}

func ExampleCasbin_PrincipalsAllowed() {
	m, err := policies.LoadModel("")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := authz.NewCasbin(m, [][]string{
		{"system.Authenticated", "/", "view", "allow"},
		{"fred", "/community", "*", "allow"},
		{"wilma", "/community", "view", "allow"},
		{"system.Everyone", "/community", "*", "deny"},
		{"barney", "/community/blog", "view", "allow"},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, resource := range []string{"/", "/community/blog"} {
		principals, err := p.PrincipalsAllowed(resource, "view")
		fmt.Println(resource, principals, err)
	}
	// Output:
	// / [system.Authenticated] <nil>
	// /community/blog [barney fred wilma] <nil>
}

func ExampleCasbin_Replace() {
	m, err := policies.LoadModel("")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := authz.NewCasbin(m, [][]string{{"group:twilio", "/", "view", "allow"}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	twilio := []string{"system.Everyone", "system.Authenticated", "group:twilio"}
	show := func() {
		d, err := p.Permits(ctx, twilio, "/", "edit")
		fmt.Println("generation", p.Generation(), "edit allowed:", d.Allowed, err)
	}
	show()

	// A valid policy replaces the old one at once, cache included.
	gen, err := p.Replace(m, [][]string{{"group:twilio", "/", "*", "allow"}}, nil)
	fmt.Println("replaced:", gen, err)
	show()

	// An invalid one is rejected, and the last good policy stays.
	_, err = p.Replace(m, [][]string{{"group:twilio", "/", "*", "permit"}}, nil)
	fmt.Println(errors.Is(err, authz.ErrInvalidPolicy))
	show()
	// Output:
	// generation 1 edit allowed: false <nil>
	// replaced: 2 <nil>
	// generation 2 edit allowed: true <nil>
	// true
	// generation 2 edit allowed: true <nil>
}

func ExampleCasbin_Generation() {
	var p authz.Casbin // no policy yet
	fmt.Println(p.Generation())
	m, err := policies.LoadModel("")
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		if _, err := p.Replace(m, [][]string{{"group:twilio", "/", "view", "allow"}}, nil); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(p.Generation())
	}
	// Output:
	// 0
	// 1
	// 2
}

func ExampleDecision_Clone() {
	m, err := policies.LoadModel("")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := authz.NewCasbin(m, [][]string{{"group:twilio", "/", "view", "allow"}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := p.Permits(context.Background(), []string{"group:twilio"}, "/", "view")
	if err != nil {
		fmt.Println(err)
		return
	}
	// d.ACE and d.ACL are shared with other decisions: edit a clone.
	mine := d.Clone()
	mine.ACE.Principal = "someone else"
	fmt.Println(d.ACE)
	fmt.Println(mine.ACE)
	// Output:
	// ('Allow', 'group:twilio', 'view')
	// ('Allow', 'someone else', 'view')
}

func ExampleRepr() {
	fmt.Println(authz.Repr("view"))
	fmt.Println(authz.Repr("o'brien"))
	fmt.Println(authz.Repr("line\nbreak"))
	// Output:
	// 'view'
	// "o'brien"
	// 'line\nbreak'
}
