package policies_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policies"
)

// Every row that Lint reports as shadowed really never decides: on random
// small policies, no request the server could make (system.Everyone, plus
// system.Authenticated and any proven principals) is decided by it, for any
// permission. This checks Lint against authz, the evaluator itself.
func TestLintShadowedRowsNeverDecide(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	principals := []string{"system.Everyone", "system.Authenticated", "a", "b", "group:g"}
	proven := []string{"a", "b", "group:g"}
	resources := []string{"/", "/x"}
	permissions := []string{"view", "edit", "*"}
	m, err := policies.LoadModel("")
	if err != nil {
		t.Fatal(err)
	}
	reported := 0
	for round := range 300 {
		var lines []string
		for range 2 + r.IntN(6) {
			if r.IntN(4) == 0 {
				lines = append(lines, fmt.Sprintf("g, %s, %s", principals[r.IntN(len(principals))], principals[2+r.IntN(3)]))
				continue
			}
			lines = append(lines, fmt.Sprintf("p, %s, %s, %s, %s", principals[r.IntN(len(principals))],
				resources[r.IntN(2)], permissions[r.IntN(3)], []string{"allow", "deny"}[r.IntN(2)]))
		}
		data := []byte(strings.Join(lines, "\n"))
		f, err := policies.Parse("p.csv", data)
		if errors.Is(err, policies.ErrNoRules) {
			continue // only g rows were drawn
		}
		if err != nil {
			t.Fatal(err)
		}
		c, err := authz.NewCasbin(m, f.Policy(), f.Grouping())
		if err != nil {
			t.Fatal(err)
		}
		for _, le := range policies.Lint("p.csv", data) {
			if !strings.Contains(le.Err.Error(), "can never decide") {
				continue
			}
			reported++
			fields := strings.Split(lines[le.Line-1], ", ")[1:]
			row := authz.ACE{Allow: fields[3] == "allow", Principal: fields[0], Permission: fields[2]}
			for mask := range 1 << len(proven) {
				var request []string
				for i, p := range proven {
					if mask&(1<<i) != 0 {
						request = append(request, p)
					}
				}
				effective := []string{"system.Everyone"}
				if len(request) > 0 {
					effective = append(effective, "system.Authenticated")
				}
				effective = append(effective, request...)
				for _, perm := range []string{"view", "edit", "other"} {
					d, err := c.Permits(context.Background(), effective, fields[1], perm)
					if err != nil {
						t.Fatal(err)
					}
					if d.ACE != nil && *d.ACE == row && d.Context == fields[1] {
						t.Fatalf("round %d: Lint says line %d never decides, but it decides %s for %q:\n%s",
							round, le.Line, perm, effective, data)
					}
				}
			}
		}
	}
	if reported == 0 {
		t.Error("no shadowed row in any random policy: the test checks nothing")
	}
}
