package app_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/app"
)

// invoke exits 0 for a 2xx answer only (DESIGN.md: 1 for any other): a
// redirect, which invoke does not follow, is not success.
func TestInvokeRedirectIsNotSuccess(t *testing.T) {
	isolateTokens(t, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	code, out, errOut := cli("invoke", "--auth-token", secretToken, srv.URL+"/")
	if code != app.ExitFalse || !strings.Contains(out, "302 Found") {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d and the 302", code, out, errOut, app.ExitFalse)
	}
}

// A password that holds the token is hidden whole, not around the token's
// [REDACTED]: no piece of it reaches stderr.
func TestPasswordHoldingTokenHiddenWhole(t *testing.T) {
	isolateTokens(t, nil)
	const password = "Left9x" + secretToken + "Right7y"
	url := "https://user:" + password + "@ivr.example.com/hook"
	code, out, errOut := cli("sign", "--auth-token", secretToken, "--url", url, url)
	if code != app.ExitUsage {
		t.Fatalf("exit %d, want %d", code, app.ExitUsage)
	}
	for _, piece := range []string{"Left9x", "Right7y", secretToken} {
		if strings.Contains(out+errOut, piece) {
			t.Errorf("output quotes %q of the password: %q", piece, out+errOut)
		}
	}
}

// A --body-file of exactly 16 MiB is within the bound ("larger than
// 16777216 bytes" is refused, not 16777216 bytes).
func TestBodyFileAtTheBound(t *testing.T) {
	isolateTokens(t, nil)
	name := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(name, make([]byte, 16<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli("sign", "--auth-token", secretToken, "--url", "https://ivr.example.com/hook", "--body-file", name)
	if code != app.ExitOK || strings.Count(out, "\n") != 2 {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and two lines", code, out, errOut)
	}
}

// An unknown flag as long as a token is never repeated, even when a
// configuration loaded (it redacts only the tokens it knows: this one,
// of another account, it does not).
func TestLongUnknownFlagNotRepeated(t *testing.T) {
	isolateTokens(t, nil)
	const other = "a1b2c3d4e5f60718293a4b5c6d7e8f90" // 32 characters, like a token
	for _, args := range [][]string{
		{"routes", "--" + other},
		{"sign", "--url", "https://ivr.example.com/", "--" + other},
	} {
		code, out, errOut := cli(args...)
		if code != app.ExitUsage || strings.Contains(out+errOut, other) {
			t.Errorf("%s: exit %d, output %q; want %d without the flag's name", args[0], code, out+errOut, app.ExitUsage)
		}
	}
}

// policy test takes one test FILE: a second is a usage error (exit 2),
// never silently skipped.
func TestPolicyTestSecondFileRefused(t *testing.T) {
	isolateTokens(t, nil)
	dir := t.TempDir()
	pass := writeFile(t, dir, "pass.csv", "deny, /, restricted\n")
	fails := writeFile(t, dir, "fail.csv", "allow, /, restricted\n")
	code, out, errOut := cli("policy", "test", pass, fails)
	if code != app.ExitUsage || !strings.Contains(errOut, "unexpected argument") {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d, unexpected argument", code, out, errOut, app.ExitUsage)
	}
}

// routes refuses a configuration that serve would refuse (exit 2), as it
// says it prints what serve would answer with that configuration.
func TestRoutesRefusesInvalidConfig(t *testing.T) {
	isolateTokens(t, nil)
	cfg := writeFile(t, t.TempDir(), "gatehouse.yaml", "log:\n  format: xml\n")
	code, out, errOut := cli("routes", "--config", cfg)
	if code != app.ExitUsage || !strings.Contains(errOut, "log.format") {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d naming log.format", code, out, errOut, app.ExitUsage)
	}
}
