package policies

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2/model"
)

// What the authz package needs from a model, as Casbin stores it: Casbin
// rewrites "p.eft" to "p_eft" when it loads a model.
const (
	wantEffect    = "priority(p_eft) || deny"
	wantPrincipal = "hasPrincipal("
)

// LoadModel reads the Casbin model at path and checks that it has what the
// authz package needs. An empty path loads the embedded default (see
// DefaultModel).
//
// The model must define r = sub, obj, act; p = sub, obj, act, eft;
// e = priority(p.eft) || deny; a matcher that tests r.sub with the
// hasPrincipal function (authz passes r.sub as a set of principals, not a
// string); and, if it has a role definition, g = _, _. Each missing piece is
// reported as its own error wrapping ErrModel, joined with errors.Join.
func LoadModel(path string) (model.Model, error) {
	if path == "" {
		return ParseModel(embeddedModelName, defaultModel)
	}
	data, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	return ParseModel(path, string(data))
}

// ParseModel parses the text of a Casbin model and checks it as LoadModel
// does; name is used in errors. It lets a caller that has read the file
// itself (to hash it, say) parse exactly the bytes it read.
func ParseModel(name, text string) (model.Model, error) {
	m, err := model.NewModelFromString(text)
	if err != nil {
		return nil, fmt.Errorf("policies: %s: %w: %w", name, ErrModel, err)
	}
	var errs []error
	for _, p := range checkModel(m) {
		errs = append(errs, fmt.Errorf("policies: %s: %w", name, p))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// checkModel returns the model's problems; see LoadModel.
func checkModel(m model.Model) []error {
	var (
		problems    []error
		wantRequest = []string{"r_sub", "r_obj", "r_act"}
		wantPolicy  = []string{"p_sub", "p_obj", "p_act", "p_eft"}
	)
	if a := m["r"]["r"]; a == nil || !slices.Equal(a.Tokens, wantRequest) {
		problems = append(problems, problemf(ErrModel, "request_definition must be r = sub, obj, act"))
	}
	if a := m["p"]["p"]; a == nil || !slices.Equal(a.Tokens, wantPolicy) {
		problems = append(problems, problemf(ErrModel, "policy_definition must be p = sub, obj, act, eft"))
	}
	if a := m["e"]["e"]; a == nil || a.Value != wantEffect {
		problems = append(problems, problemf(ErrModel, "policy_effect must be e = priority(p.eft) || deny"))
	}
	if a := m["m"]["m"]; a == nil || !strings.Contains(a.Value, wantPrincipal) {
		problems = append(problems, problemf(ErrModel, "matchers must test r.sub with hasPrincipal(r.sub, p.sub)"))
	}
	if g, ok := m["g"]; ok {
		if a := g["g"]; a == nil || len(a.Tokens) != 2 || len(a.ParamsTokens) != 0 {
			problems = append(problems, problemf(ErrModel, "role_definition must be g = _, _"))
		}
	}
	return problems
}
