package main_test

// The developer tools through the real binary: exit statuses (0 yes, 1 no,
// 2 bad input), what they print, and that the token never appears.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run runs the binary with args and env (and nothing else in the
// environment but PATH and HOME) and returns its exit status and output.
// It kills the binary if it has not exited after a minute (a serve that
// was expected to fail and started instead), so that the test fails
// instead of hanging.
func run(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("gatehouse %s did not exit within a minute\nstdout: %s\nstderr: %s", strings.Join(args, " "), &out, &errOut)
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if strings.Contains(out.String()+errOut.String(), token) {
		t.Errorf("gatehouse %s printed the auth token", strings.Join(args, " "))
	}
	return code, out.String(), errOut.String()
}

func TestCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	policy := write("policy.csv", "p, group:twilio, /, view, allow\np, system.Everyone, /restricted, *, deny\n")
	lintBad := write("bad.csv", "p, group:twilio, /, view, allow\np, group:twilio, /, view, allow\np, wilma, /x, view, Allow\n")
	testsOK := write("ok_test.csv", "allow, /, view, group:twilio\ndeny, /, view\ndeny, /restricted, view, group:twilio\n")
	testsBad := write("bad_test.csv", "allow, /, view\ndeny, /, view, group:twilio\n")
	body := write("event.json", `{"property": "value", "boolean": true}`)

	const vecURL = "https://mycompany.com/myapp.php?foo=1&bar=2"
	vecParams := []string{"CallSid=CA1234567890ABCDE", "Caller=+14158675309", "Digits=1234", "From=+14158675309", "To=+18005551212"}
	vecEnv := []string{"TWILIO_AUTH_TOKEN=12345"}
	tokEnv := []string{"TWILIO_AUTH_TOKEN=" + token}

	tests := []struct {
		name     string
		env      []string
		args     []string
		code     int
		contains string // in stdout, or stderr when code is 2
	}{
		{"sign: the issue's vector", vecEnv, append([]string{"sign", "--url", vecURL}, vecParams...), 0, "RSOYDt4T1cUTdK1PDd93/VVr8B8=\n"},
		{"sign: JSON adds bodySHA256", vecEnv, []string{"sign", "--url", vecURL, "--body-file", body}, 0,
			"a9nBmqA0ju/hNViExpshrM61xv4=\n" + vecURL + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620\n"},
		{"sign: no token", nil, []string{"sign", "--url", vecURL}, 2, "auth token"},
		{"verify: valid", vecEnv, append([]string{"verify", "--url", vecURL, "--signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, vecParams...), 0, "valid"},
		{"verify: Twilio signed with :443", vecEnv, append([]string{"verify", "--url", vecURL, "--signature", "kvajT1Ptam85bY51eRf/AJRuM3w="}, vecParams...), 0, "valid"},
		{"verify: params sorted as strings, rejected", vecEnv,
			append([]string{"verify", "--url", vecURL, "--signature", "95+Bu0JVPi0r/SsESZCVf0dWAjw=", "Reason=Participant", "ReasonConferenceEnded=test"}, vecParams...), 1, "invalid: no_match"},
		{"verify: one parameter changed", vecEnv, append([]string{"verify", "--url", vecURL, "--signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "Digits=1235"}, vecParams[:2]...), 1, "invalid"},
		{"verify: no signature", vecEnv, []string{"verify", "--url", vecURL}, 2, "--signature"},
		{"explain: allowed", nil, []string{"explain", "--policy", policy, "--resource", "/accessible", "--permission", "view", "--principal", "group:twilio"}, 0,
			"ACLAllowed permission 'view' via ACE ('Allow', 'group:twilio', 'view') in ACL [('Allow', 'group:twilio', 'view')] on context '/'"},
		{"explain: denied by the deny-all", nil, []string{"explain", "--policy", policy, "--resource", "/restricted", "--permission", "view", "--principal", "group:twilio"}, 1,
			"ACLDenied permission 'view' via ACE ('Deny', 'system.Everyone', ALL_PERMISSIONS)"},
		{"explain: default deny", nil, []string{"explain", "--resource", "/", "--permission", "view"}, 1, "via ACE '<default deny>'"},
		{"explain: missing resource", nil, []string{"explain", "--permission", "view"}, 2, "--resource"},
		{"principals", nil, []string{"principals", "--policy", policy, "--resource", "/accessible", "--permission", "view"}, 0, "group:twilio\n"},
		{"policy lint: clean", nil, []string{"policy", "lint", "--policy", policy}, 0, "ok\n"},
		{"policy lint: every problem with file:line", nil, []string{"policy", "lint", "--policy", lintBad}, 1, lintBad + ":3:"},
		{"policy test: passes", nil, []string{"policy", "test", testsOK, "--policy", policy}, 0, "3 "},
		{"policy test: every failing row", nil, []string{"policy", "test", testsBad, "--policy", policy}, 1, testsBad + ":2:"},
		{"routes", nil, []string{"routes"}, 0, "/restricted"},
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"a malformed URL: no piece of it in the message", vecEnv, []string{"sign", "--url", "https://user:se/cret@host/x"}, 2, "--url is not a valid URL\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, tt.env, tt.args...)
			if code != tt.code {
				t.Fatalf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			got := out
			if tt.code == 2 {
				got = errOut
			}
			if !strings.Contains(got, tt.contains) {
				t.Errorf("output %q, want it to contain %q (stderr %q)", got, tt.contains, errOut)
			}
		})
	}

	t.Run("lint reports the duplicate and the effect", func(t *testing.T) {
		_, out, errOut := run(t, nil, "policy", "lint", "--policy", lintBad)
		all := out + errOut
		for _, want := range []string{lintBad + ":2:", lintBad + ":3:"} {
			if !strings.Contains(all, want) {
				t.Errorf("lint output %q lacks %q", all, want)
			}
		}
	})

	t.Run("serve warns without public_url", func(t *testing.T) {
		s := start(t, tokEnv)
		if !strings.Contains(s.Logs(), "level=WARN msg=\"public_url is not set") {
			t.Errorf("no warning about the missing public_url:\n%s", s.Logs())
		}
	})

	t.Run("serve warns of a proxy range too wide", func(t *testing.T) {
		s := start(t, append(tokEnv, "GATEHOUSE_TRUSTED_PROXIES=10.0.0.0/8,10.1.2.3"))
		if !strings.Contains(s.Logs(), `level=WARN msg="trusted_proxies: \"10.0.0.0/8\" is wider than /24`) {
			t.Errorf("no warning about 10.0.0.0/8:\n%s", s.Logs())
		}
		if strings.Contains(s.Logs(), `10.1.2.3\" is wider`) {
			t.Errorf("warned about a single address:\n%s", s.Logs())
		}
	})

	t.Run("invoke against serve", func(t *testing.T) {
		s := start(t, append(tokEnv, "GATEHOUSE_PUBLIC_URL=https://ivr.example.com"))
		if strings.Contains(s.Logs(), "public_url is not set") {
			t.Errorf("warned about public_url although it is set:\n%s", s.Logs())
		}
		code, out, errOut := run(t, tokEnv, "invoke", s.base+"/", "--method", "GET", "--public-url", "https://ivr.example.com")
		if code != 0 || !strings.Contains(out, "<Gather") {
			t.Errorf("signed GET: exit %d, %q %q; want 0 and the menu", code, out, errOut)
		}
		code, out, _ = run(t, tokEnv, "invoke", s.base+"/", "Digits=1", "--public-url", "https://ivr.example.com")
		if code != 0 || !strings.Contains(out, "<Redirect method=\"GET\">/accessible</Redirect>") {
			t.Errorf("signed POST Digits=1: exit %d, %q; want 0 and the redirect", code, out)
		}
		code, out, _ = run(t, []string{"TWILIO_AUTH_TOKEN=not-the-token"}, "invoke", s.base+"/", "--method", "GET", "--public-url", "https://ivr.example.com")
		if code != 0 || !strings.Contains(out, "We are sorry") {
			t.Errorf("wrong token: exit %d, %q; want 0 (TwiML 200) and the apology", code, out)
		}
	})
}
