package policies_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policies"
)

// FuzzLintFlaggedRowsDecideNothing: a row that Lint reports as shadowed,
// a duplicate or a self-membership "can never decide": removing it changes
// no decision (Casbin, with and without it, for every principal set authn can give
// of the names in the file, every resource of the file and a child, every
// permission of the file and another).
func FuzzLintFlaggedRowsDecideNothing(f *testing.F) {
	for _, s := range []string{
		"p, system.Everyone, /a, view, allow\np, fred, /a, view, deny\n",
		"p, system.Authenticated, /a, *, deny\np, fred, /a, view, allow\ng, system.Everyone, fred\n",
		"g, system.Everyone, x\ng, x, y\np, system.Authenticated, /, view, allow\np, y, /, view, deny\n",
		"p, g1, /, view, allow\ng, fred, g1\np, fred, /, view, deny\n",
		"p, fred, /, *, deny\np, fred, /, view, allow\np, fred, /, view, allow\ng, a, a\n",
		"g, system.Authenticated, g\np, g, /, view, allow\np, system.Everyone, /, view, deny\n",
		"g, a, system.Everyone\np, system.Everyone, /, view, deny\np, a, /, view, allow\n",
		"g, system.Everyone, system.Authenticated\np, system.Authenticated, /, view, deny\np, system.Everyone, /, view, allow\n",
	} {
		f.Add([]byte(s))
	}
	m, err := policies.ParseModel("model.conf", policies.DefaultModel())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 600 {
			return
		}
		file, err := policies.Parse("fuzz.csv", data)
		if err != nil {
			return
		}
		var flagged []int
		for _, le := range policies.Lint("fuzz.csv", data) {
			if errors.Is(le, policies.ErrShadowed) || errors.Is(le, policies.ErrDuplicate) || errors.Is(le, policies.ErrSelfMember) {
				flagged = append(flagged, le.Line)
			}
		}
		if len(flagged) == 0 {
			return
		}
		rows := func(skip int) (p, g [][]string) {
			for _, r := range file.Rules {
				if r.Line == skip {
					continue
				}
				if r.Kind == "p" {
					p = append(p, r.Fields)
				} else {
					g = append(g, r.Fields)
				}
			}
			return
		}
		const E, A = "system.Everyone", "system.Authenticated"
		var names, resources []string
		perms := []string{"zzz"}
		add := func(s *[]string, v string) {
			if !slices.Contains(*s, v) {
				*s = append(*s, v)
			}
		}
		for _, r := range file.Rules {
			if r.Kind == "p" {
				add(&names, r.Fields[0])
				add(&resources, r.Fields[1])
				add(&resources, r.Fields[1]+"/zz")
				if r.Fields[2] != "*" {
					add(&perms, r.Fields[2])
				}
			} else {
				add(&names, r.Fields[0])
				add(&names, r.Fields[1])
			}
		}
		if len(names) > 8 {
			names = names[:8]
		}
		sets := [][]string{{E}, {E, A}}
		for i, n := range names {
			if n == E || n == A {
				continue
			}
			sets = append(sets, []string{E, A, n})
			for _, o := range names[i+1:] {
				if o != E && o != A {
					sets = append(sets, []string{E, A, n, o})
				}
			}
		}
		p0, g0 := rows(-1)
		full, err := authz.NewCasbin(m, p0, g0)
		if err != nil {
			return // a row NewCasbin refuses: not this target's business
		}
		ctx := context.Background()
		for _, line := range flagged[:min(len(flagged), 3)] {
			p1, g1 := rows(line)
			less, err := authz.NewCasbin(m, p1, g1)
			if err != nil {
				t.Fatalf("without line %d: %v", line, err)
			}
			for _, ps := range sets {
				for _, res := range resources {
					for _, perm := range perms {
						d0, err0 := full.Permits(ctx, ps, res, perm)
						d1, err1 := less.Permits(ctx, ps, res, perm)
						if (err0 == nil) != (err1 == nil) || d0.Allowed != d1.Allowed {
							t.Fatalf("Lint flags line %d of %q, yet removing it changes %v %s %s: %v (%v) -> %v (%v)",
								line, data, ps, res, perm, d0.Allowed, err0, d1.Allowed, err1)
						}
					}
				}
			}
		}
	})
}
