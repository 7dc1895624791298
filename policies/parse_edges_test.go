package policies_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/policies"
)

// A field with an invisible format character (zero-width space, word
// joiner, soft hyphen) looks like another principal: refused.
func TestInvisibleCharacterInField(t *testing.T) {
	for _, r := range []string{"\u200b", "\u2060", "\u00ad"} {
		data := "p, group:twilio, /, view, allow\np, group:twilio" + r + ", /admin, *, deny\n"
		if _, err := policies.Parse("t.csv", []byte(data)); !errors.Is(err, policies.ErrCharacter) {
			t.Errorf("Parse with %U in a principal: %v, want ErrCharacter", []rune(r)[0], err)
		}
	}
}

// A shadowed row names the first row that shadows it.
func TestLintShadowNamesFirstRow(t *testing.T) {
	for _, data := range []string{
		"p, group:a, /, *, allow\np, group:a, /, view, deny\np, group:a, /, view, allow\n",
		"p, group:a, /, *, allow\np, group:a, /, *, deny\np, group:a, /, view, deny\n",
	} {
		errs := policies.Lint("t.csv", []byte(data))
		if len(errs) != 2 || errs[1].Line != 3 || !errors.Is(errs[1], policies.ErrShadowed) ||
			!strings.Contains(errs[1].Error(), "line 1 (") {
			t.Errorf("Lint(%q) = %v; want line 3 shadowed by line 1", data, errs)
		}
	}
}

// The expectation of a test row is exactly allow or deny.
func TestTestExpectExact(t *testing.T) {
	for _, e := range []string{"Deny", "DENY", "Allow"} {
		if _, err := policies.ParseTests("t.txt", []byte(e+", /, view, group:twilio\n")); !errors.Is(err, policies.ErrExpect) {
			t.Errorf("ParseTests with %q: %v, want ErrExpect", e, err)
		}
	}
}
