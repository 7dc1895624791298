package authz

// ACE is an access control entry: one row of a resource's ACL. It allows or
// denies one permission (or AllPermissions) to one principal.
type ACE struct {
	Allow      bool   // true for Allow, false for Deny
	Principal  string // e.g. "group:twilio" or "system.Everyone"
	Permission string // e.g. "view", or AllPermissions
}

// String renders a as Pyramid renders an ACE, e.g.
// ('Allow', 'group:twilio', 'view'). AllPermissions is rendered as the bare
// word ALL_PERMISSIONS: ('Deny', 'system.Everyone', ALL_PERMISSIONS).
func (a ACE) String() string {
	action := "Deny"
	if a.Allow {
		action = "Allow"
	}
	permission := "ALL_PERMISSIONS"
	if a.Permission != AllPermissions {
		permission = Repr(a.Permission)
	}
	return "(" + Repr(action) + ", " + Repr(a.Principal) + ", " + permission + ")"
}
