package authz

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/policies"
)

// A hit compares the whole key: two keys forced onto one hash never answer
// for each other.
func TestDecisionCacheComparesWholeKey(t *testing.T) {
	c := newDecisionCache(8)
	const h = 42 // the same hash for every key below
	keys := []struct {
		principals           []string
		resource, permission string
	}{
		{[]string{"alice"}, "/", "view"},
		{[]string{"bob"}, "/", "view"},
		{[]string{"alice"}, "/x", "view"},
		{[]string{"alice"}, "/", "edit"},
		{[]string{"alice", "bob"}, "/", "view"},
		{[]string{"bob", "alice"}, "/", "view"},
		{nil, "/", "view"},
	}
	for i, k := range keys {
		c.put(h, k.principals, k.resource, k.permission, Decision{Context: fmt.Sprint(i)})
		e := c.get(h, k.principals, k.resource, k.permission)
		if e == nil || e.decision.Context != fmt.Sprint(i) {
			t.Fatalf("key %d: get after put = %+v, want its own decision", i, e)
		}
		for j, other := range keys {
			if j == i {
				continue
			}
			if e := c.get(h, other.principals, other.resource, other.permission); e != nil && e.decision.Context != fmt.Sprint(j) {
				t.Errorf("key %d: get returned the decision of key %s", j, e.decision.Context)
			}
		}
	}
}

func TestDecisionCacheHashDistinguishesBoundaries(t *testing.T) {
	c := newDecisionCache(8)
	pairs := [][2][]string{
		{{"ab"}, {"a", "b"}},
		{{"a", "b"}, {"b", "a"}},
		{{""}, nil},
	}
	for _, p := range pairs {
		if c.hash(p[0], "/", "view") == c.hash(p[1], "/", "view") {
			t.Errorf("hash(%q) == hash(%q)", p[0], p[1])
		}
	}
}

// The cache keeps a private copy of the principals it is keyed by.
func TestDecisionCacheCopiesKey(t *testing.T) {
	c := newDecisionCache(8)
	principals := []string{"alice"}
	h := c.hash(principals, "/", "view")
	c.put(h, principals, "/", "view", Decision{Allowed: true})
	principals[0] = "mallory"
	if e := c.get(h, []string{"alice"}, "/", "view"); e == nil || !e.decision.Allowed {
		t.Errorf("get after the caller changed its principals = %+v, want the decision for alice", e)
	}
}

// The cache is bounded: however many distinct principal sets ask, it
// holds at most its number of slots, and decisions stay right.
func TestPermitsCacheBounded(t *testing.T) {
	m, err := policies.LoadModel("")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCasbin(m, [][]string{{"group:twilio", "/", "view", "allow"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 * cacheSlots {
		principals := []string{"system.Everyone", "group:twilio", fmt.Sprintf("account:AC%d", i)}
		if i%3 == 0 {
			principals = principals[:1]
		}
		d, err := c.Permits(t.Context(), principals, "/", "view")
		if err != nil || d.Allowed != (i%3 != 0) {
			t.Fatalf("request %d: Permits = %v, %v; want Allowed %v", i, d, err, i%3 != 0)
		}
	}
	s := c.state.Load()
	n := 0
	for i := range s.cache.slots {
		if s.cache.slots[i].Load() != nil {
			n++
		}
	}
	if n > cacheSlots || len(s.cache.slots) != cacheSlots {
		t.Errorf("cache holds %d entries in %d slots, want at most %d", n, len(s.cache.slots), cacheSlots)
	}
}
