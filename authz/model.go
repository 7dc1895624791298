package authz

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2/model"
)

// principalFunc is the name of the matcher function through which the
// model reads the request's principal set (r.sub). It must be called as
// hasPrincipal(r.sub, p.sub).
const principalFunc = "hasPrincipal"

// checkModel reports what m lacks for ACL semantics; see NewCasbin. Casbin
// stores "r.sub" as "r_sub" and "p.eft" as "p_eft" once it has loaded a
// model, so those are the spellings compared here.
func checkModel(m model.Model) error {
	if m == nil {
		return fmt.Errorf("%w: model is nil", ErrInvalidModel)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidModel}, args...)...))
	}
	if a := m["r"]["r"]; a == nil || !slices.Equal(a.Tokens, []string{"r_sub", "r_obj", "r_act"}) {
		bad("request_definition must be r = sub, obj, act")
	}
	if a := m["p"]["p"]; a == nil || !slices.Equal(a.Tokens, []string{"p_sub", "p_obj", "p_act", "p_eft"}) {
		bad("policy_definition must be p = sub, obj, act, eft")
	}
	// The priority effect is what makes the first matching row, in the
	// order rows were added, decide. Every other effect would let a later
	// row override an earlier one.
	if a := m["e"]["e"]; a == nil || a.Value != priorityEffect {
		bad("policy_effect must be e = priority(p.eft) || deny")
	}
	if a := m["m"]["m"]; a == nil || !strings.Contains(a.Value, principalFunc+"(") {
		bad("matchers must test r.sub with %s(r.sub, p.sub)", principalFunc)
	}
	if g, ok := m["g"]; ok {
		if a := g["g"]; a == nil || len(a.Tokens) != 2 || len(a.ParamsTokens) != 0 {
			bad("role_definition must be g = _, _")
		}
	}
	return errors.Join(errs...)
}
