package authn

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// The functions that compare a secret with what a request carries do it
// the only way a test can hold them to without timing anything: through
// crypto/subtle, with no other comparison (==, != against anything but a
// literal: subtle's answer) and no way out of a loop before every token or
// credential has been compared. A variable-time comparison, or a search
// that stops at the first matching token, fails here, though every other
// test of what these functions answer would still pass.
func TestSecretComparisonsConstantTime(t *testing.T) {
	for _, tt := range []struct{ file, fn string }{
		{"twilio.go", "signs"},
		{"basic.go", "matches"},
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
		if body == nil {
			t.Fatalf("%s: no function %s", tt.file, tt.fn)
		}
		subtleCalls := 0
		var inspect func(n ast.Node, inLoop bool)
		inspect = func(n ast.Node, inLoop bool) {
			ast.Inspect(n, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ForStmt:
					inspect(n.Body, true)
					return false
				case *ast.RangeStmt:
					inspect(n.Body, true)
					return false
				case *ast.ReturnStmt, *ast.BranchStmt:
					if inLoop {
						t.Errorf("%s: %s leaves its loop early at %s", tt.file, tt.fn, fset.Position(n.Pos()))
					}
				case *ast.BinaryExpr:
					if n.Op == token.EQL || n.Op == token.NEQ {
						if _, lit := n.Y.(*ast.BasicLit); !lit {
							t.Errorf("%s: %s compares with %s at %s: only subtle's answer may be compared", tt.file, tt.fn, n.Op, fset.Position(n.Pos()))
						}
					}
				case *ast.SelectorExpr:
					if x, ok := n.X.(*ast.Ident); ok {
						switch {
						case x.Name == "subtle" && n.Sel.Name == "ConstantTimeCompare":
							subtleCalls++
						case x.Name == "bytes" || x.Name == "strings" || x.Name == "slices" || x.Name == "reflect":
							t.Errorf("%s: %s calls %s.%s at %s", tt.file, tt.fn, x.Name, n.Sel.Name, fset.Position(n.Pos()))
						}
					}
				}
				return true
			})
		}
		inspect(body, false)
		if subtleCalls == 0 {
			t.Errorf("%s: %s does not call subtle.ConstantTimeCompare", tt.file, tt.fn)
		}
	}
}
