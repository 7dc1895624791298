package authz

import "slices"

// The principals that authentication gives: everyone, every request
// (Pyramid's Everyone; authn.Everyone), and authenticated, every request
// that proved a principal (authn.Authenticated).
const (
	everyone      = "system.Everyone"
	authenticated = "system.Authenticated"
)

// PrincipalsAllowed returns, sorted, the principals that c's policy allows
// permission on resource, by Pyramid's principals_allowed_by_permission.
//
// It walks the lineage of resource the other way from Permits, from the
// root down to the resource. At each resource with an ACL it reads the
// entries in order, keeping the principals allowed here and those denied
// here: an Allow entry whose permission matches adds its principal unless
// it was denied here; a Deny entry whose permission matches records its
// principal as denied here and removes it from the principals inherited
// from above, and if the principal is Everyone it empties the inherited
// principals and stops reading this ACL. Then the principals allowed here
// join the inherited ones.
//
// The result names principals as the rows do: groups are not expanded,
// and Pyramid's quirk is kept that an Allow of Everyone above and a Deny of
// a single principal below still report Everyone. It is nil when nobody
// is allowed.
//
// PrincipalsAllowed returns an error wrapping ErrInvalidRequest for the
// questions Permits rejects, and one wrapping ErrInvalidModel if c has no
// policy.
func (c *Casbin) PrincipalsAllowed(resource, permission string) ([]string, error) {
	if err := checkRequest(resource, permission); err != nil {
		return nil, err
	}
	s := c.state.Load()
	if s == nil {
		return nil, errNoPolicy
	}
	lineage := Lineage(resource)
	allowed := make(map[string]bool)
	for _, level := range slices.Backward(lineage) {
		acl := s.acls[level]
		if acl == nil {
			continue
		}
		allowedHere := make(map[string]bool)
		deniedHere := make(map[string]bool)
		for _, ace := range acl.aces {
			if ace.Permission != permission && ace.Permission != AllPermissions {
				continue
			}
			if ace.Allow {
				if !deniedHere[ace.Principal] {
					allowedHere[ace.Principal] = true
				}
				continue
			}
			deniedHere[ace.Principal] = true
			if ace.Principal == everyone {
				clear(allowed)
				break
			}
			delete(allowed, ace.Principal)
		}
		for p := range allowedHere {
			allowed[p] = true
		}
	}
	if len(allowed) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(allowed))
	for p := range allowed {
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}
