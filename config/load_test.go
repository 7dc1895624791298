package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/config"
)

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	const yamlFile = `
listen: "file:1"
trusted_proxies: [10.0.0.1]
debug_authorization: true
twilio:
  auth_token: file-token
log:
  level: warn
server:
  read_timeout: 1s
`
	tests := []struct {
		name string
		file bool
		env  map[string]string
		args []string
		want func(*config.Config) // edits Default() into the expected result
	}{
		{
			name: "defaults only",
			want: func(*config.Config) {},
		},
		{
			name: "file over default",
			file: true,
			want: func(c *config.Config) {
				c.Listen = "file:1"
				c.TrustedProxies = []string{"10.0.0.1"}
				c.DebugAuthorization = true
				c.Twilio.AuthToken = "file-token"
				c.Log.Level = "warn"
				c.Server.ReadTimeout = time.Second
			},
		},
		{
			name: "env over file",
			file: true,
			env: map[string]string{
				"GATEHOUSE_LISTEN":              "env:2",
				"GATEHOUSE_TRUSTED_PROXIES":     "10.0.0.2, 10.0.0.3",
				"GATEHOUSE_DEBUG_AUTHORIZATION": "false",
				"TWILIO_AUTH_TOKEN":             "env-token",
				"GATEHOUSE_LOG_LEVEL":           "error",
				"GATEHOUSE_SERVER_READ_TIMEOUT": "2s",
			},
			want: func(c *config.Config) {
				c.Listen = "env:2"
				c.TrustedProxies = []string{"10.0.0.2", "10.0.0.3"}
				c.DebugAuthorization = false
				c.Twilio.AuthToken = "env-token"
				c.Log.Level = "error"
				c.Server.ReadTimeout = 2 * time.Second
			},
		},
		{
			name: "env over default without a file",
			env:  map[string]string{"GATEHOUSE_LISTEN": "env:2"},
			want: func(c *config.Config) { c.Listen = "env:2" },
		},
		{
			name: "flag over env over file",
			file: true,
			env: map[string]string{
				"GATEHOUSE_LISTEN":              "env:2",
				"GATEHOUSE_TRUSTED_PROXIES":     "10.0.0.2",
				"GATEHOUSE_DEBUG_AUTHORIZATION": "true",
				"TWILIO_AUTH_TOKEN":             "env-token",
				"GATEHOUSE_LOG_LEVEL":           "error",
			},
			args: []string{
				"--listen", "flag:3",
				"--trusted-proxies", "10.0.0.4,10.0.0.5", "--trusted-proxies", "10.0.0.6",
				"--debug-authorization=false",
				"--auth-token", "flag-token",
				"--log-level", "debug",
			},
			want: func(c *config.Config) {
				c.Listen = "flag:3"
				c.TrustedProxies = []string{"10.0.0.4", "10.0.0.5", "10.0.0.6"}
				c.DebugAuthorization = false
				c.Twilio.AuthToken = "flag-token"
				c.Log.Level = "debug"
				c.Server.ReadTimeout = time.Second // from the file: no env, no flag
			},
		},
		{
			name: "unset flags do not override",
			file: true,
			env:  map[string]string{"GATEHOUSE_LISTEN": "env:2"},
			args: []string{"--log-format", "json"},
			want: func(c *config.Config) {
				c.Listen = "env:2"
				c.TrustedProxies = []string{"10.0.0.1"}
				c.DebugAuthorization = true
				c.Twilio.AuthToken = "file-token"
				c.Log.Level = "warn"
				c.Log.Format = "json"
				c.Server.ReadTimeout = time.Second
			},
		},
		{
			name: "empty env counts as unset",
			file: true,
			env:  map[string]string{"GATEHOUSE_LISTEN": "", "TWILIO_AUTH_TOKEN": ""},
			want: func(c *config.Config) {
				c.Listen = "file:1"
				c.TrustedProxies = []string{"10.0.0.1"}
				c.DebugAuthorization = true
				c.Twilio.AuthToken = "file-token"
				c.Log.Level = "warn"
				c.Server.ReadTimeout = time.Second
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := config.Options{Getenv: env(tt.env), Flags: flags(t, tt.args...)}
			if tt.file {
				o.File = writeFile(t, "gatehouse.yaml", yamlFile)
			}
			got := mustLoad(t, o)
			want := config.Default()
			tt.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load:\ngot  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoadFileFormats(t *testing.T) {
	t.Parallel()
	tokenFile := writeFile(t, "token", "\n  file-token \n")
	want := &config.Config{
		Listen:             "127.0.0.1:9000",
		PublicURL:          "https://ivr.example.com",
		SupportNumber:      "+15005550006",
		TrustedProxies:     []string{"10.0.0.0/8", "192.0.2.7"},
		DebugAuthorization: true,
		Twilio: config.Twilio{
			AuthToken:         "primary",
			AuthTokens:        []config.Secret{"old", "older"},
			AuthTokenFile:     tokenFile,
			AuthTokenFromFile: "file-token",
		},
		Policy:  config.Policy{Model: "model.conf", File: "policy.csv", WatchInterval: 500 * time.Millisecond},
		Apology: config.Apology{Text: "Sorry.", Voice: "alice", Language: "en-GB"},
		Server: config.Server{
			ReadHeaderTimeout: 1 * time.Second,
			ReadTimeout:       2 * time.Second,
			WriteTimeout:      3 * time.Second,
			IdleTimeout:       4 * time.Second,
			ShutdownDelay:     6 * time.Second,
			ShutdownTimeout:   5 * time.Second,
			MaxHeaderBytes:    1024,
			MaxBodyBytes:      2048,
		},
		Log: config.Log{Level: "debug", Format: "json"},
	}
	yamlDoc := `
listen: 127.0.0.1:9000
public_url: https://ivr.example.com
support_number: "+15005550006"
trusted_proxies: [10.0.0.0/8, 192.0.2.7]
debug_authorization: true
twilio:
  auth_token: primary
  auth_tokens: [old, older]
  auth_token_file: ` + tokenFile + `
policy:
  model: model.conf
  file: policy.csv
  watch_interval: 500ms
apology:
  text: Sorry.
  voice: alice
  language: en-GB
server:
  read_header_timeout: 1s
  read_timeout: 2s
  write_timeout: 3s
  idle_timeout: 4s
  shutdown_delay: 6s
  shutdown_timeout: 5s
  max_header_bytes: 1024
  max_body_bytes: 2048
log:
  level: debug
  format: json
`
	tomlDoc := `
listen = "127.0.0.1:9000"
public_url = "https://ivr.example.com"
support_number = "+15005550006"
trusted_proxies = ["10.0.0.0/8", "192.0.2.7"]
debug_authorization = true

[twilio]
auth_token = "primary"
auth_tokens = ["old", "older"]
auth_token_file = "` + tokenFile + `"

[policy]
model = "model.conf"
file = "policy.csv"
watch_interval = "500ms"

[apology]
text = "Sorry."
voice = "alice"
language = "en-GB"

[server]
read_header_timeout = "1s"
read_timeout = "2s"
write_timeout = "3s"
idle_timeout = "4s"
shutdown_delay = "6s"
shutdown_timeout = "5s"
max_header_bytes = 1024
max_body_bytes = 2048

[log]
level = "debug"
format = "json"
`
	tests := []struct {
		name, content string
	}{
		{"gatehouse.yaml", yamlDoc},
		{"gatehouse.yml", yamlDoc},
		{"GATEHOUSE.YAML", yamlDoc},
		{"gatehouse.toml", tomlDoc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustLoad(t, config.Options{File: writeFile(t, tt.name, tt.content)})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load:\ngot  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoadExampleFilesAgree(t *testing.T) {
	t.Parallel()
	fromYAML := mustLoad(t, config.Options{File: "testdata/example.yaml"})
	fromTOML := mustLoad(t, config.Options{File: "testdata/example.toml"})
	if !reflect.DeepEqual(fromYAML, fromTOML) {
		t.Errorf("example.yaml and example.toml differ:\nyaml %+v\ntoml %+v", fromYAML, fromTOML)
	}
	if err := fromYAML.Validate(); err != nil {
		t.Errorf("example.yaml: Validate: %v", err)
	}
}

// TestLoadEnv sets every environment variable of DESIGN.md's "Configuration
// keys" table, and the others Config documents, one at a time.
func TestLoadEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env, value string
		got        func(*config.Config) any
		want       any
	}{
		// DESIGN.md, "Configuration keys".
		{"GATEHOUSE_LISTEN", "127.0.0.1:1", func(c *config.Config) any { return c.Listen }, "127.0.0.1:1"},
		{"GATEHOUSE_PUBLIC_URL", "https://x.example", func(c *config.Config) any { return c.PublicURL }, "https://x.example"},
		{"TWILIO_AUTH_TOKEN", " tok \n", func(c *config.Config) any { return c.Twilio.AuthToken.Reveal() }, "tok"},
		{"GATEHOUSE_TWILIO_AUTH_TOKENS", " a, b ,,c ", func(c *config.Config) any { return c.Twilio.AuthTokens }, []config.Secret{"a", "b", "c"}},
		{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE", "testdata/token.txt", func(c *config.Config) any {
			return []string{c.Twilio.AuthTokenFile, c.Twilio.AuthTokenFromFile.Reveal()}
		}, []string{"testdata/token.txt", "token-from-file"}},
		{"GATEHOUSE_SUPPORT_NUMBER", "+15005550006", func(c *config.Config) any { return c.SupportNumber }, "+15005550006"},
		{"GATEHOUSE_POLICY_MODEL", "m.conf", func(c *config.Config) any { return c.Policy.Model }, "m.conf"},
		{"GATEHOUSE_POLICY_FILE", "p.csv", func(c *config.Config) any { return c.Policy.File }, "p.csv"},
		{"GATEHOUSE_POLICY_WATCH_INTERVAL", "250ms", func(c *config.Config) any { return c.Policy.WatchInterval }, 250 * time.Millisecond},
		{"GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/8 , ::1", func(c *config.Config) any { return c.TrustedProxies }, []string{"10.0.0.0/8", "::1"}},
		{"GATEHOUSE_DEBUG_AUTHORIZATION", "true", func(c *config.Config) any { return c.DebugAuthorization }, true},
		// The rest of Config.
		{"GATEHOUSE_APOLOGY_TEXT", "Sorry.", func(c *config.Config) any { return c.Apology.Text }, "Sorry."},
		{"GATEHOUSE_APOLOGY_VOICE", "alice", func(c *config.Config) any { return c.Apology.Voice }, "alice"},
		{"GATEHOUSE_APOLOGY_LANGUAGE", "en-GB", func(c *config.Config) any { return c.Apology.Language }, "en-GB"},
		{"GATEHOUSE_SERVER_READ_HEADER_TIMEOUT", "1s", func(c *config.Config) any { return c.Server.ReadHeaderTimeout }, time.Second},
		{"GATEHOUSE_SERVER_READ_TIMEOUT", "2s", func(c *config.Config) any { return c.Server.ReadTimeout }, 2 * time.Second},
		{"GATEHOUSE_SERVER_WRITE_TIMEOUT", "3s", func(c *config.Config) any { return c.Server.WriteTimeout }, 3 * time.Second},
		{"GATEHOUSE_SERVER_IDLE_TIMEOUT", "1m", func(c *config.Config) any { return c.Server.IdleTimeout }, time.Minute},
		{"GATEHOUSE_SERVER_SHUTDOWN_DELAY", "0s", func(c *config.Config) any { return c.Server.ShutdownDelay }, time.Duration(0)},
		{"GATEHOUSE_SERVER_SHUTDOWN_TIMEOUT", "500ms", func(c *config.Config) any { return c.Server.ShutdownTimeout }, 500 * time.Millisecond},
		{"GATEHOUSE_SERVER_MAX_HEADER_BYTES", "4096", func(c *config.Config) any { return c.Server.MaxHeaderBytes }, 4096},
		{"GATEHOUSE_SERVER_MAX_BODY_BYTES", "8192", func(c *config.Config) any { return c.Server.MaxBodyBytes }, int64(8192)},
		{"GATEHOUSE_LOG_LEVEL", "warn", func(c *config.Config) any { return c.Log.Level }, "warn"},
		{"GATEHOUSE_LOG_FORMAT", "json", func(c *config.Config) any { return c.Log.Format }, "json"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Parallel()
			cfg := mustLoad(t, config.Options{Getenv: env(map[string]string{tt.env: tt.value})})
			if got := tt.got(cfg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s=%q: got %#v, want %#v", tt.env, tt.value, got, tt.want)
			}
			// Nothing else moved.
			cfg2 := mustLoad(t, config.Options{Getenv: env(map[string]string{tt.env: tt.value})})
			if !reflect.DeepEqual(cfg, cfg2) {
				t.Errorf("Load is not deterministic")
			}
		})
	}
}

func TestLoadFlags(t *testing.T) {
	t.Parallel()
	cfg := mustLoad(t, config.Options{Flags: flags(t,
		"--listen=127.0.0.1:1",
		"--public-url=https://x.example",
		"--auth-token= tok ",
		"--support-number=+15005550006",
		"--policy-file=p.csv",
		"--policy-model=m.conf",
		"--trusted-proxies=10.0.0.0/8,::1",
		"--debug-authorization",
		"--log-level=error",
		"--log-format=json",
	)})
	want := config.Default()
	want.Listen = "127.0.0.1:1"
	want.PublicURL = "https://x.example"
	want.Twilio.AuthToken = "tok"
	want.SupportNumber = "+15005550006"
	want.Policy.Model, want.Policy.File = "m.conf", "p.csv"
	want.TrustedProxies = []string{"10.0.0.0/8", "::1"}
	want.DebugAuthorization = true
	want.Log = config.Log{Level: "error", Format: "json"}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Load:\ngot  %+v\nwant %+v", cfg, want)
	}
}

func TestLoadConfigFlag(t *testing.T) {
	t.Parallel()
	fromOptions := writeFile(t, "options.yaml", "listen: options:1\n")
	fromFlag := writeFile(t, "flag.toml", "listen = \"flag:2\"\n")
	tests := []struct {
		name string
		file string
		args []string
		want string
	}{
		{"Options.File", fromOptions, nil, "options:1"},
		{"--config alone", "", []string{"--config", fromFlag}, "flag:2"},
		{"--config wins over Options.File", fromOptions, []string{"--config", fromFlag}, "flag:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := mustLoad(t, config.Options{File: tt.file, Flags: flags(t, tt.args...)})
			if cfg.Listen != tt.want {
				t.Errorf("Listen: got %q, want %q", cfg.Listen, tt.want)
			}
		})
	}
}

func TestLoadNilFlagsAndForeignFlagSets(t *testing.T) {
	t.Parallel()
	// A flag set without AddFlags's flags is simply ignored.
	fs := flags(t)
	cfg := mustLoad(t, config.Options{Flags: nil})
	if !reflect.DeepEqual(cfg, config.Default()) {
		t.Errorf("Load with nil Flags: got %+v, want Default()", cfg)
	}
	cfg = mustLoad(t, config.Options{Flags: fs})
	if !reflect.DeepEqual(cfg, config.Default()) {
		t.Errorf("Load with unparsed flags: got %+v, want Default()", cfg)
	}
}

func TestLoadOSEnvironmentByDefault(t *testing.T) {
	t.Setenv("GATEHOUSE_LISTEN", "127.0.0.1:7")
	cfg, err := config.Load(config.Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Listen != "127.0.0.1:7" {
		t.Errorf("Listen: got %q, want %q", cfg.Listen, "127.0.0.1:7")
	}
}

func TestLoadUnknownKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		file    string
		content string
		keys    []string // FieldError keys, in order
		suggest string   // a "did you mean" the message carries, if any
	}{
		{"typo at the top", "c.yaml", "publc_url: https://x.example\n", []string{"publc_url"}, "public_url"},
		{"typo in a section", "c.yaml", "server:\n  read_timout: 1s\n", []string{"server.read_timout"}, "server.read_timeout"},
		{"typo in a section name", "c.toml", "[twilo]\nauth_token = \"x\"\n", []string{"twilo.auth_token"}, "twilio.auth_token"},
		{"key outside its section", "c.yaml", "level: debug\n", []string{"level"}, "log.level"},
		{"nothing close", "c.yaml", "colour: blue\n", []string{"colour"}, ""},
		{"several", "c.yaml", "zzz: 1\naaa: 2\nlisten: \":1\"\n", []string{"aaa", "zzz"}, ""},
		{"the config key itself", "c.yaml", "config: other.yaml\n", []string{"config"}, ""},
		// The message stays one line, and forges none (see below).
		{"a newline in the name", "c.yaml", "\"x\\nconfig: listen: forged\": 1\n", []string{"x\nconfig: listen: forged"}, ""},
		{"an escape sequence in the name", "c.yaml", "\"\\e[2J\": 1\n", []string{"\x1b[2j"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, config.Options{File: writeFile(t, tt.file, tt.content)})
			if !errors.Is(err, config.ErrUnknownKey) {
				t.Fatalf("Load: got %v, want ErrUnknownKey", err)
			}
			if got := fieldKeys(err); !slices.Equal(got, tt.keys) {
				t.Errorf("keys: got %q, want %q", got, tt.keys)
			}
			if tt.suggest != "" && !strings.Contains(err.Error(), "did you mean "+tt.suggest+"?") {
				t.Errorf("got %q, want a suggestion of %s", err, tt.suggest)
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines) != len(tt.keys) {
				t.Errorf("got %q: %d lines, want one per key", err, len(lines))
			}
			if strings.ContainsAny(err.Error(), "\x1b\r") {
				t.Errorf("got %q, which holds a control character", err)
			}
		})
	}
}

// Keys differing in case, and dotted keys, are named on one line each,
// whatever their names hold.
func TestLoadOddKeyNamesOneLine(t *testing.T) {
	t.Parallel()
	for _, content := range []string{
		"\"a\\nb\": 1\n\"A\\nB\": 2\n",
		"\"a.b\\nconfig: x\": 1\n",
		"server:\n  \"x\\ny\": 1\n  \"X\\nY\": 2\n",
	} {
		_, err := load(t, config.Options{File: writeFile(t, "c.yaml", content)})
		if err == nil {
			t.Fatalf("Load(%q): got nil, want an error", content)
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "config: ") {
				t.Errorf("Load(%q): line %q of %q does not start with config:", content, line, err)
			}
		}
	}
}

// fieldKeys returns the key of every *FieldError joined in err, in order.
func fieldKeys(err error) []string {
	var keys []string
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	for _, e := range errs {
		var fe *config.FieldError
		if errors.As(e, &fe) {
			keys = append(keys, fe.Key)
		}
	}
	return keys
}

func TestLoadWrongTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string // YAML
		env     map[string]string
		key     string
	}{
		{"duration word", "server:\n  read_timeout: banana\n", nil, "server.read_timeout"},
		{"duration as a bare number", "server:\n  write_timeout: 5\n", nil, "server.write_timeout"},
		{"duration as a list", "server:\n  idle_timeout: [1s]\n", nil, "server.idle_timeout"},
		{"size as a word", "server:\n  max_header_bytes: big\n", nil, "server.max_header_bytes"},
		{"size with a unit", "server:\n  max_body_bytes: 64KiB\n", nil, "server.max_body_bytes"},
		{"size fractional", "server:\n  max_body_bytes: 1.5\n", nil, "server.max_body_bytes"},
		{"size too large", "server:\n  max_body_bytes: 99999999999999999999\n", nil, "server.max_body_bytes"},
		{"bool as a word", "debug_authorization: maybe\n", nil, "debug_authorization"},
		{"bool as a number", "debug_authorization: 2\n", nil, "debug_authorization"},
		{"string as an unquoted number", "support_number: +15005550006\n", nil, "support_number"},
		{"string as a list", "public_url: [a, b]\n", nil, "public_url"},
		{"string as a section", "listen:\n  host: x\n", nil, "listen"},
		{"string as a bool", "policy:\n  file: true\n", nil, "policy.file"},
		{"list of numbers", "trusted_proxies: [1, 2]\n", nil, "trusted_proxies"},
		{"list as a section", "trusted_proxies: {a: b}\n", nil, "trusted_proxies"},
		{"secret as a number", "twilio:\n  auth_token: 12345\n", nil, "twilio.auth_token"},
		{"secret as a list", "twilio:\n  auth_token: [a]\n", nil, "twilio.auth_token"},
		{"secret list of numbers", "twilio:\n  auth_tokens: [1]\n", nil, "twilio.auth_tokens"},
		{"section as a value", "server: fast\n", nil, "server"},
		{"section as a list", "log: [a]\n", nil, "log"},
		{"env duration", "", map[string]string{"GATEHOUSE_SERVER_SHUTDOWN_TIMEOUT": "soon"}, "server.shutdown_timeout"},
		{"env size", "", map[string]string{"GATEHOUSE_SERVER_MAX_HEADER_BYTES": "16k"}, "server.max_header_bytes"},
		{"env bool", "", map[string]string{"GATEHOUSE_DEBUG_AUTHORIZATION": "yes please"}, "debug_authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := config.Options{Getenv: env(tt.env)}
			if tt.content != "" {
				o.File = writeFile(t, "c.yaml", tt.content)
			}
			cfg, err := load(t, o)
			if cfg != nil {
				t.Errorf("Load returned a Config with an error")
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("Load: got %v, want ErrInvalid", err)
			}
			if got := fieldKeys(err); !slices.Equal(got, []string{tt.key}) {
				t.Errorf("keys: got %q, want [%q]", got, tt.key)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message spans lines: %q", err)
			}
		})
	}
}

func TestLoadErrorNamesTheEnvironmentVariable(t *testing.T) {
	t.Parallel()
	_, err := load(t, config.Options{Getenv: env(map[string]string{"GATEHOUSE_SERVER_READ_TIMEOUT": "banana"})})
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_SERVER_READ_TIMEOUT") {
		t.Errorf("got %v, want the variable named", err)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "c.yaml", "publc_url: x\nserver:\n  read_timeout: banana\n  max_body_bytes: lots\n")
	_, err := load(t, config.Options{File: file, Getenv: env(map[string]string{
		"GATEHOUSE_LOG_LEVEL":              "debug", // fine
		"GATEHOUSE_DEBUG_AUTHORIZATION":    "perhaps",
		"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": filepath.Join(t.TempDir(), "missing"),
	})})
	// The file's problems, then the environment's, then the token file's.
	want := []string{"publc_url", "server.read_timeout", "server.max_body_bytes", "debug_authorization", "twilio.auth_token_file"}
	if got := fieldKeys(err); !slices.Equal(got, want) {
		t.Errorf("keys: got %q, want %q\n%v", got, want, err)
	}
	if got := strings.Count(err.Error(), "\n") + 1; got != len(want) {
		t.Errorf("got %d lines, want %d:\n%v", got, len(want), err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		want error
	}{
		{"missing", filepath.Join(dir, "missing.yaml"), fs.ErrNotExist},
		{"directory", t.TempDir(), nil},
		{"unsupported extension", writeFile(t, "c.json", `{"listen": ":1"}`), config.ErrUnsupportedFormat},
		{"no extension", writeFile(t, "gatehouse", "listen: :1"), config.ErrUnsupportedFormat},
		{"bad YAML", writeFile(t, "c.yaml", "listen: [\n"), config.ErrSyntax},
		{"YAML that is not a mapping", writeFile(t, "c.yaml", "just words\n"), config.ErrSyntax},
		{"YAML list", writeFile(t, "c.yaml", "- a\n"), config.ErrSyntax},
		{"tab-indented YAML", writeFile(t, "c.yaml", "server:\n\tread_timeout: 1s\n"), config.ErrSyntax},
		{"duplicate YAML key", writeFile(t, "c.yaml", "listen: a\nlisten: b\n"), config.ErrSyntax},
		{"bad TOML", writeFile(t, "c.toml", "listen = \n"), config.ErrSyntax},
		{"YAML in a .toml file", writeFile(t, "c.toml", "listen: \":1\"\n"), config.ErrSyntax},
		// Viper would read the first document and drop the second.
		{"two YAML documents", writeFile(t, "c.yaml", "listen: \":9000\"\n---\npublc_url: https://ivr.example.com\n"), config.ErrSyntax},
		{"two YAML documents, the first empty", writeFile(t, "c.yaml", "---\n---\nlisten: \":9000\"\n"), config.ErrSyntax},
		{"bad YAML in a second document", writeFile(t, "c.yaml", "listen: \":9000\"\n---\nlisten: [\n"), config.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, config.Options{File: tt.path})
			var fe *config.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Load: got %v, want a *FileError", err)
			}
			if fe.Path != tt.path {
				t.Errorf("Path: got %q, want %q", fe.Path, tt.path)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want it to match %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.path) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %q, want one line naming %s", err, tt.path)
			}
		})
	}
}

func TestLoadTokenFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		path    func(t *testing.T) string
		want    config.Secret
		wantErr error // nil: no error; errAny: any *FieldError
	}{
		{"trimmed", func(t *testing.T) string { return writeFile(t, "token", "\n\t tok \r\n") }, "tok", nil},
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "token") }, "", fs.ErrNotExist},
		{"a directory", func(t *testing.T) string { return t.TempDir() }, "", errAny},
		{"empty", func(t *testing.T) string { return writeFile(t, "token", " \n") }, "", config.ErrInvalid},
		{"two tokens", func(t *testing.T) string { return writeFile(t, "token", "one\ntwo\n") }, "", config.ErrInvalid},
		{"too large", func(t *testing.T) string { return writeFile(t, "token", strings.Repeat("x", 5000)) }, "", config.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := tt.path(t)
			cfg, err := load(t, config.Options{Getenv: env(map[string]string{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": path})})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if cfg.Twilio.AuthTokenFromFile != tt.want {
					t.Errorf("AuthTokenFromFile: got %q, want %q", cfg.Twilio.AuthTokenFromFile.Reveal(), tt.want.Reveal())
				}
				return
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) || fe.Key != "twilio.auth_token_file" {
				t.Fatalf("Load: got %v, want a *FieldError for twilio.auth_token_file", err)
			}
			if tt.wantErr != errAny && !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want it to match %v", err, tt.wantErr)
			}
			// The path is not quoted: it may be a token pasted in its place.
			if strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "twilio.auth_token_file: ") {
				t.Errorf("got %q, want the key named and the path not quoted", err)
			}
		})
	}
}

// errAny stands for "any error" in tables.
var errAny = errors.New("any error")

func TestLoadTokenFileUnreadable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	path := writeFile(t, "token", "tok")
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := load(t, config.Options{Getenv: env(map[string]string{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": path})})
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("got %v, want fs.ErrPermission", err)
	}
}

// Keys of one mapping that differ only in case are an error naming the
// spellings (Viper would keep one of them at random), in YAML and TOML, at
// the top level and in sections.
func TestLoadKeysDifferingInCase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, content string
		keys                []string // the FieldErrors' keys; nil: loads
		msgs                []string // in the message
	}{
		{name: "YAML top level, three spellings", file: "c.yaml",
			content: "listen: \":1111\"\nListen: \":2222\"\nLISTEN: \":3333\"\n",
			keys:    []string{"listen"},
			msgs:    []string{"config: listen: given 3 times in different cases (LISTEN, Listen, listen); keys are case-insensitive"}},
		{name: "YAML in a section", file: "c.yaml",
			content: "server:\n  read_timeout: 1s\n  Read_Timeout: 2s\n",
			keys:    []string{"server.read_timeout"},
			msgs:    []string{"config: server.read_timeout: given 2 times in different cases (Read_Timeout, read_timeout)"}},
		{name: "YAML sections", file: "c.yaml",
			content: "twilio:\n  auth_token: value-one-abcdef\nTwilio:\n  auth_token: value-two-ghijkl\n",
			keys:    []string{"twilio"},
			msgs:    []string{"config: twilio: given 2 times in different cases (Twilio, twilio)"}},
		{name: "YAML, in a section spelled another way", file: "c.yaml",
			content: "Server:\n  IDLE_TIMEOUT: 1s\n  idle_timeout: 2s\n",
			keys:    []string{"server.idle_timeout"}},
		{name: "YAML, several at once", file: "c.yaml",
			content: "log:\n  level: info\n  Level: warn\nlisten: \":1\"\nLISTEN: \":2\"\n",
			keys:    []string{"listen", "log.level"}},
		{name: "YAML, a mapping with a key that is not a string", file: "c.yaml",
			content: "server:\n  1: x\n  read_timeout: 1s\n  READ_TIMEOUT: 2s\n",
			keys:    []string{"server.read_timeout"}},
		{name: "TOML sections", file: "c.toml",
			content: "[twilio]\nauth_token = \"value-one-abcdef\"\n[Twilio]\nauth_token = \"value-two-ghijkl\"\n",
			keys:    []string{"twilio"},
			msgs:    []string{"config: twilio: given 2 times in different cases (Twilio, twilio); keys are case-insensitive"}},
		{name: "TOML top level", file: "c.toml",
			content: "listen = \":1111\"\nListen = \":2222\"\n",
			keys:    []string{"listen"}},
		{name: "TOML in a section", file: "c.toml",
			content: "[server]\nread_timeout = \"1s\"\nREAD_TIMEOUT = \"2s\"\n",
			keys:    []string{"server.read_timeout"}},
		{name: "TOML dotted keys", file: "c.toml",
			content: "log.level = \"info\"\nLog.Level = \"warn\"\n",
			keys:    []string{"log"}},
		{name: "YAML clean, keys in any case", file: "c.yaml",
			content: "Listen: \":1111\"\nSERVER:\n  Read_Timeout: 3s\nlog:\n  level: warn\n"},
		{name: "TOML clean", file: "c.toml",
			content: "listen = \":1111\"\n[Server]\nread_timeout = \"3s\"\n[log]\nlevel = \"warn\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := load(t, config.Options{File: writeFile(t, tt.file, tt.content)})
			if tt.keys == nil {
				if err != nil {
					t.Fatalf("Load: got %v, want no error", err)
				}
				if cfg.Listen != ":1111" || cfg.Server.ReadTimeout != 3*time.Second || cfg.Log.Level != "warn" {
					t.Errorf("got listen %q, server.read_timeout %v, log.level %q; want :1111, 3s, warn",
						cfg.Listen, cfg.Server.ReadTimeout, cfg.Log.Level)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load: got listen %q and no error, want an error for %q", cfg.Listen, tt.keys)
			}
			if got := fieldKeys(err); !slices.Equal(got, tt.keys) {
				t.Errorf("keys: got %q, want %q (error %v)", got, tt.keys, err)
			}
			if !errors.Is(err, config.ErrInvalid) || errors.Is(err, config.ErrSyntax) {
				t.Errorf("got %v, want it to match ErrInvalid and not ErrSyntax", err)
			}
			var fileErr *config.FileError
			if errors.As(err, &fileErr) {
				t.Errorf("got a *FileError %v, want only *FieldErrors", fileErr)
			}
			for _, want := range tt.msgs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to contain %q", err, want)
				}
			}
			for _, value := range []string{"1111", "2222", "3333", "value-one", "value-two"} {
				if strings.Contains(err.Error(), value) {
					t.Errorf("got %q, which quotes the value %q", err, value)
				}
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(tt.keys) {
				t.Errorf("got %d lines, want one per key (%d): %q", n, len(tt.keys), err)
			}
		})
	}
}

// Load settles keys that differ in case the same way every time: by
// refusing them.
func TestLoadKeysDifferingInCaseEveryTime(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "c.yaml", "listen: \":1111\"\nListen: \":2222\"\nLISTEN: \":3333\"\n")
	for range 50 {
		if cfg, err := load(t, config.Options{File: path}); err == nil {
			t.Fatalf("Load: got listen %q and no error, want an error every time", cfg.Listen)
		}
	}
}

// A key with a dot in its name, beside the same key in a nested section
// or alone, is refused: Viper would let it shadow the nested key without
// a word, whatever the order. The message says how to nest it, and never
// quotes a value.
func TestLoadDottedKeyNames(t *testing.T) {
	t.Parallel()
	const (
		yamlAdvice = "a key name must not contain a dot: keys are nested sections: write \"twilio:\", then \"auth_token:\" indented under it"
		tomlAdvice = "a key name must not contain a dot: keys are nested sections: write a [twilio] section holding auth_token"
	)
	tests := []struct {
		name, file, content string
		keys                []string // the FieldErrors' keys
		msg                 string   // the first line of the error
	}{
		{name: "YAML flat key, then the section", file: "c.yaml",
			content: "twilio.auth_token: value-one-abcdef\ntwilio:\n  auth_token: value-two-ghijkl\n",
			keys:    []string{"twilio.auth_token"}, msg: "config: twilio.auth_token: " + yamlAdvice},
		{name: "YAML section, then the flat key", file: "c.yaml",
			content: "twilio:\n  auth_token: value-two-ghijkl\ntwilio.auth_token: value-one-abcdef\n",
			keys:    []string{"twilio.auth_token"}, msg: "config: twilio.auth_token: " + yamlAdvice},
		{name: "YAML flat key in another case", file: "c.yaml",
			content: "Twilio.Auth_Token: value-one-abcdef\ntwilio:\n  auth_token: value-two-ghijkl\n",
			keys:    []string{"twilio.auth_token"}, msg: "config: twilio.auth_token: " + yamlAdvice},
		{name: "YAML flat key alone", file: "c.yaml",
			content: "server.read_timeout: 1s\n",
			keys:    []string{"server.read_timeout"},
			msg:     `config: server.read_timeout: a key name must not contain a dot: keys are nested sections: write "server:", then "read_timeout:" indented under it`},
		{name: "YAML flat key inside a section", file: "c.yaml",
			content: "policy:\n  a.b.c: x\n",
			keys:    []string{"policy.a.b.c"},
			msg:     `config: policy.a.b.c: a key name must not contain a dot: keys are nested sections: write "a:", "b:" and "c:", each indented under the one before`},
		{name: "YAML flat key with an empty part", file: "c.yaml",
			content: "twilio.: x\n",
			keys:    []string{"twilio."}, msg: "config: twilio.: a key name must not contain a dot: keys are nested sections"},
		{name: "YAML flat key and a case duplicate", file: "c.yaml",
			content: "log.level: info\nLog.Level: warn\n",
			keys:    []string{"log.level", "log.level"}},
		{name: "TOML quoted flat key, then the section", file: "c.toml",
			content: "\"twilio.auth_token\" = \"value-one-abcdef\"\n[twilio]\nauth_token = \"value-two-ghijkl\"\n",
			keys:    []string{"twilio.auth_token"}, msg: "config: twilio.auth_token: " + tomlAdvice},
		{name: "TOML quoted flat key in another case", file: "c.toml",
			content: "'Twilio.Auth_Token' = \"value-one-abcdef\"\n[twilio]\nauth_token = \"value-two-ghijkl\"\n",
			keys:    []string{"twilio.auth_token"}, msg: "config: twilio.auth_token: " + tomlAdvice},
		{name: "TOML quoted flat key inside a section", file: "c.toml",
			content: "[server]\n\"a.b\" = 1\n",
			keys:    []string{"server.a.b"},
			msg:     "config: server.a.b: a key name must not contain a dot: keys are nested sections: write a [server.a] section holding b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := load(t, config.Options{File: writeFile(t, tt.file, tt.content)})
			if err == nil {
				t.Fatalf("Load: got listen %q and no error, want an error for %q", cfg.Listen, tt.keys)
			}
			if got := fieldKeys(err); !slices.Equal(got, tt.keys) {
				t.Errorf("keys: got %q, want %q (error %v)", got, tt.keys, err)
			}
			if !errors.Is(err, config.ErrInvalid) || errors.Is(err, config.ErrSyntax) {
				t.Errorf("got %v, want it to match ErrInvalid and not ErrSyntax", err)
			}
			if first, _, _ := strings.Cut(err.Error(), "\n"); tt.msg != "" && first != tt.msg {
				t.Errorf("got %q, want %q", first, tt.msg)
			}
			for _, value := range []string{"value-one", "value-two"} {
				if strings.Contains(err.Error(), value) {
					t.Errorf("got %q, which quotes the value %q", err, value)
				}
			}
		})
	}
}
