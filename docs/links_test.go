package docs_test

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

var (
	linkRE    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	headingRE = regexp.MustCompile(`^#{1,6} +(.+?) *$`)
)

// TestDocLinks: every relative link of every document leads to a file of
// the repository and, with a #fragment, to a heading of that file (by
// GitHub's anchor rules), so that moving or renaming a section cannot
// leave a dead link behind.
func TestDocLinks(t *testing.T) {
	docs, err := documents("..")
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]map[string]bool{} // by slash path from the root
	anchorsOf := func(doc string) map[string]bool {
		if a, ok := anchors[doc]; ok {
			return a
		}
		data, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(doc)))
		if err != nil {
			return nil
		}
		anchors[doc] = headingAnchors(string(data))
		return anchors[doc]
	}
	links := 0
	for _, doc := range docs {
		data, err := readDoc(doc)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range proseLines(string(data)) {
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				file, frag, _ := strings.Cut(target, "#")
				dest := doc
				if file != "" {
					dest = path.Clean(path.Join(path.Dir(doc), file))
					if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(dest))); err != nil {
						t.Errorf("%s:%d: link %s: no file %s", doc, n+1, target, dest)
						continue
					}
				}
				if frag != "" && strings.HasSuffix(dest, ".md") && !anchorsOf(dest)[frag] {
					t.Errorf("%s:%d: link %s: %s has no heading with the anchor #%s", doc, n+1, target, dest, frag)
				}
			}
		}
	}
	if links < 20 {
		t.Errorf("found %d relative links in the documents; the link parser is broken", links)
	}
}

// proseLines returns a document's lines with those inside fenced code
// blocks blanked, keeping line numbers.
func proseLines(doc string) []string {
	lines := strings.Split(doc, "\n")
	in := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			in = !in
			lines[i] = ""
			continue
		}
		if in {
			lines[i] = ""
		}
	}
	return lines
}

// headingAnchors returns the anchors GitHub gives a document's headings:
// lower case, letters, digits, '-' and '_' kept, spaces made '-', other
// characters dropped, and -1, -2, ... added to repeats.
func headingAnchors(doc string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, l := range proseLines(doc) {
		m := headingRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		var sb strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				sb.WriteRune(r)
			case r == ' ':
				sb.WriteByte('-')
			}
		}
		a := sb.String()
		if n := seen[a]; n > 0 {
			anchors[a+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[a] = true
		}
		seen[a]++
	}
	return anchors
}

func TestHeadingAnchors(t *testing.T) {
	doc := "# Gatehouse\n## A five-minute tour\n### `*` and DENY_ALL\n## Checking a policy: `gatehouse policy lint`\n" +
		"```sh\n# not a heading\n```\n## 1. Run it locally\n## Notes\n## Notes\n"
	got := headingAnchors(doc)
	for _, want := range []string{"gatehouse", "a-five-minute-tour", "-and-deny_all", "checking-a-policy-gatehouse-policy-lint", "1-run-it-locally", "notes", "notes-1"} {
		if !got[want] {
			t.Errorf("no anchor %q in %v", want, got)
		}
	}
	if got["not-a-heading"] {
		t.Error("a comment in a code block was taken for a heading")
	}
}
