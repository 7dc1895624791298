package authz

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// resourceACL is the ACL of one resource of a policy snapshot, with the
// Casbin enforcer that evaluates it.
//
// Each resource has an enforcer of its own that holds that resource's
// rows alone, in file order. So asking Casbin about one level of a
// lineage costs the rows of that level, however many rows the rest of the
// policy has; an enforcer holding every row would test each of them on
// every question.
//
// The enforcer is built the first time the resource is asked about, not
// with the snapshot: an enforcer, with its compiled matcher, costs a few
// kilobytes and tens of microseconds, and a policy may have thousands of
// resources of which a server asks about few. Building it needs nothing
// but the immutable parts of the snapshot, so every goroutine that would
// build it builds the same thing; sync.Once makes one of them do it.
// NewCasbin has already built and exercised an enforcer from the same
// model (see casbinModel.probe), so the build does not fail in practice;
// if it ever did, every question about the resource would return the
// error, and no decision.
type resourceACL struct {
	aces  []ACE      // the ACL in file order; private, checked against Casbin
	shown []ACE      // a copy of aces that Decisions share
	rows  [][]string // the rows that the enforcer holds, in file order
	model *casbinModel

	once     sync.Once
	enforcer *casbin.Enforcer
	err      error
}

// decide asks Casbin about the resource's ACL, for the resource level,
// and returns the index in the ACL of the entry that decides, with its
// verdict, or -1 when no entry applies. See decidingACE for the check of
// Casbin's answer.
func (a *resourceACL) decide(set principalSet, level, permission string) (int, bool, error) {
	a.once.Do(func() { a.enforcer, a.err = a.model.enforcer(a.rows) })
	if a.err != nil {
		return 0, false, a.err
	}
	allowed, row, err := a.enforcer.EnforceEx(set, level, permission)
	if err != nil {
		return 0, false, casbinError(err)
	}
	i, err := decidingACE(a.aces, row, allowed, set, level, permission)
	return i, allowed, err
}

// casbinError wraps an error of Casbin's as ErrInvalidModel, with only
// the first line of its message: Casbin turns a panic in a matcher into
// an error that carries the goroutine's whole stack, which would reach the
// operator as dozens of lines (with the build machine's paths), or as one
// huge field of a log line.
func casbinError(err error) error {
	msg, _, cut := strings.Cut(err.Error(), "\n")
	if !cut {
		return fmt.Errorf("%w: casbin: %w", ErrInvalidModel, err)
	}
	return fmt.Errorf("%w: casbin: %s", ErrInvalidModel, msg)
}

// casbinModel holds what the enforcer of a resource needs of a model that
// checkModel accepted: its request, policy and effect definitions and its
// matcher. Nothing modifies it once newCasbinModel has returned it.
//
// The enforcers have no role definition. Permits adds the groups that the
// grouping rows give to the principals before it asks Casbin, so the
// matcher has no use for g; a matcher that calls it does not compile, and
// NewCasbin rejects the model.
type casbinModel struct {
	request, policy, effect, matcher modelPart
}

// modelPart is what Casbin reads of one assertion of a model when it
// enforces: the section "r", "p", "e" or "m" (the key of the assertion
// too), the definition, and the tokens it defines.
type modelPart struct {
	sec, value string
	tokens     []string
}

// newCasbinModel copies the parts of m that the enforcers need.
func newCasbinModel(m model.Model) *casbinModel {
	part := func(sec string) modelPart {
		a := m[sec][sec]
		return modelPart{sec: sec, value: a.Value, tokens: slices.Clone(a.Tokens)}
	}
	return &casbinModel{request: part("r"), policy: part("p"), effect: part("e"), matcher: part("m")}
}

// enforcer returns a new Casbin enforcer that holds rows, in their order,
// and nothing else. Each enforcer has its own model, since Casbin writes
// into a model's assertions when it builds an enforcer on it.
func (cm *casbinModel) enforcer(rows [][]string) (e *casbin.Enforcer, err error) {
	// Casbin is not written for models it does not expect and may panic
	// on them; that is a bad model, not a reason to crash.
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("%w: casbin: %v", ErrInvalidModel, r)
		}
	}()
	m := make(model.Model, 4)
	for _, p := range []modelPart{cm.request, cm.policy, cm.effect, cm.matcher} {
		// Casbin only reads the tokens; they are shared with cm.
		m[p.sec] = model.AssertionMap{p.sec: &model.Assertion{Key: p.sec, Value: p.value, Tokens: p.tokens}}
	}
	// The rows are set directly, so Casbin keeps them in file order.
	// (Loading through an adapter sorts rows if the model has a priority
	// field, and model.RemovePolicy moves the last row into the hole it
	// leaves; either would break first-match. model.AddPolicy would keep
	// the order, but also index each row by its joined text, a map the
	// enforcer never reads.) Casbin only reads the rows; they are shared
	// with the snapshot.
	m["p"]["p"].Policy = rows
	e, err = casbin.NewEnforcer(m, false)
	if err != nil {
		return nil, casbinError(err)
	}
	// Casbin's function map never replaces a function once added, and the
	// enforcer caches the compiled matcher on first use; so the function
	// is added here, once, before the enforcer is ever used.
	e.AddFunction(principalFunc, hasPrincipal)
	// Casbin's own effector makes each Enforce quadratic in the number of
	// rows; firstMatch gives the same answers in linear time.
	e.SetEffector(firstMatch{})
	return e, nil
}

// probe builds an enforcer from cm and asks it questions whose answers
// ACL semantics fix. A model that Casbin cannot compile or run, or whose
// matcher ignores the resource, the principal, the permission or the
// AllPermissions case, or matches them as patterns (keyMatch, regexMatch)
// rather than exactly, fails here, when the policy is loaded, rather than
// on requests. (Permits still checks every answer: see decidingACE.)
func (cm *casbinModel) probe() error {
	const who = "probe:principal"
	rows := [][]string{
		{who, "/probe", "view", "allow"},
		{who, "/probe/all", AllPermissions, "deny"},
		{who, "/probe/pattern/*", "view", "allow"},
		{who, "/probe/regex", "vi.*", "allow"},
		{"probe:.*", "/probe/who", "view", "allow"},
		{who, "/probe/glob", "vi*", "allow"},
		{who, "/probe/param/:id", "view", "allow"},
	}
	tests := []struct {
		sub, obj, act string
		want          int // the index of the row that must match, or -1
	}{
		{who, "/probe", "view", 0},
		{who, "/elsewhere", "view", -1},
		{"probe:other", "/probe", "view", -1},
		{who, "/probe", "edit", -1},
		{who, "/probe/all", "view", 1},
		{who, "/probe/pattern/x", "view", -1},
		{who, "/probe/regex", "view", -1},
		{who, "/probe/who", "view", -1},
		{who, "/probe/glob", "view", -1},
		{who, "/probe/param/x", "view", -1},
	}
	e, err := cm.enforcer(rows)
	if err != nil {
		return err
	}
	for _, tt := range tests {
		allowed, row, err := e.EnforceEx(principalSet{tt.sub: {}}, tt.obj, tt.act)
		if err != nil {
			return casbinError(err)
		}
		want, wantRow, wantAllowed := "no row", []string{}, false
		if tt.want >= 0 {
			wantRow = rows[tt.want]
			want, wantAllowed = fmt.Sprintf("%q", wantRow), wantRow[3] == "allow"
		}
		if allowed != wantAllowed || !slices.Equal(row, wantRow) {
			return fmt.Errorf("%w: for principal %q, resource %q and permission %q, with the rows %q, casbin matched %q (allowed %v), want %s",
				ErrInvalidModel, tt.sub, tt.obj, tt.act, rows, row, allowed, want)
		}
	}
	return nil
}
