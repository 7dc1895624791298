package authn

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Policy computes the principals that a request proves.
//
// Principals returns the principals proven by r, excluding the system
// principals (Effective adds those). A request that proves nothing yields
// (nil, nil). An error means the policy could not decide; callers must then
// refuse the request. Implementations must be safe for concurrent use, and
// must leave r.Body readable for the view.
type Policy interface {
	Principals(r *http.Request) ([]string, error)
}

// PolicyFunc adapts an ordinary function to the Policy interface.
type PolicyFunc func(r *http.Request) ([]string, error)

// Principals calls f(r).
func (f PolicyFunc) Principals(r *http.Request) ([]string, error) { return f(r) }

// Multi returns a Policy whose principals are the union of the principals of
// every policy, in order. If any policy returns an error, Multi returns that
// error and no principals.
func Multi(policies ...Policy) Policy {
	ps := append([]Policy(nil), policies...)
	return PolicyFunc(func(r *http.Request) ([]string, error) {
		var out []string
		for _, p := range ps {
			got, err := p.Principals(r)
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
		}
		return out, nil
	})
}

// Static returns a Policy that proves the same principals for every request.
// It is meant for tests and development tools.
func Static(principals ...string) Policy {
	ps := append([]string(nil), principals...)
	return PolicyFunc(func(*http.Request) ([]string, error) {
		return append([]string(nil), ps...), nil
	})
}

// ErrSystemPrincipal is returned by Effective when a policy claims a
// principal of the system. namespace ([Everyone], [Authenticated] or any
// other "system.*" name), which only Effective may add. The claim is refused
// rather than ignored, wherever it comes in the list: a policy that makes
// it is confused, and the request fails closed.
var ErrSystemPrincipal = errors.New("authn: a policy may not prove a system principal")

// systemPrefix is the namespace of Pyramid's system principals.
const systemPrefix = "system."

// Effective returns the effective principals of r under p: [Everyone], then
// [Authenticated] when p proved anything, then the proven principals in the
// order proven, without duplicates or empty strings.
func Effective(p Policy, r *http.Request) ([]string, error) {
	proven, err := p.Principals(r)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, 2+len(proven))
	out = append(out, Everyone)
	for _, pr := range proven {
		if strings.HasPrefix(pr, systemPrefix) {
			return nil, fmt.Errorf("%w: %q", ErrSystemPrincipal, pr)
		}
		if pr == "" || contains(out, pr) {
			continue
		}
		if len(out) == 1 {
			out = append(out, Authenticated)
		}
		out = append(out, pr)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
