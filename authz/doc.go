// Package authz decides whether a request may do what it asks: whether its
// effective principals hold a permission on a resource. It mirrors the
// authorization policy of the Pyramid web framework, ACLs included, and
// explains every decision.
//
// A Policy answers Permits(ctx, principals, resource, permission) with a
// Decision. Casbin is the Policy that evaluates an access control list with
// Casbin, one enforcer per resource; the policies package loads its model
// and rows.
//
// # Semantics
//
// Resources are slash paths; the lineage of "/community/blog" is
// "/community/blog", "/community", "/". The ACL of a resource is the list
// of policy rows naming it, in file order; each row is an ACE that allows
// or denies one permission, or every permission (AllPermissions, "*"), to
// one principal. Grouping rows add groups to the principals before the
// walk, transitively; a cycle of groups is harmless.
//
// Permits walks the lineage from the resource up to the root. At each
// resource it takes the ACL's entries in order, and the first entry whose
// principal is one of the principals and whose permission is the one asked
// for, or AllPermissions, decides: allowed for an Allow entry, denied for a
// Deny entry. Entries for principals the request lacks are skipped, denials
// included. A resource without entries passes the question to its parent.
// If nothing decides, the answer is denied: a default deny. Permissions are
// compared exactly; "view" matches neither "View" nor "view_stuff".
//
// Decision.String renders the reason as Pyramid does, for example
//
//	ACLDenied permission 'delete' via ACE ('Deny', 'system.Everyone', ALL_PERMISSIONS) in ACL [...] on context '/community' for principals [...]
//
// Casbin.PrincipalsAllowed answers the converse question, which principals
// hold a permission on a resource, with Pyramid's
// principals_allowed_by_permission.
//
// # Decision cache and reload
//
// Casbin remembers its decisions, so that a repeated question costs a
// table lookup and one small allocation instead of a walk through Casbin.
// The cache belongs to the immutable policy snapshot it was filled under:
// Casbin.Replace builds a complete new snapshot, with an empty cache and
// the next generation number, and swaps it in atomically. A decision is
// therefore always made, or remembered, under one whole policy, never an
// older one than the policy in force when Permits was called.
//
// # Security
//
// Authorization fails closed. Anything that no ACE allows is denied, and a
// policy with no rows denies everything. An error from Permits means that
// no decision could be made (a malformed question, a cancelled context, a
// model that does not behave as an ACL); callers must treat it as a denial,
// never as permission. NewCasbin rejects a malformed policy or an unsuitable
// model outright, so a server never starts with a policy it misread, and
// the policy a Casbin evaluates never changes under a running check.
// NoPermissionRequired is not a permission that can be granted: a view opts
// out of authorization only by declaring it, and Permits refuses to
// evaluate it.
package authz
