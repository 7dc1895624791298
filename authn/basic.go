package authn

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
)

// DefaultRealm is the realm a Basic policy announces unless configured.
const DefaultRealm = "gatehouse"

// BasicConfig configures a Basic policy.
type BasicConfig struct {
	// Username is the user name the request must present. Required; it
	// may not contain ':'.
	Username string
	// Password is the password the request must present. Required.
	Password string
	// Realm is announced in the WWW-Authenticate challenge. Optional.
	// Default DefaultRealm. It may not contain '"', '\' or control
	// characters.
	Realm string
	// Next decides once the credentials are right, typically the Twilio
	// signature policy. Required.
	Next Policy
}

// Basic is an authentication Policy that requires HTTP Basic credentials
// before it lets its Next policy decide. It serves webhook URLs that carry
// credentials, such as "https://user:pass@ivr.example.com/": Twilio first
// requests them without an Authorization header, and sends the credentials
// only after a 401 answer with a WWW-Authenticate challenge.
//
// A request without the right credentials yields a *[Challenge] error, so
// that the caller answers 401 with [Challenge.Header] as WWW-Authenticate.
// Basic proves no principal of its own: the credentials are shared by
// every caller that knows the webhook URL, so they only gate the request,
// and Next's principals are the request's. It is safe for concurrent use.
type Basic struct {
	user, pass [sha256.Size]byte // digests: equal length, compared in constant time
	challenge  string
	next       Policy
}

// ErrBasicConfig is returned by NewBasic for unusable settings. The error
// never quotes the credentials.
var ErrBasicConfig = errors.New("authn: basic: need a user name without ':', a password, a realm without quotes or control characters, and a next policy")

// NewBasic validates cfg and returns the policy.
func NewBasic(cfg BasicConfig) (*Basic, error) {
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	if cfg.Username == "" || strings.Contains(cfg.Username, ":") || cfg.Password == "" || cfg.Next == nil ||
		strings.ContainsFunc(cfg.Realm, func(r rune) bool { return r == '"' || r == '\\' || r < ' ' || r == 0x7f }) {
		return nil, ErrBasicConfig
	}
	return &Basic{
		user:      sha256.Sum256([]byte(cfg.Username)),
		pass:      sha256.Sum256([]byte(cfg.Password)),
		challenge: `Basic realm="` + cfg.Realm + `", charset="UTF-8"`,
		next:      cfg.Next,
	}, nil
}

// The reasons a Challenge gives.
const (
	// ReasonNoCredentials: the request has no Authorization header, as
	// Twilio's first attempt has not.
	ReasonNoCredentials Reason = "no_credentials"
	// ReasonMalformedCredentials: the Authorization header is not a single
	// well-formed Basic credential.
	ReasonMalformedCredentials Reason = "malformed_credentials"
	// ReasonWrongCredentials: the user name or the password is wrong.
	ReasonWrongCredentials Reason = "wrong_credentials"
)

// Challenge is the error a policy returns when the request must be
// answered with 401 Unauthorized and a WWW-Authenticate challenge before it
// can be authenticated. It never carries the credentials.
type Challenge struct {
	// Header is the WWW-Authenticate value, such as
	// `Basic realm="gatehouse", charset="UTF-8"`.
	Header string
	// Reason says what was wrong with the request's credentials; it is
	// safe to log.
	Reason Reason
}

// Error returns a message that names the reason.
func (c *Challenge) Error() string { return "authn: credentials required: " + string(c.Reason) }

// Principals returns the principals of the Next policy when r carries the
// configured Basic credentials, and a *Challenge error otherwise. The user
// name and the password are both compared, in constant time.
func (b *Basic) Principals(r *http.Request) ([]string, error) {
	if reason := b.check(r.Header.Values("Authorization")); reason != "" {
		return nil, &Challenge{Header: b.challenge, Reason: reason}
	}
	return b.next.Principals(r)
}

// check returns "" if the header lines carry the right credentials, and
// the reason why not otherwise.
func (b *Basic) check(lines []string) Reason {
	if len(lines) == 0 {
		return ReasonNoCredentials
	}
	if len(lines) != 1 {
		return ReasonMalformedCredentials
	}
	scheme, cred, ok := strings.Cut(lines[0], " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return ReasonMalformedCredentials
	}
	// Only the canonical encoding of the credentials, as for the signature
	// header: a decoder skips CR and LF and may ignore spare bits, so the
	// decoded bytes must encode back to exactly what was sent.
	cred = strings.TrimLeft(cred, " ")
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil || base64.StdEncoding.EncodeToString(raw) != cred {
		return ReasonMalformedCredentials
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return ReasonMalformedCredentials
	}
	if !b.matches(user, pass) {
		return ReasonWrongCredentials
	}
	return ""
}

// matches reports whether user and pass are the configured credentials.
// Their digests are compared in constant time, both of them whatever the
// first answer, so that timing does not tell a right user name from a
// wrong one, nor how much of either was right.
// TestSecretComparisonsConstantTime holds it to that.
func (b *Basic) matches(user, pass string) bool {
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	return subtle.ConstantTimeCompare(u[:], b.user[:])&subtle.ConstantTimeCompare(p[:], b.pass[:]) == 1
}

var _ Policy = (*Basic)(nil)
var _ error = (*Challenge)(nil)
