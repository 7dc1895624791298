package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/config"
)

// leakMark starts every token in TestNoTokenLeaks, so that finding it
// anywhere, even truncated, is a leak.
const leakMark = "s3cr3t"

// TestNoTokenLeaks sets distinctive tokens through every source, provokes
// every error this package returns and formats the result every way a
// program might, then checks that no token, nor its first characters, shows.
func TestNoTokenLeaks(t *testing.T) {
	t.Parallel()
	const (
		envToken      = leakMark + "-env-7Hq2"
		fileToken     = leakMark + "-file-Kx81"
		flagToken     = leakMark + "-flag-Pw55"
		rotationToken = leakMark + "-rotation-Zz09"
		tokenInFile   = leakMark + "-tokenfile-Mm33"
	)
	var out bytes.Buffer // everything shown, checked at the end
	show := func(what string, v ...any) {
		fmt.Fprintf(&out, "--- %s\n", what)
		fmt.Fprintln(&out, v...)
	}
	newFlags := func() *pflag.FlagSet {
		fs := flags(t, "--auth-token", flagToken)
		show("flag usages", fs.FlagUsages())
		got, _ := fs.GetString("auth-token")
		show("GetString", got)
		return fs
	}
	tokenFile := writeFile(t, "token", tokenInFile+"\n")
	goodEnv := map[string]string{
		"TWILIO_AUTH_TOKEN":                envToken,
		"GATEHOUSE_TWILIO_AUTH_TOKENS":     rotationToken + "," + envToken,
		"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": tokenFile,
	}
	goodFile := "twilio:\n  auth_token: " + fileToken + "\n  auth_tokens: [" + rotationToken + "]\n"

	// Error paths of Load, each with the tokens set everywhere they can be.
	loadErrors := []struct {
		name, file, content string
		env                 map[string]string
	}{
		{name: "wrong types elsewhere", file: "c.yaml",
			content: goodFile + "server:\n  read_timeout: banana\n  max_body_bytes: lots\ndebug_authorization: maybe\nlisten: [a]\n"},
		{name: "unknown keys", file: "c.yaml", content: goodFile + "publc_url: x\ntwilio_auth_token: x\n"},
		{name: "token as a number-like list", file: "c.yaml", content: "twilio:\n  auth_token: [" + fileToken + "]\n"},
		{name: "token as a section", file: "c.yaml", content: "twilio:\n  auth_token:\n    value: " + fileToken + "\n"},
		{name: "rotation list with a non-string", file: "c.yaml", content: "twilio:\n  auth_tokens: [" + rotationToken + ", 5, {a: " + rotationToken + "}]\n"},
		{name: "twilio as a value", file: "c.yaml", content: "twilio: " + fileToken + "\n"},
		{name: "token pasted as a key name (Viper lower-cases keys)", file: "c.yaml",
			content: "twilio:\n  auth_token: " + fileToken + "\n  " + fileToken + ": x\n"},
		{name: "twilio as a list", file: "c.toml", content: "twilio = [\"" + fileToken + "\"]\n"},
		{name: "env-style line in YAML", file: "c.yaml", content: "twilio.auth_token=" + fileToken + "\n"},
		{name: "bare token in YAML", file: "c.yaml", content: fileToken + "\n"},
		{name: "YAML anchor", file: "c.yaml", content: "x: *" + fileToken + "\n"},
		{name: "YAML tag", file: "c.yaml", content: "twilio:\n  auth_token: !!int " + fileToken + "\n"},
		{name: "YAML binary tag", file: "c.yaml", content: "twilio:\n  auth_token: !!binary " + fileToken + "\n"},
		{name: "YAML duplicate", file: "c.yaml", content: "twilio:\n  auth_token: " + fileToken + "\n  auth_token: " + fileToken + "\n"},
		{name: "YAML unterminated", file: "c.yaml", content: "twilio:\n  auth_token: \"" + fileToken + "\n"},
		{name: "YAML bad indent", file: "c.yaml", content: "twilio:\n  auth_token: " + fileToken + "\n bad: 1\n"},
		{name: "TOML unquoted", file: "c.toml", content: "[twilio]\nauth_token = " + fileToken + "\n"},
		{name: "TOML trailing", file: "c.toml", content: "[twilio]\nauth_token = \"" + fileToken + "\" " + fileToken + "\n"},
		{name: "TOML bad escape", file: "c.toml", content: "[twilio]\nauth_token = \"" + fileToken + "\\q\"\n"},
		{name: "TOML unterminated", file: "c.toml", content: "[twilio]\nauth_token = '" + fileToken + "\n"},
		{name: "TOML as YAML", file: "c.yaml", content: "[twilio]\nauth_token = \"" + fileToken + "\"\n"},
		{name: "YAML as TOML", file: "c.toml", content: goodFile},
		{name: "unsupported format", file: "c.json", content: `{"twilio": {"auth_token": "` + fileToken + `"}}`},
		{name: "token file is a directory", file: "c.yaml", content: goodFile,
			env: map[string]string{"TWILIO_AUTH_TOKEN": envToken, "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": t.TempDir()}},
		{name: "token file missing", file: "c.yaml", content: goodFile,
			env: map[string]string{"TWILIO_AUTH_TOKEN": envToken, "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": filepath.Join(t.TempDir(), "gone")}},
		{name: "token file with two tokens", file: "c.yaml", content: goodFile,
			env: map[string]string{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": writeFile(t, "two", tokenInFile+"\n"+tokenInFile+"\n")}},
		{name: "token file too large", file: "c.yaml", content: goodFile,
			env: map[string]string{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": writeFile(t, "big", strings.Repeat(tokenInFile, 500))}},
		{name: "bad env values beside the token", file: "c.yaml", content: goodFile,
			env: map[string]string{
				"TWILIO_AUTH_TOKEN":                 envToken,
				"GATEHOUSE_SERVER_READ_TIMEOUT":     "banana",
				"GATEHOUSE_DEBUG_AUTHORIZATION":     envToken,
				"GATEHOUSE_SERVER_MAX_HEADER_BYTES": envToken,
			}},
	}
	for _, tt := range loadErrors {
		env := tt.env
		if env == nil {
			env = goodEnv
		}
		_, err := config.Load(config.Options{
			File:   writeFile(t, tt.file, tt.content),
			Flags:  newFlags(),
			Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		})
		if err == nil {
			t.Errorf("%s: Load succeeded, want an error", tt.name)
			continue
		}
		show("Load error: "+tt.name, err)
		showErrorTree(show, err)
	}

	// A good load with every source, then every way of showing it.
	cfg, err := config.Load(config.Options{
		File:   writeFile(t, "c.yaml", goodFile),
		Flags:  newFlags(),
		Getenv: env(goodEnv),
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := len(cfg.Tokens()); got != 4 {
		t.Errorf("Tokens: got %d, want 4 (flag, rotation and env from the rotation list, file)", got)
	}
	bad := *cfg
	// Tokens pasted into the wrong keys must not be quoted back.
	bad.Listen = flagToken
	bad.PublicURL = "https://" + rotationToken + ".example/?q"
	bad.TrustedProxies = []string{"nope", tokenInFile}
	bad.Log.Format = envToken
	bad.Server.ReadTimeout = 0
	bad.Log.Level = "loud"
	show("Validate", bad.Validate())
	showErrorTree(show, bad.Validate())
	_, err = bad.TrustedProxyPrefixes()
	show("TrustedProxyPrefixes", err)
	showErrorTree(show, err)
	show("RequireToken", cfg.RequireToken())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.4v"} {
		show("fmt "+verb, fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, *cfg),
			fmt.Sprintf(verb, cfg.Twilio), fmt.Sprintf(verb, cfg.Tokens()))
	}
	show("Sprint", fmt.Sprint(cfg, *cfg, cfg.Tokens()))
	for _, v := range []any{cfg, *cfg, cfg.Twilio, cfg.Tokens()} {
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		show("json", string(js))
	}
	for _, h := range []slog.Handler{
		slog.NewTextHandler(&out, &slog.HandlerOptions{AddSource: true}),
		slog.NewJSONHandler(&out, nil),
	} {
		l := slog.New(h)
		l.Info("pointer", "config", cfg)
		l.Info("value", "config", *cfg)
		l.Info("parts", "twilio", cfg.Twilio, "tokens", cfg.Tokens(), "token", cfg.Twilio.AuthToken)
		l.Info("errors", "err", bad.Validate())
		l.With("config", cfg).Info("with")
	}
	show("LogValue", cfg.LogValue().Resolve().String())

	if strings.Contains(out.String(), leakMark) {
		t.Errorf("a token leaked; lines holding %q:", leakMark)
		for line := range strings.Lines(out.String()) {
			if strings.Contains(line, leakMark) {
				t.Errorf("  %s", strings.TrimSpace(line))
			}
		}
	}
	if !strings.Contains(out.String(), "[REDACTED]") {
		t.Errorf("no redaction shown at all; the test is not exercising the formatters")
	}
}

// showErrorTree shows every error inside err, with every verb.
func showErrorTree(show func(string, ...any), err error) {
	if err == nil {
		return
	}
	show("error tree", fmt.Sprintf("%v|%+v|%#v|%s|%q", err, err, err, err, err))
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			showErrorTree(show, inner)
		}
	default:
		showErrorTree(show, errors.Unwrap(err))
	}
}
