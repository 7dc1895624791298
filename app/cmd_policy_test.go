package app

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/policies"
)

// pyramidPolicy is Pyramid's ACL fixture as a policy file.
const pyramidPolicy = `# Pyramid's ACLHelper fixture
p, system.Authenticated, /, view, allow
p, fred, /community, *, allow
p, wilma, /community, view, allow
p, system.Everyone, /community, *, deny
p, barney, /community/blog, view, allow
p, barney, /community/blog, delete, allow
p, wilma, /community/blog, view, allow
g, pebbles, wilma
`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPolicyCommands(t *testing.T) {
	policy := writeTemp(t, "policy.csv", pyramidPolicy)
	broken := writeTemp(t, "broken.csv", "p, a, /, view, allow\np, a, /, view\n")
	lintme := writeTemp(t, "lint.csv", strings.Join([]string{
		"p, fred, /community, *, allow", // 1
		"p, system.Everyone, /community, *, deny",
		"p, wilma, /community, view, allow", // 3: shadowed by 2
		"p, fred, /community, *, allow",     // 4: duplicate of 1
		"p, barney, community, view, maybe", // 5: resource and effect
		"p, , /, view, allow",               // 6: empty principal
		"p, a, /, view",                     // 7: field count
	}, "\n"))
	badModel := writeTemp(t, "model.conf", strings.Replace(mustRead(t, "../policies/model.conf"), "priority(p.eft) || deny", "some(where (p.eft == allow))", 1))
	unparsable := writeTemp(t, "unparsable.conf", "[request_definition]\nr = sub, obj, act\n")
	unbalanced := writeTemp(t, "unbalanced.conf", unbalancedModel(t))
	tests := writeTemp(t, "tests.csv", `# expect, resource, permission, principals
allow, /community/blog, view, wilma
allow, /community/blog, view, pebbles
deny, /community/blog, delete, wilma
allow, /community/blog, doesntevenexistyet, fred
deny, /, view
allow, /, view, someguy
`)
	failing := writeTemp(t, "failing.csv", `allow, /community/blog, view, wilma
allow, /community/blog, delete, wilma
deny, /, view, someguy
`)
	// Files each sound on its own that serve refuses together: grouping
	// rows under a model without a role definition; a matcher that
	// ignores the permission.
	modelText := mustRead(t, "../policies/model.conf")
	noRoles := writeTemp(t, "noroles.conf", strings.Replace(modelText, "[role_definition]\ng = _, _\n", "", 1))
	noAct := writeTemp(t, "noact.conf", strings.Replace(modelText, ` && (p.act == "*" || p.act == r.act)`, "", 1))
	missing := filepath.Join(t.TempDir(), "missing.csv")

	cases := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // fragments, in order
		wantStderr string   // fragment
	}{
		{"explain allowed", []string{"explain", "--policy", policy, "--resource", "/community/blog", "--permission", "view", "--principal", "wilma"},
			0, []string{"ACLAllowed permission 'view' via ACE ('Allow', 'wilma', 'view') in ACL [('Allow', 'barney', 'view'), ('Allow', 'barney', 'delete'), ('Allow', 'wilma', 'view')] on context '/community/blog' for principals ['system.Everyone', 'system.Authenticated', 'wilma']\n"}, ""},
		{"explain denied by DENY_ALL", []string{"explain", "--policy", policy, "--resource", "/community/blog", "--permission", "delete", "--principal", "wilma"},
			1, []string{"ACLDenied permission 'delete' via ACE ('Deny', 'system.Everyone', ALL_PERMISSIONS) in ACL [('Allow', 'fred', ALL_PERMISSIONS), ('Allow', 'wilma', 'view'), ('Deny', 'system.Everyone', ALL_PERMISSIONS)] on context '/community'"}, ""},
		{"explain with groups", []string{"explain", "--policy", policy, "--resource", "/community/blog", "--permission", "view", "--principal", "pebbles"},
			0, []string{"via ACE ('Allow', 'wilma', 'view')", "for principals ['system.Everyone', 'system.Authenticated', 'pebbles', 'wilma']"}, ""},
		{"explain unauthenticated", []string{"explain", "--policy", policy, "--resource", "/", "--permission", "view"},
			1, []string{"ACLDenied permission 'view' via ACE '<default deny>' in ACL [('Allow', 'system.Authenticated', 'view')] on context '/' for principals ['system.Everyone']\n"}, ""},
		{"explain exact", []string{"explain", "--policy", policy, "--resource", "/", "--permission", "view", "--principal", "system.Authenticated", "--exact"},
			0, []string{"for principals ['system.Authenticated']\n"}, ""},
		{"explain system principal without --exact", []string{"explain", "--policy", policy, "--resource", "/", "--permission", "view", "--principal", "system.Authenticated"},
			2, nil, "--exact"},
		{"explain without --resource", []string{"explain", "--permission", "view"}, 2, nil, "--resource is required"},
		{"explain invalid resource", []string{"explain", "--resource", "/a/", "--permission", "view"}, 2, nil, "not a clean slash path"},
		{"explain broken policy", []string{"explain", "--policy", broken, "--resource", "/", "--permission", "view"}, 2, nil, broken + ":2:"},
		{"explain missing policy", []string{"explain", "--policy", missing, "--resource", "/", "--permission", "view"}, 2, nil, "missing.csv"},
		{"explain unknown flag", []string{"explain", "--resourse", "/"}, 2, nil, "resourse"},

		{"principals", []string{"principals", "--policy", policy, "--resource", "/community/blog", "--permission", "view"},
			0, []string{"barney\nfred\nwilma\n"}, ""},
		{"principals none", []string{"principals", "--policy", policy, "--resource", "/community", "--permission", "administer"},
			0, []string{"fred\n"}, ""},
		{"principals default policy", []string{"principals", "--resource", "/accessible", "--permission", "view"},
			0, []string{"group:twilio\n"}, ""},
		{"principals without --permission", []string{"principals", "--resource", "/"}, 2, nil, "--permission is required"},

		{"lint clean", []string{"policy", "lint", "--policy", policy}, 0, []string{"ok\n"}, ""},
		{"lint default", []string{"policy", "lint"}, 0, []string{"ok\n"}, ""},
		{"lint problems", []string{"policy", "lint", "--policy", lintme}, 1, []string{
			lintme + ":3: row can never decide: line 2 (p, system.Everyone, /community, *, deny) always applies first\n",
			lintme + ":4: duplicate of line 1 (p, fred, /community, *, allow)\n",
			lintme + ":5: resource \"community\" must start with /\n",
			lintme + ":5: effect must be allow or deny, got \"maybe\"\n",
			lintme + ":6: empty principal\n",
			lintme + ":7: p row needs 4 fields",
			"6 problems\n"}, ""},
		{"lint bad model", []string{"policy", "lint", "--model", badModel}, 1, []string{badModel + ": policy_effect must be e = priority(p.eft) || deny\n", "1 problem\n"}, ""},
		// Casbin's own error wraps two: one problem, naming the file.
		{"lint unparsable model", []string{"policy", "lint", "--model", unparsable}, 1, []string{unparsable + ": invalid model: missing required sections: policy_definition,policy_effect,matchers\n1 problem\n"}, ""},
		{"lint unbalanced matcher", []string{"policy", "lint", "--model", unbalanced}, 1, []string{unbalanced + ": invalid model: casbin: Unbalanced parenthesis\n1 problem\n"}, ""},
		{"explain, unbalanced matcher", []string{"explain", "--model", unbalanced, "--resource", "/", "--permission", "view"}, 2, nil, unbalanced + ": invalid model: casbin: Unbalanced parenthesis"},
		{"lint grouping rows without a role definition", []string{"policy", "lint", "--model", noRoles, "--policy", policy}, 1, []string{
			noRoles + ": invalid model: grouping rows need a model with role_definition g = _, _\n", "1 problem\n"}, ""},
		{"lint without grouping rows or a role definition", []string{"policy", "lint", "--model", noRoles, "--policy", writeTemp(t, "nogroups.csv", "p, a, /, view, allow\n")}, 0, []string{"ok\n"}, ""},
		{"lint a matcher that ignores the permission", []string{"policy", "lint", "--model", noAct}, 1, []string{
			noAct + ": invalid model: for principal", "want no row\n", "1 problem\n"}, ""},
		{"lint missing policy", []string{"policy", "lint", "--policy", missing}, 2, nil, "missing.csv"},
		{"lint missing model", []string{"policy", "lint", "--model", missing}, 2, nil, "missing.csv"},

		{"test passes", []string{"policy", "test", tests, "--policy", policy}, 0, []string{"ok: 6 tests passed\n"}, ""},
		{"test fails", []string{"policy", "test", "--policy", policy, failing}, 1, []string{
			"FAIL " + failing + ":2: allow, /community/blog, delete, wilma: got ACLDenied permission 'delete' via ACE ('Deny', 'system.Everyone', ALL_PERMISSIONS)",
			"FAIL " + failing + ":3: deny, /, view, someguy: got ACLAllowed permission 'view'",
			"FAIL: 2 of 3 tests failed\n"}, ""},
		{"test default policy", []string{"policy", "test", "../policies/policy_test.csv"}, 0, []string{"ok: 6 tests passed\n"}, ""},
		{"test broken test file", []string{"policy", "test", broken}, 2, nil, broken + ":1: expect must be allow or deny"},
		{"test without file", []string{"policy", "test"}, 2, nil, "want a test FILE"},
		{"test a file without tests", []string{"policy", "test", writeTemp(t, "notests.csv", "# expect, resource, permission, principals\n")}, 2, nil, "the test file has no test rows"},
		{"test broken policy", []string{"policy", "test", tests, "--policy", broken}, 2, nil, broken + ":2:"},
		{"policy without subcommand", []string{"policy"}, 2, nil, "policy lint"},
		{"policy unknown subcommand", []string{"policy", "check"}, 2, nil, `unknown subcommand "check"`},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			rest := stdout
			for _, want := range tt.wantStdout {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("stdout lacks %q (in order)\nstdout: %s", want, stdout)
					break
				}
				rest = rest[i+len(want):]
			}
			if tt.wantStderr != "" && !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
			if tt.wantCode == 2 && strings.Count(stderr, "\n") < 1 {
				t.Errorf("usage error without a message on stderr")
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The policy commands need no token, but print none that the environment
// configures (TWILIO_AUTH_TOKEN, a rotation token, the public_url
// password), in any case, wherever it was pasted: a file name, a
// principal, a flag, an argument, a policy or test row quoted by lint or
// test. Errors on stderr and results on stdout show it as [REDACTED].
func TestPolicyCommandsHideCredentials(t *testing.T) {
	const (
		token    = "SeKr3tTok"
		rotation = "r0tation-tok3n"
		password = "PaSsW0rdX"
	)
	env := map[string]string{
		"TWILIO_AUTH_TOKEN":            token,
		"GATEHOUSE_TWILIO_AUTH_TOKENS": rotation,
		"GATEHOUSE_PUBLIC_URL":         "https://tw:" + password + "@ivr.example.com",
	}
	badEffect := writeTemp(t, "bad.csv", "p, a, /, view, "+token+"\n")
	tokenPrincipal := writeTemp(t, "principal.csv", "p, "+strings.ToUpper(token)+", /, view, allow\np, "+rotation+", /, view, allow\n")
	badPassword := writeTemp(t, "password.csv", "p, a, community"+password+", view, allow\n")
	failing := writeTemp(t, "failing.csv", "allow, /, view, "+token+"\ndeny, /, view, group:twilio\n")
	missing := filepath.Join(t.TempDir(), token, "policy.csv")

	cases := []struct {
		name       string
		env        map[string]string // instead of env
		args       []string
		wantCode   int
		wantStdout string // fragment
		wantStderr string // fragment
	}{
		{name: "explain: the policy file", args: []string{"explain", "--resource", "/", "--permission", "view", "--policy", token},
			wantCode: 2, wantStderr: "gatehouse explain: policies: open [REDACTED]: no such file or directory\n"},
		{name: "explain: in the policy file's path, lower-cased", args: []string{"explain", "--resource", "/", "--permission", "view", "--policy", strings.ToLower(missing)},
			wantCode: 2, wantStderr: "[REDACTED]/policy.csv: no such file or directory\n"},
		{name: "explain: a principal", args: []string{"explain", "--resource", "/", "--permission", "view", "--principal", token},
			wantCode: 1, wantStdout: "for principals ['system.Everyone', 'system.Authenticated', '[REDACTED]']\n"},
		{name: "explain: the password as a principal", args: []string{"explain", "--resource", "/", "--permission", "view", "--principal", password},
			wantCode: 1, wantStdout: "'[REDACTED]']\n"},
		{name: "explain: a flag", args: []string{"explain", "--" + token},
			wantCode: 2, wantStderr: "gatehouse explain: unknown flag --[REDACTED]\n"},
		{name: "explain: an argument", args: []string{"explain", "--resource", "/", "--permission", "view", rotation},
			wantCode: 2, wantStderr: `gatehouse explain: unexpected argument "[REDACTED]"`},
		{name: "principals: a principal of the policy", args: []string{"principals", "--resource", "/", "--permission", "view", "--policy", tokenPrincipal},
			wantCode: 0, wantStdout: "[REDACTED]\n[REDACTED]\n"},
		{name: "principals: the model file", args: []string{"principals", "--resource", "/", "--permission", "view", "--model", token},
			wantCode: 2, wantStderr: "gatehouse principals: policies: open [REDACTED]"},
		{name: "lint: the effect", args: []string{"policy", "lint", "--policy", badEffect},
			wantCode: 1, wantStdout: badEffect + `:1: effect must be allow or deny, got "[REDACTED]"` + "\n1 problem\n"},
		{name: "lint: the password in a resource", args: []string{"policy", "lint", "--policy", badPassword},
			wantCode: 1, wantStdout: badPassword + `:1: resource "community[REDACTED]" must start with /`},
		{name: "lint: the model file", args: []string{"policy", "lint", "--model", token},
			wantCode: 2, wantStderr: "gatehouse policy lint: policies: open [REDACTED]"},
		{name: "test: the test file", args: []string{"policy", "test", token},
			wantCode: 2, wantStderr: "gatehouse policy test: policies: open [REDACTED]"},
		{name: "test: a failing row", args: []string{"policy", "test", failing},
			wantCode: 1, wantStdout: "FAIL " + failing + ":1: allow, /, view, [REDACTED]: got ACLDenied"},
		{name: "policy: the subcommand", args: []string{"policy", token},
			wantCode: 2, wantStderr: `gatehouse policy: unknown subcommand "[REDACTED]"`},
		{name: "a configuration that does not load stops the command", env: map[string]string{"TWILIO_AUTH_TOKEN": token, "GATEHOUSE_SERVER_READ_TIMEOUT": "banana"},
			args: []string{"policy", "lint"}, wantCode: 2, wantStderr: "gatehouse policy lint: the environment's configuration (read for the credentials to redact): config: server.read_timeout: "},
		{name: "a configuration that does not load, the token in it", env: map[string]string{"TWILIO_AUTH_TOKEN": token, "GATEHOUSE_SERVER_READ_TIMEOUT": token},
			args: []string{"explain", "--resource", "/", "--permission", "view"}, wantCode: 2, wantStderr: `got "[REDACTED]" (from environment variable GATEHOUSE_SERVER_READ_TIMEOUT)`},
		{name: "a configuration that does not load, a stray subcommand", env: map[string]string{"TWILIO_AUTH_TOKEN": token, "GATEHOUSE_SERVER_READ_TIMEOUT": "banana"},
			args: []string{"policy", token}, wantCode: 2, wantStderr: "gatehouse policy: the environment's configuration"},
		{name: "no token is no error", env: map[string]string{}, args: []string{"policy", "lint"}, wantCode: 0, wantStdout: "ok\n"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			clearGatehouseEnv(t)
			e := env
			if tt.env != nil {
				e = tt.env
			}
			for k, v := range e {
				t.Setenv(k, v)
			}
			code, stdout, stderr := run(tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status: got %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout: got %q, want it to contain %q", stdout, tt.wantStdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr: got %q, want it to contain %q", stderr, tt.wantStderr)
			}
			out := strings.ToLower(stdout + stderr)
			for _, secret := range []string{token, rotation, password} {
				if strings.Contains(out, strings.ToLower(secret)) {
					t.Errorf("the output shows %q:\nstdout: %s\nstderr: %s", secret, stdout, stderr)
				}
			}
		})
	}
}

// The principals that only a verified Twilio signature proves cannot be
// made groups by a policy: policies refuses them by name, and the names
// are authn's (policies may not import authn, so this holds them equal).
// lint says so, and serve refuses such a policy.
func TestProvenGroupsRefused(t *testing.T) {
	for _, group := range []string{authn.TwilioGroup, authn.AccountPrefix + "AC0123456789abcdef0123456789abcdef"} {
		data := []byte("p, " + authn.TwilioGroup + ", /, view, allow\ng, system.Everyone, " + group + "\n")
		if _, err := policies.Parse("p.csv", data); !errors.Is(err, policies.ErrProvenGroup) {
			t.Errorf("g, system.Everyone, %s: Parse error %v, want ErrProvenGroup", group, err)
		}
	}
}
