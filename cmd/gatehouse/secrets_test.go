package main_test

// Secrets never leak: the auth tokens (primary, rotated, from a file) and
// the Basic password of public_url appear in no log line, no response and
// no output of the binary, whatever fails. The server runs at debug level
// with debug_authorization on, in both log formats, and is driven through
// every failure path a request can reach, a policy reload that fails, a
// policy file that vanishes and its shutdown; startup is made to fail in
// every way configuration can; and the CLI runs with the token on its
// command line and in its environment, with good and bad input.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The secrets: distinctive, so that finding one is never a coincidence,
// and with characters that URL and base64 encodings change.
const (
	secretPrimary  = "PRIMARYtok-9f3c2e71d4b8a6"
	secretRotated  = "ROTATED+tok/5a1b7c93e2f4"
	secretOlder    = "OLDERtok-c41d8e2b7a9f03"
	secretFromFile = "FILEtok-0d6e4b2a9c17f5e3"
	secretUser     = "ghuser"
	secretPassword = "Sx7/Qz9 pw-b3e1!"
)

// secretForms returns every spelling of every secret that could carry it
// somewhere: as is, query- and path-escaped, as the userinfo of a URL
// spells a password, in base64 (standard and URL alphabets), and the Basic
// credentials as an Authorization header carries them.
func secretForms() map[string]string {
	forms := make(map[string]string)
	add := func(what, s string) {
		for _, f := range []struct{ how, v string }{
			{"", s},
			{" query-escaped", url.QueryEscape(s)},
			{" path-escaped", url.PathEscape(s)},
			{" in base64", base64.StdEncoding.EncodeToString([]byte(s))},
			{" in URL-safe base64", base64.URLEncoding.EncodeToString([]byte(s))},
		} {
			forms[f.v] = what + f.how
		}
	}
	add("the primary token", secretPrimary)
	add("a rotated token", secretRotated)
	add("an older token", secretOlder)
	add("the token from the file", secretFromFile)
	add("the password", secretPassword)
	add("the Basic credentials", secretUser+":"+secretPassword)
	forms[strings.TrimPrefix(url.UserPassword("", secretPassword).String(), ":")] = "the password as userinfo spells it"
	return forms
}

// secretPublicURL is public_url with the Basic credentials.
func secretPublicURL() string {
	return "https://" + url.UserPassword(secretUser, secretPassword).String() + "@ivr.example.com"
}

// secretScan fails the test if text, or any log line of it decoded from
// slog's text or JSON format, holds a secret in any spelling.
func secretScan(t *testing.T, where, text string) {
	t.Helper()
	decoded := []string{text}
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		var j map[string]any
		if json.Unmarshal([]byte(line), &j) == nil {
			decoded = append(decoded, fmt.Sprint(j))
		} else if l, err := parseLogLine(line); err == nil {
			decoded = append(decoded, fmt.Sprint(l))
		}
	}
	all := strings.Join(decoded, "\n")
	for form, what := range secretForms() {
		if strings.Contains(all, form) {
			t.Errorf("%s holds %s (%q):\n%s", where, what, form, text)
		}
	}
}

// secretFiles writes the token file and a policy file and returns their
// paths.
func secretFiles(t *testing.T) (tokenFile, policy string) {
	t.Helper()
	dir := t.TempDir()
	tokenFile = filepath.Join(dir, "token")
	policy = filepath.Join(dir, "policy.csv")
	for name, content := range map[string]string{tokenFile: "\n  " + secretFromFile + "  \n", policy: "p, group:twilio, /, view, allow\n"} {
		if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return tokenFile, policy
}

func TestSecretsServe(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			tokenFile, policy := secretFiles(t)
			env := []string{
				"GATEHOUSE_TWILIO_AUTH_TOKENS=" + secretRotated + "," + secretOlder,
				"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE=" + tokenFile,
				"GATEHOUSE_PUBLIC_URL=" + secretPublicURL(),
				"GATEHOUSE_LOG_LEVEL=debug", "GATEHOUSE_DEBUG_AUTHORIZATION=true", "GATEHOUSE_LOG_FORMAT=" + format,
				"GATEHOUSE_POLICY_FILE=" + policy, "GATEHOUSE_POLICY_WATCH_INTERVAL=0s", "GATEHOUSE_SUPPORT_NUMBER=+15005550006",
			}
			var args []string
			if format == "text" { // the primary token on the command line, or in the environment
				args = []string{"--auth-token", secretPrimary}
			} else {
				env = append(env, "TWILIO_AUTH_TOKEN="+secretPrimary)
			}
			s := hostileStart(t, env, args...)
			secretRequests(t, s)

			// A malformed policy, then no policy file at all: both
			// reloads fail and log why.
			if err := os.WriteFile(policy, []byte("p, group:twilio, /, view\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			s.cmd.Process.Signal(syscall.SIGHUP)
			waitLog(t, s.server, 1, "policy reload rejected")
			if err := os.Remove(policy); err != nil {
				t.Fatal(err)
			}
			s.cmd.Process.Signal(syscall.SIGHUP)
			waitLog(t, s.server, 2, "policy reload rejected")

			// invoke against it, as Twilio calls: without the credentials,
			// then with them after the challenge.
			code, out, errOut := run(t, []string{"TWILIO_AUTH_TOKEN=" + secretPrimary}, "invoke",
				"http://"+url.UserPassword(secretUser, secretPassword).String()+"@"+s.addr+"/", "Digits=1",
				"--public-url", secretPublicURL())
			if code != 0 || !strings.Contains(out, `<Redirect method="GET">/accessible</Redirect>`) || !strings.Contains(errOut, "401 challenge") {
				t.Errorf("invoke with credentials: exit %d\n%s%s", code, out, errOut)
			}
			secretScan(t, "invoke's output", out+errOut)

			if err := s.stop(); err != nil {
				t.Errorf("serve did not exit cleanly: %v", err)
			}
			logs := s.Logs()
			for _, want := range []string{"signature did not verify", "debug_authorization", "policy reload rejected", "stopped", "xxxxx"} {
				if !strings.Contains(logs, want) {
					t.Errorf("the log lacks %q: the failure paths were not all driven:\n%s", want, logs)
				}
			}
			secretScan(t, "the log", logs)
			secretScan(t, "stdout", s.stdout.String())
		})
	}
}

// secretRequests drives every failure path a request can reach, and the
// successes, and scans every answer.
func secretRequests(t *testing.T, s *hostileServer) {
	t.Helper()
	pub := secretPublicURL()
	auth := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(secretUser+":"+secretPassword))
	sign := func(key, u string, pairs ...hostilePair) string {
		return "X-Twilio-Signature: " + hostileSign(key, u, pairs...)
	}
	form := "Content-Type: application/x-www-form-urlencoded"
	get := func(target string, lines ...string) []byte { return hostileRaw("GET", target, s.addr, lines, "") }
	post := func(target, body string, lines ...string) []byte {
		return hostileRaw("POST", target, s.addr, lines, body)
	}
	reqs := map[string][]byte{
		"no credentials":             get("/", sign(secretPrimary, pub+"/")),
		"malformed credentials":      get("/", "Authorization: Basic !!!"),
		"a token as Bearer":          get("/", "Authorization: Bearer "+secretPrimary),
		"wrong password":             get("/", "Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte(secretUser+":nope"))),
		"wrong user":                 get("/", "Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte("nobody:"+secretPassword))),
		"credentials twice":          get("/", auth, auth),
		"missing signature":          get("/", auth),
		"malformed signature":        get("/", auth, "X-Twilio-Signature: "+secretPrimary),
		"signature of another key":   get("/accessible", auth, sign("not-a-token", pub+"/accessible")),
		"signature without userinfo": get("/accessible", auth, sign(secretPrimary, "https://ivr.example.com/accessible")),
		"malformed body":             post("/", "Digits=%zz", auth, form, sign(secretRotated, pub+"/", hostilePair{"Digits", "%zz"})),
		"body too large":             post("/", "Pad="+strings.Repeat("x", 70_000), auth, form, sign(secretOlder, pub+"/", hostilePair{"Pad", strings.Repeat("x", 70_000)})),
		"body hash missing":          post("/", `{"a":1}`, auth, "Content-Type: application/json", sign(secretPrimary, pub+"/")),
		"body hash mismatch":         post("/?bodySHA256="+strings.Repeat("0", 64), `{"a":1}`, auth, "Content-Type: application/json", sign(secretPrimary, pub+"/?bodySHA256="+strings.Repeat("0", 64))),
		"forbidden":                  get("/restricted", auth, sign(secretFromFile, pub+"/restricted")),
		"not found":                  get("/nope", auth, sign(secretPrimary, pub+"/nope")),
		"OPTIONS":                    hostileRaw("OPTIONS", "/", s.addr, []string{auth}, ""),
		"a header too large":         get("/", auth, "X-Big: "+strings.Repeat("b", 32<<10)),
		"not HTTP":                   []byte("HELLO " + secretPrimary + "\r\n\r\n"),
		"metrics":                    get("/metrics"),
		"healthz":                    get("/healthz"),
		"readyz":                     get("/readyz"),
	}
	for i, key := range []string{secretPrimary, secretRotated, secretOlder, secretFromFile} {
		reqs[fmt.Sprintf("valid with token %d", i+1)] = post("/", "Digits=1", auth, form, sign(key, pub+"/", hostilePair{"Digits", "1"}))
	}
	for name, raw := range reqs {
		a := hostileExchange(s.addr, raw, false, hostileLimit)
		if a.resp == nil {
			t.Errorf("%s: no answer: %v", name, a.err)
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s\n", a.resp.Status)
		a.resp.Header.Write(&b)
		b.WriteString(a.body)
		secretScan(t, "the answer to "+name, b.String())
	}
}

// Startup fails in every way configuration can, with every secret
// configured: no message names one.
func TestSecretsStartup(t *testing.T) {
	tokenFile, policy := secretFiles(t)
	dir := t.TempDir()
	twoWords := filepath.Join(dir, "two-words")
	yamlBad := filepath.Join(dir, "bad.yaml")
	yamlWrongType := filepath.Join(dir, "wrong-type.yaml")
	badPolicy := filepath.Join(dir, "bad.csv")
	for name, content := range map[string]string{
		twoWords:      secretFromFile + " " + secretPrimary + "\n",
		yamlBad:       "twilio:\n  auth_token: " + secretPrimary + "\npublic_url: " + secretPublicURL() + "\nserver: [\n",
		yamlWrongType: "twilio:\n  auth_token: " + secretPrimary + "\n  auth_tokens: [" + secretRotated + "]\npublic_url: " + secretPublicURL() + "\nserver:\n  read_timeout: " + secretRotated + "\n",
		badPolicy:     "p, group:twilio, /, view\n",
	} {
		if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	secrets := []string{
		"TWILIO_AUTH_TOKEN=" + secretPrimary,
		"GATEHOUSE_TWILIO_AUTH_TOKENS=" + secretRotated + "," + secretOlder,
		"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE=" + tokenFile,
		"GATEHOUSE_PUBLIC_URL=" + secretPublicURL(),
		"GATEHOUSE_POLICY_FILE=" + policy,
		"GATEHOUSE_LOG_LEVEL=debug", "GATEHOUSE_DEBUG_AUTHORIZATION=true",
	}
	userinfo := url.UserPassword(secretUser, secretPassword).String()
	tests := []struct {
		name string
		env  []string // after secrets: a later entry wins
		args []string
		code int
	}{
		{"a bad duration", []string{"GATEHOUSE_SERVER_READ_TIMEOUT=banana"}, nil, 2},
		{"a bad log format", []string{"GATEHOUSE_LOG_FORMAT=xml"}, nil, 2},
		{"the token pasted into log.level", []string{"GATEHOUSE_LOG_LEVEL=" + secretPrimary}, nil, 2},
		{"a rotated token pasted into trusted_proxies", []string{"GATEHOUSE_TRUSTED_PROXIES=" + secretRotated}, nil, 2},
		{"the file's token given to --listen", nil, []string{"--listen", secretFromFile}, 2},
		{"the password given to --listen", nil, []string{"--listen", secretPassword}, 2},
		{"public_url pasted into read_timeout", []string{"GATEHOUSE_SERVER_READ_TIMEOUT=" + secretPublicURL()}, nil, 2},
		{"no token", []string{"TWILIO_AUTH_TOKEN=", "GATEHOUSE_TWILIO_AUTH_TOKENS=", "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE="}, nil, 2},
		{"a token file that is a directory", []string{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE=" + dir}, nil, 2},
		{"a token file that does not exist", []string{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE=" + filepath.Join(dir, "nope")}, nil, 2},
		{"a token file of two words", []string{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE=" + twoWords}, nil, 2},
		{"public_url: not http", []string{"GATEHOUSE_PUBLIC_URL=ftp://" + userinfo + "@ivr.example.com"}, nil, 2},
		{"public_url: a query", []string{"GATEHOUSE_PUBLIC_URL=https://" + userinfo + "@ivr.example.com/?x=1"}, nil, 2},
		{"public_url: a fragment", []string{"GATEHOUSE_PUBLIC_URL=https://" + userinfo + "@ivr.example.com/#f"}, nil, 2},
		{"public_url: no host", []string{"GATEHOUSE_PUBLIC_URL=https://" + userinfo + "@"}, nil, 2},
		{"public_url: a bad port", []string{"GATEHOUSE_PUBLIC_URL=https://" + userinfo + "@ivr.example.com:port"}, nil, 2},
		{"public_url: one slash", []string{"GATEHOUSE_PUBLIC_URL=https:/" + userinfo + "@ivr.example.com"}, nil, 2},
		{"public_url: no slashes", []string{"GATEHOUSE_PUBLIC_URL=https:" + userinfo + "@ivr.example.com"}, nil, 2},
		{"public_url: no scheme", []string{"GATEHOUSE_PUBLIC_URL=" + userinfo + "@ivr.example.com"}, nil, 2},
		{"a config file that does not parse", nil, []string{"--config", yamlBad}, 2},
		{"a config file with a token as a duration", nil, []string{"--config", yamlWrongType}, 2},
		{"a malformed policy file", []string{"GATEHOUSE_POLICY_FILE=" + badPolicy}, nil, 2},
		{"a missing policy file", []string{"GATEHOUSE_POLICY_FILE=" + filepath.Join(dir, "nope.csv")}, nil, 2},
		{"an unknown flag after the token flag", nil, []string{"--auth-token", secretPrimary, "--nope=" + secretRotated}, 2},
		{"the token flag without a value", nil, []string{"--auth-token"}, 2},
		{"an unexpected argument", nil, []string{"--auth-token=" + secretPrimary, "extra"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, append(append([]string{}, secrets...), tt.env...), append([]string{"serve", "--listen", "127.0.0.1:0"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.HasPrefix(errOut, "gatehouse serve: ") {
				t.Errorf("stderr %q, want a message naming the problem", errOut)
			}
			secretScan(t, "the output", out+errOut)
		})
	}
}

// The CLI with the token on its command line and in its environment, with
// good and bad input: it prints no secret, whatever it prints.
func TestSecretsCLI(t *testing.T) {
	tokenFile, policy := secretFiles(t)
	dir := t.TempDir()
	body := filepath.Join(dir, "event.json")
	config := filepath.Join(dir, "gatehouse.yaml")
	badPolicy := filepath.Join(dir, "bad.csv")
	for name, content := range map[string]string{
		body:      `{"a":1}`,
		config:    "twilio:\n  auth_token: " + secretPrimary + "\n  auth_tokens: [" + secretRotated + "]\n  auth_token_file: " + tokenFile + "\npublic_url: " + secretPublicURL() + "\n",
		badPolicy: "p, group:twilio, /, view\np, " + "x, /, view, allow, extra\n",
	} {
		if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	envTok := []string{"TWILIO_AUTH_TOKEN=" + secretPrimary, "GATEHOUSE_TWILIO_AUTH_TOKENS=" + secretRotated, "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE=" + tokenFile}
	flagTok := []string{"--auth-token", secretPrimary}
	withUser := "https://" + url.UserPassword(secretUser, secretPassword).String() + "@ivr.example.com/hook"
	good := hostileSign(secretPrimary, withUser, hostilePair{"Digits", "1"})
	tests := []struct {
		name string
		env  []string
		args []string
		code int
	}{
		{"sign, token in the environment", envTok, []string{"sign", "--url", withUser, "Digits=1"}, 0},
		{"sign, token on the command line", nil, append([]string{"sign", "--url", withUser, "Digits=1"}, flagTok...), 0},
		{"sign, token in a config file", nil, []string{"sign", "--config", config, "--url", "https://ivr.example.com/", "Digits=1"}, 0},
		{"sign, a JSON body", envTok, []string{"sign", "--url", "https://ivr.example.com/hook", "--body-file", body}, 0},
		{"sign, no URL", nil, append([]string{"sign", "Digits=1"}, flagTok...), 2},
		{"sign, a URL that does not parse", nil, append([]string{"sign", "--url", "https://" + secretUser + ":" + secretPassword + "@ivr.example.com:port/"}, flagTok...), 2},
		{"sign, a URL that is not http", nil, append([]string{"sign", "--url", "ftp://" + url.UserPassword(secretUser, secretPassword).String() + "@ivr.example.com/"}, flagTok...), 2},
		{"sign, a parameter that is not name=value", nil, append([]string{"sign", "--url", "https://ivr.example.com/", "Digits"}, flagTok...), 2},
		{"sign, a body file that does not exist", envTok, []string{"sign", "--url", "https://ivr.example.com/", "--body-file", filepath.Join(dir, "nope")}, 2},
		{"sign, an unknown flag", nil, append([]string{"sign", "--url", "https://ivr.example.com/", "--nope=" + secretRotated}, flagTok...), 2},
		{"sign, --help after the token", nil, append(append([]string{"sign"}, flagTok...), "--help"), 0},
		{"verify, valid", nil, append([]string{"verify", "--url", withUser, "--signature", good, "Digits=1"}, flagTok...), 0},
		{"verify, valid with the rotated token", envTok, []string{"verify", "--url", withUser, "--signature", hostileSign(secretRotated, withUser, hostilePair{"Digits", "1"}), "Digits=1"}, 0},
		{"verify, invalid", envTok, []string{"verify", "--url", withUser, "--signature", good, "Digits=2"}, 1},
		{"verify, a token as the signature", envTok, []string{"verify", "--url", withUser, "--signature", secretPrimary, "Digits=1"}, 1},
		{"verify, no signature", envTok, []string{"verify", "--url", withUser}, 2},
		{"verify, no token", nil, []string{"verify", "--url", withUser, "--signature", good}, 2},
		{"invoke, nothing listening", envTok, []string{"invoke", "http://" + url.UserPassword(secretUser, secretPassword).String() + "@127.0.0.1:1/", "--timeout", "5s"}, 2},
		{"invoke, a public URL with credentials, nothing listening", nil, append([]string{"invoke", "http://127.0.0.1:1/", "--public-url", secretPublicURL(), "--timeout", "5s"}, flagTok...), 2},
		{"invoke, a public URL that does not parse", nil, append([]string{"invoke", "http://127.0.0.1:1/", "--public-url", "https://" + secretUser + ":" + secretPassword + "@h:port"}, flagTok...), 2},
		{"invoke, a bad method", envTok, []string{"invoke", "http://127.0.0.1:1/", "--method", "PUT"}, 2},
		{"explain, allowed", envTok, []string{"explain", "--resource", "/", "--permission", "view", "--principal", "group:twilio"}, 0},
		{"explain, denied", envTok, []string{"explain", "--resource", "/restricted", "--permission", "restricted", "--principal", "group:twilio"}, 1},
		{"explain, the token flag it does not take", nil, append([]string{"explain", "--resource", "/", "--permission", "view"}, flagTok...), 2},
		{"explain, a bad policy", envTok, []string{"explain", "--policy", badPolicy, "--resource", "/", "--permission", "view"}, 2},
		{"principals", envTok, []string{"principals", "--policy", policy, "--resource", "/", "--permission", "view"}, 0},
		{"routes", envTok, []string{"routes"}, 0},
		{"routes, a config file with every secret", nil, []string{"routes", "--config", config}, 0},
		{"routes, a config file that does not exist", envTok, []string{"routes", "--config", filepath.Join(dir, "nope.yaml")}, 2},
		{"policy lint, clean", envTok, []string{"policy", "lint", "--policy", policy}, 0},
		{"policy lint, problems", envTok, []string{"policy", "lint", "--policy", badPolicy}, 1},
		{"policy lint, the token flag it does not take", nil, append([]string{"policy", "lint"}, flagTok...), 2},
		{"help", envTok, []string{"help"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			secretScan(t, "the output", out+errOut)
		})
	}
}
