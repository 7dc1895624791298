package policies

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// The principals that authn gives requests (authn.Everyone and
// authn.Authenticated).
const (
	everyone      = "system.Everyone"
	authenticated = "system.Authenticated"
	systemPrefix  = "system."
)

// LintFile reads the policy file at path and lints it (see Lint). An empty
// path lints the embedded default. The error is for a file that cannot be
// read; the problems of a file that can are in the slice.
func LintFile(path string) ([]*LineError, error) {
	if path == "" {
		return Lint(embeddedPolicyName, []byte(defaultPolicy)), nil
	}
	data, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	return Lint(path, data), nil
}

// Lint checks a policy file more strictly than Parse and returns every
// problem it finds, in line order; none means the file is clean. name is
// used in the problems.
//
// Beyond every problem that Parse reports (unknown row types, wrong field
// counts, empty fields, effects other than allow or deny, resources that
// are not clean slash paths, stray characters), Lint reports:
//
//   - a row that repeats an earlier row exactly (ErrDuplicate);
//   - a p row that can never decide, because an earlier row of the same
//     resource always applies to every request it would apply to
//     (ErrShadowed);
//   - a g row that makes a principal a member of itself (ErrSelfMember);
//   - a principal (of a p row, or a g row's member) that differs from
//     system.Everyone or system.Authenticated only in case
//     (ErrUnknownSystem): system principals are case-sensitive, so such a
//     row is most likely a misspelt one that applies to nobody.
//
// A later row is shadowed when an earlier row of the same resource has a
// permission that is * or the later row's own, and a principal that every
// request holding the later row's principal also holds. Those principals
// are, as authn gives them and the g rows extend them: the later row's
// principal and its groups; system.Everyone, which every request holds,
// and its groups; and, when the later row's principal is not a system
// principal and not one that system.Everyone's groups give, also
// system.Authenticated and its groups, since only a request that proved
// some principal holds it. So an earlier row for system.Everyone shadows
// every later row of that resource with its permission, whatever either
// row's effect; rows that only together cover a later one are not
// reported.
func Lint(name string, data []byte) []*LineError {
	f, errs := parse(name, data)
	var out []*LineError
	for _, err := range errs {
		out = append(out, err.(*LineError))
	}
	out = append(out, lintRules(f)...)
	slices.SortStableFunc(out, func(a, b *LineError) int { return cmp.Compare(a.Line, b.Line) })
	return out
}

// lintRules reports the duplicates, shadowed rows and self-memberships
// among the well-formed rows of f.
func lintRules(f *File) []*LineError {
	var out []*LineError
	report := func(r Rule, err error) {
		out = append(out, &LineError{File: r.File, Line: r.Line, Err: err})
	}

	first := make(map[string]Rule) // row text → its first occurrence
	for _, r := range f.Rules {
		first[r.String()] = r
	}
	for _, d := range f.Duplicates {
		o := first[d.String()]
		report(d, problemf(ErrDuplicate, "duplicate of line %d (%s)", o.Line, o))
	}

	for _, r := range f.Rules {
		if p := r.Fields[0]; lookalikeSystem(p) {
			report(r, problemf(ErrUnknownSystem,
				"principal %q is not %s or %s: system principals are case-sensitive, so no request holds it",
				p, everyone, authenticated))
		}
	}

	groups := make(map[string][]string)
	for _, r := range f.Rules {
		if r.Kind != KindGrouping {
			continue
		}
		member, group := r.Fields[0], r.Fields[1]
		if member == group {
			report(r, problemf(ErrSelfMember, "%s is made a member of itself, which has no effect", member))
			continue
		}
		groups[member] = append(groups[member], group)
	}
	closure := func(p string) []string {
		out := []string{p}
		seen := map[string]bool{p: true}
		for i := 0; i < len(out); i++ {
			for _, g := range groups[out[i]] {
				if !seen[g] {
					seen[g] = true
					out = append(out, g)
				}
			}
		}
		return out
	}
	always := closure(everyone)

	// For each resource, for each principal, the earlier rows naming it,
	// by permission (the first of each).
	earlier := make(map[string]map[string]map[string]Rule)
	for _, r := range f.Rules {
		if r.Kind != KindPolicy {
			continue
		}
		principal, resource, permission := r.Fields[0], r.Fields[1], r.Fields[2]
		acl := earlier[resource]
		if acl == nil {
			acl = make(map[string]map[string]Rule)
			earlier[resource] = acl
		}
		held := append(closure(principal), always...)
		if !strings.HasPrefix(principal, "system.") && !slices.Contains(always, principal) {
			held = append(held, closure(authenticated)...)
		}
		var by *Rule
		for _, p := range held {
			for _, perm := range []string{permission, "*"} {
				if e, ok := acl[p][perm]; ok && (by == nil || e.Line < by.Line) {
					by = &e
				}
			}
		}
		if by != nil {
			report(r, problemf(ErrShadowed, "row can never decide: line %d (%s) always applies first", by.Line, by))
		}
		if acl[principal] == nil {
			acl[principal] = make(map[string]Rule)
		}
		if _, ok := acl[principal][permission]; !ok {
			acl[principal][permission] = r
		}
	}
	return out
}

// lookalikeSystem reports whether p is system.Everyone or
// system.Authenticated spelt in another case: "System.Everyone", say,
// which no request holds unless a g row gives it. (Parse refuses any
// other name with the exact "system." prefix.)
func lookalikeSystem(p string) bool {
	return p != everyone && p != authenticated && (strings.EqualFold(p, everyone) || strings.EqualFold(p, authenticated))
}
