package policies

import _ "embed"

// The embedded defaults. They are strings, so nobody can modify them.
var (
	//go:embed model.conf
	defaultModel string
	//go:embed policy.csv
	defaultPolicy string
)

// Names under which the embedded defaults appear in errors and in
// File.Name.
const (
	embeddedModelName  = "model.conf (embedded)"
	embeddedPolicyName = "policy.csv (embedded)"
)

// DefaultModel returns the text of the embedded Casbin model, model.conf.
func DefaultModel() string { return defaultModel }

// DefaultPolicy returns a copy of the embedded ACL, policy.csv. It grants
// view on / to group:twilio and nothing else.
func DefaultPolicy() []byte { return []byte(defaultPolicy) }
