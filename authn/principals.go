package authn

import "context"

// Pyramid's special principals.
const (
	// Everyone is held by every request.
	Everyone = "system.Everyone"
	// Authenticated is held by every request that proved a principal.
	Authenticated = "system.Authenticated"
)

// TwilioGroup is the principal proven by a valid X-Twilio-Signature.
const TwilioGroup = "group:twilio"

// AccountPrefix prefixes the principal proven for the AccountSid carried by
// a signed Twilio request: "account:AC...".
const AccountPrefix = "account:"

type principalsKey struct{}

// NewContext returns a copy of ctx carrying the effective principals.
func NewContext(ctx context.Context, principals []string) context.Context {
	return context.WithValue(ctx, principalsKey{}, principals)
}

// FromContext returns the effective principals stored in ctx by NewContext.
// The caller must not modify the returned slice.
func FromContext(ctx context.Context) ([]string, bool) {
	p, ok := ctx.Value(principalsKey{}).([]string)
	return p, ok
}
