package docs_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestOutputPattern(t *testing.T) {
	tests := []struct {
		want []string
		got  string
		ok   bool
	}{
		{nil, "", true},
		{nil, "x\n", false},
		{[]string{"ok"}, "ok\n", true},
		{[]string{"ok"}, "ok\nmore\n", false},
		{[]string{"ok"}, "not ok\n", false},
		{[]string{"a ... c"}, "a b c\n", true},
		{[]string{"a ... c"}, "a c\n", false},
		{[]string{"a...c"}, "ac\n", true},
		{[]string{"a...c"}, "a\nc\n", false},
		{[]string{"first", "...", "last"}, "first\nlast\n", true},
		{[]string{"first", "...", "last"}, "first\n1\n2\nlast\n", true},
		{[]string{"first", "...", "last"}, "first\n1\n2\n", false},
		{[]string{"..."}, "", true},
		{[]string{"..."}, "anything\nat all\n", true},
		{[]string{"x.y*z"}, "x.y*z\n", true},
		{[]string{"x.y*z"}, "xay*z\n", false},
		{[]string{"[1]"}, "[1]\n", true},
	}
	for _, tt := range tests {
		if got := outputPattern(tt.want).MatchString(tt.got); got != tt.ok {
			t.Errorf("outputPattern(%q).MatchString(%q) = %v, want %v", tt.want, tt.got, got, tt.ok)
		}
	}
}

func TestNormalizeOutput(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "a\n"},
		{"a  \nb\t\r\n", "a\nb\n"},
		{"\n", "\n"},
	}
	for _, tt := range tests {
		if got := normalizeOutput(tt.in); got != tt.want {
			t.Errorf("normalizeOutput(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithPorts(t *testing.T) {
	ports := map[string]string{"0": "41000", "1": "41001"}
	tests := []struct{ in, want string }{
		{"curl localhost:8080/healthz", "curl localhost:41000/healthz"},
		{"--listen :8081 and :8080", "--listen :41001 and :41000"},
		{"port 8080 alone, :80800, :18080", "port 8080 alone, :80800, :18080"},
	}
	for _, tt := range tests {
		if got := withPorts(tt.in, ports); got != tt.want {
			t.Errorf("withPorts(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseBlocks(t *testing.T) {
	const fence = "```"
	tests := []struct {
		name, doc string
		kinds     []string
		err       string
	}{
		{"kinds", "text\n" + fence + "sh\necho hi\n" + fence + "\n" + fence + "console\n$ true\n" + fence + "\n<!-- file: p.csv -->\n" + fence + "csv\np, a, /, view, allow\n" + fence + "\n<!-- code: x/y.go -->\n" + fence + "go\nx := 1\n" + fence + "\n",
			[]string{kindSh, kindConsole, kindFile, kindGo}, ""},
		{"indented", "1. step\n   " + fence + "sh\n   echo hi\n   " + fence + "\n", []string{kindSh}, ""},
		{"bare", fence + "\nplain\n" + fence + "\n", nil, "not exercised"},
		{"text", fence + "text\nplain\n" + fence + "\n", nil, "not exercised"},
		{"unclosed", fence + "sh\necho\n", nil, "never closed"},
		{"go without source", fence + "go\nx := 1\n" + fence + "\n", nil, "<!-- code: PATH -->"},
		{"file without language", "<!-- file: a -->\n" + fence + "\nx\n" + fence + "\n", nil, "language"},
		{"file in a directory", "<!-- file: ../a -->\n" + fence + "csv\nx\n" + fence + "\n", nil, "plain file name"},
		{"tilde fence", "~~~sh\necho hi\n~~~\n", nil, "~~~ fence"},
		{"sh block of comments only", fence + "sh\n# nothing\n\n" + fence + "\n", nil, "runs nothing"},
		{"empty console block", fence + "console\n" + fence + "\n", nil, "runs nothing"},
	}
	for _, tt := range tests {
		blocks, err := parseBlocks(tt.name, []byte(tt.doc))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var kinds []string
		for _, b := range blocks {
			kinds = append(kinds, b.kind)
		}
		if strings.Join(kinds, ",") != strings.Join(tt.kinds, ",") {
			t.Errorf("%s: kinds %v, want %v", tt.name, kinds, tt.kinds)
		}
	}
}

func TestParseConsole(t *testing.T) {
	b := block{doc: "d.md", line: 10, kind: kindConsole, text: "$ one \\\n  --flag\nout 1\nout 2\n$ two\n[1]\n$ three\n"}
	cmds, err := parseConsole(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []command{
		{line: 11, text: "one \\\n  --flag", want: []string{"out 1", "out 2"}},
		{line: 15, text: "two", status: 1},
		{line: 17, text: "three"},
	}
	if len(cmds) != len(want) {
		t.Fatalf("got %d commands, want %d", len(cmds), len(want))
	}
	for i, c := range cmds {
		w := want[i]
		if c.line != w.line || c.text != w.text || c.status != w.status || strings.Join(c.want, "|") != strings.Join(w.want, "|") {
			t.Errorf("command %d = line %d %q want %q status %d; want line %d %q want %q status %d", i, c.line, c.text, c.want, c.status, w.line, w.text, w.want, w.status)
		}
	}
	for _, bad := range []string{"output first\n$ cmd\n", "$ cmd\n[1]\nmore\n", "$ \nout\n"} {
		if _, err := parseConsole(block{doc: "d.md", text: bad}); err == nil {
			t.Errorf("parseConsole(%q) accepted it", bad)
		}
	}
}

func TestSessionReplacements(t *testing.T) {
	doc := "# T\n<!-- session-replace: bench/run => QUICK=1 bench/run -->\n<!-- session-replace: -count 6 => -count 1 -->\nrun `bench/run` with -count 6\n"
	got, err := sessionReplacements("d.md", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []replacement{{"bench/run", "QUICK=1 bench/run"}, {"-count 6", "-count 1"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sessionReplacements = %v, want %v", got, want)
	}
	for _, bad := range []string{
		"<!-- session-replace: a b -->\na b\n",          // no =>
		"<!-- session-replace: absent => x -->\ntext\n", // OLD only in the comment
		"<!-- session-replace:  => x -->\n",
	} {
		if _, err := sessionReplacements("d.md", []byte(bad)); err == nil {
			t.Errorf("sessionReplacements(%q) accepted it", bad)
		}
	}
}
