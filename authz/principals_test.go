package authz_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/authz"
)

// The cases of Pyramid's own tests of principals_allowed_by_permission,
// translated to rows, and the semantics of PYRAMID.md.
func TestPrincipalsAllowed(t *testing.T) {
	// Pyramid's three-level fixture: root, community, blog.
	lineageACL := [][]string{
		{"chrism", "/", "read", "allow"},
		{"chrism", "/", "write", "allow"},
		{"other", "/", "read", "allow"},
		{"jim", "/", "*", "allow"},
		{"fred", "/community", "read", "allow"},
		{"chrism", "/community", "read", "deny"},
		{"barney", "/community/blog", "read", "allow"},
		{"jim", "/community/blog", "read", "deny"},
	}
	tests := []struct {
		name       string
		policy     [][]string
		resource   string
		permission string
		want       []string
	}{
		{"direct: DENY_ALL stops the ACL", [][]string{
			{"chrism", "/", "read", "allow"},
			{"chrism", "/", "write", "allow"},
			{"system.Everyone", "/", "*", "deny"},
			{"other", "/", "read", "allow"},
		}, "/", "read", []string{"chrism"}},
		{"lineage: read on blog", lineageACL, "/community/blog", "read", []string{"barney", "fred", "other"}},
		{"lineage: write on blog", lineageACL, "/community/blog", "write", []string{"chrism", "jim"}},
		{"lineage: read on community", lineageACL, "/community", "read", []string{"fred", "jim", "other"}},
		{"lineage: read on root", lineageACL, "/", "read", []string{"chrism", "jim", "other"}},
		{"no ACLs", nil, "/", "read", nil},
		{"deny of another permission", [][]string{{"system.Everyone", "/", "write", "deny"}}, "/", "read", nil},
		{"deny of the permission", [][]string{{"system.Everyone", "/", "read", "deny"}}, "/", "read", nil},
		{"the ACLs fixture of permits: allows before DENY_ALL are kept", pyramidACL, "/community/blog", "view",
			[]string{"barney", "fred", "wilma"}},
		{"the ACLs fixture of permits: nobody but fred may delete the community", pyramidACL, "/community", "delete",
			[]string{"fred"}},
		{"DENY_ALL clears what was inherited", [][]string{
			{"system.Authenticated", "/", "view", "allow"},
			{"system.Everyone", "/private", "*", "deny"},
		}, "/private/x", "view", nil},
		{"quirk: allow Everyone above, deny bob below, still Everyone", [][]string{
			{"system.Everyone", "/", "view", "allow"},
			{"bob", "/child", "view", "deny"},
		}, "/child", "view", []string{"system.Everyone"}},
		{"deny before allow in one ACL", [][]string{
			{"bob", "/", "view", "deny"},
			{"bob", "/", "view", "allow"},
			{"alice", "/", "view", "allow"},
		}, "/", "view", []string{"alice"}},
		{"groups are not expanded", [][]string{{"group:staff", "/", "view", "allow"}}, "/x", "view", []string{"group:staff"}},
		{"permissions match exactly", [][]string{{"a", "/", "view_stuff", "allow"}, {"b", "/", "View", "allow"}}, "/", "view", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCasbin(t, aclModel, tt.policy, [][]string{{"alice", "group:staff"}})
			got, err := c.PrincipalsAllowed(tt.resource, tt.permission)
			if err != nil {
				t.Fatalf("PrincipalsAllowed: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("PrincipalsAllowed(%q, %q) = %q, want %q", tt.resource, tt.permission, got, tt.want)
			}
		})
	}
}

func TestPrincipalsAllowedErrors(t *testing.T) {
	c := mustCasbin(t, aclModel, pyramidACL, nil)
	for _, q := range []struct{ resource, permission string }{
		{"/", ""}, {"/", "*"}, {"/", authz.NoPermissionRequired}, {"relative", "view"}, {"/a/", "view"},
	} {
		if _, err := c.PrincipalsAllowed(q.resource, q.permission); !errors.Is(err, authz.ErrInvalidRequest) {
			t.Errorf("PrincipalsAllowed(%q, %q) error = %v, want one matching ErrInvalidRequest", q.resource, q.permission, err)
		}
	}
	var zero authz.Casbin
	if _, err := zero.PrincipalsAllowed("/", "view"); !errors.Is(err, authz.ErrInvalidModel) {
		t.Errorf("zero Casbin: PrincipalsAllowed error = %v, want one matching ErrInvalidModel", err)
	}
}
