package authz_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/gatehouse/gatehouse/authz"
)

// plainModel is a plain Casbin model equivalent to the ACL model for the
// benchmark's questions: a string subject with g() roles instead of a
// principal set, the same effect and the same permission match.
const plainModel = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act, eft

[role_definition]
g = _, _

[policy_effect]
e = priority(p.eft) || deny

[matchers]
m = r.obj == p.obj && g(r.sub, p.sub) && (p.act == "*" || p.act == r.act)
`

// benchResource is the resource every benchmark question is about.
const benchResource = "/t1/t2/t3/t4"

// benchPolicy returns rows rows. The question (group:twilio, view on
// benchResource) is decided depth levels up the lineage: each level below
// the deciding one has an ACL whose one row names another principal, so
// Permits must ask Casbin about every level. The other rows, filler for
// other resources, come first in the file, so Casbin scans past them
// each time it is asked (its worst case).
func benchPolicy(rows, depth int) (policy [][]string, decidedAt string) {
	lineage := authz.Lineage(benchResource)
	var target [][]string
	for _, level := range lineage[:depth-1] {
		target = append(target, []string{"someone-else", level, "view", "allow"})
	}
	decidedAt = lineage[depth-1]
	target = append(target, []string{"group:twilio", decidedAt, "view", "allow"})
	for i := range rows - len(target) {
		policy = append(policy, []string{fmt.Sprintf("user:%d", i), fmt.Sprintf("/f%d/x%d", i%100, i), "view", "allow"})
	}
	return append(policy, target...), decidedAt
}

// BenchmarkDecision compares, in one run, a cached decision, an uncached
// one (Casbin asked once per lineage level, cross-checked, explained) and
// raw Casbin Enforce on a plain enforcer (one call per lineage level, no
// explanation), for 10, 1,000 and 10,000 rows and the decision 1 or 4
// levels up the lineage.
func BenchmarkDecision(b *testing.B) {
	principals := []string{"system.Everyone", "system.Authenticated", "group:twilio", "account:AC123"}
	ctx := context.Background()
	for _, rows := range []int{10, 1000, 10000} {
		for _, depth := range []int{1, 4} {
			policy, decidedAt := benchPolicy(rows, depth)
			c := mustCasbin(b, aclModel, policy, nil)
			name := fmt.Sprintf("rows=%d/depth=%d", rows, depth)
			check := func(b *testing.B, d authz.Decision, err error) {
				if err != nil || !d.Allowed || d.Context != decidedAt {
					b.Fatalf("Permits = %v, %v; want allowed on %s", d, err, decidedAt)
				}
			}

			b.Run(name+"/cached", func(b *testing.B) {
				d, err := c.Permits(ctx, principals, benchResource, "view")
				check(b, d, err)
				b.ReportAllocs()
				for b.Loop() {
					d, err := c.Permits(ctx, principals, benchResource, "view")
					if err != nil || !d.Allowed {
						b.Fatal(d, err)
					}
				}
			})
			b.Run(name+"/uncached", func(b *testing.B) {
				d, err := c.PermitsUncached(ctx, principals, benchResource, "view")
				check(b, d, err)
				b.ReportAllocs()
				for b.Loop() {
					d, err := c.PermitsUncached(ctx, principals, benchResource, "view")
					if err != nil || !d.Allowed {
						b.Fatal(d, err)
					}
				}
			})
			b.Run(name+"/casbin", func(b *testing.B) {
				m, err := model.NewModelFromString(plainModel)
				if err != nil {
					b.Fatal(err)
				}
				for _, row := range policy {
					if err := m.AddPolicy("p", "p", row); err != nil {
						b.Fatal(err)
					}
				}
				e, err := casbin.NewEnforcer(m)
				if err != nil {
					b.Fatal(err)
				}
				lineage := authz.Lineage(benchResource)[:depth]
				enforce := func() bool {
					var ok bool
					for _, level := range lineage {
						if ok, err = e.Enforce("group:twilio", level, "view"); err != nil {
							b.Fatal(err)
						}
					}
					return ok
				}
				if !enforce() {
					b.Fatalf("plain Casbin denied group:twilio view on %s", decidedAt)
				}
				b.ReportAllocs()
				for b.Loop() {
					if !enforce() {
						b.Fatal("denied")
					}
				}
			})
		}
	}
}
