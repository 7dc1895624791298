package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
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
		{name: "YAML keys differing in case", file: "c.yaml",
			content: "twilio:\n  auth_token: " + fileToken + "\nTwilio:\n  AUTH_TOKEN: " + rotationToken + "\n  auth_token: " + fileToken + "\n"},
		{name: "TOML sections differing in case", file: "c.toml",
			content: "[twilio]\nauth_token = \"" + fileToken + "\"\n[Twilio]\nauth_token = \"" + rotationToken + "\"\n"},
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

// A credential pasted into any plain string field of a Config, in any
// case, never shows when the Config is logged, printed or marshalled. The
// fields are found by reflection, so that a field added later is covered.
func TestConfigShowsNoPastedCredential(t *testing.T) {
	t.Parallel()
	const (
		token    = leakMark + "-token-Ab12"
		password = leakMark + "-password-Cd34"
	)
	cfg := config.Default()
	cfg.Twilio.AuthToken = token
	var fields []string
	var fill func(v reflect.Value, path string)
	fill = func(v reflect.Value, path string) {
		switch {
		case v.Type() == reflect.TypeFor[config.Secret]():
			// Masks itself.
		case v.Kind() == reflect.String:
			v.SetString("pasted-" + strings.ToUpper(token) + "-here")
			fields = append(fields, path)
		case v.Type() == reflect.TypeFor[[]string]():
			v.Set(reflect.ValueOf([]string{"10.0.0.1", token}))
			fields = append(fields, path)
		case v.Kind() == reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	}
	fill(reflect.ValueOf(cfg).Elem(), "Config")
	if len(fields) < 12 {
		t.Fatalf("filled %d string fields (%q), want every one of them", len(fields), fields)
	}
	cfg.PublicURL = "https://twilio:" + password + "@ivr.example.com/" + token

	var out bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		slog.New(h).Info("starting", "config", cfg, "by value", *cfg)
	}
	fmt.Fprintf(&out, "%v\n%+v\n%s\n%v\n", cfg, *cfg, *cfg, cfg.LogValue().Resolve())
	js, err := json.Marshal(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(js)
	if strings.Contains(strings.ToLower(out.String()), leakMark) {
		t.Errorf("a credential pasted into a string field shows:\n%s", out.String())
	}
	if n := strings.Count(out.String(), "[REDACTED]"); n < len(fields) {
		t.Errorf("got %d [REDACTED], want at least one per field (%d):\n%s", n, len(fields), out.String())
	}
	for _, want := range []string{"support_number=pasted-[REDACTED]-here", `"text":"pasted-[REDACTED]-here"`, "file=pasted-[REDACTED]-here"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// RedactURL masks the password of a URL as written, never re-escaping
// the rest, and redacts whole a URL whose password it cannot find.
func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://ivr.example.com/?a=b", "https://ivr.example.com/?a=b"},
		{"https://user:pw@ivr.example.com/x", "https://user:xxxxx@ivr.example.com/x"},
		{"https://user@ivr.example.com/x", "https://user@ivr.example.com/x"},
		{"https://u:p@w@h:8443?x=a@b", "https://u:xxxxx@h:8443?x=a@b"},
		// An '@' elsewhere may be a mistyped authority's: it errs on hiding.
		{"https://h/p?email=a:b@c", "[REDACTED]"},
		{"https://u:p@h", "https://u:xxxxx@h"},
		{"HTTPS://u:p@h/a b", "HTTPS://u:xxxxx@h/a b"},
		{"//u:Sekr3tPw@host/x://a:b@c", "//u:xxxxx@host/x://a:b@c"},
		{"https:/u:p@h", "[REDACTED]"},
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		if got := config.RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	const token, short = "tok-LEAKME-7f3a9c2e", "abc12"
	cfg := config.Default()
	cfg.Twilio.AuthToken = token
	cfg.Twilio.AuthTokens = []config.Secret{short}
	cfg.PublicURL = "https://twilio:p%40ssword@ivr.example.com"
	tests := []struct{ in, want string }{
		{"nothing secret", "nothing secret"},
		{"/srv/" + token + "/policy.csv", "/srv/[REDACTED]/policy.csv"},
		{strings.ToUpper(token), "[REDACTED]"},
		{"p@ssword and p%40ssword", "[REDACTED] and [REDACTED]"},
		{"group:" + short + " kept in data", "group:" + short + " kept in data"},
	}
	for _, tt := range tests {
		if got := cfg.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
	// An error message also hides a short credential where it stands as
	// a word of its own, also after an escape sequence of %q or JSON.
	for _, tt := range []struct{ in, want string }{
		{"short " + short + " hidden", "short [REDACTED] hidden"},
		{`argument "` + strings.ToUpper(short) + `"`, `argument "[REDACTED]"`},
		{fmt.Sprintf("got %q", "\t"+short), `got "\t[REDACTED]"`},
		{fmt.Sprintf("got %q", "\n"+short), `got "\n[REDACTED]"`},
		{fmt.Sprintf("got %q", "\x01"+short), `got "\x01[REDACTED]"`},
		{fmt.Sprintf("got %q", "\u2028"+short), `got "\u2028[REDACTED]"`},
		{`got "\001` + short + `"`, `got "\001[REDACTED]"`},
		{"inside a word: x" + short + " " + short + "9 kept", "inside a word: x" + short + " " + short + "9 kept"},
		{"/srv/" + token + "/policy.csv", "/srv/[REDACTED]/policy.csv"},
		// Ending with a digit, next to kana, which is written without
		// spaces: on its own.
		{"パスワードは" + short + "です", "パスワードは[REDACTED]です"},
	} {
		if got := cfg.RedactMessage(tt.in); got != tt.want {
			t.Errorf("RedactMessage(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
	// A password with a quote or a backslash, as %q writes it.
	quoted := config.Default()
	quoted.PublicURL = `https://twilio:Sekr3t"Pw\x@ivr.example.com`
	if got, want := quoted.Redact(fmt.Sprintf("argument %q", `Sekr3t"Pw\x`)), `argument "[REDACTED]"`; got != want {
		t.Errorf("Redact of a quoted password: got %q, want %q", got, want)
	}
	// A password that decodes to bytes that are not UTF-8 (regexp, which
	// takes only UTF-8, once panicked on it, quoting it): every spelling
	// is redacted, its ASCII letters in either case, and nothing panics.
	binary := config.Default()
	binary.PublicURL = "https://twilio:%ffSekr3tPw@ivr.example.com"
	for in, want := range map[string]string{
		"raw \xffSekr3tPw end":                   "raw [REDACTED] end",
		"raw \xffSEKR3TPW end":                   "raw [REDACTED] end",
		"escaped %ffSekr3tPw, %FFSekr3tPw":       "escaped [REDACTED], [REDACTED]",
		fmt.Sprintf("quoted %q", "\xffSekr3tPw"): "quoted \"[REDACTED]\"",
	} {
		if got := binary.Redact(in); got != want {
			t.Errorf("Redact(%q) with a password of invalid UTF-8: got %q, want %q", in, got, want)
		}
	}
	// A password with the two runes whose case mapping regexp's folding
	// does not follow: Viper lower-cases a key pasted from it.
	turkish := config.Default()
	turkish.PublicURL = "https://twilio:İstanbul-Kapı-2024@ivr.example.com"
	for _, in := range []string{"İstanbul-Kapı-2024", strings.ToLower("İstanbul-Kapı-2024"), strings.ToUpper("İstanbul-Kapı-2024")} {
		if got := turkish.Redact("key " + in + " end"); got != "key [REDACTED] end" {
			t.Errorf("Redact(%q): got %q, want it redacted", in, got)
		}
	}
	var nilCfg *config.Config
	if got := nilCfg.Redact(token); got != token {
		t.Errorf("nil Config: got %q, want %q", got, token)
	}
}

func TestRedactError(t *testing.T) {
	t.Parallel()
	const token = "tok-LEAKME-7f3a9c2e"
	cfg := config.Default()
	cfg.Twilio.AuthToken = token
	pathErr := &fs.PathError{Op: "open", Path: token, Err: fs.ErrNotExist}
	clean := errors.New("app: nothing secret")
	tests := []struct {
		name    string
		err     error
		want    string
		is      error // still matched
		same    bool  // the very error returned
		join    bool  // still a join
		asField bool  // still a *FieldError
		asPath  bool  // *fs.PathError still reachable
	}{
		{name: "no credential", err: clean, want: "app: nothing secret", same: true},
		{name: "nil", err: nil, same: true},
		{name: "wrapped path error", err: fmt.Errorf("app: policy file: %w", pathErr),
			want: "app: policy file: open [REDACTED]: file does not exist", is: fs.ErrNotExist},
		{name: "clean wrapped path error", err: fmt.Errorf("app: policy file: %w", &fs.PathError{Op: "open", Path: "p.csv", Err: fs.ErrNotExist}),
			want: "app: policy file: open p.csv: file does not exist", is: fs.ErrNotExist, same: true, asPath: true},
		{name: "join", err: errors.Join(clean, fmt.Errorf("model %s: %w", strings.ToUpper(token), config.ErrInvalid)),
			want: "app: nothing secret\nmodel [REDACTED]: invalid value", is: config.ErrInvalid, join: true},
		{name: "field error", err: &config.FieldError{Key: token, Err: config.ErrUnknownKey},
			want: "config: [REDACTED]: unknown key", is: config.ErrUnknownKey, asField: true},
	}
	for _, tt := range tests {
		got := cfg.RedactError(tt.err)
		if tt.err == nil {
			if got != nil {
				t.Errorf("%s: got %v, want nil", tt.name, got)
			}
			continue
		}
		if got.Error() != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if (got == tt.err) != tt.same {
			t.Errorf("%s: got the same error %v, want %v", tt.name, got == tt.err, tt.same)
		}
		if tt.is != nil && !errors.Is(got, tt.is) {
			t.Errorf("%s: got %v, want it to match %v", tt.name, got, tt.is)
		}
		if _, ok := got.(interface{ Unwrap() []error }); ok != tt.join {
			t.Errorf("%s: got a join %v, want %v", tt.name, ok, tt.join)
		}
		var fe *config.FieldError
		if errors.As(got, &fe) != tt.asField {
			t.Errorf("%s: got a *FieldError %v, want %v", tt.name, fe != nil, tt.asField)
		}
		var pe *fs.PathError
		if errors.As(got, &pe) != tt.asPath {
			t.Errorf("%s: *fs.PathError reachable %v, want %v", tt.name, pe != nil, tt.asPath)
		}
	}
	var nilCfg *config.Config
	if got := nilCfg.RedactError(pathErr); got != pathErr {
		t.Errorf("nil Config: got %v, want the error unchanged", got)
	}
}

// RedactError keeps every errors.Is match of a *FieldError or *FileError
// whose inner error quoted a credential, not only the package's sentinels,
// while the inner chain, which quotes it, stays out of errors.As's reach.
func TestRedactErrorKeepsEveryMatch(t *testing.T) {
	t.Parallel()
	const token = "tok-LEAKME-7f3a9c2e"
	cfg := config.Default()
	cfg.Twilio.AuthToken = token
	tests := []struct {
		name string
		err  error
		want string
		is   []error
	}{
		{name: "field error, deadline",
			err:  &config.FieldError{Key: "policy.file", Err: &os.PathError{Op: "open", Path: "/x/" + token, Err: os.ErrDeadlineExceeded}},
			want: "config: policy.file: open /x/[REDACTED]: i/o timeout",
			is:   []error{os.ErrDeadlineExceeded}},
		{name: "file error, not found and invalid",
			err:  &config.FileError{Path: "c.yaml", Err: fmt.Errorf("%s: %w", token, errors.Join(fs.ErrNotExist, config.ErrInvalid))},
			want: "config: file c.yaml: [REDACTED]: file does not exist\ninvalid value",
			is:   []error{fs.ErrNotExist, config.ErrInvalid}},
		{name: "field error, several sentinels at once",
			err: &config.FieldError{Key: "listen", Err: fmt.Errorf("%s: %w, %w, %w", token,
				config.ErrUnknownKey, fs.ErrPermission, syscall.ECONNREFUSED)},
			want: "config: listen: [REDACTED]: unknown key, permission denied, connection refused",
			is:   []error{config.ErrUnknownKey, fs.ErrPermission, syscall.ECONNREFUSED}},
	}
	for _, tt := range tests {
		for _, target := range tt.is {
			if !errors.Is(tt.err, target) {
				t.Fatalf("%s: the test's error does not match %v", tt.name, target)
			}
		}
		got := cfg.RedactError(tt.err)
		if got.Error() != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		for _, target := range tt.is {
			if !errors.Is(got, target) {
				t.Errorf("%s: got %v, want it to match %v", tt.name, got, target)
			}
		}
		if errors.Is(got, config.ErrRequired) {
			t.Errorf("%s: got %v, which matches ErrRequired, want only what the original matched", tt.name, got)
		}
		var pe *os.PathError
		if errors.As(got, &pe) {
			t.Errorf("%s: *os.PathError reachable with errors.As: %q", tt.name, pe.Path)
		}
		if _, ok := got.(*config.FieldError); !ok {
			if _, ok := got.(*config.FileError); !ok {
				t.Errorf("%s: got a %T, want a *FieldError or *FileError still", tt.name, got)
			}
		}
	}
}

// A URL's percent-escape ends a word, as net/url's errors re-escape a
// request's URL: a short password right after %22 is hidden.
func TestRedactMessageAfterPercentEscape(t *testing.T) {
	cfg := config.Default()
	cfg.PublicURL = "https://twilio:ops@ivr.example.com"
	for _, in := range []string{`Post "http://127.0.0.1:1/calls/%22ops%22": x`, `Post "http://127.0.0.1:1/calls/%7Bops%7D": x`} {
		if got := cfg.RedactMessage(in); strings.Contains(got, "ops") {
			t.Errorf("RedactMessage(%q) = %q, want the password hidden", in, got)
		}
	}
}

// A public_url so mistyped that no password can be found in it (no
// scheme, an '@' in what would be the user information, a port that is no
// number) is hidden whole, wherever it is quoted: it may be nothing but a
// credential pasted in the wrong place.
func TestMistypedPublicURLHiddenWhole(t *testing.T) {
	cfg := config.Default()
	cfg.PublicURL = "hunter2hunter2@ivr.example.com:44x3"
	for _, redact := range []func(string) string{cfg.Redact, cfg.RedactMessage} {
		if got := redact(`got "hunter2hunter2@ivr.example.com:44x3"`); strings.Contains(got, "hunter2") {
			t.Errorf("got %q, want the mistyped URL hidden", got)
		}
	}
}
