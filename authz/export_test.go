package authz

import "context"

// PermitsUncached decides as Permits does, without the decision cache, for
// benchmarks that compare the two.
func (c *Casbin) PermitsUncached(_ context.Context, principals []string, resource, permission string) (Decision, error) {
	if err := checkRequest(resource, permission); err != nil {
		return Decision{}, err
	}
	s := c.state.Load()
	if s == nil {
		return Decision{}, errNoPolicy
	}
	return s.permits(principals, resource, permission)
}
