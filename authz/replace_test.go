package authz_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/authz"
)

func TestReplace(t *testing.T) {
	m := mustModel(t, aclModel)
	c, err := authz.NewCasbin(m, [][]string{{"group:twilio", "/", "view", "allow"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	twilio := []string{"system.Everyone", "system.Authenticated", "group:twilio"}
	check := func(step string, wantGeneration uint64, wantView, wantEdit bool) {
		t.Helper()
		if got := c.Generation(); got != wantGeneration {
			t.Errorf("%s: Generation() = %d, want %d", step, got, wantGeneration)
		}
		for _, q := range []struct {
			permission string
			want       bool
		}{{"view", wantView}, {"edit", wantEdit}} {
			// Twice: the second answer comes from the cache.
			for range 2 {
				d := permits(t, c, twilio, "/calls", q.permission)
				if d.Allowed != q.want || d.Generation != wantGeneration {
					t.Errorf("%s: %s = %v at generation %d, want Allowed %v at generation %d",
						step, q.permission, d, d.Generation, q.want, wantGeneration)
				}
			}
		}
	}
	check("new", 1, true, false)

	gen, err := c.Replace(m, [][]string{{"group:twilio", "/", "*", "allow"}}, nil)
	if err != nil || gen != 2 {
		t.Fatalf("Replace(valid) = %d, %v; want 2, nil", gen, err)
	}
	check("after a valid Replace", 2, true, true)

	gen, err = c.Replace(m, [][]string{{"group:twilio", "/", "view", "allow"}, {"group:twilio", "/", "edit", "Allow"}}, nil)
	if !errors.Is(err, authz.ErrInvalidPolicy) || gen != 0 {
		t.Errorf("Replace(invalid policy) = %d, %v; want 0 and an error matching ErrInvalidPolicy", gen, err)
	}
	gen, err = c.Replace(mustModel(t, strings.Replace(aclModel, "priority(p.eft) || deny", "some(where (p.eft == allow))", 1)), nil, nil)
	if !errors.Is(err, authz.ErrInvalidModel) || gen != 0 {
		t.Errorf("Replace(invalid model) = %d, %v; want 0 and an error matching ErrInvalidModel", gen, err)
	}
	check("after invalid Replaces, the last good policy stays", 2, true, true)

	gen, err = c.Replace(m, nil, nil)
	if err != nil || gen != 3 {
		t.Fatalf("Replace(empty) = %d, %v; want 3, nil", gen, err)
	}
	check("an empty policy denies everything", 3, false, false)

	var zero authz.Casbin
	if gen, err := zero.Replace(m, [][]string{{"a", "/", "view", "allow"}}, nil); err != nil || gen != 1 {
		t.Errorf("zero Casbin: Replace = %d, %v; want 1, nil", gen, err)
	}
	if d := permits(t, &zero, []string{"a"}, "/", "view"); !d.Allowed {
		t.Errorf("zero Casbin after Replace: %v, want allowed", d)
	}
}

// generationPolicy is the policy of generation n: system.Everyone may view
// / when n is even; a marker row, which never decides for the requests of
// the test, names n so that every Decision tells which policy made it.
func generationPolicy(n uint64) [][]string {
	eft := "deny"
	if n%2 == 0 {
		eft = "allow"
	}
	return [][]string{
		{"system.Everyone", "/", "view", eft},
		{"marker:" + strconv.FormatUint(n, 10), "/", "view", "allow"},
	}
}

// Readers ask while a writer replaces the policy, under -race. Every
// decision must come whole from one policy (its verdict, ACL and
// Generation agree), and that policy must be no older than the one in
// force when the request started: a stale cache, or a call that read the
// policy twice, fails this test.
func TestReplaceConcurrentReaders(t *testing.T) {
	m := mustModel(t, aclModel)
	c, err := authz.NewCasbin(m, generationPolicy(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	const generations = 300
	var (
		wg      sync.WaitGroup
		done    atomic.Bool
		decided atomic.Int64
	)
	for r := range 4 {
		wg.Go(func() {
			ctx := context.Background()
			for i := 0; !done.Load(); i++ {
				principals := []string{"system.Everyone", fmt.Sprintf("reader:%d", (r+i)%3)}
				started := c.Generation()
				d, err := c.Permits(ctx, principals, "/calls/CA1", "view")
				if err != nil {
					t.Errorf("Permits: %v", err)
					return
				}
				decided.Add(1)
				var marker uint64
				for _, ace := range d.ACL {
					if n, ok := strings.CutPrefix(ace.Principal, "marker:"); ok {
						marker, _ = strconv.ParseUint(n, 10, 64)
					}
				}
				switch {
				case marker != d.Generation:
					t.Errorf("decision %v of generation %d carries the ACL of generation %d", d, d.Generation, marker)
					return
				case d.Generation < started:
					t.Errorf("request started at generation %d was decided by generation %d", started, d.Generation)
					return
				case d.Allowed != (d.Generation%2 == 0):
					t.Errorf("generation %d decided %v", d.Generation, d)
					return
				}
			}
		})
	}
	for n := uint64(2); n <= generations; n++ {
		if n%10 == 0 {
			// A rejected policy changes nothing.
			if _, err := c.Replace(m, [][]string{{"a", "relative", "view", "allow"}}, nil); err == nil {
				t.Error("Replace accepted an invalid policy")
			}
		}
		gen, err := c.Replace(m, generationPolicy(n), nil)
		if err != nil || gen != n {
			t.Fatalf("Replace = %d, %v; want %d", gen, err, n)
		}
	}
	done.Store(true)
	wg.Wait()
	if decided.Load() == 0 {
		t.Error("no reader decided anything")
	}
}
