package views

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authz"
)

// Once the first request has come, Add registers nothing: the view is
// refused, logged and reported by Err, its requests go to the not-found
// view, and Adds from then on, while requests come, neither crash nor race
// (go test -race). (Adds before it, racing the first requests, race in
// Echo's router, as they would without Views.)
func TestAddAfterServingRefused(t *testing.T) {
	var logs bytes.Buffer
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("alice", "view"),
		Logger:   slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)),
		NotFound: func(c echo.Context) error { return c.String(http.StatusOK, "not-found view") }})
	if err != nil {
		t.Fatal(err)
	}
	v.GET("/", "view", func(c echo.Context) error { return c.String(http.StatusOK, "a view") })
	get := func(target string) string {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("X-Who", "alice")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	if body := get("/"); body != "a view" {
		t.Fatalf("GET /: %q", body)
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if body := get("/"); body != "a view" {
				t.Errorf("GET / while views were added: %q", body)
				return
			}
		}
	}()
	for i := range 500 {
		v.GET(fmt.Sprintf("/late%d", i), "view", func(c echo.Context) error { return c.String(http.StatusOK, "late view ran") })
	}
	close(stop)
	wg.Wait()

	if body := get("/late7"); body != "not-found view" {
		t.Errorf("GET /late7: %q, want the not-found view", body)
	}
	if n := len(v.Routes()); n != 1 {
		t.Errorf("%d routes registered, want 1", n)
	}
	err = v.Err()
	if !errors.Is(err, ErrServing) || !strings.Contains(err.Error(), "GET /late499") {
		t.Errorf("Err() = %.200v, want ErrServing for each late view", err)
	}
	if n := strings.Count(logs.String(), `msg="view not registered"`); n != 500 {
		t.Errorf("%d log lines for the refused views, want 500", n)
	}
}

// syncWriter serializes writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// A path that routes to another route once decoded goes to the not-found
// view: a view that serves what r.URL.Path names (http.FileServer) would
// otherwise serve, under its own permission, what another view guards.
func TestAmbiguousPathGoesToNotFound(t *testing.T) {
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("bob", "public"),
		NotFound: func(c echo.Context) error { return c.String(http.StatusOK, "not-found view") },
		Forbidden: func(c echo.Context, _ authz.Decision) error {
			return c.String(http.StatusOK, "forbidden view")
		}})
	if err != nil {
		t.Fatal(err)
	}
	// The view answers with the path it would serve a file from.
	serves := func(c echo.Context) error { return c.String(http.StatusOK, "serves "+c.Request().URL.Path) }
	v.Add(Route{Method: http.MethodGet, Path: "/static/*", Resource: "/static", Permission: "public", Handler: serves})
	v.Add(Route{Method: http.MethodGet, Path: "/static/private/*", Resource: "/static/private", Permission: "private", Handler: serves})
	v.Add(Route{Method: http.MethodPost, Path: "/files/a/b", Permission: "private", Handler: serves})
	v.Add(Route{Method: http.MethodGet, Path: "/files/:name", Resource: "/files", Permission: "public", Handler: serves})
	v.Add(Route{Method: http.MethodGet, Path: "/u/:id/profile", Resource: "/u", Permission: "public", Handler: serves})
	v.Add(Route{Method: http.MethodGet, Path: "/docs/:id", Resource: "/docs", Permission: "public", Handler: serves})
	v.Add(Route{Method: http.MethodPost, Path: "/docs/:id/publish", Resource: "/docs", Permission: "private", Handler: serves})
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ target, want string }{
		{"/static/index.txt", "serves /static/index.txt"},
		{"/static/private/secret.txt", "forbidden view"},
		{"/static/%70rivate/secret.txt", "not-found view"},
		{"/static/private%2Fsecret.txt", "not-found view"},
		{"/static%2Fprivate/secret.txt", "not-found view"},
		// Segments that a file server cleans away.
		{"/static//private/secret.txt", "not-found view"},
		{"/static/./private/secret.txt", "not-found view"},
		{"/static/x/../private/secret.txt", "not-found view"},
		{"/static/x/..%2Fprivate/secret.txt", "not-found view"},
		{"/static/%2E/private/secret.txt", "not-found view"},
		{"/static/..%2F..%2Ffiles/a", "not-found view"},
		{"/static/sub/./index.txt", "not-found view"},
		{"/static/../private/secret.txt", "not-found view"},
		{"/static/%2e%2e/private/secret.txt", "not-found view"},
		{"/static/sub/..", "not-found view"},
		// Decoded twice, as Echo's static handler and a view that
		// unescapes a parameter decode it.
		{"/static/%2570rivate/secret.txt", "not-found view"},
		{"/static/private%252Fsecret.txt", "not-found view"},
		{"/static/%252e%252e/private/secret.txt", "not-found view"},
		// Escapes and segments that route nowhere else, or to the same
		// route, once decoded and cleaned (Echo routes GET /files/a/b to
		// /files/:name: the other route there answers POST only).
		{"/files/a%2Fb", "serves /files/a/b"},
		{"/static/%69ndex.txt", "serves /static/index.txt"},
		{"/static//index.txt", "serves /static//index.txt"},
		{"/static/%2569ndex.txt", "serves /static/%69ndex.txt"},
		{"/static/100%25.txt", "serves /static/100%.txt"},
		{"/static/.well-known/x", "serves /static/.well-known/x"},
		{"/static/sub/", "serves /static/sub/"},
		{"/files/x%2Fy", "serves /files/x/y"},
		{"/files/%61", "serves /files/a"},
		{"/u/a%2Fb/profile", "serves /u/a/b/profile"}, // decoded, a miss
		// Decoded, a path that only another method's route serves (405).
		{"/docs/a%2Fpublish", "serves /docs/a/publish"},
		{"/docs/a%2Fb", "serves /docs/a/b"},
	} {
		req := httptest.NewRequest(http.MethodGet, tt.target, nil)
		req.Header.Set("X-Who", "bob")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Body.String() != tt.want {
			t.Errorf("GET %s: %q, want %q", tt.target, rec.Body.String(), tt.want)
		}
	}
}

// The way docs/echo.md serves files: a file handler on a wildcard view,
// and a view of its own, with another permission, for a subtree. No
// spelling of a path reaches the subtree's file through the other view,
// whichever of the usual file handlers serves them.
func TestFileServerSubtreeGuarded(t *testing.T) {
	fsys := fstest.MapFS{
		"index.txt":          {Data: []byte("public file")},
		"private/secret.txt": {Data: []byte("SECRET")},
	}
	handlers := map[string]echo.HandlerFunc{
		`StripPrefix("/static", FileServerFS)`:  echo.WrapHandler(http.StripPrefix("/static", http.FileServerFS(fsys))),
		`StripPrefix("/static/", FileServerFS)`: echo.WrapHandler(http.StripPrefix("/static/", http.FileServerFS(fsys))),
		"StaticDirectoryHandler, unescaping":    echo.StaticDirectoryHandler(fsys, false),
		"StaticDirectoryHandler":                echo.StaticDirectoryHandler(fsys, true),
	}
	for name, files := range handlers {
		t.Run(name, func(t *testing.T) {
			e := echo.New()
			v, err := New(e, Config{Authn: byHeader, Authz: permitIf("bob", "public"),
				NotFound:  func(c echo.Context) error { return c.String(http.StatusNotFound, "not-found view") },
				Forbidden: func(c echo.Context, _ authz.Decision) error { return c.String(http.StatusForbidden, "forbidden view") }})
			if err != nil {
				t.Fatal(err)
			}
			v.Add(Route{Method: http.MethodGet, Path: "/static/*", Resource: "/static", Permission: "public", Handler: files})
			v.Add(Route{Method: http.MethodGet, Path: "/static/private/*", Resource: "/static/private", Permission: "private", Handler: files})
			if err := v.Err(); err != nil {
				t.Fatal(err)
			}
			get := func(target string) (int, string) {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				req.Header.Set("X-Who", "bob")
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				return rec.Code, rec.Body.String()
			}
			if code, body := get("/static/index.txt"); code != http.StatusOK || body != "public file" {
				t.Fatalf("GET /static/index.txt: %d %q", code, body)
			}
			for _, target := range []string{
				"/static/private/secret.txt", "/static/%70rivate/secret.txt", "/static/private%2Fsecret.txt",
				"/static//private/secret.txt", "/static/./private/secret.txt", "/static/x/../private/secret.txt",
				"/static/x/..%2Fprivate/secret.txt", "/static/%2E/private/secret.txt", "/static/%2e%2e/static/private/secret.txt",
				"/static/private/./secret.txt", "/static///private//secret.txt",
				"/static/../private/secret.txt", "/static/%2e%2e/private/secret.txt", "/static/x/../../private/secret.txt",
				"http://example.com/static/../private/secret.txt",
				"/static/%2570rivate/secret.txt", "/static/private%252Fsecret.txt", "/static/%2570rivate%252Fsecret.txt",
				"/static/%252e%252e/private/secret.txt",
			} {
				if code, body := get(target); strings.Contains(body, "SECRET") {
					t.Errorf("GET %s: %d %q: the private file, to bob, who lacks the permission", target, code, body)
				}
			}
		})
	}
}
