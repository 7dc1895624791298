package config

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestOneYAMLDocument(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		ok         bool
	}{
		{"empty", "", true},
		{"one document", "listen: \":1\"\n", true},
		{"started with ---", "---\nlisten: \":1\"\n", true},
		{"directive, then ---", "%YAML 1.2\n---\nlisten: \":1\"\n", true},
		{"comment, then ---", "# settings\n--- # the one document\nlisten: \":1\"\n", true},
		{"ended with ...", "listen: \":1\"\n...\n# end\n", true},
		{"a trailing ---", "listen: \":1\"\n---\n", true},
		{"a trailing --- and a comment", "listen: \":1\"\n---\n# nothing more\n\n", true},
		{"CRLF and a BOM", "\ufeff---\r\nlisten: \":1\"\r\n---\r\n", true},
		{"--- indented, inside a block scalar", "apology:\n  text: |\n    ---\n    sorry\n", true},
		{"markers without white space after them", "a: ---x\nb: ...y\n----: 1\n", true},
		{"a plain scalar holding ---", "apology:\n  text: a --- b\n", true},

		{"two documents", "listen: \":9000\"\n---\npublc_url: https://ivr.example.com\n", false},
		{"two documents, the first empty", "---\n---\nlisten: \":9000\"\n", false},
		{"content on the --- line", "a: 1\n--- b\n", false},
		{"a tab after ---", "a: 1\n---\tb: 2\n", false},
		{"content after ...", "a: 1\n...\nb: 2\n", false},
		{"... then ---", "a: 1\n...\n%TAG ! tag:x,2026:\n---\nb: 2\n", false},
		{"bad YAML in a second document", "listen: \":9000\"\n---\nlisten: [\n", false},
		{"a second document of null", "a: 1\n---\nnull\n", false},
		{"CRLF", "a: 1\r\n---\r\nb: 2\r\n", false},
		{"lone CRs", "a: 1\r---\rb: 2\r", false},
		{"NEL", "a: 1\u0085---\u0085b: 2\n", false},
		{"LS", "a: 1\u2028---\u2028b: 2\n", false},
		{"PS", "a: 1\u2029...\u2029b: 2\n", false},
		{"--- at column 0 ends a block scalar", "apology:\n  text: |\n    sorry\n---\nb: 2\n", false},
	} {
		err := oneYAMLDocument([]byte(tt.data))
		if ok := err == nil; ok != tt.ok {
			t.Errorf("%s: oneYAMLDocument(%q) = %v, want accepted: %v", tt.name, tt.data, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: error %v, want ErrSyntax", tt.name, err)
		}
	}
}

// yamlDocuments is the oracle for FuzzOneYAMLDocument: how many documents
// a YAML parser finds in data that hold any node (an empty document holds
// only an implicit null), and whether it parsed all of data.
func yamlDocuments(data []byte) (docs []bool, ok bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		switch err := dec.Decode(&doc); {
		case err == io.EOF:
			return docs, true
		case err != nil:
			return docs, false
		}
		held := false
		for _, n := range doc.Content {
			if n.Kind != yaml.ScalarNode || n.Tag != "!!null" || n.Value != "" {
				held = true
			}
		}
		docs = append(docs, held)
	}
}

// FuzzOneYAMLDocument holds oneYAMLDocument's line scan to a YAML parser:
// on any data the parser reads whole, the scan refuses it exactly when a
// document after the first holds something.
func FuzzOneYAMLDocument(f *testing.F) {
	for _, s := range []string{
		"listen: \":1\"\n", "---\na: 1\n---\n", "a: 1\n...\nb: 2\n", "a: |\n  ---\n", "%YAML 1.2\n---\na: 1\n",
		"a: 1\n--- # c\n", "- a\n---\n- b\n", "a: \"x\n  y\"\n", "? a\n: b\n", "--- |\n  x\n", "a: [1,\n 2]\n...\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, ok := yamlDocuments(data)
		if !ok || bytes.Contains(data, []byte("\ufeff")) {
			return // the parser refuses it (as Viper will), or reads a BOM its own way
		}
		more := false
		for _, held := range docs[min(1, len(docs)):] {
			more = more || held
		}
		if err := oneYAMLDocument(data); (err != nil) != more {
			t.Errorf("oneYAMLDocument(%q) = %v; the parser found documents %v", data, err, docs)
		}
	})
}
