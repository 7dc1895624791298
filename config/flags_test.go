package config_test

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/config"
)

func TestAddFlags(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	config.AddFlags(fs)
	tests := []struct {
		name, typ string
	}{
		{"config", "string"},
		{"listen", "string"},
		{"public-url", "string"},
		{"auth-token", "string"},
		{"support-number", "string"},
		{"policy-file", "string"},
		{"policy-model", "string"},
		{"trusted-proxies", "stringSlice"},
		{"debug-authorization", "bool"},
		{"log-level", "string"},
		{"log-format", "string"},
	}
	n := 0
	fs.VisitAll(func(*pflag.Flag) { n++ })
	if n != len(tests) {
		t.Errorf("AddFlags registered %d flags, want %d", n, len(tests))
	}
	for _, tt := range tests {
		f := fs.Lookup(tt.name)
		if f == nil {
			t.Errorf("--%s is not registered", tt.name)
			continue
		}
		if got := f.Value.Type(); got != tt.typ {
			t.Errorf("--%s: type %q, want %q", tt.name, got, tt.typ)
		}
		if f.DefValue != "" && f.DefValue != "[]" && f.DefValue != "false" {
			t.Errorf("--%s: default %q; flags must have no default of their own", tt.name, f.DefValue)
		}
		if f.Usage == "" {
			t.Errorf("--%s: no usage", tt.name)
		}
	}
}

func TestAuthTokenFlagRedacts(t *testing.T) {
	t.Parallel()
	fs := flags(t, "--auth-token", "hunter2")
	got, err := fs.GetString("auth-token")
	if err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	shown.WriteString(got)
	shown.WriteString(fs.FlagUsages())
	fs.VisitAll(func(f *pflag.Flag) { shown.WriteString(f.Value.String()) })
	if strings.Contains(shown.String(), "hunter2") {
		t.Errorf("--auth-token value shown:\n%s", shown.String())
	}
	cfg := mustLoad(t, config.Options{Flags: fs})
	if got := cfg.Twilio.AuthToken.Reveal(); got != "hunter2" {
		t.Errorf("AuthToken: got %q, want %q", got, "hunter2")
	}
}
