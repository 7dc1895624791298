package authz_test

import (
	"context"
	"fmt"
	"runtime"
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
// Permits must ask Casbin about every level. The other rows, filler, come
// first in the file, so Casbin scans past them each time it is asked if it
// holds them (its worst case). Where the filler goes depends on spread:
//
//   - spreadTrees: each filler row names a resource of its own, in 100
//     trees outside the lineage;
//   - spreadSameACL: every filler row is in the deciding resource's ACL,
//     ahead of the deciding row, and names another principal;
//   - n > 0: the filler rows are dealt in turn to n resources outside the
//     lineage.
func benchPolicy(rows, depth, spread int) (policy [][]string, decidedAt string) {
	lineage := authz.Lineage(benchResource)
	var target [][]string
	for _, level := range lineage[:depth-1] {
		target = append(target, []string{"someone-else", level, "view", "allow"})
	}
	decidedAt = lineage[depth-1]
	target = append(target, []string{"group:twilio", decidedAt, "view", "allow"})
	for i := range rows - len(target) {
		resource := fmt.Sprintf("/f%d/x%d", i%100, i)
		switch {
		case spread == spreadSameACL:
			resource = decidedAt
		case spread > 0:
			resource = fmt.Sprintf("/f%d/x%d", i%spread%100, i%spread)
		}
		policy = append(policy, []string{fmt.Sprintf("user:%d", i), resource, "view", "allow"})
	}
	return append(policy, target...), decidedAt
}

// The filler layouts of benchPolicy, besides a number of resources.
const (
	spreadTrees   = 0
	spreadSameACL = -1
)

// BenchmarkDecision compares, in one run, a cached decision, an uncached
// one (Casbin asked once per lineage level, cross-checked, explained) and
// raw Casbin Enforce on a plain enforcer (one call per lineage level, no
// explanation), for 10, 1,000 and 10,000 rows and the decision 1 or 4
// levels up the lineage, with the other rows on resources of their own.
// Then, at 10,000 rows, the same without raw Casbin for two other layouts:
// the other rows spread over 1,000 resources ("spread=1000"), and all in
// the deciding resource's ACL ("same-acl", the worst case of a cost that
// follows the rows of the lineage).
func BenchmarkDecision(b *testing.B) {
	principals := []string{"system.Everyone", "system.Authenticated", "group:twilio", "account:AC123"}
	ctx := context.Background()
	type benchCase struct {
		rows, depth, spread int
		name                string
	}
	var cases []benchCase
	for _, rows := range []int{10, 1000, 10000} {
		for _, depth := range []int{1, 4} {
			cases = append(cases, benchCase{rows, depth, spreadTrees, fmt.Sprintf("rows=%d/depth=%d", rows, depth)})
		}
	}
	for _, depth := range []int{1, 4} {
		cases = append(cases,
			benchCase{10000, depth, 1000, fmt.Sprintf("rows=10000/spread=1000/depth=%d", depth)},
			benchCase{10000, depth, spreadSameACL, fmt.Sprintf("rows=10000/same-acl/depth=%d", depth)})
	}
	for _, bc := range cases {
		rows, depth, name := bc.rows, bc.depth, bc.name
		policy, decidedAt := benchPolicy(rows, depth, bc.spread)
		c := mustCasbin(b, aclModel, policy, nil)
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
		if bc.spread != spreadTrees {
			continue
		}
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

// BenchmarkNewCasbin measures building a policy (NewCasbin; Replace does
// the same work) from rows already parsed, for the layouts of
// BenchmarkDecision. Besides the bytes allocated per build, it reports
// heap-B, the heap a built policy keeps while it is in force (before any
// question). The first-decision cases also make the first decision of
// BenchmarkDecision at depth 4 on the new policy, which builds the
// enforcers of the four resources of its lineage.
func BenchmarkNewCasbin(b *testing.B) {
	cases := []struct {
		rows, spread int
		name         string
		decide       bool
	}{
		{10, spreadTrees, "rows=10", false},
		{1000, spreadTrees, "rows=1000", false},
		{10000, spreadTrees, "rows=10000", false},
		{10000, 1000, "rows=10000/spread=1000", false},
		{10000, spreadSameACL, "rows=10000/same-acl", false},
		{10, spreadTrees, "rows=10/first-decision", true},
		{10000, spreadTrees, "rows=10000/first-decision", true},
	}
	principals := []string{"system.Everyone", "system.Authenticated", "group:twilio", "account:AC123"}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			policy, _ := benchPolicy(bc.rows, 4, bc.spread)
			m := mustModel(b, aclModel)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			kept := mustCasbin(b, aclModel, policy, nil)
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(kept)
			b.ReportAllocs()
			for b.Loop() {
				c, err := authz.NewCasbin(m, policy, nil)
				if err != nil {
					b.Fatal(err)
				}
				if bc.decide {
					if d, err := c.Permits(context.Background(), principals, benchResource, "view"); err != nil || !d.Allowed {
						b.Fatal(d, err)
					}
				}
			}
			// After the loop: b.Loop deletes metrics reported before it.
			b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "heap-B")
		})
	}
}
