package authn

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The functions that compare a secret with what a request carries do it
// the only way a test can hold them to without timing anything: through
// crypto/subtle (at least as many calls as there are things to compare),
// with straight-line code around it: no if, switch, &&, || or loop
// condition that could skip a comparison, no return but the last
// statement, no break or continue, and no other comparison (==, !=
// against anything but a literal: subtle's answer). A variable-time
// comparison, a search that stops at the first matching token, or a
// Basic check that skips the password when the user name is wrong fails
// here, though every test of what these functions answer would still
// pass.
func TestSecretComparisonsConstantTime(t *testing.T) {
	for _, tt := range []struct {
		file, fn string
		compares int // subtle.ConstantTimeCompare calls, at least
	}{
		{"twilio.go", "signs", 1},
		{"basic.go", "matches", 2},
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, tt.file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var body *ast.BlockStmt
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == tt.fn {
				body = fd.Body
			}
		}
		if body == nil || len(body.List) == 0 {
			t.Fatalf("%s: no function %s", tt.file, tt.fn)
		}
		last := body.List[len(body.List)-1]
		calls := 0
		ast.Inspect(body, func(n ast.Node) bool {
			bad := ""
			switch n := n.(type) {
			case *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.ForStmt, *ast.BranchStmt, *ast.GoStmt, *ast.DeferStmt:
				bad = fmt.Sprintf("%T", n)
			case *ast.ReturnStmt:
				if n != last {
					bad = "a return before the end"
				}
			case *ast.BinaryExpr:
				switch n.Op {
				case token.LAND, token.LOR:
					bad = n.Op.String()
				case token.EQL, token.NEQ:
					if _, lit := n.Y.(*ast.BasicLit); !lit {
						bad = n.Op.String() + " on something other than subtle's answer"
					}
				}
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok {
					switch {
					case x.Name == "subtle" && n.Sel.Name == "ConstantTimeCompare":
						calls++
					case x.Name == "bytes" || x.Name == "strings" || x.Name == "slices" || x.Name == "reflect":
						bad = x.Name + "." + n.Sel.Name
					}
				}
			}
			if bad != "" {
				t.Errorf("%s: %s has %s at %s", tt.file, tt.fn, bad, fset.Position(n.Pos()))
			}
			return true
		})
		if calls < tt.compares {
			t.Errorf("%s: %s calls subtle.ConstantTimeCompare %d times, want at least %d", tt.file, tt.fn, calls, tt.compares)
		}
	}
}

// Every comparison of a secret through crypto/subtle compares the whole of
// both values: each operand is an array sliced whole (x[:]). A comparison
// of a prefix (x[:2]), which no test of a wrong signature or password
// could tell from the real one (a random wrong value differs early), fails
// here. The signature and body hash are also held to every byte by
// TestEveryByteCounts.
func TestSecretComparisonsWhole(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "subtle" || sel.Sel.Name != "ConstantTimeCompare" {
				return true
			}
			calls++
			for _, arg := range call.Args {
				if s, ok := arg.(*ast.SliceExpr); !ok || s.Low != nil || s.High != nil || s.Max != nil {
					t.Errorf("%s: an operand of subtle.ConstantTimeCompare is not a whole array x[:]", fset.Position(arg.Pos()))
				}
			}
			return true
		})
	}
	if calls < 4 { // signs, bodyHashMatches, and Basic's user name and password
		t.Errorf("found %d calls of subtle.ConstantTimeCompare, want at least 4", calls)
	}
}
