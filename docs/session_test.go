package docs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSessionCatchesMistakes runs small documents through the session
// runner: the runner must pass what a reader would see succeed, and fail
// every kind of mistake a document can make.
func TestSessionCatchesMistakes(t *testing.T) {
	const f = "```"
	tests := []struct {
		name, doc string
		err       string // "" for a document that must pass
	}{
		{"matching transcript", f + "console\n$ echo hello; echo err >&2\nhello\nerr\n" + f + "\n", ""},
		{"wildcards", f + "console\n$ printf 'a 1 b\\nx\\ny\\nend\\n'\na ... b\n...\nend\n" + f + "\n", ""},
		{"expected status", f + "console\n$ sh -c 'echo no; exit 3'\nno\n[3]\n" + f + "\n", ""},
		{"state carries over", f + "sh\nexport GREETING=hi\ncd /\n" + f + "\n" + f + "console\n$ echo $GREETING $PWD\nhi /\n" + f + "\n", ""},
		{"waits like a reader", f + "sh\n(sleep 0.5; echo ready > flag) &\n" + f + "\n" + f + "console\n$ cat flag\nready\n" + f + "\n", ""},
		{"file block", "<!-- file: p.csv -->\n" + f + "csv\np, a, /, view, allow\n" + f + "\n" + f + "console\n$ cat p.csv\np, a, /, view, allow\n" + f + "\n", ""},
		{"ports", f + "console\n$ echo $GATEHOUSE_LISTEN localhost:8081\n127.0.0.1:8080 localhost:8081\n" + f + "\n", ""},
		{"stdin is not the script", f + "sh\ncat > in.txt\n" + f + "\n" + f + "console\n$ wc -c < in.txt\n0\n" + f + "\n", ""},

		{"wrong output", f + "console\n$ echo hello\nhullo\n" + f + "\n", "want exit status 0 and output:\nhullo"},
		{"extra output", f + "console\n$ echo a; echo b\na\n" + f + "\n", "want exit status 0"},
		{"unexpected failure", f + "console\n$ false\n" + f + "\n", "got exit status 1"},
		{"unexpected success", f + "console\n$ true\n[1]\n" + f + "\n", "got exit status 0"},
		{"failing sh command", f + "sh\ntrue\nfalse\necho after > after.txt\n" + f + "\n", "the sh block failed"},
		{"failing pipeline", f + "sh\nfalse | cat\n" + f + "\n", "the sh block failed"},
		{"exit ends the session, as at a prompt", f + "console\n$ exit 3\n[3]\n" + f + "\n", "the shell exited"},
		{"a test name with $HOME and 'quotes' in its directory", f + "console\n$ echo fine\nfine\n" + f + "\n", ""},
		{"writes stay in the session", f + "sh\necho 'p, x, /, view, allow' >> policies/policy.csv\n" + f + "\n" + f + "console\n$ tail -n 1 policies/policy.csv\np, x, /, view, allow\n" + f + "\n", ""},
		{"unset variable", f + "sh\necho $NO_SUCH_VARIABLE\n" + f + "\n", "the sh block failed"},
	}
	goenv, err := goEnv()
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join("policies", "policy.csv")
	before, err := os.ReadFile(filepath.Join(root, policy))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if after, _ := os.ReadFile(filepath.Join(root, policy)); string(after) != string(before) {
			t.Errorf("a session wrote into the checkout's %s", policy)
		}
	})
	ports := newPorts()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			blocks, err := parseBlocks(tt.name, []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			s := newSession(t, sessionFiles{root, []string{policy}}, t.TempDir(), goenv, ports)
			s.retry = 2 * time.Second
			for _, b := range blocks {
				if err = s.run(b); err != nil {
					break
				}
			}
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("the session failed: %v", err)
			case tt.err != "" && err == nil:
				t.Errorf("the session passed, want an error containing %q", tt.err)
			case tt.err != "" && !strings.Contains(err.Error(), tt.err):
				t.Errorf("error %q, want one containing %q", err, tt.err)
			}
			if tt.name == "failing sh command" {
				if _, err := os.Stat(filepath.Join(s.dir, "after.txt")); err == nil {
					t.Error("the sh block went on after a failing command")
				}
			}
		})
	}
}
