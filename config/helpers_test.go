package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/config"
)

// env returns a Getenv that looks names up in m.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// writeFile writes content to a file called name in a fresh temporary
// directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// flags returns a flag set with AddFlags's flags, parsed from args.
func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	config.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parsing %q: %v", args, err)
	}
	return fs
}

// load calls config.Load with an empty environment unless o.Getenv or
// o.Environ is set, so that the test machine's environment never leaks in.
func load(t *testing.T, o config.Options) (*config.Config, error) {
	t.Helper()
	if o.Getenv == nil && o.Environ == nil {
		o.Getenv = env(nil)
	}
	return config.Load(o)
}

// mustLoad is load for options that must succeed.
func mustLoad(t *testing.T, o config.Options) *config.Config {
	t.Helper()
	cfg, err := load(t, o)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

// environ returns an Environ that lists kv, "NAME=value" strings.
func environ(kv ...string) func() []string {
	return func() []string { return kv }
}
