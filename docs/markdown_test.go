package docs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The kinds of fenced block a document may hold; see "How the docs are
// tested" in the README.
const (
	kindSh      = "sh"      // run by bash; every command must succeed
	kindConsole = "console" // $ commands and their expected output
	kindFile    = "file"    // written to a file the session then uses
	kindGo      = "go"      // an excerpt of a Go file that go test runs
)

// block is one fenced code block of a markdown document.
type block struct {
	doc  string // the document's path, for messages
	line int    // the line of the opening fence, 1-based
	kind string
	lang string // the fence's info string
	path string // kindFile: the file to write; kindGo: the file quoted
	text string // the content, without the fences and their indentation
}

func (b block) String() string { return fmt.Sprintf("%s:%d", b.doc, b.line) }

var (
	fenceRE   = regexp.MustCompile("^( *)(```+)(.*)$")
	tildeRE   = regexp.MustCompile("^ *~~~")
	fileRE    = regexp.MustCompile(`^ *<!-- file: (\S+) -->$`)
	codeRE    = regexp.MustCompile(`^ *<!-- code: (\S+) -->$`)
	replaceRE = regexp.MustCompile(`(?m)^<!-- session-replace: (.*) -->$`)
	statusRE  = regexp.MustCompile(`^\[([0-9]+)\]$`)
	portRE    = regexp.MustCompile(`:808([0-9])\b`)
	ellipsis  = "..."
	continued = `\`
)

// parseBlocks returns the fenced blocks of a markdown document, or an
// error naming the first block that follows none of the rules.
func parseBlocks(doc string, data []byte) ([]block, error) {
	lines := strings.Split(string(data), "\n")
	var blocks []block
	for i := 0; i < len(lines); i++ {
		if tildeRE.MatchString(lines[i]) {
			return nil, fmt.Errorf("%s:%d: a ~~~ fence: write code blocks with ``` so that the test runs them", doc, i+1)
		}
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent, fence, info := m[1], m[2], strings.TrimSpace(m[3])
		b := block{doc: doc, line: i + 1, lang: info}
		var body []string
		j := i + 1
		for ; j < len(lines); j++ {
			if strings.TrimRight(lines[j], " ") == indent+fence {
				break
			}
			body = append(body, strings.TrimPrefix(lines[j], indent))
		}
		if j == len(lines) {
			return nil, fmt.Errorf("%s: the block is never closed", b)
		}
		b.text = strings.Join(body, "\n") + "\n"
		prev := ""
		if i > 0 {
			prev = lines[i-1]
		}
		switch fm, cm := fileRE.FindStringSubmatch(prev), codeRE.FindStringSubmatch(prev); {
		case fm != nil:
			if info == "" || info == kindSh || info == kindConsole || info == kindGo {
				return nil, fmt.Errorf("%s: a file block needs the file's language as its info string (yaml, csv, json, ...), not %q", b, info)
			}
			name := fm[1]
			if filepath.IsAbs(name) || strings.Contains(name, "..") || strings.ContainsAny(name, `/\`) {
				return nil, fmt.Errorf("%s: file block name %q must be a plain file name in the working directory", b, name)
			}
			b.kind, b.path = kindFile, name
		case info == kindGo:
			if cm == nil {
				return nil, fmt.Errorf("%s: a go block must follow a line <!-- code: PATH --> naming the Go file it quotes", b)
			}
			b.kind, b.path = kindGo, cm[1]
		case info == kindSh || info == kindConsole:
			b.kind = info
			if !hasCommand(b.text) {
				return nil, fmt.Errorf("%s: the %s block runs nothing", b, info)
			}
		default:
			return nil, fmt.Errorf("%s: block with info string %q is not exercised by any test: use sh, console, go after <!-- code: PATH -->, or a file block after <!-- file: NAME -->", b, info)
		}
		blocks = append(blocks, b)
		i = j
	}
	return blocks, nil
}

// replacement is a document's <!-- session-replace: OLD => NEW -->: the
// session runs its commands, file blocks and expected output with OLD
// replaced by NEW, as it does for ports. It lets measurement commands run
// briefly as smoke tests while the document shows the real command.
type replacement struct{ old, new string }

// sessionReplacements returns a document's replacements.
func sessionReplacements(doc string, data []byte) ([]replacement, error) {
	var reps []replacement
	rest := replaceRE.ReplaceAllString(string(data), "")
	for _, m := range replaceRE.FindAllStringSubmatch(string(data), -1) {
		old, new, ok := strings.Cut(m[1], " => ")
		if old = strings.TrimSpace(old); !ok || old == "" || !strings.Contains(rest, old) {
			return nil, fmt.Errorf("%s: session-replace %q is not OLD => NEW with OLD in the document", doc, m[1])
		}
		reps = append(reps, replacement{old, strings.TrimSpace(new)})
	}
	return reps, nil
}

// hasCommand reports whether a block holds a line that is neither blank
// nor a comment.
func hasCommand(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return true
		}
	}
	return false
}

// command is one $ command of a console block with what it must print.
type command struct {
	block  block
	line   int    // the line of the $ in the document
	text   string // the command, continuation lines included
	want   []string
	status int
}

// parseConsole splits a console block into its commands.
func parseConsole(b block) ([]command, error) {
	lines := strings.Split(strings.TrimSuffix(b.text, "\n"), "\n")
	var cmds []command
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.HasPrefix(l, "$ ") {
			if len(cmds) == 0 {
				return nil, fmt.Errorf("%s: a console block starts with a \"$ \" command line, not %q", b, l)
			}
			c := &cmds[len(cmds)-1]
			c.want = append(c.want, strings.TrimRight(l, " \t"))
			continue
		}
		c := command{block: b, line: b.line + 1 + i, text: strings.TrimPrefix(l, "$ ")}
		if strings.TrimSpace(c.text) == "" {
			return nil, fmt.Errorf("%s:%d: an empty command", b.doc, c.line)
		}
		for strings.HasSuffix(lines[i], continued) && i+1 < len(lines) {
			i++
			c.text += "\n" + lines[i]
		}
		cmds = append(cmds, c)
	}
	for k := range cmds {
		c := &cmds[k]
		if n := len(c.want); n > 0 {
			if m := statusRE.FindStringSubmatch(c.want[n-1]); m != nil {
				c.status, _ = strconv.Atoi(m[1])
				c.want = c.want[:n-1]
			}
		}
		for _, w := range c.want {
			if statusRE.MatchString(w) {
				return nil, fmt.Errorf("%s:%d: the exit status line %s must be the command's last line", b.doc, c.line, w)
			}
		}
	}
	return cmds, nil
}

// outputPattern compiles expected output lines into a regular expression
// over the whole output: "..." inside a line matches any text on that
// line, and a line that is exactly "..." matches any number of lines.
func outputPattern(want []string) *regexp.Regexp {
	var sb strings.Builder
	sb.WriteString(`\A`)
	for _, w := range want {
		if w == ellipsis {
			sb.WriteString(`(?:.*\n)*?`)
			continue
		}
		parts := strings.Split(w, ellipsis)
		for k, p := range parts {
			if k > 0 {
				sb.WriteString(`.*`)
			}
			sb.WriteString(regexp.QuoteMeta(p))
		}
		sb.WriteString(`\n`)
	}
	sb.WriteString(`\z`)
	return regexp.MustCompile(sb.String())
}

// normalizeOutput ends every line with one newline and drops trailing
// blanks, as the expected output in a markdown block has them.
func normalizeOutput(out string) string {
	if out == "" {
		return ""
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.Join(lines, "\n") + "\n"
}

// withPorts replaces the documents' ports :8080 to :8089 with the ports
// of this run.
func withPorts(s string, ports map[string]string) string {
	return portRE.ReplaceAllStringFunc(s, func(m string) string {
		return ":" + ports[m[len(m)-1:]]
	})
}

// documents lists the markdown files whose blocks are run: every one of
// the repository (README.md first), wherever it is, but those of
// dependencies (node_modules) and test data, so that no document escapes.
func documents(root string) ([]string, error) {
	files, err := repoFiles(root)
	if err != nil {
		return nil, err
	}
	docs := []string{"README.md"}
	for _, f := range files {
		f = filepath.ToSlash(f)
		if !strings.HasSuffix(f, ".md") || f == "README.md" ||
			strings.Contains("/"+f, "/node_modules/") || strings.Contains("/"+f, "/testdata/") {
			continue
		}
		docs = append(docs, f)
	}
	sort.Strings(docs[1:])
	return docs, nil
}

// readDoc reads a document named relative to the repository root.
func readDoc(doc string) ([]byte, error) {
	return os.ReadFile(filepath.Join("..", doc))
}
