package views

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
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
	v.GET("/static/*", "view", func(c echo.Context) error { return c.String(http.StatusOK, "public file") })
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
	// A stricter view under a wildcard view, added late: its requests do
	// not go to the wildcard view.
	v.GET("/static/private/*", "restricted", func(c echo.Context) error { return c.String(http.StatusOK, "private file") })
	for target, want := range map[string]string{
		"/static/index.txt":          "public file",
		"/static/private/secret.txt": "not-found view",
		"/late7":                     "not-found view",
		"/":                          "a view",
	} {
		if body := get(target); body != want {
			t.Errorf("GET %s: %q, want %q", target, body, want)
		}
	}
	if n := len(v.Routes()); n != 2 {
		t.Errorf("%d routes registered, want 2", n)
	}
	err = v.Err()
	if !errors.Is(err, ErrServing) || !strings.Contains(err.Error(), "GET /late499") {
		t.Errorf("Err() = %.200v, want ErrServing for each late view", err)
	}
	if n := strings.Count(logs.String(), `msg="view not registered"`); n != 501 {
		t.Errorf("%d log lines for the refused views, want 501", n)
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

// A request to a view whose path is not canonical goes to the not-found
// view: a view that acts on r.URL.Path (http.FileServer), or unescapes a
// parameter, would otherwise act, under its own permission, on a path that
// another view guards with another.
func TestNonCanonicalPathGoesToNotFound(t *testing.T) {
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("bob", "public"),
		NotFound: func(c echo.Context) error { return c.String(http.StatusOK, "not-found view") },
		Forbidden: func(c echo.Context, _ authz.Decision) error {
			return c.String(http.StatusOK, "forbidden view")
		}})
	if err != nil {
		t.Fatal(err)
	}
	// The view answers with the path it would serve a file from, and the
	// parameter it would look a document up by.
	serves := func(c echo.Context) error {
		doc, err := url.PathUnescape(c.Param("doc"))
		if err != nil {
			return echo.ErrNotFound
		}
		return c.String(http.StatusOK, "serves "+c.Request().URL.Path+" doc "+doc)
	}
	v.Add(Route{Method: http.MethodGet, Path: "/static/*", Resource: "/static", Permission: "public", Handler: serves})
	v.Add(Route{Method: http.MethodGet, Path: "/static/private/*", Resource: "/static/private", Permission: "private", Handler: serves})
	v.Add(Route{Method: http.MethodGet, Path: "/t/:tenant/:doc", Resource: "/t", Permission: "public", Handler: serves})
	v.Add(Route{Method: http.MethodGet, Path: "/t/:tenant/secret", Resource: "/t/secret", Permission: "private", Handler: serves})
	v.Add(Route{Method: http.MethodGet, Path: "/w/:doc/*", Resource: "/w", Permission: "public", Handler: serves})
	v.Add(Route{Method: http.MethodGet, Path: "/w/secret/*", Resource: "/w/secret", Permission: "private", Handler: serves})
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ target, want string }{
		{"/static/index.txt", "serves /static/index.txt doc "},
		{"/static/private/secret.txt", "forbidden view"},
		{"/t/acme/report", "serves /t/acme/report doc report"},
		{"/t/acme/secret", "forbidden view"},
		// Escapes that every client sends, decoded as Echo routes them.
		{"/static/caf%C3%A9.txt", "serves /static/café.txt doc "},
		{"/static/caf\xc3\xa9.txt", "serves /static/café.txt doc "}, // unescaped UTF-8
		{"/static/a%20b.txt", "serves /static/a b.txt doc "},
		{"/t/acme/a+b", "serves /t/acme/a+b doc a+b"},
		// Escapes that Echo routes undecoded, whose decoded path routes to
		// the same view (encodeURIComponent writes %40 for @).
		{"/t/%40acme/report", "serves /t/@acme/report doc report"},
		{"/t/acme/%72eport", "serves /t/acme/report doc report"},
		{"/static/%69ndex.txt", "serves /static/index.txt doc "},
		// Lower-case hex, and characters left unescaped beside an escape
		// (html/template and browsers write both).
		{"/static/caf%c3%a9.txt", "serves /static/café.txt doc "},
		{"/static/report%20(final).pdf", "serves /static/report (final).pdf doc "},
		{"/t/acme/a%2Bb", "serves /t/acme/a+b doc a+b"},
		{"/t/acme/" + url.PathEscape("a,b;c"), "serves /t/acme/a,b;c doc a,b;c"},
		// Segments that start with a dot, and a trailing slash.
		{"/static/.well-known/x", "serves /static/.well-known/x doc "},
		{"/static/..x/...", "serves /static/..x/... doc "},
		{"/static/sub/", "serves /static/sub/ doc "},
		// An escape that Echo routes undecoded, whose decoded path routes
		// to another view, and an escaped slash.
		{"/static/%70rivate/secret.txt", "not-found view"},
		{"/static/private%2Fsecret.txt", "not-found view"},
		{"/static%2Fprivate/secret.txt", "not-found view"},
		{"/t/a%2Fb/%73ecret", "not-found view"},
		{"/t/acme/%73ecret", "not-found view"},
		{"/t/acme/a%2Fb", "not-found view"},
		{"/t/acme/a%2fb", "not-found view"},
		{"/static/x%2F", "not-found view"},
		// A "%" once decoded.
		{"/static/%2570rivate/secret.txt", "not-found view"},
		{"/w/%2573ecret/x", "not-found view"},
		{"/w/%2573ecret/%25zz", "not-found view"},
		{"/w/%2573ecret/%25", "not-found view"},
		{"/static/100%25.txt", "not-found view"},
		// Empty, "." and ".." segments.
		{"/static//private/secret.txt", "not-found view"},
		{"/static/./private/secret.txt", "not-found view"},
		{"/static/x/../private/secret.txt", "not-found view"},
		{"/static/../private/secret.txt", "not-found view"},
		{"/static/%2e%2e/private/secret.txt", "not-found view"},
		{"/static/sub/..", "not-found view"},
		{"/static/sub/.", "not-found view"},
		{"/static//index.txt", "not-found view"},
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

// A middleware that changes the request after Echo routed it (a Pre
// middleware that replaces the request, which Echo's router never sees,
// or a Use middleware, before or after New) cannot make a view act on a
// path that another view guards: the request goes to the not-found view.
func TestRequestChangedAfterRoutingGoesToNotFound(t *testing.T) {
	change := func(r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/static/old/"); ok {
			r.URL.Path = "/static/private/" + rest
		}
		if r.URL.Path == "/docs/1" {
			r.URL.Path = "/docs/2" // the same route, another parameter
		}
		if r.Method == http.MethodPost {
			r.Method = http.MethodDelete // the same path, another view
		}
	}
	rewrite := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request().Clone(c.Request().Context())
			change(r)
			c.SetRequest(r)
			return next(c)
		}
	}
	// A middleware that rewrites the path in place and routes the context
	// afresh: the context then names the other view, its handler included.
	reroute := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			change(r)
			c.Echo().Router().Find(r.Method, echo.GetPath(r), c)
			return next(c)
		}
	}
	for _, tt := range []struct {
		name          string
		before, after func(e *echo.Echo)
		docs1         string // the answer to GET /docs/1, rewritten to /docs/2
	}{
		{"Pre, replacing the request", func(e *echo.Echo) { e.Pre(rewrite) }, nil, "not-found view"},
		{"Use before New", func(e *echo.Echo) { e.Use(rewrite) }, nil, "not-found view"},
		{"Use after New", nil, func(e *echo.Echo) { e.Use(rewrite) }, "not-found view"},
		// Routed afresh, /docs/2 is /docs/2 to the view as to Echo.
		{"Use before New, routing the context", func(e *echo.Echo) { e.Use(reroute) }, nil, "document 2"},
		{"Use after New, routing the context", nil, func(e *echo.Echo) { e.Use(reroute) }, "document 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			if tt.before != nil {
				tt.before(e)
			}
			v, err := New(e, Config{Authn: byHeader, Authz: permitIf("bob", "public"),
				NotFound: func(c echo.Context) error { return c.String(http.StatusNotFound, "not-found view") }})
			if err != nil {
				t.Fatal(err)
			}
			if tt.after != nil {
				tt.after(e)
			}
			files := echo.WrapHandler(http.StripPrefix("/static", http.FileServerFS(fstest.MapFS{
				"index.txt":          {Data: []byte("public file")},
				"private/secret.txt": {Data: []byte("SECRET")},
			})))
			v.Add(Route{Method: http.MethodGet, Path: "/static/*", Resource: "/static", Permission: "public", Handler: files})
			v.Add(Route{Method: http.MethodGet, Path: "/static/private/*", Resource: "/static/private", Permission: "private", Handler: files})
			v.Add(Route{Method: http.MethodGet, Path: "/docs/:id", Resource: "/docs", Permission: "public",
				Handler: func(c echo.Context) error { return c.String(http.StatusOK, "document "+c.Param("id")) }})
			v.Add(Route{Method: http.MethodPost, Path: "/docs/:id", Resource: "/docs", Permission: "public",
				Handler: func(c echo.Context) error { return c.String(http.StatusOK, "posted "+c.Param("id")) }})
			v.Add(Route{Method: http.MethodDelete, Path: "/docs/:id", Resource: "/docs", Permission: "private",
				Handler: func(c echo.Context) error { return c.String(http.StatusOK, "deleted "+c.Param("id")) }})
			for target, want := range map[string]string{
				"GET /static/index.txt":      "public file",
				"GET /static/old/secret.txt": "not-found view",
				"GET /docs/3":                "document 3",
				"GET /docs/1":                tt.docs1,
				"POST /docs/3":               "not-found view", // a method changed: the DELETE view's path
			} {
				method, target, _ := strings.Cut(target, " ")
				req := httptest.NewRequest(method, target, nil)
				req.Header.Set("X-Who", "bob")
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				body := rec.Body.String()
				if body != want {
					t.Errorf("%s %s: %d %q, want %q", method, target, rec.Code, body, want)
				}
			}
		})
	}
}

// A middleware that decodes the parameters, which Echo leaves escaped
// when it routes a path with escapes undecoded, does not make a view's
// requests go to the not-found view.
func TestDecodedParamsServed(t *testing.T) {
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("bob", "public"),
		NotFound: func(c echo.Context) error { return c.String(http.StatusNotFound, "not-found view") }})
	if err != nil {
		t.Fatal(err)
	}
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			values := slices.Clone(c.ParamValues())
			for i, s := range values {
				if d, err := url.PathUnescape(s); err == nil {
					values[i] = d
				}
			}
			c.SetParamValues(values...)
			return next(c)
		}
	})
	v.Add(Route{Method: http.MethodGet, Path: "/t/:tenant/:doc", Resource: "/t", Permission: "public",
		Handler: func(c echo.Context) error { return c.String(http.StatusOK, "doc "+c.Param("doc")) }})
	v.Add(Route{Method: http.MethodGet, Path: "/t/:tenant/secret", Resource: "/t/secret", Permission: "private",
		Handler: func(c echo.Context) error { return c.String(http.StatusOK, "secret") }})
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]string{
		"/t/acme/report":        "doc report",
		"/t/acme/caf%C3%A9":     "doc café",
		"/t/acme/a%20b":         "doc a b",
		"/t/acme/x%40y.com":     "doc x@y.com",
		"/t/acme/caf%c3%a9.txt": "doc café.txt",
		"/t/acme/%73ecret":      "not-found view",
	} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("X-Who", "bob")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Body.String() != want {
			t.Errorf("GET %s: %d %q, want %q", target, rec.Code, rec.Body.String(), want)
		}
	}
}

// The way docs/echo.md serves files: a file handler on a wildcard view,
// and a view of its own, with another permission, for a subtree. No
// spelling of a path reaches the subtree's file through the other view,
// whichever of the usual file handlers serves them.
func TestFileServerSubtreeGuarded(t *testing.T) {
	fsys := fstest.MapFS{
		"index.txt":            {Data: []byte("public file")},
		"private/secret.txt":   {Data: []byte("SECRET")},
		"private/a/secret.txt": {Data: []byte("SECRET")},
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
			// Another method's route under the subtree: Echo routes GET
			// /static/private/a/... to its 405, not to the GET wildcard.
			v.Add(Route{Method: http.MethodPost, Path: "/static/private/:folder/*", Resource: "/static/private", Permission: "private",
				Handler: func(c echo.Context) error { return c.NoContent(http.StatusCreated) }})
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
				"/static/private/a/secret.txt", "/static/%70rivate/a/secret.txt", "/static/private%2Fa/secret.txt",
				"/static//private/a/secret.txt", "/static/%2570rivate/a/secret.txt",
			} {
				if code, body := get(target); strings.Contains(body, "SECRET") {
					t.Errorf("GET %s: %d %q: the private file, to bob, who lacks the permission", target, code, body)
				}
			}
		})
	}
}

// A request the guard refuses is recorded as a miss, not as the view's:
// the request log and the metrics count it as not found.
func TestRefusedRequestRecordedAsMiss(t *testing.T) {
	e := echo.New()
	var rec *Record
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			rec = NewRecord("req")
			c.SetRequest(c.Request().WithContext(NewRecordContext(c.Request().Context(), rec)))
			return next(c)
		}
	})
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("bob", "view"),
		NotFound: func(c echo.Context) error { return c.String(http.StatusNotFound, "not-found view") }})
	if err != nil {
		t.Fatal(err)
	}
	v.GET("/docs/:id", "view", func(c echo.Context) error { return c.String(http.StatusOK, "document") })
	for target, want := range map[string]string{"/docs/1": "GET /docs/:id", "/docs/a%2Fb": ""} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("X-Who", "bob")
		e.ServeHTTP(httptest.NewRecorder(), req)
		if got := rec.Summary().Route; got != want {
			t.Errorf("GET %s: recorded route %q, want %q", target, got, want)
		}
	}
}

// Once Add has refused views for coming after the first request, a
// request goes to the not-found view unless Echo, with the late views
// registered after the others, would route it to the view it routes it to
// now: a late view's requests, however their path is spelled, and those
// the late views would send elsewhere (a 405, another view).
func TestLateViewsRequests(t *testing.T) {
	_, v, do := aliceServing(t)
	answer := func(s string) echo.HandlerFunc {
		return func(c echo.Context) error { return c.String(http.StatusOK, s+" "+c.Request().URL.Path) }
	}
	v.GET("/static/*", "view", answer("public"))
	v.GET("/files/*", "view", answer("file"))
	v.GET("/reports/*", "view", answer("report"))
	v.GET("/docs/:id", "view", answer("document"))
	v.GET("/users/:id", "view", answer("user"))
	v.GET("/*", "view", answer("app"))
	v.GET("/u2/:id", "view", answer("user"))
	v.POST("/u2/:id/avatar", "view", answer("avatar"))
	v.POST("/f2/:name/meta", "view", answer("meta"))
	do(http.MethodGet, "/static/a.txt") // the views are frozen
	v.GET("/static/private/*", "admin", answer("private"))
	v.POST("/files/upload/*", "admin", answer("uploaded"))
	v.POST("/static/private/upload/*", "admin", answer("upload")) // Echo stops here with a 405 for GET
	v.GET("/reports/*", "admin", answer("admin report"))
	v.GET("/docs/:name", "admin", answer("admin document"))
	// A last parameter matches the rest of the path, slashes included,
	// until a route under it exists: in the would-be router, /users/7/avatar
	// then goes to /*, a registered view, never to the late one.
	v.GET("/users/:id/posts", "admin", answer("posts"))
	// The POST route under /u2/:id already stops the parameter at a slash:
	// /u2/7/secret, which /* serves now, would be the late view's.
	v.GET("/u2/*", "admin", answer("admin users"))
	// And under /f2/:name: /f2/a/b stays /*'s.
	v.GET("/f2/:name", "admin", answer("admin file"))
	v.Add(Route{Method: http.MethodGet, Path: "/static/index/", Permission: "admin", Handler: answer("index")}) // its default resource is invalid
	for _, tt := range []struct{ method, target, want string }{
		{"GET", "/static/a.txt", "public /static/a.txt"},
		{"GET", "/static/private/secret.txt", "not-found view"},
		{"GET", "/static/%70rivate/secret.txt", "not-found view"},
		{"GET", "/static/privat%65/secret.txt", "not-found view"},
		{"GET", "/static/private/upload/secret.txt", "not-found view"},
		{"GET", "/static/index/", "not-found view"},
		{"GET", "/files/a.txt", "file /files/a.txt"},
		{"GET", "/files/upload/report.pdf", "not-found view"}, // Echo would answer 405
		{"GET", "/reports/q3", "report /reports/q3"},          // a duplicate: the registered view keeps serving
		{"GET", "/docs/7", "not-found view"},                  // /docs/:name would take the place of /docs/:id
		{"GET", "/users/7/posts", "not-found view"},
		{"GET", "/users/7", "user /users/7"},
		{"GET", "/users/7/avatar", "not-found view"}, // /* would have it, not /users/:id
		{"GET", "/u2/7", "user /u2/7"},
		{"GET", "/u2/7/secret", "not-found view"},
		{"GET", "/f2/a/b", "app /f2/a/b"},
		{"GET", "/f2/a", "not-found view"},
	} {
		if body := do(tt.method, tt.target); body != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.method, tt.target, body, tt.want)
		}
	}
	if err := v.Err(); !errors.Is(err, ErrServing) || !errors.Is(err, ErrInvalidRoute) {
		t.Errorf("Err() = %v, want ErrServing, and ErrInvalidRoute for GET /static/index/", err)
	}
}

// Late views that the would-be Echo must still see as Echo would: one
// whose path lacks its leading slash, routes registered on Echo directly
// (they shape its tree), and a late duplicate of a view that another took
// the place of (a duplicate changes nothing).
func TestLateViewsAsEchoWouldRoute(t *testing.T) {
	setup := func(t *testing.T) (*echo.Echo, *Views, func(string) string) {
		e, v, do := aliceServing(t)
		return e, v, func(target string) string { return do(http.MethodGet, target) }
	}
	say := func(s string) echo.HandlerFunc {
		return func(c echo.Context) error { return c.String(http.StatusOK, s) }
	}
	t.Run("no leading slash", func(t *testing.T) {
		_, v, do := setup(t)
		v.GET("/static/*", "view", say("public"))
		do("/static/a.txt")
		v.GET("static/private/*", "admin", say("private"))
		if got := do("/static/private/secret.txt"); got != "not-found view" {
			t.Errorf("GET /static/private/secret.txt: %q, want the not-found view", got)
		}
	})
	t.Run("a route on Echo directly", func(t *testing.T) {
		e, v, do := setup(t)
		v.GET("/*", "view", say("app"))
		e.POST("/users/:id/x", nop) // Err reports it; it stops :id at a slash
		do("/a")
		v.GET("/users/:id", "admin", say("user"))
		if got := do("/users/7/secret"); got != "app" {
			t.Errorf("GET /users/7/secret: %q, want %q", got, "app")
		}
		if got := do("/users/7"); got != "not-found view" {
			t.Errorf("GET /users/7: %q, want the not-found view", got)
		}
	})
	t.Run("a duplicate of a view whose place another took", func(t *testing.T) {
		_, v, do := setup(t)
		v.GET("/docs/:name", "view", say("name"))
		v.GET("/docs/:id", "view", say("id"))
		do("/docs/1")
		v.GET("docs/:name", "view", say("late")) // Echo would add the slash
		if got := do("/docs/7"); got != "id" {
			t.Errorf("GET /docs/7: %q, want %q", got, "id")
		}
	})
}

// aliceServing returns an Echo with Views on it that lets alice (X-Who) hold
// view, and whose not-found view answers "not-found view" with status 200,
// and a function that sends a request as alice and returns the body.
func aliceServing(t *testing.T) (*echo.Echo, *Views, func(method, target string) string) {
	t.Helper()
	e := echo.New()
	v, err := New(e, Config{Authn: byHeader, Authz: permitIf("alice", "view"),
		NotFound: func(c echo.Context) error { return c.String(http.StatusOK, "not-found view") }})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, target string) string {
		req := httptest.NewRequest(method, target, nil)
		req.Header.Set("X-Who", "alice")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	return e, v, do
}
