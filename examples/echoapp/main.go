// Command echoapp is an ordinary Echo v4 application, a small document
// store with a JSON API and a Twilio voice line, with Gatehouse added:
// every route declares the permission it requires, an access control
// list decides, and the forbidden, not-found and exception views answer
// JSON (TwiML for the Twilio routes under /voice).
//
// Users authenticate with an API key in the X-Api-Key header; the keys and
// the principal each one proves come from ECHOAPP_API_KEYS
// ("alice-key=user:alice,bob-key=user:bob"). Twilio's webhooks
// authenticate with their X-Twilio-Signature, checked with the auth token
// in TWILIO_AUTH_TOKEN (optional: without it, /voice is forbidden to
// everyone) against the public URL in ECHOAPP_PUBLIC_URL (optional). The
// voice line (POST /voice) asks the caller for a document's number and
// says the title of that document, if it is published.
//
// Run it from the repository root; it listens on -listen, else
// $GATEHOUSE_LISTEN, else :8080:
//
//	ECHOAPP_API_KEYS='alice-key=user:alice,bob-key=user:bob' go run ./examples/echoapp
//
// With -routes it prints its routes, with the permission and resource of
// each, and exits. docs/echo.md walks through the code.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policies"
	"github.com/gatehouse/gatehouse/views"
	"github.com/gatehouse/gatehouse/views/twiml"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, addRoutes))
}

// run is main with its inputs passed in, so that tests can drive it: it
// reads the flags and the environment, builds the app and serves it until
// ctx is done. It returns the exit status: 0 after a clean shutdown, 1 if
// serving failed, 2 if the app could not start.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, add func(*views.Views, *store)) int {
	fs := flag.NewFlagSet("echoapp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", cmp.Or(getenv("GATEHOUSE_LISTEN"), ":8080"), "`address` to listen on")
	listRoutes := fs.Bool("routes", false, "print the routes with their permissions and resources, and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := configFrom(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "echoapp:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	e, v, err := newApp(cfg, newStore(), logger, add)
	if err != nil {
		fmt.Fprintln(stderr, "echoapp:", err)
		return 2
	}
	if *listRoutes {
		printRoutes(stdout, v.Routes())
		return 0
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "echoapp:", err)
		return 2
	}
	// Every phase of a request is bounded, so that a client that stops
	// reading or writing holds its own connection only, and only for so
	// long.
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute}
	shutdown := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shutdown <- srv.Shutdown(sctx)
	}()
	if cfg.twilioToken != "" && cfg.publicURL == "" {
		logger.Warn("ECHOAPP_PUBLIC_URL is not set: Twilio signatures are checked against the URL rebuilt from each request's own Host header, so a request Twilio signed for another host of the same account verifies here too")
	}
	logger.Info("listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "echoapp:", err)
		return 1
	}
	// Serve returns as soon as the shutdown begins: wait for the requests
	// in flight to finish.
	if err := <-shutdown; err != nil {
		fmt.Fprintln(stderr, "echoapp: shutdown:", err)
		return 1
	}
	return 0
}

// config is what the app reads from its environment.
type config struct {
	// apiKeys maps each API key to the principal it proves. Secret.
	apiKeys map[string]string
	// twilioToken is the Twilio auth token; empty: no Twilio. Secret.
	twilioToken string
	// publicURL is the scheme and host Twilio calls; empty: the request's.
	publicURL string
	// requestID returns a new request ID; nil: rand.Text.
	requestID func() string
}

// configFrom reads the configuration from the environment. Its errors
// never quote a key or the token.
func configFrom(getenv func(string) string) (config, error) {
	cfg := config{
		apiKeys:     map[string]string{},
		twilioToken: getenv("TWILIO_AUTH_TOKEN"),
		publicURL:   getenv("ECHOAPP_PUBLIC_URL"),
	}
	for i, entry := range strings.Split(getenv("ECHOAPP_API_KEYS"), ",") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		key, principal, ok := strings.Cut(entry, "=")
		key, principal = strings.TrimSpace(key), strings.TrimSpace(principal)
		switch {
		case !ok || key == "" || principal == "":
			return config{}, fmt.Errorf("ECHOAPP_API_KEYS: entry %d is not KEY=PRINCIPAL", i+1)
		case strings.HasPrefix(principal, "system."):
			// Only authentication adds system principals (authn.Effective
			// refuses a policy that claims one).
			return config{}, fmt.Errorf("ECHOAPP_API_KEYS: entry %d: %s is a system principal", i+1, principal)
		}
		cfg.apiKeys[key] = principal
	}
	return cfg, nil
}

// newApp builds the application: first the Echo app as it was before
// Gatehouse, then Gatehouse around it. add registers the views.
func newApp(cfg config, s *store, logger *slog.Logger, add func(*views.Views, *store)) (*echo.Echo, *views.Views, error) {
	if cfg.requestID == nil {
		cfg.requestID = rand.Text
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The access log is registered before views.New, so that it wraps
	// Gatehouse's own middleware and sees every request.
	e.Use(accessLog(logger, cfg.requestID))
	// Bound every body: c.Bind would read a JSON body of any size.
	e.Use(limitBodies(maxBodyBytes))

	acl, err := loadACL()
	if err != nil {
		return nil, nil, err
	}
	authnPolicy, err := authentication(cfg)
	if err != nil {
		return nil, nil, err
	}
	// The apology is the TwiML answer of Twilio's routes (status 200,
	// always); the API's answers are JSON.
	apology := views.Apology{Text: "Sorry, the documents line is not available."}.Handler()
	v, err := views.New(e, views.Config{
		Authn:     authnPolicy,
		Authz:     acl,
		Forbidden: forbidden(apology),
		NotFound:  notFound(apology),
		Exception: exception(apology),
		Logger:    logger,
	})
	if err != nil {
		return nil, nil, err
	}

	add(v, s)
	// Fail closed: a route without a permission, or one registered on
	// Echo directly, stops the app before it serves anything.
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	return e, v, nil
}

// maxBodyBytes bounds every request body.
const maxBodyBytes = 1 << 20

// limitBodies makes reading more than limit bytes of a request body fail.
func limitBodies(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			return next(c)
		}
	}
}

// aclCSV is the app's ACL, compiled into the binary. It is a string, so
// that nothing can modify it.
//
//go:embed acl.csv
var aclCSV string

// loadACL loads the embedded ACL with Gatehouse's default Casbin model.
// Every malformed row is an error here, at startup.
func loadACL() (*authz.Casbin, error) {
	model, err := policies.LoadModel("") // "": the embedded default model
	if err != nil {
		return nil, err
	}
	file, err := policies.Parse("acl.csv", []byte(aclCSV))
	if err != nil {
		return nil, err
	}
	return authz.NewCasbin(model, file.Policy(), file.Grouping())
}

// authentication is the app's authentication policy: API keys everywhere,
// and Twilio's signature on the Twilio routes, if a token is configured.
func authentication(cfg config) (authn.Policy, error) {
	keys := apiKeyPolicy(cfg.apiKeys)
	if cfg.twilioToken == "" {
		return keys, nil
	}
	twilio, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens: []string{cfg.twilioToken},
		PublicURL:  cfg.publicURL,
	})
	if err != nil {
		return nil, err
	}
	// Twilio calls only the /voice routes, so the Twilio policy is asked
	// only about them: a signature proves group:twilio nowhere else, and
	// no other route's body is ever buffered to check one.
	return authn.Multi(keys, onlyUnder("/voice", twilio)), nil
}

// apiKeyPolicy proves the principal of the API key in the request's
// X-Api-Key header. A request without a key, with an unknown key or with
// more than one X-Api-Key header proves nothing: the ACL then sees only
// system.Everyone. Keys are compared in constant time, by their SHA-256.
func apiKeyPolicy(keys map[string]string) authn.Policy {
	type entry struct {
		sum       [sha256.Size]byte
		principal string
	}
	var entries []entry
	for key, principal := range keys {
		entries = append(entries, entry{sha256.Sum256([]byte(key)), principal})
	}
	return authn.PolicyFunc(func(r *http.Request) ([]string, error) {
		sent := r.Header.Values("X-Api-Key")
		if len(sent) != 1 {
			return nil, nil
		}
		sum := sha256.Sum256([]byte(sent[0]))
		var proven []string
		for _, e := range entries { // every entry, whichever matches
			if subtle.ConstantTimeCompare(sum[:], e.sum[:]) == 1 {
				proven = []string{e.principal}
			}
		}
		return proven, nil
	})
}

// onlyUnder asks p only about requests for prefix or a path under it;
// other requests prove nothing under p.
func onlyUnder(prefix string, p authn.Policy) authn.Policy {
	return authn.PolicyFunc(func(r *http.Request) ([]string, error) {
		if r.URL.Path != prefix && !strings.HasPrefix(r.URL.Path, prefix+"/") {
			return nil, nil
		}
		return p.Principals(r)
	})
}

// addRoutes registers the app's views, each with the permission it
// requires. The resource whose ACL decides is the route's path unless the
// route says otherwise.
func addRoutes(v *views.Views, s *store) {
	v.GET("/healthz", authz.NoPermissionRequired, healthz)

	v.GET("/docs", "view", s.list)
	v.POST("/docs", "edit", s.create)
	v.GET("/docs/:id", "view", s.read)
	// Publishing is a permission on the document, so the route's resource
	// is the document, /docs/:id, not the route's own path.
	v.Add(views.Route{
		Method:     http.MethodPost,
		Path:       "/docs/:id/publish",
		Name:       "publish",
		Permission: "publish",
		Resource:   "/docs/:id",
		Handler:    s.publish,
	})

	v.GET("/me", "view", whoami)
	// Twilio's routes: the call's menu, and the view that says a document.
	v.POST("/voice", "view", voiceMenu())
	v.POST("/voice/doc", "view", s.speak)
}

// apiError is the JSON body of every error answer of the API.
type apiError struct {
	Error     string `json:"error"`
	RequestID string `json:"request_id,omitempty"`
}

// isVoice reports whether c's request is for one of Twilio's routes, which
// are answered with TwiML, status 200, whatever goes wrong: Twilio treats
// any other answer as an application error and plays its stock message.
func isVoice(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/voice" || strings.HasPrefix(p, "/voice/")
}

// forbidden answers a request the ACL denied: 401 if it proved nothing
// (no API key, or a wrong one), with a WWW-Authenticate header naming the
// API-key scheme, as HTTP requires of a 401; 403 if it did.
func forbidden(apology echo.HandlerFunc) func(echo.Context, authz.Decision) error {
	return func(c echo.Context, d authz.Decision) error {
		if isVoice(c) {
			return apology(c)
		}
		principals, _ := authn.FromContext(c.Request().Context())
		if !slices.Contains(principals, authn.Authenticated) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `ApiKey header="X-Api-Key"`)
			return c.JSON(http.StatusUnauthorized, apiError{Error: "send a valid X-Api-Key"})
		}
		return c.JSON(http.StatusForbidden, apiError{Error: "you may not " + d.Permission + " this"})
	}
}

// notFound answers a request that no route matched, or whose view
// returned echo.ErrNotFound. When routes have the path but not the
// request's method, Echo has set the Allow header: that is a 405.
func notFound(apology echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isVoice(c) {
			return apology(c)
		}
		if c.Response().Header().Get(echo.HeaderAllow) != "" {
			return c.JSON(http.StatusMethodNotAllowed, apiError{Error: "method not allowed"})
		}
		return c.JSON(http.StatusNotFound, apiError{Error: "not found"})
	}
}

// exception answers a request whose view failed or panicked, or whose
// authentication or authorization could not decide. err is already in
// the log (Config.Logger); the client gets the request ID, never err.
func exception(apology echo.HandlerFunc) func(echo.Context, error) error {
	return func(c echo.Context, err error) error {
		if isVoice(c) {
			return apology(c)
		}
		// A view's echo.NewHTTPError(400, ...), as c.Bind returns it,
		// comes here too (only 404 and 405 go to the not-found view):
		// answer it as Echo would, with its status and message.
		if he, ok := errors.AsType[*echo.HTTPError](err); ok && he.Code < http.StatusInternalServerError {
			return c.JSON(he.Code, apiError{Error: fmt.Sprint(he.Message)})
		}
		id := views.RecordFrom(c.Request().Context()).RequestID()
		return c.JSON(http.StatusInternalServerError, apiError{Error: "internal error", RequestID: id})
	}
}

// accessLog gives each request an ID (in the X-Request-Id response
// header), installs a views.Record in its context, which Gatehouse fills
// in, and logs one line per request from it.
func accessLog(logger *slog.Logger, newID func() string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			rec := views.NewRecord(newID())
			c.Response().Header().Set(echo.HeaderXRequestID, rec.RequestID())
			r := c.Request()
			c.SetRequest(r.WithContext(views.NewRecordContext(r.Context(), rec)))
			if err := next(c); err != nil {
				c.Error(err) // answer now, so that the status is known
			}
			s := rec.Summary()
			attrs := []any{"request_id", s.RequestID, "method", r.Method, "route", s.Route,
				"status", c.Response().Status}
			if s.Principals != nil {
				attrs = append(attrs, "principals", s.Principals)
			}
			if s.Decision != nil {
				attrs = append(attrs, "allowed", s.Decision.Allowed, "context", s.Decision.Context)
			}
			logger.Info("request", attrs...)
			return nil
		}
	}
}

// whoami answers the principals the request proved, groups included, and
// the ACL row that let it in. Not the whole decision: its explanation
// lists the resource's ACL, which is the operator's business, not the
// caller's.
func whoami(c echo.Context) error {
	ctx := c.Request().Context()
	principals, _ := authn.FromContext(ctx)
	s := views.RecordFrom(ctx).Summary()
	answer := struct {
		Principals []string `json:"principals"`
		AllowedBy  string   `json:"allowed_by,omitempty"`
	}{Principals: principals}
	if s.Decision != nil && s.Decision.ACE != nil {
		answer.AllowedBy = s.Decision.ACE.String()
	}
	return c.JSON(http.StatusOK, answer)
}

// voiceMenu answers Twilio's webhook for a call to the documents line: it
// asks for a document's number, which Twilio posts to /voice/doc as the
// Digits parameter. Only a request signed by Twilio gets here
// (group:twilio holds view on /voice). The menu never changes, so it is
// rendered once, here, and every call gets the same bytes.
func voiceMenu() echo.HandlerFunc {
	menu := twiml.Response{Verbs: []twiml.Verb{
		twiml.Gather{Action: "/voice/doc", Method: http.MethodPost, Timeout: 5, Verbs: []twiml.Verb{
			twiml.Say{Text: "You reached the documents line. Enter the number of a document, then press the pound key."},
		}},
		twiml.Say{Text: "We did not get a number. Goodbye."},
		twiml.Hangup{},
	}}.MustMarshal()
	return func(c echo.Context) error {
		return c.Blob(http.StatusOK, twiml.ContentType, menu) // status 200, always
	}
}

// speak answers POST /voice/doc, where Twilio posts the digits the caller
// entered: it says the title of that document if it is published, then
// goes back to the menu. It reads Digits from the form body, where Twilio
// posts a call's parameters, with PostFormValue: c.FormValue would also
// take a Digits from the URL's query when the body has none.
func (s *store) speak(c echo.Context) error {
	id := c.Request().PostFormValue("Digits")
	say := twiml.Say{Text: "There is no published document with that number."}
	if d, ok, err := s.find(id); err != nil {
		return err // the exception view answers the apology
	} else if ok && d.Published {
		// The title comes from a user: twiml escapes it, so that it can
		// never add a verb to the call, and it is cut to what Twilio
		// says (a longer <Say> is not spoken).
		say.Text = "Document " + id + ": " + spoken(d.Title) + "."
	}
	answer, err := twiml.Response{Verbs: []twiml.Verb{
		say,
		twiml.Redirect{Method: http.MethodPost, URL: "/voice"},
	}}.Marshal()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, twiml.ContentType, answer)
}

// maxSpokenTitle bounds the bytes of a title that speak says: Twilio
// says at most 3,000 bytes in a <Say> for some voices, and the rest of the
// sentence must fit too.
const maxSpokenTitle = 2000

// spoken returns title cut to at most maxSpokenTitle bytes, at a rune
// boundary.
func spoken(title string) string {
	if len(title) <= maxSpokenTitle {
		return title
	}
	cut := maxSpokenTitle
	for cut > 0 && !utf8.RuneStart(title[cut]) {
		cut--
	}
	return title[:cut]
}

func healthz(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }

// printRoutes prints the routes as a table, as `gatehouse routes` does.
func printRoutes(w io.Writer, routes []views.Route) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tNAME\tPERMISSION\tRESOURCE")
	for _, r := range routes {
		resource := r.Resource
		if r.Permission == authz.NoPermissionRequired {
			resource = "-" // no ACL is consulted
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Method, r.Path, r.Name, r.Permission, resource)
	}
	tw.Flush()
}

// doc is one document of the store.
type doc struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Published bool   `json:"published"`
}

// store keeps the documents in memory. It is safe for concurrent use.
type store struct {
	mu   sync.Mutex
	docs []doc
	// down, if set, is what every call fails with: a database that is
	// down, for the exception view.
	down error
}

func newStore() *store {
	return &store{docs: []doc{{ID: "1", Title: "Welcome", Published: true}, {ID: "2", Title: "Draft plan"}}}
}

// The store's views copy what they answer under the lock and write it
// after: a client that does not read its answer must not hold the store,
// and every other view with it, the voice line's included.

// list answers GET /docs.
func (s *store) list(c echo.Context) error {
	s.mu.Lock()
	docs, err := slices.Clone(s.docs), s.down
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, docs)
}

// find returns the document with id, and whether there is one.
func (s *store) find(id string) (doc, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return doc{}, false, s.down
	}
	if i := slices.IndexFunc(s.docs, func(d doc) bool { return d.ID == id }); i >= 0 {
		return s.docs[i], true, nil
	}
	return doc{}, false, nil
}

// create answers POST /docs with {"title": "..."}.
func (s *store) create(c echo.Context) error {
	var in struct {
		Title string `json:"title"`
	}
	if err := c.Bind(&in); err != nil {
		return err
	}
	if in.Title == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "a document needs a title")
	}
	s.mu.Lock()
	if s.down != nil {
		s.mu.Unlock()
		return s.down
	}
	d := doc{ID: strconv.Itoa(len(s.docs) + 1), Title: in.Title}
	s.docs = append(s.docs, d)
	s.mu.Unlock()
	return c.JSON(http.StatusCreated, d)
}

// read answers GET /docs/:id; an unknown id goes to the not-found view.
func (s *store) read(c echo.Context) error {
	return s.withDoc(c, func(*doc) {})
}

// publish answers POST /docs/:id/publish.
func (s *store) publish(c echo.Context) error {
	return s.withDoc(c, func(d *doc) { d.Published = true })
}

// withDoc applies change to the document of the route's :id and answers
// it; an unknown id goes to the not-found view.
func (s *store) withDoc(c echo.Context, change func(*doc)) error {
	d, err := s.change(c.Param("id"), change)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// change applies change to the document with id and returns a copy of
// it; echo.ErrNotFound if there is none.
func (s *store) change(id string, change func(*doc)) (doc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return doc{}, s.down
	}
	i := slices.IndexFunc(s.docs, func(d doc) bool { return d.ID == id })
	if i < 0 {
		return doc{}, echo.ErrNotFound
	}
	change(&s.docs[i])
	return s.docs[i], nil
}
