package app

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/policies"
)

// pastedToken is a token that the tests below paste into keys that are not
// credentials; it must never be shown.
const pastedToken = "tok-LEAKME-7f3a9c2e"

// clearGatehouseEnv empties every GATEHOUSE_ and TWILIO_ variable of the
// test's environment for the test, so that serve reads only what the test
// sets.
func clearGatehouseEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GATEHOUSE_") || strings.HasPrefix(k, "TWILIO_") {
			t.Setenv(k, "")
		}
	}
}

// checkRedacted fails t if out shows the pasted token, in any case, or
// shows no redaction at all.
func checkRedacted(t *testing.T, what, out string) {
	t.Helper()
	if strings.Contains(strings.ToLower(out), strings.ToLower(pastedToken)) {
		t.Errorf("%s shows the token:\n%s", what, out)
	}
	if !strings.Contains(out, "[REDACTED]") {
		t.Errorf("%s shows no [REDACTED]:\n%s", what, out)
	}
}

// A token pasted into the policy paths stops serve with an error that names
// the problem without quoting the token.
func TestServeErrorsHidePastedToken(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "x", pastedToken)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // in stderr
	}{
		{name: "policy file is the token", args: []string{"--policy-file", pastedToken},
			want: "gatehouse serve: app: policy file: open [REDACTED]: no such file or directory"},
		{name: "policy file in the environment", env: map[string]string{"GATEHOUSE_POLICY_FILE": strings.ToUpper(pastedToken)},
			want: "gatehouse serve: app: policy file: open [REDACTED]: no such file or directory"},
		{name: "policy model named after the token", env: map[string]string{"GATEHOUSE_POLICY_MODEL": missing},
			want: "[REDACTED]: no such file or directory"},
		{name: "policy model in a flag", args: []string{"--policy-model", missing + ".conf"},
			want: "[REDACTED].conf: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearGatehouseEnv(t)
			t.Setenv("TWILIO_AUTH_TOKEN", pastedToken)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := Main(append([]string{"serve", "--listen", "127.0.0.1:0"}, tt.args...), &stdout, &stderr)
			if code != ExitUsage {
				t.Errorf("exit status: got %d, want %d", code, ExitUsage)
			}
			out := stdout.String() + stderr.String()
			checkRedacted(t, "the output", out)
			if !strings.Contains(out, tt.want) {
				t.Errorf("got %q, want it to contain %q", out, tt.want)
			}
		})
	}
}

// The token given only as twilio.auth_token_file, where a path belongs, is
// not quoted back: nothing marks it as a token, so the error names the key
// and never the value.
func TestServeTokenFileValueNotQuoted(t *testing.T) {
	clearGatehouseEnv(t)
	t.Setenv("GATEHOUSE_TWILIO_AUTH_TOKEN_FILE", pastedToken)
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"serve", "--listen", "127.0.0.1:0"}, &stdout, &stderr); code != ExitUsage {
		t.Errorf("exit status: got %d, want %d", code, ExitUsage)
	}
	out := stdout.String() + stderr.String()
	if strings.Contains(out, pastedToken) {
		t.Errorf("the output shows the token:\n%s", out)
	}
	const want = "gatehouse serve: config: twilio.auth_token_file: cannot read the file it names: no such file or directory"
	if !strings.Contains(out, want) {
		t.Errorf("got %q, want it to contain %q", out, want)
	}
}

// A server that starts with a token pasted into the path of public_url,
// the token file's path and the policy paths (files that exist, in a
// directory named after the token) logs none of them: not at startup, not
// when it watches the files, not when a reload is rejected. (A token in
// the support number or the apology stops serve: see
// TestServeRefusesCredentialSentToCallers.) It runs the real serve
// command, stopped by SIGTERM once it has logged what is checked.
func TestServeLogHidesPastedToken(t *testing.T) {
	dir := filepath.Join(t.TempDir(), pastedToken)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	model, policy := filepath.Join(dir, "model.conf"), filepath.Join(dir, "policy.csv")
	if err := os.WriteFile(model, []byte(policies.DefaultModel()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policy, policies.DefaultPolicy(), 0o600); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("rotation-token-1a2b3c\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			clearGatehouseEnv(t)
			for k, v := range map[string]string{
				"TWILIO_AUTH_TOKEN":                pastedToken,
				"GATEHOUSE_PUBLIC_URL":             "https://ivr.example.com/" + pastedToken,
				"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": tokenFile,
				"GATEHOUSE_SUPPORT_NUMBER":         "+15005550006",
				"GATEHOUSE_POLICY_MODEL":           model,
				"GATEHOUSE_POLICY_FILE":            policy,
				"GATEHOUSE_POLICY_WATCH_INTERVAL":  "1h", // logged, never fires
				"GATEHOUSE_SERVER_SHUTDOWN_DELAY":  "0s",
			} {
				t.Setenv(k, v)
			}
			if err := os.WriteFile(policy, policies.DefaultPolicy(), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout lockedBuffer
			stderr := new(lockedBuffer)
			done := make(chan int, 1)
			go func() {
				done <- Main([]string{"serve", "--listen", "127.0.0.1:0", "--log-format", format}, &stdout, stderr)
			}()
			// "listening" is logged once serve handles SIGTERM and SIGHUP.
			if !waitForLog(t, stderr, done, "listening") {
				return
			}
			if err := os.WriteFile(policy, []byte("p, group:twilio, /, view\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			if !waitForLog(t, stderr, done, "policy reload rejected") {
				return
			}
			if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if code := <-done; code != ExitOK {
				t.Errorf("exit status: got %d, want %d", code, ExitOK)
			}
			out := stdout.String() + stderr.String()
			checkRedacted(t, "the log", out)
			for _, want := range []string{"starting", "support_number", "watching the policy files", "stopped"} {
				if !strings.Contains(out, want) {
					t.Errorf("the log lacks %q:\n%s", want, out)
				}
			}
			if got := strings.Count(out, "[REDACTED]"); got < 8 {
				t.Errorf("got %d [REDACTED], want at least 8 (token, public_url, token file, "+
					"model and file at startup and when watched, the rejected file):\n%s", got, out)
			}
		})
	}
}

// waitForLog polls log until it holds want and reports true, or reports
// false, failing t, if serve exits first.
func waitForLog(t *testing.T, log *lockedBuffer, done <-chan int, want string) bool {
	t.Helper()
	for !strings.Contains(log.String(), want) {
		select {
		case code := <-done:
			t.Errorf("serve exited with %d before logging %q:\n%s", code, want, log.String())
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
	return true
}

// A credential pasted into a value that callers get (the support number or
// an apology.* key) stops New, which would otherwise put it in the apology
// every anonymous caller hears; the same values without the credential
// do reach an anonymous caller, which is why they are checked.
func TestNewRefusesCredentialSentToCallers(t *testing.T) {
	tests := []struct {
		key      string
		env      string
		harmless string // a valid value without a credential
	}{
		{"support_number", "GATEHOUSE_SUPPORT_NUMBER", "+15005550006"},
		{"apology.text", "GATEHOUSE_APOLOGY_TEXT", "harmless-value"},
		{"apology.voice", "GATEHOUSE_APOLOGY_VOICE", "harmless-value"},
		{"apology.language", "GATEHOUSE_APOLOGY_LANGUAGE", "harmless-value"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			// Without a credential, the value is in the apology.
			cfg := testConfig(t, map[string]string{"TWILIO_AUTH_TOKEN": pastedToken, tt.env: tt.harmless})
			a, err := New(cfg, nil)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			rec := httptest.NewRecorder()
			a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/no-such-page", nil))
			if !strings.Contains(rec.Body.String(), tt.harmless) {
				t.Fatalf("an anonymous caller got %q, want the configured value in it", rec.Body.String())
			}

			cfg = testConfig(t, map[string]string{"TWILIO_AUTH_TOKEN": pastedToken, tt.env: "Sorry " + strings.ToUpper(pastedToken)})
			a, err = New(cfg, nil)
			if a != nil || err == nil {
				t.Fatalf("New: got %v, %v; want nil and an error", a, err)
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) || fe.Key != tt.key || !errors.Is(err, config.ErrInvalid) {
				t.Errorf("New: got %v, want a *FieldError for %s matching ErrInvalid", err, tt.key)
			}
			if msg := err.Error(); strings.Contains(strings.ToLower(msg), strings.ToLower(pastedToken)) || !strings.Contains(msg, "holds a credential") {
				t.Errorf("New: got %q, want it to say the key holds a credential, without quoting it", msg)
			}
		})
	}
}

// serve refuses to start with a token pasted into the apology, and says
// why without quoting it.
func TestServeRefusesCredentialSentToCallers(t *testing.T) {
	clearGatehouseEnv(t)
	t.Setenv("TWILIO_AUTH_TOKEN", pastedToken)
	t.Setenv("GATEHOUSE_APOLOGY_TEXT", "Sorry "+pastedToken)
	t.Setenv("GATEHOUSE_SERVER_SHUTDOWN_DELAY", "0s")
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() { done <- Main([]string{"serve", "--listen", "127.0.0.1:0"}, &stdout, &stderr) }()
	var code int
wait:
	for {
		select {
		case code = <-done:
			break wait
		case <-time.After(5 * time.Millisecond):
			if strings.Contains(stderr.String(), "listening") {
				// It started: stop it, and fail.
				if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
				code = <-done
				break wait
			}
		}
	}
	if code != ExitUsage {
		t.Errorf("exit status: got %d, want %d", code, ExitUsage)
	}
	out := stdout.String() + stderr.String()
	const want = "gatehouse serve: config: apology.text: holds a credential (a Twilio auth token or the public_url password): callers would hear it\n"
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}
