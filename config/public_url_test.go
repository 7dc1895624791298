package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/config"
)

// urlPassword is the password of the public URL in
// TestPublicURLPasswordNeverLogged: finding it anywhere is a leak.
const urlPassword = "pw-Qz8sJ4"

// TestPublicURLPasswordNeverLogged sets a public URL with credentials
// through every source, provokes the errors of Load and Validate around
// it, and logs the result every way the server does: the password never
// shows.
func TestPublicURLPasswordNeverLogged(t *testing.T) {
	t.Parallel()
	good := "https://twilio:" + urlPassword + "@ivr.example.com"
	var out bytes.Buffer
	show := func(what string, v ...any) {
		fmt.Fprintf(&out, "--- %s\n", what)
		fmt.Fprintln(&out, v...)
	}
	loads := []struct {
		name, file, content string
		env                 map[string]string
		args                []string
	}{
		{name: "query in file", file: "c.yaml", content: "public_url: " + good + "/?q=1\n"},
		{name: "fragment in env", env: map[string]string{"GATEHOUSE_PUBLIC_URL": good + "/#f"}},
		{name: "scheme in flag", args: []string{"--public-url", "ftp://twilio:" + urlPassword + "@ivr.example.com"}},
		{name: "unparsable", env: map[string]string{"GATEHOUSE_PUBLIC_URL": "https://twilio:" + urlPassword + "@ivr example.com"}},
		{name: "password with an @", env: map[string]string{"GATEHOUSE_PUBLIC_URL": "https://twilio:" + urlPassword + "@x@ivr.example.com/?q"}},
		{name: "list in file", file: "c.yaml", content: "public_url: [" + good + "]\n"},
		{name: "section in file", file: "c.yaml", content: "public_url:\n  url: " + good + "\n"},
		{name: "YAML syntax", file: "c.yaml", content: "public_url: " + good + "\n bad: [\n"},
		{name: "YAML quoted syntax", file: "c.yaml", content: "public_url: \"" + good + "\n"},
		{name: "TOML syntax", file: "c.toml", content: "public_url = " + good + "\n"},
		{name: "other errors beside it", file: "c.yaml", content: "public_url: " + good + "\nlisten: nope\nserver:\n  read_timeout: banana\n"},
		{name: "pasted into a duration", env: map[string]string{"GATEHOUSE_PUBLIC_URL": good, "GATEHOUSE_SERVER_READ_TIMEOUT": good}},
		{name: "pasted into a duration in the file", file: "c.yaml", content: "public_url: " + good + "\nserver:\n  read_timeout: " + good + "\n"},
		{name: "pasted into a duration, escaped", env: map[string]string{"GATEHOUSE_PUBLIC_URL": "https://twilio:" + url.PathEscape(urlPassword+"/x") + "@ivr.example.com",
			"GATEHOUSE_SERVER_IDLE_TIMEOUT": urlPassword + "/x"}},
		// Mistyped URLs that a URL parser does not see credentials in,
		// pasted whole or by their password into another key.
		{name: "one slash, pasted into a duration", env: map[string]string{"GATEHOUSE_PUBLIC_URL": "https:/twilio:" + urlPassword + "@ivr.example.com",
			"GATEHOUSE_SERVER_READ_TIMEOUT": "https:/twilio:" + urlPassword + "@ivr.example.com"}},
		{name: "no slash, password pasted", env: map[string]string{"GATEHOUSE_PUBLIC_URL": "https:twilio:" + urlPassword + "@ivr.example.com",
			"GATEHOUSE_SERVER_READ_TIMEOUT": urlPassword}},
		{name: "no scheme, password pasted", env: map[string]string{"GATEHOUSE_PUBLIC_URL": "twilio:" + urlPassword + "@ivr.example.com",
			"GATEHOUSE_SERVER_READ_TIMEOUT": urlPassword}},
		{name: "slash in the password, pasted", env: map[string]string{"GATEHOUSE_PUBLIC_URL": "https://twilio:" + urlPassword + "/x@ivr.example.com",
			"GATEHOUSE_SERVER_READ_TIMEOUT": urlPassword + "/x"}},
		{name: "query-escaped spelling pasted", env: map[string]string{"GATEHOUSE_PUBLIC_URL": "https://twilio:" + urlPassword + "%20x@ivr.example.com",
			"GATEHOUSE_SERVER_READ_TIMEOUT": urlPassword + "+x"}},
	}
	for _, tt := range loads {
		o := config.Options{Getenv: env(tt.env), Flags: flags(t, tt.args...)}
		if tt.file != "" {
			o.File = writeFile(t, tt.file, tt.content)
		}
		cfg, err := config.Load(o)
		if err == nil {
			show("Config: "+tt.name, cfg, *cfg)
			err = cfg.Validate()
		}
		if err == nil {
			t.Errorf("%s: Load and Validate succeeded, want an error", tt.name)
			continue
		}
		show("Load: "+tt.name, err)
		showErrorTree(show, err)
	}

	cfg, err := config.Load(config.Options{Getenv: env(map[string]string{"GATEHOUSE_PUBLIC_URL": good, "TWILIO_AUTH_TOKEN": "t0k3n-x"})})
	if err != nil {
		t.Fatal(err)
	}
	bad := *cfg
	bad.PublicURL = good + "/?q"
	show("Validate", bad.Validate())
	showErrorTree(show, bad.Validate())
	pasted := *cfg // the URL, or its password, pasted into other keys
	pasted.Listen, pasted.Log.Level, pasted.Log.Format = good, urlPassword, "x"+urlPassword
	show("Validate, pasted", pasted.Validate())
	showErrorTree(show, pasted.Validate())
	for _, typo := range []string{"https:/twilio:" + urlPassword + "@ivr.example.com", "https://twilio:" + urlPassword + "/x@ivr.example.com"} {
		mistyped := *cfg
		mistyped.PublicURL, mistyped.Listen, mistyped.Log.Level = typo, typo, urlPassword+"/x"
		show("Validate, mistyped and pasted", mistyped.Validate())
		showErrorTree(show, mistyped.Validate())
	}
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		l := slog.New(h)
		l.Info("starting", "config", cfg)
		l.Info("value", "config", *cfg)
		l.With("config", cfg).Info("with")
		l.Info("errors", "err", bad.Validate())
	}
	show("LogValue", cfg.LogValue().Resolve().String())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		show("fmt "+verb, fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, *cfg))
	}
	for _, v := range []any{cfg, *cfg} {
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		show("json", string(js))
	}

	if strings.Contains(out.String(), urlPassword) {
		t.Errorf("the public URL's password leaked; lines holding it:")
		for line := range strings.Lines(out.String()) {
			if strings.Contains(line, urlPassword) {
				t.Errorf("  %s", strings.TrimSpace(line))
			}
		}
	}
	if !strings.Contains(out.String(), "twilio:xxxxx@ivr.example.com") {
		t.Errorf("the public URL is not shown masked; the test is not exercising LogValue:\n%s", out.String())
	}
}

// TestValidatePublicURLCredentialsAndSyntax covers the public_url values
// that parse as a URL but that no signature could verify against: half
// of a pair of credentials, a port out of range or empty, and characters
// a URL cannot carry. The message for credentials never quotes the URL.
func TestValidatePublicURLCredentialsAndSyntax(t *testing.T) {
	t.Parallel()
	const (
		prefix = "config: public_url: "
		want   = `want an absolute http or https URL such as "https://ivr.example.com", got `
	)
	tests := []struct {
		url  string
		want string // the message; "" means valid
	}{
		{"https://twilio:pw-Qz8sJ4@ivr.example.com", ""},
		{"https://ivr.example.com:8443/ivr", ""},
		{"https://ivr.example.com:1", ""},
		{"https://ivr.example.com:65535", ""},
		{"https://[2001:db8::1]:443", ""},
		{"https://[2001:db8::1]", ""},
		{"https://ivr.example.com/a%20b", ""},
		{"https://ivr.exämple.com/café", ""},
		// Credentials with a half missing.
		{"https://user-Zq9@ivr.example.com", prefix + "has a user name but no password: HTTP Basic credentials need both"},
		{"https://user-Zq9:@ivr.example.com", prefix + "has a user name but no password: HTTP Basic credentials need both"},
		{"https://:pw-Zq9@ivr.example.com", prefix + "has a password but no user name: HTTP Basic credentials need both"},
		{"https://@ivr.example.com", prefix + "has an '@' but no user name and no password: want https://user:password@host, or no '@'"},
		{"https://:@ivr.example.com", prefix + "has an '@' but no user name and no password: want https://user:password@host, or no '@'"},
		{"https://user-Zq9@ivr.example.com/a b", prefix + "has a user name but no password: HTTP Basic credentials need both"},
		// Ports.
		{"https://ivr.example.com:99999", prefix + want + `"https://ivr.example.com:99999": the port must be a number from 1 to 65535`},
		{"https://ivr.example.com:65536/ivr", prefix + want + `"https://ivr.example.com:65536/ivr": the port must be a number from 1 to 65535`},
		{"https://ivr.example.com:0", prefix + want + `"https://ivr.example.com:0": the port must be a number from 1 to 65535`},
		{"https://ivr.example.com:", prefix + want + `"https://ivr.example.com:": the port is empty: drop the ':' or give a port from 1 to 65535`},
		{"https://ivr.example.com:/ivr", prefix + want + `"https://ivr.example.com:/ivr": the port is empty: drop the ':' or give a port from 1 to 65535`},
		{"https://[2001:db8::1]:", prefix + want + `"https://[2001:db8::1]:": the port is empty: drop the ':' or give a port from 1 to 65535`},
		{"https://u:pw-Zq9@ivr.example.com:70000", prefix + want + `"https://u:xxxxx@ivr.example.com:70000": the port must be a number from 1 to 65535`},
		// White space, control and formatting characters, and characters
		// a URL cannot carry unescaped.
		{"https://ivr.example.com/a b", prefix + want + `"https://ivr.example.com/a b": white space, control and formatting characters cannot appear in a URL`},
		{"https://ivr.example.com/ivr ", prefix + want + `"https://ivr.example.com/ivr ": white space, control and formatting characters cannot appear in a URL`},
		{"https://ivr.example.com/\u00a0", prefix + want + `"https://ivr.example.com/\u00a0": white space, control and formatting characters cannot appear in a URL`},
		{"https://ivr.example.com/\u200b", prefix + want + `"https://ivr.example.com/\u200b": white space, control and formatting characters cannot appear in a URL`},
		{"https://ivr.example.com/\u0085", prefix + want + `"https://ivr.example.com/\u0085": white space, control and formatting characters cannot appear in a URL`},
		// Quoted as written, the password masked: not re-escaped, which
		// would hide the character the message is about.
		{"https://u:pw-Zq9@ivr.example.com/a\u2028b", prefix + want + `"https://u:xxxxx@ivr.example.com/a\u2028b": white space, control and formatting characters cannot appear in a URL`},
		// A URL without a scheme whose path holds "://": the authority is
		// where url.Parse finds it, and its password is the one masked.
		// ("b", the password of "a:b@c" read as a URL, is hidden too.)
		{"//u:pw-Zq9@host/x://a:b@c", prefix + want + `"//u:xxxxx@host/x://a:[REDACTED]@c": scheme is not http or https`},
		{"https://u:pw-Zq9@ivr.example.com/a b", prefix + want + `"https://u:xxxxx@ivr.example.com/a b": white space, control and formatting characters cannot appear in a URL`},
		{"https://u:pw-Zq9@ivr.example.com/{x}", prefix + want + `"https://u:xxxxx@ivr.example.com/{x}": the characters " < > \ ^ ` + "`" + ` { | } cannot appear in a URL unescaped`},
		{"https://ivr.example.com/\n", prefix + want + "a value that does not parse as a URL: white space, control and formatting characters cannot appear in a URL"},
		{"https://ivr example.com", prefix + want + "a value that does not parse as a URL: white space, control and formatting characters cannot appear in a URL"},
		{"https://ivr.example.com/{path}", prefix + want + `"https://ivr.example.com/{path}": the characters " < > \ ^ ` + "`" + ` { | } cannot appear in a URL unescaped`},
		{"https://ivr.example.com/a|b", prefix + want + `"https://ivr.example.com/a|b": the characters " < > \ ^ ` + "`" + ` { | } cannot appear in a URL unescaped`},
	}
	for _, tt := range tests {
		c := config.Default()
		c.PublicURL = tt.url
		err := c.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q: got %v, want nil", tt.url, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, config.ErrInvalid) || err.Error() != tt.want {
			t.Errorf("%q:\ngot  %v\nwant %s (matching ErrInvalid)", tt.url, err, tt.want)
			continue
		}
		for _, secret := range []string{"user-Zq9", "pw-Zq9"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%q: got %q, which quotes %s", tt.url, err, secret)
			}
		}
	}
}
