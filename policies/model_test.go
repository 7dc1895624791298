package policies_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/policies"
)

func TestLoadModelEmbedded(t *testing.T) {
	m, err := policies.LoadModel("")
	if err != nil {
		t.Fatalf("LoadModel(\"\"): %v", err)
	}
	if got, want := m["m"]["m"].Value, `r_obj == p_obj && hasPrincipal(r_sub, p_sub) && (p_act == "*" || p_act == r_act)`; got != want {
		t.Errorf("matcher = %q, want %q", got, want)
	}
	// Each call returns a model of its own.
	again, err := policies.LoadModel("")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddPolicy("p", "p", []string{"a", "/", "view", "allow"}); err != nil {
		t.Fatal(err)
	}
	if n := len(again["p"]["p"].Policy); n != 0 {
		t.Errorf("second model has %d rows after adding one to the first, want 0", n)
	}
}

func TestLoadModelInvalid(t *testing.T) {
	good := policies.DefaultModel()
	tests := []struct {
		name, old, new string
		wantProblems   int
	}{
		{"no matchers section", "[matchers]", "[matcher]", 1},
		{"request without act", "r = sub, obj, act", "r = sub, obj", 1},
		{"request in another order", "r = sub, obj, act", "r = obj, sub, act", 1},
		{"policy without effect", "p = sub, obj, act, eft", "p = sub, obj, act", 1},
		{"policy with priority", "p = sub, obj, act, eft", "p = priority, sub, obj, act, eft", 1},
		{"allow-override effect", "priority(p.eft) || deny", "some(where (p.eft == allow))", 1},
		{"deny-override effect", "priority(p.eft) || deny", "!some(where (p.eft == deny))", 1},
		{"matcher comparing principals as strings", "hasPrincipal(r.sub, p.sub)", "r.sub == p.sub", 1},
		{"role definition with domains", "g = _, _", "g = _, _, _", 1},
		{"two problems", "r = sub, obj, act", "r = sub, obj", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(good, tt.old, tt.new, 1)
			if tt.name == "two problems" {
				text = strings.Replace(text, "priority(p.eft) || deny", "some(where (p.eft == allow))", 1)
			}
			path := filepath.Join(t.TempDir(), "model.conf")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			m, err := policies.LoadModel(path)
			if !errors.Is(err, policies.ErrModel) {
				t.Fatalf("LoadModel = %v, %v; want an error matching ErrModel", m, err)
			}
			if m != nil {
				t.Errorf("LoadModel returned a model with its error")
			}
			if got := strings.Count(err.Error(), "\n") + 1; got != tt.wantProblems {
				t.Errorf("LoadModel reported %d problems, want %d:\n%v", got, tt.wantProblems, err)
			}
		})
	}
	t.Run("good", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "model.conf")
		if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := policies.LoadModel(path); err != nil {
			t.Errorf("LoadModel: %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := policies.LoadModel(filepath.Join(t.TempDir(), "nope.conf"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("LoadModel(missing) error = %v, want one matching fs.ErrNotExist", err)
		}
	})
}

func TestDefaultModel(t *testing.T) {
	if !strings.Contains(policies.DefaultModel(), "[matchers]") {
		t.Errorf("DefaultModel() = %q, want the model.conf text", policies.DefaultModel())
	}
}
