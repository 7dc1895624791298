package config_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/config"
)

// envValue is the value every variable of TestLoadUnknownVariables holds:
// it must never be shown, since a mistyped variable may hold a token.
const envValue = "tok-envvalue-5c4b3a"

// A GATEHOUSE_ variable that no key reads is refused like an unknown key
// in the file, naming the variable it was probably meant to be, and never
// its value; other prefixes and empty variables are left alone.
func TestLoadUnknownVariables(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		vars    []string // names, each set to envValue unless it has an '='
		keys    []string // FieldError keys, in order; nil means Load succeeds
		shown   []string // the keys as the message shows them, if not as they are
		suggest string   // what the message says after "did you mean", if anything
		hint    string   // another text the message carries, if any
	}{
		{name: "typo", vars: []string{"GATEHOUSE_POLICY_FLIE"}, keys: []string{"GATEHOUSE_POLICY_FLIE"}, suggest: "GATEHOUSE_POLICY_FILE"},
		{name: "typo in a server variable", vars: []string{"GATEHOUSE_SERVER_READ_TIMOUT"}, keys: []string{"GATEHOUSE_SERVER_READ_TIMOUT"}, suggest: "GATEHOUSE_SERVER_READ_TIMEOUT"},
		{name: "lower case after the prefix", vars: []string{"GATEHOUSE_listen"}, keys: []string{"GATEHOUSE_listen"}, suggest: "GATEHOUSE_LISTEN"},
		{name: "the token's key spelled as a variable", vars: []string{"GATEHOUSE_TWILIO_AUTH_TOKEN"}, keys: []string{"GATEHOUSE_TWILIO_AUTH_TOKEN"}, suggest: "TWILIO_AUTH_TOKEN"},
		{name: "the token without its section", vars: []string{"GATEHOUSE_AUTH_TOKEN"}, keys: []string{"GATEHOUSE_AUTH_TOKEN"}, suggest: "TWILIO_AUTH_TOKEN"},
		{name: "a key without its section", vars: []string{"GATEHOUSE_AUTH_TOKEN_FILE"}, keys: []string{"GATEHOUSE_AUTH_TOKEN_FILE"}, suggest: "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE"},
		{name: "a server key without its section", vars: []string{"GATEHOUSE_IDLE_TIMEOUT"}, keys: []string{"GATEHOUSE_IDLE_TIMEOUT"}, suggest: "GATEHOUSE_SERVER_IDLE_TIMEOUT"},
		{name: "a name no key reads", vars: []string{"GATEHOUSE_SOAK"}, keys: []string{"GATEHOUSE_SOAK"}},
		{name: "the config flag as a variable", vars: []string{"GATEHOUSE_CONFIG"}, keys: []string{"GATEHOUSE_CONFIG"}, hint: "named by --config"},
		{name: "the bare prefix", vars: []string{"GATEHOUSE_"}, keys: []string{"GATEHOUSE_"}},
		// A name that could break the one-line message, or forge a line.
		{name: "a newline in the name", vars: []string{"GATEHOUSE_X\ngatehouse serve: ok=1"},
			keys: []string{"GATEHOUSE_X\ngatehouse serve: ok"}, shown: []string{`"GATEHOUSE_X\ngatehouse serve: ok"`}},
		{name: "an escape sequence in the name", vars: []string{"GATEHOUSE_\x1b[2J"}, keys: []string{"GATEHOUSE_\x1b[2J"}, shown: []string{`"GATEHOUSE_\x1b[2J"`}},
		{name: "several, sorted, each once", vars: []string{"GATEHOUSE_ZZZ", "GATEHOUSE_LISTEN", "GATEHOUSE_AAA", "GATEHOUSE_ZZZ"}, keys: []string{"GATEHOUSE_AAA", "GATEHOUSE_ZZZ"}},
		{name: "every bound variable", vars: []string{"GATEHOUSE_LISTEN=:1", "GATEHOUSE_POLICY_WATCH_INTERVAL=1s", "TWILIO_AUTH_TOKEN", "GATEHOUSE_TWILIO_AUTH_TOKENS"}},
		{name: "empty counts as unset, whatever the name", vars: []string{"GATEHOUSE_POLICY_FLIE=", "GATEHOUSE_SOAK="}},
		{name: "blank is not empty", vars: []string{"GATEHOUSE_QQQ= ", "GATEHOUSE_SOAK=\t\n"}, keys: []string{"GATEHOUSE_QQQ", "GATEHOUSE_SOAK"}},
		{name: "the last of several entries counts", vars: []string{"GATEHOUSE_SOAK=60s", "GATEHOUSE_SOAK=", "GATEHOUSE_AAA=", "GATEHOUSE_AAA=1"}, keys: []string{"GATEHOUSE_AAA"}},
		{name: "other prefixes", vars: []string{"TWILIO_AUTH_TOKN", "TWILIO_ACCOUNT_SID", "GATEHOUSEX_LISTEN", "MY_GATEHOUSE_LISTEN", "PATH=/bin"}},
		{name: "the prefix in another case", vars: []string{"gatehouse_listen", "Gatehouse_Listen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kv := make([]string, len(tt.vars))
			for i, v := range tt.vars {
				if !strings.Contains(v, "=") {
					v += "=" + envValue
				}
				kv[i] = v
			}
			_, err := load(t, config.Options{Environ: environ(kv...)})
			if tt.keys == nil {
				if err != nil {
					t.Fatalf("Load: got %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, config.ErrUnknownKey) {
				t.Fatalf("Load: got %v, want ErrUnknownKey", err)
			}
			if got := fieldKeys(err); !slices.Equal(got, tt.keys) {
				t.Errorf("keys: got %q, want %q", got, tt.keys)
			}
			msg := err.Error()
			shown := tt.keys
			if tt.shown != nil {
				shown = tt.shown
			}
			for i, line := range strings.Split(msg, "\n") {
				if want := "config: " + shown[i] + ": unknown environment variable"; !strings.HasPrefix(line, want) {
					t.Errorf("line %d: got %q, want it to start %q", i+1, line, want)
				}
			}
			switch {
			case tt.suggest != "" && !strings.Contains(msg, "(did you mean "+tt.suggest+"?)"):
				t.Errorf("got %q, want a suggestion of %s", msg, tt.suggest)
			case tt.suggest == "" && strings.Contains(msg, "did you mean"):
				t.Errorf("got %q, want no suggestion", msg)
			}
			if !strings.Contains(msg, tt.hint) {
				t.Errorf("got %q, want it to say %q", msg, tt.hint)
			}
			if strings.Contains(strings.ToLower(msg), strings.ToLower(envValue)) {
				t.Errorf("got %q, which quotes the variable's value", msg)
			}
		})
	}
}

// An unknown variable is reported beside the other problems, a file that
// cannot be read included.
func TestLoadUnknownVariableWithOtherProblems(t *testing.T) {
	t.Parallel()
	const typo = "GATEHOUSE_POLICY_FLIE=x.csv"
	tests := []struct {
		name    string
		file    string // content of a YAML file; "" for a file that does not exist
		environ []string
		is      []error
	}{
		{"missing file", "", []string{typo}, []error{fs.ErrNotExist, config.ErrUnknownKey}},
		{"unknown key in the file", "publc_url: https://x.example\n", []string{typo}, []error{config.ErrUnknownKey}},
		{"wrong type in another variable", "listen: \":1\"\n", []string{typo, "GATEHOUSE_SERVER_READ_TIMEOUT=banana"}, []error{config.ErrInvalid, config.ErrUnknownKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "missing.yaml")
			if tt.file != "" {
				path = writeFile(t, "gatehouse.yaml", tt.file)
			}
			_, err := load(t, config.Options{File: path, Environ: environ(tt.environ...)})
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("got %v, want it to match %v", err, target)
				}
			}
			if want := "config: GATEHOUSE_POLICY_FLIE: unknown environment variable (did you mean GATEHOUSE_POLICY_FILE?)"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want a line %q", err, want)
			}
		})
	}
}

// Without an injected environment, Load reads os.Environ.
func TestLoadUnknownOSVariable(t *testing.T) {
	t.Setenv("GATEHOUSE_POLICY_FLIE", "x.csv")
	_, err := config.Load(config.Options{})
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Key != "GATEHOUSE_POLICY_FLIE" || !errors.Is(err, config.ErrUnknownKey) {
		t.Errorf("Load: got %v, want a *FieldError for GATEHOUSE_POLICY_FLIE matching ErrUnknownKey", err)
	}
}

// With only Environ injected, Load looks the variables up in it.
func TestLoadEnvironLooksUp(t *testing.T) {
	t.Parallel()
	cfg := mustLoad(t, config.Options{Environ: environ("GATEHOUSE_LISTEN=:1", "GATEHOUSE_LISTEN=:2", "TWILIO_AUTH_TOKEN=a=b")})
	if cfg.Listen != ":2" || cfg.Twilio.AuthToken != "a=b" {
		t.Errorf("got listen %q, token %q; want %q, %q", cfg.Listen, cfg.Twilio.AuthToken.Reveal(), ":2", "a=b")
	}
}

// An empty variable counts as unset: it does not clear the file's value.
// A flag set to the empty string does.
func TestLoadEmptyVariableIsUnset(t *testing.T) {
	t.Parallel()
	const primary, old = "primary0123456789abcdef01234567", "old00000000000000000000000000000"
	file := "support_number: \"+15005550006\"\ntrusted_proxies: [10.0.0.1]\n" +
		"twilio:\n  auth_token: \"" + primary + "\"\n  auth_tokens: [\"" + old + "\"]\n"
	tests := []struct {
		name    string
		environ []string
		args    []string
		number  string
		proxies []string
	}{
		{name: "nothing set", number: "+15005550006", proxies: []string{"10.0.0.1"}},
		{name: "empty variables", environ: []string{"GATEHOUSE_SUPPORT_NUMBER=", "GATEHOUSE_TRUSTED_PROXIES=", "TWILIO_AUTH_TOKEN=", "GATEHOUSE_TWILIO_AUTH_TOKENS="},
			number: "+15005550006", proxies: []string{"10.0.0.1"}},
		{name: "variables set", environ: []string{"GATEHOUSE_SUPPORT_NUMBER=+15005550007", "GATEHOUSE_TRUSTED_PROXIES=10.0.0.2"}, number: "+15005550007", proxies: []string{"10.0.0.2"}},
		{name: "empty flags clear", environ: []string{"GATEHOUSE_SUPPORT_NUMBER=+15005550007"}, args: []string{"--support-number=", "--trusted-proxies="}, number: "", proxies: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := mustLoad(t, config.Options{File: writeFile(t, "c.yaml", file), Environ: environ(tt.environ...), Flags: flags(t, tt.args...)})
			if cfg.SupportNumber != tt.number {
				t.Errorf("support_number: got %q, want %q", cfg.SupportNumber, tt.number)
			}
			if !slices.Equal(cfg.TrustedProxies, tt.proxies) {
				t.Errorf("trusted_proxies: got %q, want %q", cfg.TrustedProxies, tt.proxies)
			}
			if got := cfg.Tokens(); len(got) != 2 || got[0].Reveal() != primary || got[1].Reveal() != old {
				t.Errorf("tokens: got %d, want the file's primary and old token", len(got))
			}
		})
	}
}

// A variable of only white space is refused, naming it, whatever its key:
// taken as a value, TWILIO_AUTH_TOKEN=" " cleared the file's token (and a
// blank rotation list the file's old tokens) without a word; taken as
// unset, a blank list would keep what the operator may have meant to
// clear.
func TestLoadBlankVariableRefused(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "c.yaml", "support_number: \"+15005550006\"\ntrusted_proxies: [10.0.0.1]\n"+
		"twilio:\n  auth_token: \"primary0123456789abcdef01234567\"\n  auth_tokens: [\"old00000000000000000000000000000\"]\n")
	for _, tt := range []struct{ env, key string }{
		{"TWILIO_AUTH_TOKEN= ", "twilio.auth_token"},
		{"GATEHOUSE_TWILIO_AUTH_TOKENS= \n ", "twilio.auth_tokens"},
		{"GATEHOUSE_TRUSTED_PROXIES=\t", "trusted_proxies"},
		{"GATEHOUSE_SUPPORT_NUMBER= ", "support_number"},
		{"GATEHOUSE_PUBLIC_URL= ", "public_url"},
	} {
		name, _, _ := strings.Cut(tt.env, "=")
		_, err := config.Load(config.Options{File: file, Environ: environ(tt.env)})
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Key != tt.key || !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), name+" is blank") {
			t.Errorf("%q: error %v; want a FieldError for %s naming %s as blank", tt.env, err, tt.key, name)
		}
	}
}
