package docs_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestPackageImports holds each package's non-test imports to DESIGN.md's
// "Packages" table: who may import what. A package's own subpackages are
// its own (views/twiml is views'); the standard library is open to all.
// config also takes spf13/pflag, the flag package Viper's API binds flags
// from, and go.yaml.in/yaml/v3, Viper's own YAML parser, to refuse a file
// of several documents: a deviation from the table, which the README's
// "Layout" states (a line scanner in its place was shown to let such
// files through).
func TestPackageImports(t *testing.T) {
	const mod = "github.com/gatehouse/gatehouse/"
	allowed := map[string][]string{
		"authn":         nil,
		"authz":         {"github.com/casbin/casbin/v2"},
		"policies":      {"github.com/casbin/casbin/v2"},
		"config":        {"github.com/spf13/viper", "github.com/spf13/pflag", "go.yaml.in/yaml/v3"},
		"views":         {"github.com/labstack/echo/v4", mod + "authn", mod + "authz"},
		"cmd/gatehouse": {mod + "app"},
	}
	for pkg, may := range allowed {
		root := filepath.Join("..", filepath.FromSlash(pkg))
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, spec := range f.Imports {
				imp, _ := strconv.Unquote(spec.Path.Value)
				first, _, _ := strings.Cut(imp, "/")
				switch {
				case imp == "C": // cgo, which no table allows
					t.Errorf("%s imports C; DESIGN.md allows cgo nowhere", path)
				case !strings.Contains(first, "."): // the standard library
				case imp == mod+pkg || strings.HasPrefix(imp, mod+pkg+"/"): // its own subpackages
				case slices.ContainsFunc(may, func(m string) bool { return imp == m || strings.HasPrefix(imp, m+"/") }):
				default:
					t.Errorf("%s imports %s; DESIGN.md lets %s import only the standard library and %v", path, imp, pkg, may)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
