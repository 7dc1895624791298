package authz_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/authz"
)

func TestDecisionString(t *testing.T) {
	community := "[('Allow', 'fred', ALL_PERMISSIONS), ('Allow', 'wilma', 'view'), ('Deny', 'system.Everyone', ALL_PERMISSIONS)]"
	tests := []struct {
		name       string
		policy     [][]string
		principals []string
		resource   string
		permission string
		want       string
	}{
		{
			name:       "allowed",
			policy:     [][]string{{"group:twilio", "/", "view", "allow"}},
			principals: []string{"system.Everyone", "group:twilio"},
			resource:   "/",
			permission: "view",
			want:       "ACLAllowed permission 'view' via ACE ('Allow', 'group:twilio', 'view') in ACL [('Allow', 'group:twilio', 'view')] on context '/' for principals ['system.Everyone', 'group:twilio']",
		},
		{
			name:       "denied by an ACE",
			policy:     pyramidACL,
			principals: []string{"system.Everyone", "system.Authenticated", "wilma"},
			resource:   "/community/blog",
			permission: "delete",
			want:       "ACLDenied permission 'delete' via ACE ('Deny', 'system.Everyone', ALL_PERMISSIONS) in ACL " + community + " on context '/community' for principals ['system.Everyone', 'system.Authenticated', 'wilma']",
		},
		{
			name:       "default deny on a resource with an ACL",
			policy:     [][]string{{"group:twilio", "/", "view", "allow"}},
			principals: []string{"system.Everyone"},
			resource:   "/",
			permission: "view",
			want:       "ACLDenied permission 'view' via ACE '<default deny>' in ACL [('Allow', 'group:twilio', 'view')] on context '/' for principals ['system.Everyone']",
		},
		{
			name:       "default deny on a resource without an ACL",
			policy:     [][]string{{"group:twilio", "/", "view", "allow"}},
			principals: []string{"system.Everyone"},
			resource:   "/restricted",
			permission: "restricted",
			want:       "ACLDenied permission 'restricted' via ACE '<default deny>' in ACL [('Allow', 'group:twilio', 'view')] on context '/restricted' for principals ['system.Everyone']",
		},
		{
			name:       "no principals",
			policy:     nil,
			principals: nil,
			resource:   "/",
			permission: "view",
			want:       "ACLDenied permission 'view' via ACE '<default deny>' in ACL '<No ACL found on any object in resource lineage>' on context '/' for principals []",
		},
		{
			name:       "principals with quotes and control characters",
			policy:     nil,
			principals: []string{"o'brien", `say "hi"`, "it's \"both\"", "line\nbreak\\", "bell\a\u200b"},
			resource:   "/",
			permission: "view",
			want:       `ACLDenied permission 'view' via ACE '<default deny>' in ACL '<No ACL found on any object in resource lineage>' on context '/' for principals ["o'brien", 'say "hi"', 'it\'s "both"', 'line\nbreak\\', 'bell\x07\u200b']`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCasbin(t, aclModel, tt.policy, nil)
			d := permits(t, c, tt.principals, tt.resource, tt.permission)
			if got := d.String(); got != tt.want {
				t.Errorf("String() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestDecisionStringZero(t *testing.T) {
	want := "ACLDenied permission '' via ACE '<default deny>' in ACL '<No ACL found on any object in resource lineage>' on context '' for principals []"
	if got := (authz.Decision{}).String(); got != want {
		t.Errorf("Decision{}.String() = %q, want %q", got, want)
	}
}

func TestACEString(t *testing.T) {
	tests := []struct {
		ace  authz.ACE
		want string
	}{
		{authz.ACE{Allow: true, Principal: "group:twilio", Permission: "view"}, "('Allow', 'group:twilio', 'view')"},
		{authz.ACE{Principal: "system.Everyone", Permission: authz.AllPermissions}, "('Deny', 'system.Everyone', ALL_PERMISSIONS)"},
		{authz.ACE{Allow: true, Principal: "fred", Permission: "**"}, "('Allow', 'fred', '**')"},
	}
	for _, tt := range tests {
		if got := tt.ace.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.ace, got, tt.want)
		}
	}
}

func TestDeniedError(t *testing.T) {
	d := authz.Decision{Permission: "view", Context: "/", Principals: []string{"system.Everyone"}}
	err := error(&authz.DeniedError{Decision: d})
	if got, want := err.Error(), "authz: "+d.String(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
