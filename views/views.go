package views

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
)

// Config configures the security of the views registered through a Views.
type Config struct {
	// Authn computes the principals of a request. Required.
	Authn authn.Policy
	// Authz decides whether they hold a view's permission. Required. It
	// is called with the request's context without its cancellation: a
	// request whose client went away is still decided, and answered.
	Authz authz.Policy
	// Forbidden answers a request that the authorization policy denied.
	// Optional. Default: the Apology.
	Forbidden func(c echo.Context, d authz.Decision) error
	// NotFound answers a request that no route matched (404 and 405).
	// Optional. Default: the Apology.
	NotFound echo.HandlerFunc
	// Exception answers a request whose view, authentication or
	// authorization failed or panicked. Optional. Default: the Apology.
	Exception func(c echo.Context, err error) error
	// Apology is the TwiML answer of the default exception views.
	// Optional. Default: the zero Apology, which says
	// DefaultApologyTextNoSupport and hangs up (with a SupportNumber and
	// no Text, it says DefaultApologyText and dials the number).
	Apology Apology
	// Logger receives errors (level ERROR) and debug_authorization lines
	// (level DEBUG, as Pyramid logs them). Optional. Default: discard.
	Logger *slog.Logger
	// DebugAuthorization logs every permission check in Pyramid's
	// debug_authorization form (see [DebugAuthorizationLine]) through
	// Logger at [slog.LevelDebug]. A handler at slog's default level
	// (INFO) drops those records, so nothing appears: give Logger a
	// handler that passes DEBUG records, such as one made with
	// slog.HandlerOptions{Level: slog.LevelDebug}. The URL a line names
	// may carry caller data in its query, such as the From number of a GET
	// webhook. Optional. Default false.
	DebugAuthorization bool
}

// Route is one view and the security it requires.
type Route struct {
	// Method is the HTTP method. Required.
	Method string
	// Path is the Echo route path. Required.
	Path string
	// Name names the view in logs and in the routes table. Optional.
	// Default: Method and Path.
	Name string
	// Permission is the permission the view requires. Required: use
	// authz.NoPermissionRequired to opt out explicitly, which skips
	// authentication as well (the view sees no principals in its context).
	Permission string
	// Resource is the resource whose ACL lineage decides. Optional.
	// Default: Path.
	Resource string
	// Handler is the view. Required.
	Handler echo.HandlerFunc
}

// Views registers permissioned views on an Echo instance. Register every
// route, then check Err before serving: a view added once the first
// request has come is not registered (see Add).
type Views struct {
	e       *echo.Echo
	cfg     Config
	apology echo.HandlerFunc // cfg.Apology's, the last resort

	mu         sync.Mutex // held by Add, Err and Routes, and to freeze the views
	routes     []Route
	index      map[routeKey]int   // of routes, by method and path
	echoRoutes []*echo.Route      // Echo's record of each of routes
	handlers   []echo.HandlerFunc // the handler Echo stores for each of routes (held, so never freed and reused)
	errs       []error
	// served is what requests read of the views, built when the first
	// request comes and never changed after. Add refuses every view from
	// then on, so that requests read it without a lock.
	served atomic.Pointer[servedViews]
	// late holds the views Add refused once serving, and wouldBe routes
	// every view Add was given, in the order it was given them, those
	// included (nil while there are none): Echo as it would be had Add
	// registered the late views. A request that it routes to another view
	// than Echo did is answered by the not-found view.
	late    []Route
	wouldBe atomic.Pointer[echo.Echo]
}

// servedViews is the views as requests read them: the funcID of the
// handler Echo stores for each view, by method and path, and the set of
// them.
type servedViews struct {
	byRoute map[routeKey]uintptr
	ids     map[uintptr]bool
}

// routeKey is the method and path of a route.
type routeKey struct{ method, path string }

// ErrNoPermission is reported by Err for a route that declares no
// permission.
var ErrNoPermission = errors.New("views: route declares no permission (use authz.NoPermissionRequired to opt out)")

// ErrInvalidRoute is reported by Err for a route that is otherwise invalid.
var ErrInvalidRoute = errors.New("views: invalid route")

// ErrErrorHandler is reported by Err when Echo's HTTPErrorHandler is no
// longer the one New installed: the not-found and exception views would
// no longer answer, and another handler might show a caller the error.
var ErrErrorHandler = errors.New("views: Echo's HTTPErrorHandler was replaced after views.New: set none of your own; answer errors with Config.NotFound and Config.Exception")

// New validates cfg, installs the not-found and exception views as e's
// HTTP error handler and panic recovery, and returns the registrar.
func New(e *echo.Echo, cfg Config) (*Views, error) {
	if cfg.Authn == nil || cfg.Authz == nil {
		return nil, errors.New("views: Config.Authn and Config.Authz are required")
	}
	if sameFunc(e.HTTPErrorHandler, (*Views)(nil).handleError) {
		// A second Views would take over the first's error views, and
		// each one's Err would report the other's routes as unguarded.
		return nil, errors.New("views: e has a Views already: use one per Echo, and combine authentication policies with authn.Multi")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	apology := cfg.Apology.Handler()
	if cfg.Forbidden == nil {
		cfg.Forbidden = func(c echo.Context, _ authz.Decision) error { return apology(c) }
	}
	if cfg.NotFound == nil {
		cfg.NotFound = apology
	}
	if cfg.Exception == nil {
		cfg.Exception = func(c echo.Context, _ error) error { return apology(c) }
	}
	v := &Views{e: e, cfg: cfg, apology: apology, index: make(map[routeKey]int)}
	e.HTTPErrorHandler = v.handleError
	e.Use(v.edge)
	return v, nil
}

// ErrServing is reported by Err, and logged, for a view added once the
// first request had come: it is not registered. From then on, a request
// goes to the not-found view unless Echo would route it, had the late
// views been registered after the others, to the view it routes it to
// now: a late view's requests, even those another view's path matches (a
// wildcard view would otherwise answer for a later, stricter view under
// it), and those the late views would have sent elsewhere (a 405, another
// view) go to the not-found view. A late view with a registered view's
// method and path is a duplicate: the registered view keeps serving.
// (Routes registered on Echo directly after a late view, themselves an
// error Err reports, are not taken into account: a request they would
// route elsewhere may go to the not-found view.)
var ErrServing = errors.New("views: view added after the first request: register every view before serving")

// Add registers r. Problems are collected and reported by Err. Add must
// come before serving: Echo's router is not safe to change while it routes
// requests, which is the program's to avoid. Once the first request has
// reached the views, Add registers nothing, and logs the view it refused
// with an error line.
func (v *Views) Add(r Route) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.served.Load() != nil {
		err := fmt.Errorf("%w: %s %s", ErrServing, r.Method, r.Path)
		v.errs = append(v.errs, err)
		v.cfg.Logger.LogAttrs(context.Background(), slog.LevelError, "view not registered", slog.String("error", err.Error()))
		if _, err := ResolveRoute(r); err != nil {
			v.errs = append(v.errs, err)
		}
		path := r.Path
		if !strings.HasPrefix(path, "/") {
			path = "/" + path // as Echo would register it
		}
		if _, dup := v.index[routeKey{r.Method, path}]; isToken(r.Method) && !dup {
			// Whatever else is wrong with it, Echo would route to it. A
			// duplicate would not have been registered before serving.
			v.late = append(v.late, Route{Method: r.Method, Path: path})
			v.wouldBe.Store(v.echoWithLateViews())
		}
		return
	}
	r, err := ResolveRoute(r)
	if err != nil {
		v.errs = append(v.errs, err)
		return
	}
	if i := v.view(r.Method, r.Path); i >= 0 {
		// Echo would silently replace the first view, and its permission.
		v.errs = append(v.errs, fmt.Errorf("%w: %s: %s %s is registered already, as %s", ErrInvalidRoute, r.Name, r.Method, r.Path, v.routes[i].Name))
		return
	}
	v.index[routeKey{r.Method, r.Path}] = len(v.routes)
	v.routes = append(v.routes, r)
	// The guard wraps the view here, once: as route middleware, Echo
	// would wrap it afresh for every request.
	guarded := v.guard(r)(r.Handler)
	er := v.e.Add(r.Method, r.Path, guarded)
	er.Name = r.Name
	v.echoRoutes = append(v.echoRoutes, er)
	// Echo stores a closure of its own around guarded. Storing guarded
	// itself in its place (the same method and path: the same node of
	// Echo's tree; Echo's route table keeps er) lets edge tell, by its
	// identity, the view's handler from any registered in its place. It is
	// held, so that its memory is never reused.
	v.e.Router().Add(r.Method, r.Path, guarded)
	v.handlers = append(v.handlers, guarded)
}

// GET registers a GET view that requires permission.
func (v *Views) GET(path, permission string, h echo.HandlerFunc) {
	v.Add(Route{Method: http.MethodGet, Path: path, Permission: permission, Handler: h})
}

// POST registers a POST view that requires permission.
func (v *Views) POST(path, permission string, h echo.HandlerFunc) {
	v.Add(Route{Method: http.MethodPost, Path: path, Permission: permission, Handler: h})
}

// Err reports every invalid route registered so far, one error each, and
// every route that Echo serves without v's permission check: a route
// registered on the Echo instance directly, including one that took a
// view's place there (Echo routes /docs/:id and /docs/:name, or /files/*
// and /files/*rest, to one handler: the last registered), a not-found
// route (Echo.RouteNotFound, and those a group's middleware adds, which
// runs on them), and any route of a host router (Echo.Host). A view whose
// place a later view took is an error too. A route of Echo's whose place a
// view took is left alone, as it never runs, if a request built for it
// reaches that view; if Echo ranks another route higher for that request
// (a parameter before a wildcard), it is reported all the same: the check
// fails closed. It also reports an HTTPErrorHandler set after New
// ([ErrErrorHandler]). Two things Err cannot see: Echo's Router.Add,
// which bypasses Echo's route table (such a route is refused when a
// request comes, below), and a middleware (Echo.Use, Echo.Pre) that
// answers requests itself, such as one that serves files, since it runs
// before any view's permission check: do not use one.
//
// Whatever Err says, a request that Echo routes to anything but a view's
// handler as Views registered it is refused through the exception view
// when it comes, with a "view failed" log line (an OPTIONS request goes to
// the not-found view): a route registered on
// Echo directly, after Err was checked or with its error ignored, never
// runs, even one in a view's place or on a host router. Echo's own miss
// and method-not-allowed answers go to the not-found view, and the
// function in Echo's global NotFoundHandler never runs. (Views judges by
// the route in the context: a middleware that routes the context afresh,
// which Echo does not follow, defeats this. Do not write one.)
//
// Err reads Echo's routes and routes requests of its own making through
// Echo's router, changing nothing: it is safe while e serves.
func (v *Views) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	errs := slices.Clone(v.errs)
	if !sameFunc(v.e.HTTPErrorHandler, v.handleError) {
		errs = append(errs, ErrErrorHandler)
	}
	sl := newSlots()
	// The pattern that Echo serves each view's requests with: its own,
	// unless a later route took its place, or a route that Echo ranks
	// higher (static, then parameter, then wildcard) catches the request
	// built for it.
	served := make([]string, len(v.routes))
	for i, r := range v.routes {
		served[i] = v.servedBy(sl, r.Method, r.Path)
	}
	for i, a := range v.routes {
		if served[i] == a.Path {
			continue // no later route took its place: it would serve the request
		}
		// Rarely here (its request went to another route): is that, or
		// any other, a later view in its place?
		for _, b := range v.routes[i+1:] {
			if b.Method == a.Method && sl.same(a.Path, b.Path) {
				errs = append(errs, fmt.Errorf("%w: %s %s never runs: Echo routes its requests to %s %s, registered later", ErrInvalidRoute, a.Method, a.Path, b.Method, b.Path))
				break
			}
		}
	}
	own := make(map[*echo.Route]bool, len(v.echoRoutes))
	for _, r := range v.echoRoutes {
		own[r] = true
	}
	byPath := func(a, b *echo.Route) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
	}
	routes := v.e.Routes()
	slices.SortFunc(routes, byPath)
	for _, r := range routes {
		switch {
		case own[r]:
			continue
		case r.Method == echo.RouteNotFound:
			errs = append(errs, fmt.Errorf("%w: a not-found route for %s was registered on Echo directly (Echo.RouteNotFound, or a group's middleware): Echo runs it without a permission; answer unknown paths with Config.NotFound", ErrNoPermission, r.Path))
			continue
		}
		if by := v.servedBy(sl, r.Method, r.Path); by != r.Path {
			if v.view(r.Method, by) >= 0 && sl.same(r.Path, by) {
				continue // a view, registered later, took its place: it never runs
			}
			// Anything else is reported, even a route whose request went
			// elsewhere: it may serve others. This check fails closed.
		}
		took := false // the place of a view, whose request it serves
		for i, a := range v.routes {
			took = took || a.Method == r.Method && served[i] == r.Path && sl.same(a.Path, r.Path)
		}
		if took {
			errs = append(errs, fmt.Errorf("%w: %s %s was registered on Echo directly, taking the place of a view and of the view's permission", ErrNoPermission, r.Method, r.Path))
		} else {
			errs = append(errs, fmt.Errorf("%w: %s %s was registered on Echo directly, without a permission", ErrNoPermission, r.Method, r.Path))
		}
	}
	routers := v.e.Routers()
	for _, host := range slices.Sorted(maps.Keys(routers)) {
		routes := routers[host].Routes()
		slices.SortFunc(routes, byPath)
		for _, r := range routes {
			errs = append(errs, fmt.Errorf("%w: %s %s was registered on Echo's router for host %q, which Views does not guard", ErrNoPermission, r.Method, r.Path, host))
		}
	}
	return errors.Join(errs...)
}

// servedBy returns the pattern of the route that e's router serves a
// request for pattern with.
func (v *Views) servedBy(sl *slots, method, pattern string) string {
	c := v.e.NewContext(nil, nil)
	v.e.Router().Find(method, sl.probe(pattern), c)
	return c.Path()
}

// slots tells which route patterns Echo gives one handler (a slot in its
// route tree), asking Echo itself, so that the answer follows Echo's own
// rules for parameters, wildcards and inline verbs. It works in Echo
// routers of its own, and remembers what it learnt of each pattern.
type slots struct {
	e      *echo.Echo        // a scratch instance: its routes build probes
	probes map[string]string // pattern: its probe
}

func newSlots() *slots {
	return &slots{e: echo.New(), probes: make(map[string]string)}
}

// same reports whether Echo gives the patterns a and b one handler, the
// last registered: whether, in a router of its own, a request for either
// goes to the other when the other is registered after it.
func (sl *slots) same(a, b string) bool {
	a, b = slashed(a), slashed(b)
	if a == b {
		return true
	}
	if i, j := strings.IndexAny(a, `:*\`), strings.IndexAny(b, `:*\`); i < 0 || j < 0 || a[:i] != b[:j] {
		return false // their static beginnings, which Echo matches as they are, differ
	}
	if ka, kb := sl.key(a), sl.key(b); !strings.HasPrefix(ka, kb) && !strings.HasPrefix(kb, ka) {
		return false
	}
	return sl.goesTo(a, b) && sl.goesTo(b, a)
}

// slashed returns pattern as Echo records it: beginning with a slash.
func slashed(pattern string) string {
	if !strings.HasPrefix(pattern, "/") {
		return "/" + pattern
	}
	return pattern
}

// goesTo reports whether, with a and then b registered, Echo routes a
// request for a to b.
func (sl *slots) goesTo(a, b string) bool {
	r := echo.NewRouter(sl.e)
	r.Add(http.MethodGet, a, nop)
	r.Add(http.MethodGet, b, nop)
	c := sl.e.NewContext(nil, nil)
	r.Find(http.MethodGet, sl.probe(a), c)
	return c.Path() == b
}

// key returns the probe of pattern up to the end of the path segment that
// holds its first '*': a wildcard ends Echo's slot in that segment, and
// Echo reads each segment on its own, so a parameter whose name holds the
// '*' reads the same without the segments after it. So the keys of two
// patterns that share a slot both begin the probe of the slot's pattern,
// and one begins the other.
func (sl *slots) key(pattern string) string {
	if i := strings.IndexByte(pattern, '*'); i >= 0 {
		if j := strings.IndexByte(pattern[i:], '/'); j >= 0 {
			pattern = pattern[:i+j]
		}
	}
	return sl.probe(pattern)
}

// probe returns a request path that pattern matches, built by Echo
// (Echo.Reverse) with every parameter "\x01", a value that no static route
// holds.
func (sl *slots) probe(pattern string) string {
	if p, ok := sl.probes[pattern]; ok {
		return p
	}
	name := fmt.Sprint("probe ", len(sl.probes))
	sl.e.GET(pattern, nop).Name = name
	params := make([]any, strings.Count(pattern, ":")+strings.Count(pattern, "*"))
	for i := range params {
		params[i] = "\x01"
	}
	p := sl.e.Reverse(name, params...)
	sl.probes[pattern] = p
	return p
}

// nop is the handler of the routes that slots registers.
func nop(echo.Context) error { return nil }

// echoWithLateViews returns an Echo that routes as v.e would with the late
// views registered after the rest: every route of v.e (views, and routes
// registered on it directly, which shape its tree too), then the late
// views, each with nop. The caller holds v.mu.
func (v *Views) echoWithLateViews() *echo.Echo {
	w := echo.New()
	own := make(map[routeKey]bool, len(v.routes))
	for _, x := range v.routes {
		own[routeKey{x.Method, x.Path}] = true
	}
	for _, x := range v.e.Routes() {
		if !own[routeKey{x.Method, x.Path}] {
			w.Add(x.Method, x.Path, nop)
		}
	}
	for _, x := range slices.Concat(v.routes, v.late) {
		w.Add(x.Method, x.Path, nop)
	}
	return w
}

// servedViews returns v.served, built from the views registered so far
// if it is not yet: the first request freezes the views.
func (v *Views) servedViews() *servedViews {
	if s := v.served.Load(); s != nil {
		return s
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if s := v.served.Load(); s != nil {
		return s
	}
	s := &servedViews{byRoute: make(map[routeKey]uintptr, len(v.index)), ids: make(map[uintptr]bool, len(v.index))}
	for k, i := range v.index {
		id := funcID(v.handlers[i])
		s.byRoute[k], s.ids[id] = id, true
	}
	v.served.Store(s)
	return s
}

// view returns the index in v.routes of the view registered for method
// and path, or -1. The caller holds v.mu.
func (v *Views) view(method, path string) int {
	if i, ok := v.index[routeKey{method, path}]; ok {
		return i
	}
	return -1
}

// sameFunc reports whether a and b are the same function, or method
// values of the same method.
func sameFunc(a, b any) bool {
	return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

// funcID is the identity of the func value f: the closure it points to.
// Two closures of one function literal share their code, and so their
// reflect.Value.Pointer, but not this: every view's guarded handler is a
// closure of one literal, and Echo wraps every other route's handler in a
// closure of its own, so only this tells a view's handler from another
// registered in its place.
func funcID(f echo.HandlerFunc) uintptr {
	return *(*uintptr)(unsafe.Pointer(&f))
}

// Routes returns the registered routes in registration order.
func (v *Views) Routes() []Route {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.routes)
}

// ResolveRoute returns r as [Views.Add] registers it: with the default
// Name and Resource filled in, and checked. The error matches
// [ErrNoPermission] or [ErrInvalidRoute]. It lets a tool list the routes
// an application declares without serving them.
func ResolveRoute(r Route) (Route, error) {
	if r.Name == "" {
		r.Name = r.Method + " " + r.Path
	}
	if r.Resource == "" {
		r.Resource = r.Path
	}
	return r, r.check()
}

func (r Route) check() error {
	switch {
	case r.Permission == "":
		return fmt.Errorf("%w: %s", ErrNoPermission, r.Name)
	case r.Permission == authz.AllPermissions:
		return fmt.Errorf("%w: %s: a view cannot require %q", ErrInvalidRoute, r.Name, authz.AllPermissions)
	case !isToken(r.Method) || !strings.HasPrefix(r.Path, "/"):
		return fmt.Errorf("%w: %s: needs a method (an HTTP token, such as GET) and a path starting with /", ErrInvalidRoute, r.Name)
	case strings.Contains(r.Path, "//") || strings.IndexByte(r.Path, '%') >= 0 || hasDotSegment(r.Path):
		// The guard refuses every request whose path has these.
		return fmt.Errorf("%w: %s: path %q has an empty, . or .. segment or a %%: the view would never run", ErrInvalidRoute, r.Name, r.Path)
	case r.Method == echo.RouteNotFound:
		// Echo's pseudo-method of its not-found routes: such a view would
		// never run as a view; every miss under its path would be refused.
		return fmt.Errorf("%w: %s: a view cannot be a not-found route; answer unknown paths with Config.NotFound", ErrInvalidRoute, r.Name)
	case authz.Lineage(r.Resource) == nil:
		return fmt.Errorf("%w: %s: resource %q is not a clean slash path (set Route.Resource)", ErrInvalidRoute, r.Name, r.Resource)
	case r.Handler == nil:
		return fmt.Errorf("%w: %s: no handler", ErrInvalidRoute, r.Name)
	}
	return nil
}

// isToken reports whether s is an HTTP token (RFC 9110), as a method must
// be. Echo keys its route table by method and path together, so a method
// holding a "/" (GET/admin, for /users) could take the key of another
// route (GET /admin/users) and hide it from Err while Echo still serves it.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
