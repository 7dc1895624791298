package authz

import "errors"

// Sentinel errors, matched with errors.Is. The errors of NewCasbin, and
// those of Permits other than a done context's, wrap one of them and add
// the details.
var (
	// ErrInvalidModel reports a Casbin model that does not give ACL
	// semantics (see NewCasbin), found when the model is checked or when
	// Casbin fails to evaluate it.
	ErrInvalidModel = errors.New("authz: invalid model")
	// ErrInvalidPolicy reports a malformed policy or grouping row.
	ErrInvalidPolicy = errors.New("authz: invalid policy")
	// ErrInvalidRequest reports a question that has no answer: an empty
	// permission, AllPermissions, NoPermissionRequired, or a resource that
	// is not a clean slash path. It is a programming error in the caller.
	ErrInvalidRequest = errors.New("authz: invalid request")
)

// DeniedError carries a denial for callers that must pass it on as an error:
// a view of package views that checks a permission of its own returns it,
// and the forbidden view answers with its Decision. Policy.Permits never
// returns it: to a Policy, a denial is a Decision, not an error.
type DeniedError struct {
	Decision Decision
}

// Error returns the decision's explanation, prefixed with "authz: ".
func (e *DeniedError) Error() string { return "authz: " + e.Decision.String() }
