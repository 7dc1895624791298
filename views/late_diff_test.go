package views

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// lateOp is one registration of TestLateViewsDifferential, replayed on a
// plain Echo.
type lateOp struct {
	kind   string // view, direct, nf, group
	method string
	path   string
	prefix string
	tag    string
}

func randomPattern(r *rand.Rand, slash bool) string {
	segs := []string{"a", "b", ":id", ":name", "*", ":id\\:v", "a\\:v"}
	n := 1 + r.IntN(3)
	var b []string
	for i := 0; i < n; i++ {
		s := segs[r.IntN(len(segs))]
		b = append(b, s)
		if s == "*" {
			break
		}
	}
	p := strings.Join(b, "/")
	if slash || r.IntN(3) > 0 {
		p = "/" + p
	}
	if !slash && r.IntN(10) == 0 {
		p = ""
	}
	return p
}

func sayTag(s string) echo.HandlerFunc {
	return func(c echo.Context) error { return c.String(http.StatusOK, s) }
}

func plainEcho(ops []lateOp) *echo.Echo {
	e := echo.New()
	for _, o := range ops {
		switch o.kind {
		case "view", "direct", "late":
			e.Add(o.method, o.path, sayTag(o.tag))
		case "nf":
			e.RouteNotFound(o.path, sayTag("nf"))
		case "group":
			g := e.Group(o.prefix, func(n echo.HandlerFunc) echo.HandlerFunc { return n })
			g.GET(o.path, sayTag(o.tag))
		}
	}
	return e
}

func answerOf(h http.Handler, method, target string) string {
	req := httptest.NewRequest(method, target, nil)
	req.Header.Set("X-Who", "alice")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		return fmt.Sprint(rec.Code)
	}
	return rec.Body.String()
}

// With views, routes on Echo directly, not-found routes and groups
// registered at random, then late views, Views serves a view exactly when
// a plain Echo with the same routes in the same order serves it, with the
// late views and without: any other request gets no view.
func TestLateViewsDifferential(t *testing.T) {
	fails, diff, served := 0, 0, 0
	defer func() { t.Logf("late changed a view request: %d, view served: %d", diff, served) }()
	for seed := range 2000 {
		if fails >= 5 {
			break
		}
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		e := echo.New()
		v, err := New(e, Config{Authn: byHeader, Authz: permitIf("alice", "view"),
			NotFound: sayTag("NOTFOUND")})
		if err != nil {
			t.Fatal(err)
		}
		var ops []lateOp
		views := map[string]bool{}
		methods := []string{"GET", "POST"}
		for i := 0; i < 2+r.IntN(5); i++ {
			m := methods[r.IntN(2)]
			switch k := r.IntN(10); {
			case k < 5:
				p := randomPattern(r, true)
				tag := fmt.Sprintf("v%d", i)
				v.Add(Route{Method: m, Path: p, Permission: "view", Handler: sayTag(tag)})
				if !views[m+p] {
					views[m+p] = true
					ops = append(ops, lateOp{kind: "view", method: m, path: p, tag: tag})
				}
			case k < 7:
				p := randomPattern(r, false)
				e.Add(m, p, sayTag("d"))
				ops = append(ops, lateOp{kind: "direct", method: m, path: p, tag: "d"})
			case k < 8:
				p := randomPattern(r, false)
				e.RouteNotFound(p, sayTag("nf"))
				ops = append(ops, lateOp{kind: "nf", path: p})
			default:
				pre := "/" + []string{"a", "b", "a/:id"}[r.IntN(3)]
				p := randomPattern(r, false)
				g := e.Group(pre, func(n echo.HandlerFunc) echo.HandlerFunc { return n })
				g.GET(p, sayTag("g"))
				ops = append(ops, lateOp{kind: "group", prefix: pre, path: p, tag: "g"})
			}
		}
		answerOf(e, "GET", "/freeze")
		now := plainEcho(ops)
		all := ops
		for i := 0; i < 1+r.IntN(3); i++ {
			m := methods[r.IntN(2)]
			p := randomPattern(r, false)
			v.Add(Route{Method: m, Path: p, Permission: "view", Handler: sayTag("late")})
			np := p
			if !strings.HasPrefix(np, "/") {
				np = "/" + np
			}
			if !views[m+np] {
				all = append(all, lateOp{kind: "late", method: m, path: np, tag: "L"})
			}
		}
		would := plainEcho(all)
		reqSegs := []string{"a", "b", "7", "x", "7:v", "a:v"}
		for j := 0; j < 40; j++ {
			n := r.IntN(4)
			var b []string
			for k := 0; k < n; k++ {
				b = append(b, reqSegs[r.IntN(6)])
			}
			target := "/" + strings.Join(b, "/")
			if n > 0 && r.IntN(4) == 0 {
				target += "/"
			}
			m := methods[r.IntN(2)]
			n1, n2 := answerOf(now, m, target), answerOf(would, m, target)
			want := "NOT-VIEW"
			if strings.HasPrefix(n1, "v") && n1 == n2 {
				want = n1
			}
			if strings.HasPrefix(n1, "v") && n1 != n2 {
				diff++
			} else if want != "NOT-VIEW" {
				served++
			}
			got := answerOf(e, m, target)
			if !strings.HasPrefix(got, "v") {
				got = "NOT-VIEW"
			}
			if got != want {
				fails++
				t.Errorf("seed %d: %s %s: got %s want %s (now %s, would %s)\nops %+v", seed, m, target, got, want, n1, n2, all)
				break
			}
		}
	}
}
