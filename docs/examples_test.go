package docs_test

import (
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// interfaceMethods are the methods a type has to satisfy a standard
// interface (error, fmt.Stringer, fmt.Formatter, json.Marshaler, ...). The
// example of their type shows them; they need none of their own.
var interfaceMethods = map[string]bool{
	"Error": true, "Unwrap": true, "String": true, "Format": true, "GoString": true,
	"MarshalJSON": true, "MarshalText": true, "LogValue": true,
}

// TestEveryEntryPointHasAnExample: in every library package (not
// cmd/..., internal/..., bench/..., examples/...), every exported function
// and method has a runnable Example named for it, every exported type is
// used in the code of an Example, and the package has a doc comment, so
// that go doc and pkg.go.dev read as a manual whose examples run.
func TestEveryEntryPointHasAnExample(t *testing.T) {
	dirs, err := libraryDirs("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 7 {
		t.Fatalf("found %d library packages (%v), want at least 7", len(dirs), dirs)
	}
	for _, dir := range dirs {
		pkg, examples, err := loadPackage(dir)
		if err != nil {
			t.Fatal(err)
		}
		if pkg == nil {
			continue
		}
		if len(strings.TrimSpace(pkg.Doc)) < 200 {
			t.Errorf("%s: the package doc comment has %d characters; it should say what the package is for and how to use it", dir, len(strings.TrimSpace(pkg.Doc)))
		}
		// named: the identifiers used by the examples named for each
		// entry point (ExampleF and ExampleF_suffix are both F's).
		named := map[string]map[string]bool{}
		used := map[string]bool{}
		for _, e := range examples {
			if e.Output == "" && !e.EmptyOutput {
				t.Errorf("%s: Example%s has no // Output: comment, so it is compiled but never run", dir, e.Name)
			}
			idents := map[string]bool{}
			ast.Inspect(e.Code, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					idents[id.Name] = true
					used[id.Name] = true
				}
				return true
			})
			base := e.Name
			if i := strings.LastIndex(e.Name, "_"); i > 0 && i+1 < len(e.Name) && isLower(e.Name[i+1]) {
				base = e.Name[:i]
			}
			if named[base] == nil {
				named[base] = map[string]bool{}
			}
			for id := range idents {
				named[base][id] = true
			}
		}
		var missing []string
		// need: an example named for the entry point that calls it (uses
		// the function's or the method's name).
		need := func(name, ident string) {
			switch {
			case named[name] == nil:
				missing = append(missing, "Example"+name)
			case !named[name][ident]:
				t.Errorf("%s: Example%s never uses %s", dir, name, ident)
			}
		}
		for _, f := range pkg.Funcs {
			need(f.Name, f.Name)
		}
		for _, typ := range pkg.Types {
			if !used[typ.Name] {
				t.Errorf("%s: no Example uses the type %s", dir, typ.Name)
			}
			for _, f := range typ.Funcs {
				need(f.Name, f.Name)
			}
			for _, m := range typ.Methods {
				if !interfaceMethods[m.Name] && ast.IsExported(m.Name) {
					need(typ.Name+"_"+m.Name, m.Name)
				}
			}
		}
		sort.Strings(missing)
		for _, m := range missing {
			t.Errorf("%s: no runnable %s", dir, m)
		}
	}
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// libraryDirs returns the module's library package directories.
func libraryDirs(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		top := strings.Split(filepath.ToSlash(rel), "/")[0]
		switch {
		case rel == ".":
			return nil
		case strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules":
			return filepath.SkipDir
		case top == "cmd" || top == "internal" || top == "bench" || top == "examples" || top == "docs":
			return filepath.SkipDir
		}
		if gos, _ := filepath.Glob(filepath.Join(path, "*.go")); len(gos) > 0 {
			dirs = append(dirs, path)
		}
		return nil
	})
	return dirs, err
}

// loadPackage parses a directory's exported API and its examples.
func loadPackage(dir string) (*doc.Package, []*doc.Example, error) {
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	var files, tests []*ast.File
	for _, name := range names {
		// As go test builds the package: files excluded by their build
		// constraints (or name) for this platform do not count.
		if ok, err := build.Default.MatchFile(dir, filepath.Base(name)); err != nil || !ok {
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case strings.HasSuffix(name, "_test.go"):
			tests = append(tests, f)
		case f.Name.Name != "main":
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, nil, nil
	}
	pkg, err := doc.NewFromFiles(fset, files, "example.invalid/"+filepath.ToSlash(dir))
	if err != nil {
		return nil, nil, err
	}
	return pkg, doc.Examples(tests...), nil
}
