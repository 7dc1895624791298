package authz_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policies"
)

// aclModel is the model that the policies package embeds, the one a
// server runs with.
var aclModel = policies.DefaultModel()

// pyramidACL is the ACL fixture of Pyramid's own ACLHelper tests, as rows.
var pyramidACL = [][]string{
	{"system.Authenticated", "/", "view", "allow"},

	{"fred", "/community", "*", "allow"},
	{"wilma", "/community", "view", "allow"},
	{"system.Everyone", "/community", "*", "deny"}, // DENY_ALL

	{"barney", "/community/blog", "view", "allow"},
	{"barney", "/community/blog", "comment", "allow"},
	{"barney", "/community/blog", "edit", "allow"},
	{"barney", "/community/blog", "create", "allow"},
	{"barney", "/community/blog", "delete", "allow"},
	{"wilma", "/community/blog", "view", "allow"},
}

var denyAll = &authz.ACE{Allow: false, Principal: "system.Everyone", Permission: "*"}

func mustModel(t testing.TB, text string) model.Model {
	t.Helper()
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatalf("model.NewModelFromString: %v", err)
	}
	return m
}

func mustCasbin(t testing.TB, modelText string, policy, grouping [][]string) *authz.Casbin {
	t.Helper()
	c, err := authz.NewCasbin(mustModel(t, modelText), policy, grouping)
	if err != nil {
		t.Fatalf("NewCasbin: %v", err)
	}
	return c
}

func permits(t testing.TB, p authz.Policy, principals []string, resource, permission string) authz.Decision {
	t.Helper()
	d, err := p.Permits(context.Background(), principals, resource, permission)
	if err != nil {
		t.Fatalf("Permits(%q, %q, %q): %v", principals, resource, permission, err)
	}
	return d
}

func aceString(a *authz.ACE) string {
	if a == nil {
		return "<default deny>"
	}
	return a.String()
}

// conformance runs Pyramid's ACLHelper.permits cases against a model.
func conformance(t *testing.T, modelText string) {
	c := mustCasbin(t, modelText, pyramidACL, nil)
	user := func(name string) []string {
		return []string{"system.Everyone", "system.Authenticated", name}
	}
	tests := []struct {
		name        string
		principals  []string
		resource    string
		permission  string
		wantAllowed bool
		wantContext string
		wantACE     *authz.ACE
	}{
		{"wilma may view the blog", user("wilma"), "/community/blog", "view",
			true, "/community/blog", &authz.ACE{Allow: true, Principal: "wilma", Permission: "view"}},
		{"wilma may not delete the blog", user("wilma"), "/community/blog", "delete",
			false, "/community", denyAll},
		{"fred may view the blog", user("fred"), "/community/blog", "view",
			true, "/community", &authz.ACE{Allow: true, Principal: "fred", Permission: "*"}},
		{"fred holds permissions nobody has invented", user("fred"), "/community/blog", "doesntevenexistyet",
			true, "/community", &authz.ACE{Allow: true, Principal: "fred", Permission: "*"}},
		{"barney may view the blog", user("barney"), "/community/blog", "view",
			true, "/community/blog", &authz.ACE{Allow: true, Principal: "barney", Permission: "view"}},
		{"barney may delete the blog", user("barney"), "/community/blog", "delete",
			true, "/community/blog", &authz.ACE{Allow: true, Principal: "barney", Permission: "delete"}},
		{"barney may not administer the blog", user("barney"), "/community/blog", "administer",
			false, "/community", denyAll},
		{"someguy may not view the blog", user("someguy"), "/community/blog", "view",
			false, "/community", denyAll},
		{"someguy may view the root", user("someguy"), "/", "view",
			true, "/", &authz.ACE{Allow: true, Principal: "system.Authenticated", Permission: "view"}},
		{"someguy may view a resource under the root only", user("someguy"), "/elsewhere/deep", "view",
			true, "/", &authz.ACE{Allow: true, Principal: "system.Authenticated", Permission: "view"}},
		{"everyone alone may not view the root", []string{"system.Everyone"}, "/", "view",
			false, "/", nil},
		{"everyone alone may not view a resource without an ACL", []string{"system.Everyone"}, "/elsewhere", "view",
			false, "/elsewhere", nil},
		{"wilma may view the community", user("wilma"), "/community", "view",
			true, "/community", &authz.ACE{Allow: true, Principal: "wilma", Permission: "view"}},
		{"permissions match exactly: View", user("wilma"), "/community/blog", "View",
			false, "/community", denyAll},
		{"permissions match exactly: view_stuff", user("barney"), "/", "view_stuff",
			false, "/", nil},
		{"no principals", nil, "/community/blog", "view",
			false, "/community/blog", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The first ask is decided by Casbin, the second comes
			// from the decision cache: both must be right.
			first := permits(t, c, tt.principals, tt.resource, tt.permission)
			second := permits(t, c, tt.principals, tt.resource, tt.permission)
			if first.String() != second.String() || first.Allowed != second.Allowed || first.Generation != second.Generation {
				t.Errorf("cached decision %v (generation %d) differs from the first %v (generation %d)",
					second, second.Generation, first, first.Generation)
			}
			d := second
			if d.Allowed != tt.wantAllowed {
				t.Errorf("Allowed = %v, want %v (%v)", d.Allowed, tt.wantAllowed, d)
			}
			if d.Context != tt.wantContext {
				t.Errorf("Context = %q, want %q", d.Context, tt.wantContext)
			}
			if got, want := aceString(d.ACE), aceString(tt.wantACE); got != want {
				t.Errorf("ACE = %s, want %s", got, want)
			}
			if d.Permission != tt.permission {
				t.Errorf("Permission = %q, want %q", d.Permission, tt.permission)
			}
			// On a default deny Pyramid reports the last ACL it met going
			// up the lineage: in this fixture always the root's.
			aclOf := tt.wantContext
			if tt.wantACE == nil {
				aclOf = "/"
			}
			var wantACL []authz.ACE
			for _, row := range pyramidACL {
				if row[1] == aclOf {
					wantACL = append(wantACL, authz.ACE{Allow: row[3] == "allow", Principal: row[0], Permission: row[2]})
				}
			}
			if !slices.Equal(d.ACL, wantACL) {
				t.Errorf("ACL = %v, want %v", d.ACL, wantACL)
			}
			if d.ACE != nil && !slices.Contains(d.ACL, *d.ACE) {
				t.Errorf("ACE %v is not in ACL %v", d.ACE, d.ACL)
			}
		})
	}
}

func TestPermitsPyramidACL(t *testing.T) {
	conformance(t, aclModel)
}

func TestPermitsFirstRowDecides(t *testing.T) {
	tests := []struct {
		name        string
		policy      [][]string
		principals  []string
		wantAllowed bool
		wantACE     authz.ACE
	}{
		{
			name: "deny before allow",
			policy: [][]string{
				{"system.Everyone", "/", "view", "deny"},
				{"alice", "/", "view", "allow"},
			},
			principals:  []string{"system.Everyone", "alice"},
			wantAllowed: false,
			wantACE:     authz.ACE{Principal: "system.Everyone", Permission: "view"},
		},
		{
			name: "allow before deny",
			policy: [][]string{
				{"alice", "/", "view", "allow"},
				{"system.Everyone", "/", "view", "deny"},
			},
			principals:  []string{"system.Everyone", "alice"},
			wantAllowed: true,
			wantACE:     authz.ACE{Allow: true, Principal: "alice", Permission: "view"},
		},
		{
			name: "the order of the principals does not matter",
			policy: [][]string{
				{"alice", "/", "view", "allow"},
				{"system.Everyone", "/", "view", "deny"},
			},
			principals:  []string{"alice", "system.Everyone"},
			wantAllowed: true,
			wantACE:     authz.ACE{Allow: true, Principal: "alice", Permission: "view"},
		},
		{
			name: "a deny for another principal is skipped",
			policy: [][]string{
				{"bob", "/", "*", "deny"},
				{"alice", "/", "view", "allow"},
			},
			principals:  []string{"alice"},
			wantAllowed: true,
			wantACE:     authz.ACE{Allow: true, Principal: "alice", Permission: "view"},
		},
		{
			name: "a deny for another permission is skipped",
			policy: [][]string{
				{"alice", "/", "edit", "deny"},
				{"alice", "/", "view", "allow"},
			},
			principals:  []string{"alice"},
			wantAllowed: true,
			wantACE:     authz.ACE{Allow: true, Principal: "alice", Permission: "view"},
		},
		{
			name: "rows of other resources are interleaved",
			policy: [][]string{
				{"alice", "/other", "view", "allow"},
				{"alice", "/", "view", "deny"},
				{"alice", "/other", "view", "deny"},
				{"alice", "/", "view", "allow"},
			},
			principals:  []string{"alice"},
			wantAllowed: false,
			wantACE:     authz.ACE{Principal: "alice", Permission: "view"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCasbin(t, aclModel, tt.policy, nil)
			d := permits(t, c, tt.principals, "/", "view")
			if d.Allowed != tt.wantAllowed || d.ACE == nil || *d.ACE != tt.wantACE {
				t.Errorf("got %v, want Allowed %v via %v", d, tt.wantAllowed, tt.wantACE)
			}
		})
	}
}

func TestPermitsLongPolicyKeepsFileOrder(t *testing.T) {
	// Many rows, so that an implementation that sorted or hashed them
	// would be caught: for each resource, only the first row may decide.
	var policy [][]string
	for i := range 200 {
		r := fmt.Sprintf("/r%d", i)
		policy = append(policy,
			[]string{"alice", r, "view", []string{"allow", "deny"}[i%2]},
			[]string{"alice", r, "view", []string{"deny", "allow"}[i%2]},
		)
	}
	c := mustCasbin(t, aclModel, policy, nil)
	for i := range 200 {
		r := fmt.Sprintf("/r%d/child", i)
		if d := permits(t, c, []string{"alice"}, r, "view"); d.Allowed != (i%2 == 0) {
			t.Fatalf("%s: got %v, want Allowed %v", r, d, i%2 == 0)
		}
	}
}

func TestPermitsGroups(t *testing.T) {
	policy := [][]string{
		{"group:staff", "/", "view", "allow"},
		{"group:admins", "/admin", "*", "allow"},
		{"system.Everyone", "/admin", "*", "deny"},
	}
	tests := []struct {
		name           string
		grouping       [][]string
		principals     []string
		resource       string
		wantAllowed    bool
		wantPrincipals []string
	}{
		{
			name:           "direct group",
			grouping:       [][]string{{"alice", "group:staff"}},
			principals:     []string{"system.Everyone", "alice"},
			resource:       "/",
			wantAllowed:    true,
			wantPrincipals: []string{"system.Everyone", "alice", "group:staff"},
		},
		{
			name: "transitive groups, breadth first, in row order",
			grouping: [][]string{
				{"group:admins", "group:staff"},
				{"alice", "group:ops"},
				{"alice", "group:admins"},
				{"group:ops", "group:oncall"},
			},
			principals:     []string{"alice"},
			resource:       "/admin/users",
			wantAllowed:    true,
			wantPrincipals: []string{"alice", "group:ops", "group:admins", "group:oncall", "group:staff"},
		},
		{
			name: "cycle",
			grouping: [][]string{
				{"group:a", "group:b"},
				{"group:b", "group:c"},
				{"group:c", "group:a"},
				{"group:c", "group:staff"},
			},
			principals:     []string{"group:b"},
			resource:       "/",
			wantAllowed:    true,
			wantPrincipals: []string{"group:b", "group:c", "group:a", "group:staff"},
		},
		{
			name:           "member of itself",
			grouping:       [][]string{{"alice", "alice"}},
			principals:     []string{"alice"},
			resource:       "/",
			wantAllowed:    false,
			wantPrincipals: []string{"alice"},
		},
		{
			name:           "repeated principals are kept once",
			grouping:       [][]string{{"alice", "group:staff"}, {"bob", "group:staff"}},
			principals:     []string{"alice", "bob", "alice", "group:staff"},
			resource:       "/",
			wantAllowed:    true,
			wantPrincipals: []string{"alice", "bob", "group:staff"},
		},
		{
			name:           "groups are not inherited backwards",
			grouping:       [][]string{{"group:admins", "group:staff"}},
			principals:     []string{"system.Everyone", "group:staff"},
			resource:       "/admin",
			wantAllowed:    false,
			wantPrincipals: []string{"system.Everyone", "group:staff"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCasbin(t, aclModel, policy, tt.grouping)
			d := permits(t, c, tt.principals, tt.resource, "view")
			if d.Allowed != tt.wantAllowed {
				t.Errorf("Allowed = %v, want %v (%v)", d.Allowed, tt.wantAllowed, d)
			}
			if !slices.Equal(d.Principals, tt.wantPrincipals) {
				t.Errorf("Principals = %q, want %q", d.Principals, tt.wantPrincipals)
			}
		})
	}
}

func TestPermitsDoesNotModifyPrincipals(t *testing.T) {
	c := mustCasbin(t, aclModel, pyramidACL, [][]string{{"wilma", "group:a"}})
	principals := make([]string, 2, 8) // room to grow in place
	copy(principals, []string{"system.Everyone", "wilma"})
	permits(t, c, principals, "/", "view")
	if got := principals[:cap(principals)][2]; got != "" {
		t.Errorf("Permits wrote %q past the end of the principals it was given", got)
	}
}

func TestPermitsEmptyPolicyDeniesEverything(t *testing.T) {
	c := mustCasbin(t, aclModel, nil, nil)
	d := permits(t, c, []string{"system.Everyone", "group:twilio"}, "/", "view")
	if d.Allowed || d.ACE != nil || len(d.ACL) != 0 || d.Context != "/" {
		t.Errorf("got %v, want a default deny on /", d)
	}
}

func TestPermitsInvalidRequest(t *testing.T) {
	c := mustCasbin(t, aclModel, pyramidACL, nil)
	tests := []struct {
		name, resource, permission string
	}{
		{"empty permission", "/", ""},
		{"all permissions", "/", authz.AllPermissions},
		{"no permission required", "/", authz.NoPermissionRequired},
		{"empty resource", "", "view"},
		{"relative resource", "community", "view"},
		{"trailing slash", "/community/", "view"},
		{"empty segment", "/community//blog", "view"},
		{"dot segment", "/community/./blog", "view"},
		{"dot-dot segment", "/community/blog/..", "view"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := c.Permits(context.Background(), []string{"fred"}, tt.resource, tt.permission)
			if !errors.Is(err, authz.ErrInvalidRequest) {
				t.Errorf("Permits(%q, %q) = %v, %v; want an error matching ErrInvalidRequest", tt.resource, tt.permission, d, err)
			}
			if d.Allowed {
				t.Errorf("Permits(%q, %q) allowed along with its error", tt.resource, tt.permission)
			}
		})
	}
}

func TestPermitsCancelledContext(t *testing.T) {
	c := mustCasbin(t, aclModel, pyramidACL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := c.Permits(ctx, []string{"fred"}, "/community", "view")
	if !errors.Is(err, context.Canceled) || d.Allowed {
		t.Errorf("Permits with a cancelled context = %v, %v; want an error matching context.Canceled", d, err)
	}
}

func TestPermitsZeroCasbin(t *testing.T) {
	var c authz.Casbin
	d, err := c.Permits(context.Background(), []string{"fred"}, "/", "view")
	if !errors.Is(err, authz.ErrInvalidModel) || d.Allowed {
		t.Errorf("zero Casbin: Permits = %v, %v; want an error matching ErrInvalidModel", d, err)
	}
}

func TestNewCasbinInvalidModel(t *testing.T) {
	tests := []struct {
		name, old, new string
	}{
		{"request in another order", "r = sub, obj, act", "r = obj, sub, act"},
		{"request with a domain", "r = sub, obj, act", "r = sub, dom, obj, act"},
		{"policy without effect", "p = sub, obj, act, eft", "p = sub, obj, act"},
		{"policy with priority", "p = sub, obj, act, eft", "p = priority, sub, obj, act, eft"},
		{"allow-override effect", "priority(p.eft) || deny", "some(where (p.eft == allow))"},
		{"deny-override effect", "priority(p.eft) || deny", "!some(where (p.eft == deny))"},
		{"subject-priority effect", "priority(p.eft) || deny", "subjectPriority(p.eft) || deny"},
		{"principal compared as a string", "hasPrincipal(r.sub, p.sub)", "r.sub == p.sub"},
		{"role definition with domains", "g = _, _", "g = _, _, _"},
		{"matcher with an unknown function", `(p.act == "*" || p.act == r.act)`, `noSuchFunction(p.act)`},
		{"matcher that does not parse", `(p.act == "*" || p.act == r.act)`, `(p.act == "*" ||`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(aclModel, tt.old, tt.new, 1)
			if text == aclModel {
				t.Fatalf("%q is not in the model", tt.old)
			}
			c, err := authz.NewCasbin(mustModel(t, text), pyramidACL, nil)
			if !errors.Is(err, authz.ErrInvalidModel) || c != nil {
				t.Errorf("NewCasbin = %v, %v; want an error matching ErrInvalidModel", c, err)
			}
		})
	}
	t.Run("nil model", func(t *testing.T) {
		if _, err := authz.NewCasbin(nil, nil, nil); !errors.Is(err, authz.ErrInvalidModel) {
			t.Errorf("NewCasbin(nil) error = %v, want one matching ErrInvalidModel", err)
		}
	})
	t.Run("grouping rows without a role definition", func(t *testing.T) {
		text := strings.Replace(aclModel, "[role_definition]\ng = _, _", "", 1)
		if _, err := authz.NewCasbin(mustModel(t, text), pyramidACL, nil); err != nil {
			t.Fatalf("NewCasbin without grouping rows: %v", err)
		}
		_, err := authz.NewCasbin(mustModel(t, text), pyramidACL, [][]string{{"a", "b"}})
		if !errors.Is(err, authz.ErrInvalidModel) {
			t.Errorf("NewCasbin with grouping rows error = %v, want one matching ErrInvalidModel", err)
		}
	})
}

// A model whose matcher strays from ACL semantics must never decide
// differently from them: Permits checks every answer of Casbin against the
// ACL and fails closed with ErrInvalidModel instead of allowing.
func TestPermitsStrayMatcherFailsClosed(t *testing.T) {
	tests := []struct {
		name       string
		old, new   string // matcher edit
		policy     [][]string
		principals []string
		resource   string
	}{
		{"forgets r.obj == p.obj", "r.obj == p.obj && ", "",
			[][]string{{"alice", "/private", "view", "allow"}, {"bob", "/", "view", "allow"}},
			[]string{"alice"}, "/"},
		{"forgets the * case: deny-all skipped at the resource", `(p.act == "*" || p.act == r.act)`, `p.act == r.act`,
			[][]string{{"system.Everyone", "/a", "*", "deny"}, {"group:twilio", "/", "view", "allow"}},
			[]string{"system.Everyone", "group:twilio"}, "/a"},
		{"forgets the * case: deny-all skipped in the same ACL", `(p.act == "*" || p.act == r.act)`, `p.act == r.act`,
			[][]string{{"system.Everyone", "/", "*", "deny"}, {"group:twilio", "/", "view", "allow"}},
			[]string{"system.Everyone", "group:twilio"}, "/"},
		{"ignores the principal", "hasPrincipal(r.sub, p.sub) && ", "",
			[][]string{{"admin", "/", "view", "allow"}},
			[]string{"system.Everyone"}, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(aclModel, tt.old, tt.new, 1)
			if text == aclModel {
				t.Fatalf("matcher edit %q did not apply", tt.old)
			}
			m, err := model.NewModelFromString(text)
			if err != nil {
				t.Fatal(err)
			}
			c, err := authz.NewCasbin(m, tt.policy, nil)
			if err != nil {
				t.Logf("refused at load: %v", err)
				return // refusing the model at load is failing closed too
			}
			d, err := c.Permits(context.Background(), tt.principals, tt.resource, "view")
			if !errors.Is(err, authz.ErrInvalidModel) || d.Allowed {
				t.Errorf("Permits = %v, %v; want an error matching ErrInvalidModel", d, err)
			}
		})
	}
}

func TestNewCasbinInvalidRows(t *testing.T) {
	tests := []struct {
		name             string
		policy, grouping [][]string
		wantProblems     int
	}{
		{"policy row with 3 fields", [][]string{{"a", "/", "view"}}, nil, 1},
		{"policy row with 5 fields", [][]string{{"a", "/", "view", "allow", "x"}}, nil, 1},
		{"empty principal", [][]string{{"", "/", "view", "allow"}}, nil, 1},
		{"empty permission", [][]string{{"a", "/", "", "allow"}}, nil, 1},
		{"capital effect", [][]string{{"a", "/", "view", "Allow"}}, nil, 1},
		{"relative resource", [][]string{{"a", "x", "view", "allow"}}, nil, 1},
		{"trailing slash", [][]string{{"a", "/x/", "view", "allow"}}, nil, 1},
		{"grouping row with 1 field", nil, [][]string{{"a"}}, 1},
		{"grouping row with an empty group", nil, [][]string{{"a", ""}}, 1},
		{"everyone made authenticated", [][]string{{"system.Authenticated", "/", "view", "allow"}},
			[][]string{{"system.Everyone", "system.Authenticated"}}, 1},
		{"a group named like a system principal", [][]string{{"a", "/", "view", "allow"}}, [][]string{{"a", "system.Admins"}}, 1},
		{"a misspelt DENY_ALL", [][]string{{"a", "/", "view", "allow"}, {"system.everyone", "/", "*", "deny"}}, nil, 1},
		{"a member in the system namespace that nobody holds", [][]string{{"a", "/", "view", "allow"}}, [][]string{{"system.Anyone", "a"}}, 1},
		{"every problem is reported",
			[][]string{{"a", "/", "view", "allow"}, {"a", "/", "view"}, {"b", "x", "view", "deny"}},
			[][]string{{"a", "b"}, {"c"}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := authz.NewCasbin(mustModel(t, aclModel), tt.policy, tt.grouping)
			if !errors.Is(err, authz.ErrInvalidPolicy) || c != nil {
				t.Fatalf("NewCasbin = %v, %v; want an error matching ErrInvalidPolicy", c, err)
			}
			if got := strings.Count(err.Error(), "\n") + 1; got != tt.wantProblems {
				t.Errorf("NewCasbin reported %d problems, want %d:\n%v", got, tt.wantProblems, err)
			}
		})
	}
}

func TestNewCasbinDropsDuplicates(t *testing.T) {
	c := mustCasbin(t, aclModel, [][]string{
		{"a", "/", "view", "allow"},
		{"a", "/", "edit", "allow"},
		{"a", "/", "view", "allow"},
	}, [][]string{{"b", "a"}, {"b", "a"}})
	d := permits(t, c, []string{"b"}, "/", "view")
	wantACL := []authz.ACE{
		{Allow: true, Principal: "a", Permission: "view"},
		{Allow: true, Principal: "a", Permission: "edit"},
	}
	if !d.Allowed || !slices.Equal(d.ACL, wantACL) || !slices.Equal(d.Principals, []string{"b", "a"}) {
		t.Errorf("got %v, want allowed with ACL %v for principals [b a]", d, wantACL)
	}
}

func TestNewCasbinCopiesItsInputs(t *testing.T) {
	m := mustModel(t, aclModel)
	policy := [][]string{{"alice", "/", "view", "allow"}}
	grouping := [][]string{{"bob", "alice"}}
	c, err := authz.NewCasbin(m, policy, grouping)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m["p"]["p"].Policy); n != 0 {
		t.Errorf("NewCasbin added %d rows to the caller's model", n)
	}
	policy[0][0], policy[0][3] = "mallory", "deny"
	grouping[0][0] = "mallory"
	d := permits(t, c, []string{"bob"}, "/", "view")
	if !d.Allowed {
		t.Errorf("changing the rows after NewCasbin changed its decisions: %v", d)
	}
	// A Decision's Principals, and all of a Clone, are the caller's own.
	d.Principals[0] = "mallory"
	cl := d.Clone()
	cl.ACL[0].Allow = false
	cl.ACE.Principal = "mallory"
	if d := permits(t, c, []string{"bob"}, "/", "view"); !d.Allowed || d.ACE.Principal != "alice" || d.Principals[0] != "bob" {
		t.Errorf("changing a Decision's principals or a Clone changed later decisions: %v", d)
	}
	// Writing into the shared ACL (which callers must not do) changes no
	// decision: Permits evaluates a private copy.
	d.ACL[0].Allow = false
	d.ACE.Principal = "mallory"
	for _, principals := range [][]string{{"bob"}, {"alice"}, {"system.Everyone", "alice"}} {
		if d, err := c.Permits(context.Background(), principals, "/x", "view"); err != nil || !d.Allowed {
			t.Errorf("Permits(%q) after writing into a Decision's ACL = %v, %v; want allowed", principals, d, err)
		}
	}
}

func TestPermitsConcurrent(t *testing.T) {
	c := mustCasbin(t, aclModel, pyramidACL, [][]string{{"pebbles", "wilma"}})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				name := []string{"wilma", "fred", "barney", "pebbles", "someguy"}[(g+i)%5]
				d, err := c.Permits(context.Background(), []string{"system.Everyone", "system.Authenticated", name}, "/community/blog", "view")
				if err != nil {
					t.Errorf("Permits: %v", err)
					return
				}
				if want := name != "someguy"; d.Allowed != want {
					t.Errorf("%s: Allowed = %v, want %v", name, d.Allowed, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkPermits(b *testing.B) {
	c := mustCasbin(b, aclModel, pyramidACL, [][]string{{"pebbles", "wilma"}})
	ctx := context.Background()
	principals := []string{"system.Everyone", "system.Authenticated", "pebbles"}
	b.ReportAllocs()
	for b.Loop() {
		d, err := c.Permits(ctx, principals, "/community/blog", "delete")
		if err != nil || d.Allowed {
			b.Fatalf("Permits = %v, %v; want denied", d, err)
		}
	}
}
