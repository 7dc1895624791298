package config

import (
	"slices"
	"testing"
)

// TestBindingsMatchDesign checks the bindings table against DESIGN.md's
// "Configuration keys" contract, so a renamed key or variable fails here.
func TestBindingsMatchDesign(t *testing.T) {
	t.Parallel()
	design := map[string]string{
		"listen":                 "GATEHOUSE_LISTEN",
		"public_url":             "GATEHOUSE_PUBLIC_URL",
		"twilio.auth_token":      "TWILIO_AUTH_TOKEN",
		"twilio.auth_tokens":     "GATEHOUSE_TWILIO_AUTH_TOKENS",
		"twilio.auth_token_file": "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE",
		"support_number":         "GATEHOUSE_SUPPORT_NUMBER",
		"policy.model":           "GATEHOUSE_POLICY_MODEL",
		"policy.file":            "GATEHOUSE_POLICY_FILE",
		"trusted_proxies":        "GATEHOUSE_TRUSTED_PROXIES",
		"debug_authorization":    "GATEHOUSE_DEBUG_AUTHORIZATION",
	}
	got := make(map[string]string)
	var envs []string
	for _, b := range bindings() {
		got[b.key] = b.env
		if slices.Contains(envs, b.env) {
			t.Errorf("%s is bound twice", b.env)
		}
		envs = append(envs, b.env)
	}
	for key, env := range design {
		if got[key] != env {
			t.Errorf("%s: env %q, want %q", key, got[key], env)
		}
	}
}

// TestBindingsConsistent checks the invariants Load and AddFlags rely on.
func TestBindingsConsistent(t *testing.T) {
	t.Parallel()
	secrets := 0
	for _, b := range bindings() {
		if (b.flag == "") != (b.usage == "") {
			t.Errorf("%s: a flag needs a usage and a usage a flag", b.key)
		}
		if b.secret() {
			secrets++
		}
		// Every field has a default and a decoder.
		c := Default()
		if err := decode(b.field(c), value(b.field(c)), b.secret()); err != nil {
			t.Errorf("%s: decoding its own default: %v", b.key, err)
		}
	}
	if secrets != 2 {
		t.Errorf("got %d secret keys, want 2 (auth_token, auth_tokens)", secrets)
	}
}

func TestMaskQuoted(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"cannot unmarshal !!str `secret` into x", "cannot unmarshal !!str `...` into x"},
		{"anchor 'secret' referenced", "anchor '...' referenced"},
		{`key "secret" already defined`, `key "..." already defined`},
		{`not terminated by """`, `not terminated by """`},
		{`lone ' quote`, `lone ' quote`},
		{`two 'a' and "b"`, `two '...' and "..."`},
	}
	for _, tt := range tests {
		if got := maskQuoted(tt.in); got != tt.want {
			t.Errorf("maskQuoted(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDropCodePoints(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"expected newline but got U+0078 '...'", "expected newline but got '...'"},
		{"no code point", "no code point"},
		{"U+1F600", ""},
	}
	for _, tt := range tests {
		if got := dropCodePoints(tt.in); got != tt.want {
			t.Errorf("dropCodePoints(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
