package authn_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/authn"
)

const edgeToken = "edge-token"

func edgePolicy(t *testing.T, cfg authn.TwilioConfig) *authn.TwilioSignature {
	t.Helper()
	cfg.AuthTokens = []string{edgeToken}
	p, err := authn.NewTwilioSignature(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The last X-Forwarded-Host line is the nearest proxy's; an earlier line is
// the client's and must never choose the URL that is checked.
func TestForwardedLastLine(t *testing.T) {
	p := edgePolicy(t, authn.TwilioConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	for _, tc := range []struct {
		signed string
		want   bool
	}{
		{"https://ivr.example.com/voice", true},
		{"https://evil.example/voice", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/voice", nil)
		r.RemoteAddr = "10.0.0.7:4000"
		r.Header.Add("X-Forwarded-Host", "evil.example")    // the client's line
		r.Header.Add("X-Forwarded-Host", "ivr.example.com") // the proxy's line
		r.Header.Set("X-Forwarded-Proto", "https")
		r.Header.Set(authn.SignatureHeader, authn.Sign(edgeToken, tc.signed, nil))
		if v := p.Verify(r); v.Valid != tc.want {
			t.Errorf("signed for %s: Valid = %v (%s), want %v", tc.signed, v.Valid, v.Reason, tc.want)
		}
	}
}

// Only "/" and "/?query" are also tried without their slash: a signature
// for another URL must not verify for a target that merely ends it.
func TestSlashlessSpellingOnlyForRoot(t *testing.T) {
	p := edgePolicy(t, authn.TwilioConfig{PublicURL: "https://example.com/ivr"})
	for _, tc := range []struct {
		target, signed string
		want           bool
	}{
		{"/hook", "https://example.com/ivr/hook", true},
		{"/-admin/hook", "https://example.com/ivr-admin/hook", false},
		{"/", "https://example.com/ivr", true},
	} {
		r := httptest.NewRequest(http.MethodGet, tc.target, nil)
		r.Header.Set(authn.SignatureHeader, authn.Sign(edgeToken, tc.signed, nil))
		if v := p.Verify(r); v.Valid != tc.want {
			t.Errorf("target %s signed for %s: Valid = %v (%s), want %v", tc.target, tc.signed, v.Valid, v.Reason, tc.want)
		}
	}
}

// A proof of only empty strings is a proof of nothing: no Authenticated.
func TestEffectiveEmptyProofNotAuthenticated(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, p := range []authn.Policy{authn.Static(""), authn.Static("", ""), authn.Multi(authn.Static(""), authn.Static())} {
		got, err := authn.Effective(p, r)
		if err != nil || !slices.Equal(got, []string{authn.Everyone}) {
			t.Errorf("Effective = %q, %v; want [%s]", got, err, authn.Everyone)
		}
	}
}

// A GET whose signed query carries AccountSid twice proves no account.
func TestQueryAccountSidTwice(t *testing.T) {
	const a, b = "AC0123456789abcdef0123456789abcdef", "ACfedcba9876543210fedcba9876543210"
	p := edgePolicy(t, authn.TwilioConfig{PublicURL: "https://ivr.example.com"})
	target := "/voice?AccountSid=" + a + "&AccountSid=" + b
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set(authn.SignatureHeader, authn.Sign(edgeToken, "https://ivr.example.com"+target, nil))
	got, err := p.Principals(r)
	if err != nil || !slices.Equal(got, []string{authn.TwilioGroup}) {
		t.Errorf("Principals = %q, %v; want only %s", got, err, authn.TwilioGroup)
	}
}

// bodySHA256 must be hex: a spelling with other letters that a sloppy
// decoder maps to the same bytes is not the body's hash.
func TestBodyHashOnlyHex(t *testing.T) {
	p := edgePolicy(t, authn.TwilioConfig{PublicURL: "https://ivr.example.com"})
	body := `{"CallSid":"CA1"}`
	sum := sha256.Sum256([]byte(body))
	good := hex.EncodeToString(sum[:])
	i := slices.IndexFunc(sum[:], func(b byte) bool { return b>>4&1 == 1 })
	bad := []byte(good)
	bad[2*i+1] = 'g' + sum[i]&0xf // 'g'-'a'+10 = 16: the high nibble's low bit
	for _, tc := range []struct {
		hash string
		want bool
	}{{good, true}, {string(bad), false}} {
		target := "/hook?bodySHA256=" + tc.hash
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(authn.SignatureHeader, authn.Sign(edgeToken, "https://ivr.example.com"+target, nil))
		if v := p.Verify(r); v.Valid != tc.want {
			t.Errorf("bodySHA256=%s: Valid = %v (%s), want %v", tc.hash, v.Valid, v.Reason, tc.want)
		}
	}
}

// A 7-byte name sorts and deduplicates by its bytes alone, whatever
// follows it in the body ('=' or '&').
func TestSevenByteNames(t *testing.T) {
	p := edgePolicy(t, authn.TwilioConfig{PublicURL: "https://ivr.example.com"})
	for _, body := range []string{
		"CallSid0=x&CallSid=y",      // "CallSid" < "CallSid0"
		"CallSid=&CallSid&Digits=1", // one distinct pair, signed once
	} {
		params, err := authn.ParseForm([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/voice", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set(authn.SignatureHeader, authn.Sign(edgeToken, "https://ivr.example.com/voice", params))
		if v := p.Verify(r); !v.Valid {
			t.Errorf("body %q: %s, want valid", body, v.Reason)
		}
	}
}
