package authz_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/authz"
)

// referenceDecision decides as the package documentation says, from the
// rows alone, without Casbin: the groups are added breadth first, then the
// lineage is walked and, at the first resource where a row applies, the
// first such row decides.
func referenceDecision(policy, grouping [][]string, principals []string, resource, permission string) (allowed bool, context string, ace *authz.ACE) {
	var effective []string
	for _, p := range principals {
		if !slices.Contains(effective, p) {
			effective = append(effective, p)
		}
	}
	for i := 0; i < len(effective); i++ {
		for _, g := range grouping {
			if g[0] == effective[i] && !slices.Contains(effective, g[1]) {
				effective = append(effective, g[1])
			}
		}
	}
	for _, level := range authz.Lineage(resource) {
		for _, row := range policy {
			if row[1] == level && slices.Contains(effective, row[0]) && (row[2] == permission || row[2] == authz.AllPermissions) {
				return row[3] == "allow", level, &authz.ACE{Allow: row[3] == "allow", Principal: row[0], Permission: row[2]}
			}
		}
	}
	return false, resource, nil
}

// A policy of thousands of resources, whose rows are interleaved in the
// file, with groups (cycles included) and resources whose rows name only
// groups, decides every question as the reference does. Goroutines ask at
// once, so that under -race the resources' enforcers are built
// concurrently on first use.
func TestPermitsManyResourcesAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var resources []string
	for i := range 20 {
		for j := range 10 {
			for k := range 10 {
				resources = append(resources, fmt.Sprintf("/a%d/b%d/c%d", i, j, k))
			}
			resources = append(resources, fmt.Sprintf("/a%d/b%d", i, j))
		}
		resources = append(resources, fmt.Sprintf("/a%d", i))
	}
	// The root's ACL names two users only, so that many questions end in
	// a default deny.
	policy := [][]string{{"user:1", "/", "view", "allow"}, {"user:2", "/", "*", "deny"}}
	principal := func() string {
		switch r.IntN(4) {
		case 0:
			return []string{"system.Everyone", "system.Authenticated"}[r.IntN(2)]
		case 1:
			return fmt.Sprintf("group:%d", r.IntN(8))
		default:
			return fmt.Sprintf("user:%d", r.IntN(40))
		}
	}
	for range 6000 {
		policy = append(policy, []string{
			principal(),
			resources[r.IntN(len(resources))],
			[]string{"view", "edit", authz.AllPermissions}[r.IntN(3)],
			[]string{"allow", "deny"}[r.IntN(2)],
		})
	}
	// Resources whose ACLs name groups only: their rows can apply only
	// through the grouping rows.
	for i := range 20 {
		policy = append(policy, []string{fmt.Sprintf("group:%d", i%8), fmt.Sprintf("/groups-only/g%d", i%5), "view", "allow"})
	}
	var grouping [][]string
	for i := range 40 {
		grouping = append(grouping, []string{fmt.Sprintf("user:%d", i), fmt.Sprintf("group:%d", r.IntN(8))})
	}
	for range 10 {
		grouping = append(grouping, []string{fmt.Sprintf("group:%d", r.IntN(8)), fmt.Sprintf("group:%d", r.IntN(8))})
	}
	c := mustCasbin(t, aclModel, policy, grouping)

	type question struct {
		principals           []string
		resource, permission string
	}
	var questions []question
	for range 3000 {
		principals := []string{"system.Everyone"}
		if r.IntN(4) != 0 {
			principals = append(principals, "system.Authenticated")
		}
		for range r.IntN(3) {
			principals = append(principals, principal())
		}
		resource := resources[r.IntN(len(resources))]
		switch r.IntN(6) {
		case 0:
			resource = strings.TrimSuffix(resource, "/") + "/leaf"
		case 1:
			resource = fmt.Sprintf("/groups-only/g%d", r.IntN(6))
		case 2:
			resource = "/"
		}
		questions = append(questions, question{principals, resource, []string{"view", "edit", "delete"}[r.IntN(3)]})
	}

	const workers = 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(questions); i += workers {
				q := questions[i]
				d, err := c.Permits(context.Background(), q.principals, q.resource, q.permission)
				if err != nil {
					t.Errorf("Permits(%q, %q, %q): %v", q.principals, q.resource, q.permission, err)
					return
				}
				allowed, context, ace := referenceDecision(policy, grouping, q.principals, q.resource, q.permission)
				if d.Allowed != allowed || d.Context != context || aceString(d.ACE) != aceString(ace) {
					t.Errorf("Permits(%q, %q, %q) = %v; want Allowed %v via %s on %q",
						q.principals, q.resource, q.permission, d, allowed, aceString(ace), context)
					return
				}
			}
		})
	}
	wg.Wait()
}

// A model whose matcher strays from ACL semantics in a way a question
// with one row can show is refused when the policy is loaded, before any
// request: NewCasbin asks Casbin such questions.
func TestNewCasbinProbesTheMatcher(t *testing.T) {
	tests := []struct {
		name, old, new string
	}{
		{"ignores the resource", "r.obj == p.obj && ", ""},
		{"never matches the resource", "r.obj == p.obj", "r.obj != p.obj"},
		{"ignores the permission", ` && (p.act == "*" || p.act == r.act)`, ""},
		{"forgets the * case", `(p.act == "*" || p.act == r.act)`, `p.act == r.act`},
		{"treats * as nothing but *", `(p.act == "*" || p.act == r.act)`, `p.act == r.act || r.act == "*"`},
		{"ignores the principal", "hasPrincipal(r.sub, p.sub) && ", "(hasPrincipal(r.sub, p.sub) || true) && "},
		{"calls g, which the enforcers do not have", "hasPrincipal(r.sub, p.sub)", "hasPrincipal(r.sub, p.sub) && g(p.sub, p.sub)"},
		// Casbin's pattern matchers, pasted from its examples, match a
		// resource or a permission that the row does not name exactly.
		{"matches the resource with keyMatch", "r.obj == p.obj", "keyMatch(r.obj, p.obj)"},
		{"matches the resource with keyMatch2", "r.obj == p.obj", "keyMatch2(r.obj, p.obj)"},
		{"matches the resource with regexMatch", "r.obj == p.obj", "regexMatch(r.obj, p.obj)"},
		{"matches the permission with keyMatch", "p.act == r.act", "keyMatch(r.act, p.act)"},
		{"matches the permission with regexMatch", "p.act == r.act", "regexMatch(r.act, p.act)"},
		// A matcher that panics on a row ("*" is no regular expression):
		// Casbin's error carries the goroutine's stack.
		{"panics on *", `(p.act == "*" || p.act == r.act)`, "regexMatch(r.act, p.act)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(aclModel, tt.old, tt.new, 1)
			if text == aclModel {
				t.Fatalf("%q is not in the model", tt.old)
			}
			c, err := authz.NewCasbin(mustModel(t, text), pyramidACL, [][]string{{"wilma", "group:a"}})
			if !errors.Is(err, authz.ErrInvalidModel) || c != nil {
				t.Errorf("NewCasbin = %v, %v; want an error matching ErrInvalidModel", c, err)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line, for one problem", err)
			}
		})
	}
}
