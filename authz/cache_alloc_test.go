//go:build !race

package authz_test

import (
	"context"
	"testing"
)

// A cached decision costs at most one allocation: the caller's copy of
// the principals. (Not under the race detector, which allocates for its
// own bookkeeping.)
func TestPermitsCachedAllocations(t *testing.T) {
	c := mustCasbin(t, aclModel, pyramidACL, [][]string{{"pebbles", "wilma"}})
	ctx := context.Background()
	principals := []string{"system.Everyone", "system.Authenticated", "pebbles"}
	permits(t, c, principals, "/community/blog", "view")
	got := testing.AllocsPerRun(100, func() {
		if _, err := c.Permits(ctx, principals, "/community/blog", "view"); err != nil {
			t.Fatal(err)
		}
	})
	if got > 1 {
		t.Errorf("cached Permits allocates %v times per call, want at most 1", got)
	}
}
