package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/views"
)

// testConfig is the configuration of the examples: two users, a Twilio
// auth token and public URL, and request IDs counted from 1, so that every
// answer is the same at every run.
func testConfig() config {
	var n atomic.Int64
	return config{
		apiKeys:     map[string]string{"alice-key": "user:alice", "bob-key": "user:bob"},
		twilioToken: "12345",
		publicURL:   "https://docs.example.com",
		requestID:   func() string { return fmt.Sprint("req-", n.Add(1)) },
	}
}

// testApp is the app as main builds it, with testConfig and no logging.
func testApp(s *store) http.Handler {
	e, _, err := newApp(testConfig(), s, slog.New(slog.DiscardHandler), addRoutes)
	if err != nil {
		panic(err)
	}
	return e
}

// send serves one request to h, with the API key if it is not empty, and
// prints the answer's status and body.
func send(h http.Handler, method, target, apiKey, body string) {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	if apiKey != "" {
		r.Header.Set("X-Api-Key", apiKey)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Print(w.Code, " ", w.Body.String())
}

func Example_allowed() {
	app := testApp(newStore())
	send(app, http.MethodGet, "/docs", "bob-key", "")
	send(app, http.MethodGet, "/docs/1", "bob-key", "") // allowed by /docs's ACL, by lineage
	send(app, http.MethodPost, "/docs", "alice-key", `{"title":"Minutes"}`)
	send(app, http.MethodPost, "/docs/2/publish", "alice-key", "")
	// Output:
	// 200 [{"id":"1","title":"Welcome","published":true},{"id":"2","title":"Draft plan","published":false}]
	// 200 {"id":"1","title":"Welcome","published":true}
	// 201 {"id":"3","title":"Minutes","published":false}
	// 200 {"id":"2","title":"Draft plan","published":true}
}

func Example_forbidden() {
	app := testApp(newStore())
	send(app, http.MethodGet, "/docs", "", "")                            // no key
	send(app, http.MethodGet, "/docs", "carol-key", "")                   // unknown key
	send(app, http.MethodPost, "/docs", "bob-key", `{"title":"Minutes"}`) // bob is not an editor
	send(app, http.MethodPost, "/docs/1/publish", "bob-key", "")          // nor may he publish
	send(app, http.MethodPost, "/voice", "alice-key", "")                 // a key is no Twilio signature
	// Output:
	// 401 {"error":"send a valid X-Api-Key"}
	// 401 {"error":"send a valid X-Api-Key"}
	// 403 {"error":"you may not edit this"}
	// 403 {"error":"you may not publish this"}
	// 200 <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>Sorry, the documents line is not available.</Say><Hangup></Hangup></Response>
}

// A request that proved nothing is told which scheme to authenticate with.
func Example_unauthorized() {
	app := testApp(newStore())
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/docs", nil))
	fmt.Println(w.Code, echo.HeaderWWWAuthenticate+":", w.Header().Get(echo.HeaderWWWAuthenticate))
	fmt.Print(w.Body.String())
	// Output:
	// 401 WWW-Authenticate: ApiKey header="X-Api-Key"
	// {"error":"send a valid X-Api-Key"}
}

func Example_notFound() {
	app := testApp(newStore())
	send(app, http.MethodGet, "/nowhere", "bob-key", "")
	send(app, http.MethodGet, "/docs/9", "bob-key", "")    // the view returned echo.ErrNotFound
	send(app, http.MethodDelete, "/docs/1", "bob-key", "") // no DELETE route: also the not-found view
	send(app, http.MethodPost, "/voice/nowhere", "", "")
	// Output:
	// 404 {"error":"not found"}
	// 404 {"error":"not found"}
	// 405 {"error":"method not allowed"}
	// 200 <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>Sorry, the documents line is not available.</Say><Hangup></Hangup></Response>
}

func Example_exception() {
	s := newStore()
	s.down = errors.New("database is down")
	// A logger that prints to stdout without the time, to show what the
	// operator reads: the error, which the client never sees.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	app, _, err := newApp(testConfig(), s, logger, addRoutes)
	if err != nil {
		panic(err)
	}
	send(app, http.MethodGet, "/docs", "bob-key", "")
	// Output:
	// level=ERROR msg="view failed" request_id=req-1 path=/docs error="database is down"
	// level=INFO msg=request request_id=req-1 method=GET route="GET /docs" status=500 principals="[system.Everyone system.Authenticated user:bob]" allowed=true context=/docs
	// 500 {"error":"internal error","request_id":"req-1"}
}

func Example_badRequest() {
	app := testApp(newStore())
	send(app, http.MethodPost, "/docs", "alice-key", `{}`)
	send(app, http.MethodPost, "/docs", "alice-key", `{"title":`)
	// Output:
	// 400 {"error":"a document needs a title"}
	// 400 {"error":"unexpected EOF"}
}

func Example_optOut() {
	app := testApp(newStore())
	send(app, http.MethodGet, "/healthz", "", "") // no key, no ACL consulted
	// Output:
	// 200 ok
}

// signed returns the request Twilio sends to target (a path, and maybe a
// query) for a call: a form body of params, signed with the auth token
// over the public URL (the query included) and the body's parameters.
func signed(target string, params ...authn.Param) *http.Request {
	var body []string
	for _, p := range params {
		body = append(body, url.QueryEscape(p.Name)+"="+url.QueryEscape(p.Value))
	}
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(strings.Join(body, "&")))
	r.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	r.Header.Set(authn.SignatureHeader, authn.Sign("12345", "https://docs.example.com"+target, params))
	return r
}

func Example_twilio() {
	app := testApp(newStore())
	call := func(r *http.Request) {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get(echo.HeaderContentType))
		fmt.Println(w.Body.String())
	}
	callSid := authn.Param{Name: "CallSid", Value: "CA123"}
	call(signed("/voice", callSid, authn.Param{Name: "From", Value: "+15005550006"}))
	call(signed("/voice/doc", callSid, authn.Param{Name: "Digits", Value: "1"}))
	call(signed("/voice/doc", callSid, authn.Param{Name: "Digits", Value: "2"})) // a draft
	// Output:
	// 200 application/xml
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Gather action="/voice/doc" method="POST" timeout="5"><Say>You reached the documents line. Enter the number of a document, then press the pound key.</Say></Gather><Say>We did not get a number. Goodbye.</Say><Hangup></Hangup></Response>
	// 200 application/xml
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>Document 1: Welcome.</Say><Redirect method="POST">/voice</Redirect></Response>
	// 200 application/xml
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>There is no published document with that number.</Say><Redirect method="POST">/voice</Redirect></Response>
}

// TestSpeakReadsTheSignedBody: the voice view reads the Digits that
// Twilio posted in the form body, never a Digits of the URL's query (also
// signed, as part of the URL, but not what the caller entered). Each
// request verifies: a request that did not would get the apology.
func TestSpeakReadsTheSignedBody(t *testing.T) {
	callSid := authn.Param{Name: "CallSid", Value: "CA123"}
	digits := func(d string) authn.Param { return authn.Param{Name: "Digits", Value: d} }
	tests := []struct {
		name string
		r    *http.Request
		down bool
		want string
	}{
		{"digits in the body", signed("/voice/doc", callSid, digits("1")), false, "<Say>Document 1: Welcome.</Say>"},
		{"a draft", signed("/voice/doc", callSid, digits("2")), false, "<Say>There is no published document with that number.</Say>"},
		{"digits only in the query", signed("/voice/doc?Digits=1", callSid), false, "<Say>There is no published document with that number.</Say>"},
		{"query and body", signed("/voice/doc?Digits=1", callSid, digits("9")), false, "<Say>There is no published document with that number.</Say>"},
		{"store down", signed("/voice/doc", callSid, digits("1")), true, "<Say>Sorry, the documents line is not available.</Say>"},
	}
	for _, tt := range tests {
		s := newStore()
		if tt.down {
			s.down = errors.New("database is down")
		}
		w := httptest.NewRecorder()
		testApp(s).ServeHTTP(w, tt.r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("%s: got %d %s, want 200 and %s", tt.name, w.Code, w.Body.String(), tt.want)
		}
	}
}

// TestWWWAuthenticate: a 401 names the API-key scheme in its
// WWW-Authenticate header; no other answer has the header.
func TestWWWAuthenticate(t *testing.T) {
	tests := []struct {
		name, method, target, key string
		wantCode                  int
		want                      string
	}{
		{"no key", http.MethodGet, "/docs", "", http.StatusUnauthorized, `ApiKey header="X-Api-Key"`},
		{"unknown key", http.MethodPost, "/docs/1/publish", "carol-key", http.StatusUnauthorized, `ApiKey header="X-Api-Key"`},
		{"not allowed", http.MethodPost, "/docs/1/publish", "bob-key", http.StatusForbidden, ""},
		{"allowed", http.MethodGet, "/docs", "bob-key", http.StatusOK, ""},
		{"voice, unsigned", http.MethodPost, "/voice", "", http.StatusOK, ""},
	}
	app := testApp(newStore())
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		if tt.key != "" {
			r.Header.Set("X-Api-Key", tt.key)
		}
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		if got := w.Header().Values(echo.HeaderWWWAuthenticate); w.Code != tt.wantCode || strings.Join(got, ", ") != tt.want {
			t.Errorf("%s: got %d with WWW-Authenticate %q, want %d with %q", tt.name, w.Code, got, tt.wantCode, tt.want)
		}
	}
}

func Example_whoami() {
	app := testApp(newStore())
	send(app, http.MethodGet, "/me", "alice-key", "")
	// Output:
	// 200 {"principals":["system.Everyone","system.Authenticated","user:alice","group:editors"],"allowed_by":"('Allow', 'system.Authenticated', 'view')"}
}

func Example_missingPermission() {
	withExport := func(v *views.Views, s *store) {
		addRoutes(v, s)
		v.GET("/export", "", s.list) // forgot the permission
	}
	_, _, err := newApp(testConfig(), newStore(), slog.New(slog.DiscardHandler), withExport)
	fmt.Println(err)
	fmt.Println(errors.Is(err, views.ErrNoPermission))
	// Output:
	// views: route declares no permission (use authz.NoPermissionRequired to opt out): GET /export
	// true
}

func Example_routes() {
	code := run(context.Background(), []string{"-routes"}, func(string) string { return "" }, os.Stdout, io.Discard, addRoutes)
	fmt.Println("exit status", code)
	// Output:
	// METHOD  PATH               NAME             PERMISSION                  RESOURCE
	// GET     /healthz           GET /healthz     __no_permission_required__  -
	// GET     /docs              GET /docs        view                        /docs
	// POST    /docs              POST /docs       edit                        /docs
	// GET     /docs/:id          GET /docs/:id    view                        /docs/:id
	// POST    /docs/:id/publish  publish          publish                     /docs/:id
	// GET     /me                GET /me          view                        /me
	// POST    /voice             POST /voice      view                        /voice
	// POST    /voice/doc         POST /voice/doc  view                        /voice/doc
	// exit status 0
}

// TestRunRefusesRouteWithoutPermission: main's startup path stops, with
// exit status 2 and one line naming the route, before it listens.
func TestRunRefusesRouteWithoutPermission(t *testing.T) {
	tests := []struct {
		name string
		add  func(*views.Views, *store)
		want string
	}{
		{
			name: "no permission",
			add: func(v *views.Views, s *store) {
				addRoutes(v, s)
				v.GET("/export", "", s.list)
			},
			want: "echoapp: views: route declares no permission (use authz.NoPermissionRequired to opt out): GET /export\n",
		},
		{
			name: "no permission in a Route",
			add: func(v *views.Views, s *store) {
				addRoutes(v, s)
				v.Add(views.Route{Method: http.MethodDelete, Path: "/docs/:id", Name: "delete", Handler: s.read})
			},
			want: "echoapp: views: route declares no permission (use authz.NoPermissionRequired to opt out): delete\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Already cancelled: if run served anyway, it would stop at
			// once and return 0 instead of 2.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var stdout, stderr bytes.Buffer
			code := run(ctx, []string{"-listen", "127.0.0.1:0"}, func(string) string { return "" }, &stdout, &stderr, tt.add)
			if code != 2 {
				t.Errorf("exit status: got %d, want 2", code)
			}
			if got := stderr.String(); got != tt.want {
				t.Errorf("stderr: got %q, want %q", got, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: got %q, want nothing", stdout.String())
			}
		})
	}
}

// TestRunConfigErrors: a malformed ECHOAPP_API_KEYS stops startup with
// exit status 2, and the message never quotes a key.
func TestRunConfigErrors(t *testing.T) {
	tests := []struct {
		keys string
		want string
	}{
		{"s3cret", "echoapp: ECHOAPP_API_KEYS: entry 1 is not KEY=PRINCIPAL\n"},
		{"a-key=user:a,s3cret=", "echoapp: ECHOAPP_API_KEYS: entry 2 is not KEY=PRINCIPAL\n"},
		{"s3cret=system.Authenticated", "echoapp: ECHOAPP_API_KEYS: entry 1: system.Authenticated is a system principal\n"},
		{"a-key=user:a, s3cret = system.Admin ", "echoapp: ECHOAPP_API_KEYS: entry 2: system.Admin is a system principal\n"},
		{"s3cret = ", "echoapp: ECHOAPP_API_KEYS: entry 1 is not KEY=PRINCIPAL\n"},
	}
	for _, tt := range tests {
		getenv := func(name string) string {
			if name == "ECHOAPP_API_KEYS" {
				return tt.keys
			}
			return ""
		}
		var stderr bytes.Buffer
		code := run(context.Background(), nil, getenv, io.Discard, &stderr, addRoutes)
		if code != 2 || stderr.String() != tt.want {
			t.Errorf("ECHOAPP_API_KEYS=%q: got %d %q, want 2 %q", tt.keys, code, stderr.String(), tt.want)
		}
		if strings.Contains(stderr.String(), "s3cret") {
			t.Errorf("ECHOAPP_API_KEYS=%q: the message quotes the key: %q", tt.keys, stderr.String())
		}
	}
}

// TestRunServes: run listens on the address of -listen, answers, and
// returns 0 once its context is done.
func TestRunServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	getenv := func(name string) string {
		if name == "ECHOAPP_API_KEYS" {
			return "bob-key=user:bob"
		}
		return ""
	}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0"}, getenv, io.Discard, pw, addRoutes)
		pw.Close()
	}()

	lines := bufio.NewScanner(pr)
	addr := ""
	for addr == "" && lines.Scan() {
		if _, after, ok := strings.Cut(lines.Text(), "msg=listening addr="); ok {
			addr = after
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // the request log
	if addr == "" {
		t.Fatalf("run exited with status %d before listening", <-done)
	}

	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/docs/1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Api-Key", "bob-key")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"id":"1","title":"Welcome","published":true}` + "\n"; resp.StatusCode != http.StatusOK || string(body) != want {
		t.Errorf("GET /docs/1: got %d %q, want 200 %q", resp.StatusCode, body, want)
	}

	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit status after the context ended: got %d, want 0", code)
	}
}

// TestAPIKeyPolicy: exactly one known key proves its principal; anything
// else proves nothing.
func TestAPIKeyPolicy(t *testing.T) {
	p := apiKeyPolicy(map[string]string{"alice-key": "user:alice", "bob-key": "user:bob"})
	tests := []struct {
		name string
		keys []string
		want []string
	}{
		{"alice", []string{"alice-key"}, []string{"user:alice"}},
		{"bob", []string{"bob-key"}, []string{"user:bob"}},
		{"none", nil, nil},
		{"unknown", []string{"carol-key"}, nil},
		{"prefix", []string{"alice"}, nil},
		{"empty", []string{""}, nil},
		{"two headers", []string{"alice-key", "bob-key"}, nil},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, k := range tt.keys {
			r.Header.Add("X-Api-Key", k)
		}
		got, err := p.Principals(r)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, %v, want %v, nil", tt.name, got, err, tt.want)
		}
	}
}

// TestLargeUploadKeepsItsBody: an upload larger than the Twilio policy's
// body limit (but within the app's), with an API key, reaches its view
// whole. /docs is not a Twilio route, so the Twilio policy is not asked
// about it; authn's TestUnsignedBodyLeftUnread checks that, asked, it
// would leave an unsigned body unread anyway.
func TestLargeUploadKeepsItsBody(t *testing.T) {
	title := strings.Repeat("x", 100<<10) // over authn.DefaultMaxBodyBytes
	app := testApp(newStore())
	r := httptest.NewRequest(http.MethodPost, "/docs", strings.NewReader(`{"title":"`+title+`"}`))
	r.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	r.Header.Set("X-Api-Key", "alice-key")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), title) {
		t.Errorf("POST /docs with a %d-byte title: got %d %.80q, want 201 and the title", len(title), w.Code, w.Body.String())
	}
}

// TestConfigTrimsEntries: blanks around a key or a principal are not part
// of them, so a key written "key = principal" still matches.
func TestConfigTrimsEntries(t *testing.T) {
	cfg, err := configFrom(func(name string) string {
		if name == "ECHOAPP_API_KEYS" {
			return " alice-key = user:alice ,bob-key=user:bob"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.apiKeys; len(got) != 2 || got["alice-key"] != "user:alice" || got["bob-key"] != "user:bob" {
		t.Errorf("apiKeys = %q, want alice-key and bob-key without blanks", got)
	}
}

// TestBodiesAreBounded: a body over maxBodyBytes is refused, not read.
func TestBodiesAreBounded(t *testing.T) {
	app := testApp(newStore())
	title := strings.Repeat("x", maxBodyBytes)
	r := httptest.NewRequest(http.MethodPost, "/docs", strings.NewReader(`{"title":"`+title+`"}`))
	r.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	r.Header.Set("X-Api-Key", "alice-key")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	if w.Code < 400 || w.Code > 499 || strings.Contains(w.Body.String(), title) {
		t.Errorf("POST /docs with a %d-byte body: got %d %.80q, want a 4xx refusal", len(title), w.Code, w.Body.String())
	}
}
