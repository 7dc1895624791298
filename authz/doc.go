// Package authz decides whether a request may do what it asks: whether its
// effective principals hold a permission on a resource. It mirrors the
// authorization policy of the Pyramid web framework, ACLs included, and
// explains every decision in Pyramid's words.
//
// This documentation is for Go programmers. The guide for operators who
// write policy files is docs/policies.md in the Gatehouse repository: the
// file format, the same semantics with worked examples, and the gatehouse
// commands that explain, lint, test and deploy a policy.
//
// # Types
//
// A [Policy] answers Permits(ctx, principals, resource, permission) with a
// [Decision]. [PolicyFunc] turns a function into a Policy, to wrap or
// replace one.
//
// [Casbin] is the Policy that the server uses: an access control list
// evaluated by Casbin, built by [NewCasbin] from a Casbin model and the
// rows of a policy file, which the policies package loads and checks:
//
//	m, err := policies.LoadModel("") // "": the embedded model
//	if err != nil {
//		return err
//	}
//	f, err := policies.LoadFile(path) // every malformed row, with its line
//	if err != nil {
//		return err
//	}
//	acl, err := authz.NewCasbin(m, f.Policy(), f.Grouping())
//
// Besides [Casbin.Permits], a Casbin answers the converse question with
// [Casbin.PrincipalsAllowed] (who holds a permission on a resource), takes
// a new policy while it serves with [Casbin.Replace], and numbers its
// policies with [Casbin.Generation].
//
// A Decision is the answer with its reason: Allowed, and the [ACE] that
// decided (nil on a default deny), the ACL it belongs to, the resource
// whose ACL that is (Context), and the principals the decision was made
// for. [Decision.String] renders it as Pyramid does. A [DeniedError]
// carries a denial where an error must, for example to a forbidden view.
// [Lineage] gives the resources a question walks through, and [Repr] the
// quoting of every explanation.
//
// # Principals
//
// Permits takes the effective principals of a request as authentication
// gives them (see authn.Effective): "system.Everyone" for every request,
// and "system.Authenticated" plus the proven principals (such as
// "group:twilio" and "account:<AccountSid>") for a request that proved
// something. Permits adds nothing of its own except the groups that the
// grouping rows give those principals, transitively; a cycle of groups is
// harmless.
//
// # Semantics
//
// Resources are slash paths; the lineage of "/community/blog" is
// "/community/blog", "/community", "/". The ACL of a resource is the list
// of policy rows naming it, in file order; each row is an ACE that allows
// or denies one permission, or every permission ([AllPermissions], "*"),
// to one principal.
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
// So a deny on a parent does not reach a child whose own ACL decides, and
// an allow on a parent does not reach a child whose own ACL denies. A row
// denying every permission to "system.Everyone" (Pyramid's DENY_ALL) ends
// the ACL of its resource: what its earlier rows allow is allowed, and
// nothing else is, whatever the ancestors say.
//
// Decision.String renders the reason as Pyramid does, for example
//
//	ACLDenied permission 'delete' via ACE ('Deny', 'system.Everyone', ALL_PERMISSIONS) in ACL [...] on context '/community' for principals [...]
//
// Casbin.PrincipalsAllowed follows Pyramid's
// principals_allowed_by_permission: it names principals as the rows do,
// without expanding groups.
//
// The examples of [NewCasbin] and [Casbin.Permits] show lineage, explicit
// denial and groups at work; [Casbin.PrincipalsAllowed] the converse
// question; [Casbin.Replace] a reload, including one that is refused; and
// [PolicyFunc.Permits] a Policy that wraps the ACL.
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
// a failed Replace keeps the policy in force, so a bad reload never leaves
// a Casbin empty or open. The policy a Casbin evaluates never changes
// under a running check. A grouping row may not name a system principal
// as its group: only authentication gives those. [NoPermissionRequired] is
// not a permission that can be granted: a view opts out of authorization
// only by declaring it, and Permits refuses to evaluate it.
package authz
