package authz

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2/model"
)

// Casbin is a Policy whose ACL is evaluated by Casbin enforcers, with
// Pyramid's semantics (see the package documentation).
//
// Casbin evaluates each resource's ACL with an enforcer that holds that
// resource's rows alone, in file order, so an uncached decision costs the
// rows of the resources in the lineage, not the rows of the whole policy.
//
// A Casbin is safe for concurrent use by multiple goroutines. Its state is
// an immutable snapshot of one policy, built by NewCasbin or Replace and
// never modified afterwards: Permits only reads it, and the enforcers
// inside are only ever asked to enforce, never to change their policy
// (Casbin's RemovePolicy and UpdatePolicy would reorder rows). A
// resource's enforcer is built the first time the resource is asked
// about, from the snapshot's immutable rows and model. The snapshot sits
// behind an atomic pointer: Replace builds a whole new snapshot and then
// swaps it in, so every call of Permits, which loads the pointer once,
// sees either the old policy or the new one, in full.
//
// Each snapshot carries its own decision cache (see Permits) and a
// generation number, so a decision remembered under one policy can never
// answer a question asked under another.
//
// The zero Casbin has no policy; its Permits returns an error until
// Replace gives it one.
type Casbin struct {
	state atomic.Pointer[snapshot]
	mu    sync.Mutex // serializes Replace
}

// snapshot is the evaluation state of a Casbin. Nothing modifies it once
// newSnapshot has returned it, except the cache, which only remembers
// decisions that the rest of the snapshot determines.
type snapshot struct {
	generation uint64
	acls       map[string]*resourceACL // resource → its ACL and enforcer
	groups     map[string][]string     // member → its groups, in file order
	cache      *decisionCache
}

// NewCasbin returns a Casbin that evaluates policy, grouping and the model m.
//
// Each policy row is principal, resource, permission, effect (the effect is
// "allow" or "deny"; the permission may be AllPermissions). Each grouping row
// is member, group. Rows keep their order; a row that repeats an earlier
// row exactly is dropped, since it can never decide. NewCasbin copies m and
// the rows, and never modifies them; rows already loaded into m are
// ignored.
//
// The model must be the one the policies package embeds, or one that
// defines the same things: r = sub, obj, act; p = sub, obj, act, eft;
// e = priority(p.eft) || deny; a matcher that compares r.obj with p.obj,
// tests the principal with hasPrincipal(r.sub, p.sub), matches p.act
// equal to r.act or "*", and does not call g (the groups that grouping
// rows give are added to the principals before Casbin is asked); and, to
// use grouping rows, g = _, _. NewCasbin builds Casbin enforcers from the
// model and asks them a few questions whose answers these rules fix.
// A model or a row that does not fit is an error wrapping ErrInvalidModel or
// ErrInvalidPolicy; all the problems found are reported together.
//
// Each resource's rows are evaluated by an enforcer of their own (see
// Casbin), given an effector that implements the priority effect in
// linear time (Casbin's own is quadratic in the number of rows); see
// docs/BENCHMARKS.md.
//
// The policy's generation is 1; see Replace.
func NewCasbin(m model.Model, policy, grouping [][]string) (*Casbin, error) {
	c := new(Casbin)
	if _, err := c.Replace(m, policy, grouping); err != nil {
		return nil, err
	}
	return c, nil
}

// Replace replaces c's policy with the one that m, policy and grouping
// describe (see NewCasbin for what they must be), and returns the new
// policy's generation: one more than the previous one's, or 1 if c had no
// policy.
//
// Replace builds and checks the complete new policy first, then swaps it
// in atomically: a call of Permits that starts after Replace returns
// decides under the new policy (or a later one), a call already under way
// finishes under the policy it started with, and no call ever sees a
// policy in part. The decision cache starts empty with each policy. If
// the new policy is invalid, Replace returns the error that NewCasbin
// would, and c keeps its policy and generation unchanged: a failed reload
// never leaves c empty or open.
//
// Concurrent calls of Replace are serialized.
func (c *Casbin) Replace(m model.Model, policy, grouping [][]string) (generation uint64, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	generation = 1
	if old := c.state.Load(); old != nil {
		generation = old.generation + 1
	}
	s, err := newSnapshot(m, policy, grouping)
	if err != nil {
		return 0, err
	}
	s.generation = generation
	c.state.Store(s)
	return generation, nil
}

// Generation returns the generation of c's current policy: 1 for the
// policy NewCasbin loaded, one more for each successful Replace, and 0 if
// c has no policy.
func (c *Casbin) Generation() uint64 {
	if s := c.state.Load(); s != nil {
		return s.generation
	}
	return 0
}

func newSnapshot(m model.Model, policy, grouping [][]string) (*snapshot, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	policy, perrs := cleanPolicy(policy)
	grouping, gerrs := cleanGrouping(grouping)
	_, hasRoles := m["g"]
	if len(grouping) > 0 && !hasRoles {
		gerrs = append(gerrs, fmt.Errorf("%w: grouping rows need a model with role_definition g = _, _", ErrInvalidModel))
	}
	if err := errors.Join(append(perrs, gerrs...)...); err != nil {
		return nil, err
	}

	cm := newCasbinModel(m)
	if err := cm.probe(); err != nil {
		return nil, err
	}
	s := &snapshot{
		acls:   make(map[string]*resourceACL),
		groups: make(map[string][]string),
		cache:  newDecisionCache(cacheSlots),
	}
	for _, row := range policy {
		a := s.acls[row[1]]
		if a == nil {
			a = &resourceACL{model: cm}
			s.acls[row[1]] = a
		}
		a.aces = append(a.aces, ACE{Allow: row[3] == "allow", Principal: row[0], Permission: row[2]})
		a.rows = append(a.rows, row)
	}
	for _, a := range s.acls {
		// Full slice expressions: appending to a Decision's ACL
		// reallocates instead of writing into the snapshot's.
		a.aces = slices.Clip(a.aces)
		a.shown = slices.Clip(slices.Clone(a.aces))
		a.rows = slices.Clip(a.rows)
	}
	for _, row := range grouping {
		s.groups[row[0]] = append(s.groups[row[0]], row[1])
	}
	return s, nil
}

// cleanPolicy checks policy rows and returns copies of them without exact
// duplicates, keeping the first.
func cleanPolicy(rows [][]string) ([][]string, []error) {
	var (
		out  [][]string
		errs []error
		seen = make(map[[4]string]bool)
	)
	for i, row := range rows {
		bad := func(msg string) {
			errs = append(errs, fmt.Errorf("%w: policy row %d %q: %s", ErrInvalidPolicy, i+1, row, msg))
		}
		switch {
		case len(row) != 4:
			bad("want 4 fields (principal, resource, permission, effect)")
		case slices.Contains(row, ""):
			bad("empty field")
		case row[3] != "allow" && row[3] != "deny":
			bad("effect must be allow or deny")
		case !validResource(row[1]):
			bad("resource must be a clean slash path")
		case unknownSystem(row[0]):
			bad("the principal is not a system principal that authentication gives: no request holds it")
		default:
			key := [4]string(row)
			if !seen[key] {
				seen[key] = true
				out = append(out, slices.Clone(row))
			}
		}
	}
	return out, errs
}

// systemPrefix starts the names of the principals that authentication
// gives (system.Everyone, system.Authenticated), which no grouping row may
// give.
const systemPrefix = "system."

// unknownSystem reports whether p is in the system namespace without
// being a principal that authentication gives. No request holds such a
// principal, so a row naming it could never apply: most likely a
// misspelt system principal, and a misspelt DENY_ALL would deny nothing.
func unknownSystem(p string) bool {
	return strings.HasPrefix(p, systemPrefix) && p != everyone && p != authenticated
}

// cleanGrouping checks grouping rows and returns copies of them without
// exact duplicates, keeping the first.
func cleanGrouping(rows [][]string) ([][]string, []error) {
	var (
		out  [][]string
		errs []error
		seen = make(map[[2]string]bool)
	)
	for i, row := range rows {
		switch {
		case len(row) != 2:
			errs = append(errs, fmt.Errorf("%w: grouping row %d %q: want 2 fields (member, group)", ErrInvalidPolicy, i+1, row))
		case slices.Contains(row, ""):
			errs = append(errs, fmt.Errorf("%w: grouping row %d %q: empty field", ErrInvalidPolicy, i+1, row))
		case strings.HasPrefix(row[1], systemPrefix):
			// g, system.Everyone, system.Authenticated would make every
			// request authenticated: system principals come from
			// authentication only.
			errs = append(errs, fmt.Errorf("%w: grouping row %d %q: the group is a system principal", ErrInvalidPolicy, i+1, row))
		case unknownSystem(row[0]):
			errs = append(errs, fmt.Errorf("%w: grouping row %d %q: the member is not a system principal that authentication gives: no request holds it", ErrInvalidPolicy, i+1, row))
		default:
			key := [2]string(row)
			if !seen[key] {
				seen[key] = true
				out = append(out, slices.Clone(row))
			}
		}
	}
	return out, errs
}

// Permits reports whether principals hold permission on resource.
//
// The principals are first extended with the groups that the grouping rows
// give them, transitively. Then Casbin is asked about each resource of
// Lineage(resource) that has rows in turn, from the resource up to the
// root, each time with only that resource's rows; at the first resource
// where a row applies, the first such row in file order decides.
// If no row applies anywhere, the answer is a default deny.
//
// Decisions are cached with the policy they were made under, keyed by the
// principals (in the order given: the same principals in another order are
// another key), the resource and the permission. A cached decision is the
// one Casbin would make again: the policy it came from is immutable, and
// Replace starts the next policy with an empty cache. The cache holds a
// bounded number of decisions and forgets old ones.
//
// The returned Decision's Principals are the caller's own. Its ACE and
// ACL are shared with other decisions of the same policy and must not be
// modified (Decision.Clone gives a copy that may be); modifying them would
// change only explanations, never a decision, since Permits evaluates a
// private copy of the ACL.
//
// Permits returns an error wrapping ErrInvalidRequest if permission is
// empty, AllPermissions or NoPermissionRequired, or if resource is not a
// clean slash path (see Lineage); one wrapping ErrInvalidModel if c has no
// policy, if Casbin fails, or if Casbin names as deciding a row that does
// not apply to the question; and one wrapping the context's error if ctx
// is done. Errors are never cached.
func (c *Casbin) Permits(ctx context.Context, principals []string, resource, permission string) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("authz: %w", err)
	}
	s := c.state.Load() // once: the whole call decides under this policy
	if s == nil {
		return Decision{}, errNoPolicy
	}
	h := s.cache.hash(principals, resource, permission)
	if e := s.cache.get(h, principals, resource, permission); e != nil {
		// Only valid questions are cached, so a hit needs no checks.
		d := e.decision
		d.Principals = slices.Clone(d.Principals)
		return d, nil
	}
	if err := checkRequest(resource, permission); err != nil {
		return Decision{}, err
	}
	d, err := s.permits(principals, resource, permission)
	if err != nil {
		return Decision{}, err
	}
	s.cache.put(h, principals, resource, permission, d)
	d.Principals = slices.Clone(d.Principals)
	return d, nil
}

var errNoPolicy = fmt.Errorf("%w: Casbin has no policy: create it with NewCasbin", ErrInvalidModel)

// checkRequest reports a question that has no answer; see Permits.
func checkRequest(resource, permission string) error {
	switch {
	case permission == "":
		return fmt.Errorf("%w: empty permission", ErrInvalidRequest)
	case permission == AllPermissions:
		return fmt.Errorf("%w: permission %q is AllPermissions, which ACEs grant but nobody asks for", ErrInvalidRequest, permission)
	case permission == NoPermissionRequired:
		return fmt.Errorf("%w: permission %q is NoPermissionRequired: skip the check instead", ErrInvalidRequest, permission)
	case !validResource(resource):
		return fmt.Errorf("%w: resource %q is not a clean slash path", ErrInvalidRequest, resource)
	}
	return nil
}

// permits decides without the cache. The Decision's Principals are fresh;
// its ACE and ACL are shared (see Permits).
func (s *snapshot) permits(principals []string, resource, permission string) (Decision, error) {
	effective, set := s.expand(principals)
	var lastACL []ACE // Pyramid reports the last ACL it saw on a default deny
	for level, ok := resource, true; ok; level, ok = parent(level) {
		acl := s.acls[level]
		if acl == nil {
			// No row names this resource: the question passes to the
			// parent.
			continue
		}
		lastACL = acl.shown
		i, allowed, err := acl.decide(set, level, permission)
		if err != nil {
			return Decision{}, err
		}
		if i < 0 {
			continue
		}
		return Decision{
			Allowed:    allowed,
			Permission: permission,
			Context:    level,
			ACE:        &acl.shown[i],
			ACL:        acl.shown,
			Principals: effective,
			Generation: s.generation,
		}, nil
	}
	return Decision{
		Permission: permission,
		Context:    resource,
		ACL:        lastACL,
		Principals: effective,
		Generation: s.generation,
	}, nil
}

// decidingACE returns the index in acl of the row that Casbin reports as
// having decided, or -1 when Casbin matched no row. Casbin's answer is
// checked against the ACL semantics themselves: the row must be the first
// of acl whose principal is in set and whose permission is permission or
// AllPermissions, and when Casbin matched nothing no such row may exist.
// So a model whose matcher strays from ACL semantics (say, one that drops
// the AllPermissions case) fails closed with an error instead of deciding
// differently, or explaining a decision with the wrong ACE.
func decidingACE(acl []ACE, row []string, allowed bool, set principalSet, level, permission string) (int, error) {
	want := slices.IndexFunc(acl, func(a ACE) bool {
		return set.has(a.Principal) && (a.Permission == permission || a.Permission == AllPermissions)
	})
	if len(row) == 0 {
		if want >= 0 {
			return 0, fmt.Errorf("%w: casbin matched no row of %q, but %s applies to %q", ErrInvalidModel, level, acl[want], permission)
		}
		return -1, nil
	}
	if want < 0 || len(row) != 4 || row[1] != level ||
		acl[want] != (ACE{Allow: row[3] == "allow", Principal: row[0], Permission: row[2]}) ||
		acl[want].Allow != allowed {
		return 0, fmt.Errorf("%w: casbin matched row %q, which is not the first row of %q that decides %q", ErrInvalidModel, row, level, permission)
	}
	return want, nil
}

// principalSet is the set of a request's effective principals. Permits
// hands it to Casbin as r.sub; only hasPrincipal reads it. It is not a
// string, so Casbin can neither compare it with a row's principal by
// accident nor try to parse it as JSON.
type principalSet map[string]struct{}

func (s principalSet) has(p string) bool {
	_, ok := s[p]
	return ok
}

// expand returns the effective principals: principals without repeats in
// the order given, then, breadth first, the groups that the grouping rows
// give them, each group once. A cycle of groups ends when it comes back to
// a principal already seen.
func (s *snapshot) expand(principals []string) ([]string, principalSet) {
	effective := make([]string, 0, len(principals))
	set := make(principalSet, len(principals))
	for _, p := range principals {
		if _, ok := set[p]; !ok {
			set[p] = struct{}{}
			effective = append(effective, p)
		}
	}
	for i := 0; i < len(effective); i++ {
		for _, g := range s.groups[effective[i]] {
			if _, ok := set[g]; !ok {
				set[g] = struct{}{}
				effective = append(effective, g)
			}
		}
	}
	return effective, set
}

// hasPrincipal implements the matcher function hasPrincipal(r.sub, p.sub):
// whether the row's principal is among the request's principals.
func hasPrincipal(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%s: want 2 arguments (r.sub, p.sub), got %d", principalFunc, len(args))
	}
	set, ok := args[0].(principalSet)
	if !ok {
		return nil, fmt.Errorf("%s: first argument must be r.sub, got %T", principalFunc, args[0])
	}
	name, ok := args[1].(string)
	if !ok {
		return nil, fmt.Errorf("%s: second argument must be p.sub, got %T", principalFunc, args[1])
	}
	return set.has(name), nil
}

var _ Policy = (*Casbin)(nil)
