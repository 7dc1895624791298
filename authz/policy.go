package authz

import "context"

// Policy decides whether principals hold a permission on a resource.
//
// Permits reports the decision for the effective principals of a request
// (see package authn), a resource (a slash path such as "/community/blog")
// and a permission (such as "view"). A denial is a Decision with Allowed
// false and a nil error. A non-nil error means the policy could not decide;
// the caller must then fail closed and treat the request as denied, and
// must ignore the returned Decision.
//
// Implementations must be safe for concurrent use by multiple goroutines.
type Policy interface {
	Permits(ctx context.Context, principals []string, resource, permission string) (Decision, error)
}

// PolicyFunc adapts an ordinary function to the Policy interface.
type PolicyFunc func(ctx context.Context, principals []string, resource, permission string) (Decision, error)

// Permits returns f(ctx, principals, resource, permission).
func (f PolicyFunc) Permits(ctx context.Context, principals []string, resource, permission string) (Decision, error) {
	return f(ctx, principals, resource, permission)
}

const (
	// NoPermissionRequired is the permission a view declares to opt out of
	// authorization explicitly. It is not a permission to check: code that
	// meets it skips Permits, and Permits rejects it with an error. The
	// value is Pyramid's NO_PERMISSION_REQUIRED.
	NoPermissionRequired = "__no_permission_required__"

	// AllPermissions in the permission column of an ACE matches every
	// permission (Pyramid's ALL_PERMISSIONS). It can only be granted or
	// denied, never requested.
	AllPermissions = "*"
)
