package authz

import (
	"hash/maphash"
	"math/bits"
	"slices"
	"sync/atomic"
)

// cacheSlots is the number of decisions a policy snapshot remembers. The
// principal sets of requests are unbounded in number (they carry
// account:<AccountSid>), so the cache is a fixed table that forgets old
// entries rather than a map that grows.
const cacheSlots = 4096

// decisionCache remembers decisions of one policy snapshot, keyed by the
// principals asked about (in the order given), the resource and the
// permission.
//
// It is a two-way set-associative table of atomic pointers to immutable
// entries: a lookup takes no lock and allocates nothing, an insertion
// stores a new entry in the first way of its set and moves the entry it
// displaces to the second, and the entry displaced from there is forgotten.
// A lookup compares the whole key, never the hash alone, so a collision
// costs a miss and never returns another question's decision.
//
// The cache belongs to one snapshot and dies with it: a policy change
// builds a new snapshot with an empty cache, and swaps both in at once.
type decisionCache struct {
	seed  maphash.Seed
	slots []atomic.Pointer[cacheEntry]
	mask  uint64 // len(slots)-1, with the lowest bit cleared: selects a set
}

// cacheEntry is one remembered decision. Nothing modifies it once it is
// stored.
type cacheEntry struct {
	hash                 uint64
	principals           []string // the key, a private copy
	resource, permission string
	decision             Decision // Principals is private; callers get a copy
}

func newDecisionCache(slots int) *decisionCache {
	return &decisionCache{
		seed:  maphash.MakeSeed(),
		slots: make([]atomic.Pointer[cacheEntry], slots),
		mask:  uint64(slots-1) &^ 1,
	}
}

// hash returns the hash of a key. Each string is hashed on its own and
// the results are chained, so that ["ab"] and ["a", "b"] differ.
func (c *decisionCache) hash(principals []string, resource, permission string) uint64 {
	const k = 0x9e3779b97f4a7c15
	h := uint64(len(principals))
	for _, p := range principals {
		h = bits.RotateLeft64((h^maphash.String(c.seed, p))*k, 31)
	}
	h = bits.RotateLeft64((h^maphash.String(c.seed, resource))*k, 31)
	return (h ^ maphash.String(c.seed, permission)) * k
}

// get returns the remembered entry for the key, or nil.
func (c *decisionCache) get(h uint64, principals []string, resource, permission string) *cacheEntry {
	set := h & c.mask
	for _, i := range [2]uint64{set, set | 1} {
		e := c.slots[i].Load()
		if e != nil && e.hash == h && e.resource == resource && e.permission == permission &&
			slices.Equal(e.principals, principals) {
			return e
		}
	}
	return nil
}

// put remembers d as the decision for the key. It copies principals.
func (c *decisionCache) put(h uint64, principals []string, resource, permission string, d Decision) {
	e := &cacheEntry{
		hash:       h,
		principals: slices.Clone(principals),
		resource:   resource,
		permission: permission,
		decision:   d,
	}
	set := h & c.mask
	// Two goroutines may insert into one set at once; one of the
	// displaced entries is then lost, which costs a later miss and
	// nothing else.
	if old := c.slots[set].Swap(e); old != nil {
		c.slots[set|1].Store(old)
	}
}
