package views

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"

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
// route, then check Err before serving.
type Views struct {
	e       *echo.Echo
	cfg     Config
	apology echo.HandlerFunc // cfg.Apology's, the last resort
	routes  []Route
	own     map[*echo.Route]bool // the routes v registered, as Echo holds them
	errs    []error
}

// ErrNoPermission is reported by Err for a route that declares no
// permission.
var ErrNoPermission = errors.New("views: route declares no permission (use authz.NoPermissionRequired to opt out)")

// ErrInvalidRoute is reported by Err for a route that is otherwise invalid.
var ErrInvalidRoute = errors.New("views: invalid route")

// New validates cfg, installs the not-found and exception views as e's
// HTTP error handler and panic recovery, and returns the registrar.
func New(e *echo.Echo, cfg Config) (*Views, error) {
	if cfg.Authn == nil || cfg.Authz == nil {
		return nil, errors.New("views: Config.Authn and Config.Authz are required")
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
	v := &Views{e: e, cfg: cfg, apology: apology, own: make(map[*echo.Route]bool)}
	e.HTTPErrorHandler = v.handleError
	e.Use(v.edge)
	return v, nil
}

// Add registers r. Problems are collected and reported by Err.
func (v *Views) Add(r Route) {
	r, err := ResolveRoute(r)
	if err != nil {
		v.errs = append(v.errs, err)
		return
	}
	if i := slices.IndexFunc(v.routes, func(o Route) bool { return o.Method == r.Method && o.Path == r.Path }); i >= 0 {
		// Echo would silently replace the first view, and its permission.
		v.errs = append(v.errs, fmt.Errorf("%w: %s: %s %s is registered already, as %s", ErrInvalidRoute, r.Name, r.Method, r.Path, v.routes[i].Name))
		return
	}
	v.routes = append(v.routes, r)
	// The guard wraps the view here, once: as route middleware, Echo
	// would wrap it afresh for every request.
	er := v.e.Add(r.Method, r.Path, v.guard(r)(r.Handler))
	er.Name = r.Name
	v.own[er] = true
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
// registered on the Echo instance directly, one that took a view's place
// there (Echo routes /docs/:id and /docs/:name, or /files/* and
// /files/*rest, to one handler: the last registered), and any route of a
// host router (Echo.Host). A view whose place another view took is an
// error too. Echo's RouteNotFound routes are left alone, as not-found
// views, and so is a route whose place a view took. Echo's Router.Add,
// which bypasses Echo's route table, cannot be seen: do not use it. Call
// Err after the last route is registered and before serving.
func (v *Views) Err() error {
	errs := slices.Clone(v.errs)
	byPath := func(a, b *echo.Route) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
	}
	routes := v.e.Routes()
	slices.SortFunc(routes, byPath)
	served := make(map[*echo.Route]string, len(routes)) // the pattern that serves each route's requests
	for _, r := range routes {
		served[r] = v.servedBy(r)
	}
	viewAt := make(map[string]bool) // method and pattern of each view that Echo's table holds
	for _, r := range routes {
		if v.own[r] {
			viewAt[r.Method+" "+r.Path] = true
		}
	}
	tookView := func(r *echo.Route) bool { // r serves a view's requests
		for o := range v.own {
			by, listed := served[o]
			if !listed { // replaced in the table by a route of the same pattern
				by = o.Path
			}
			if o != r && o.Method == r.Method && by == r.Path {
				return true
			}
		}
		return false
	}
	for _, r := range routes {
		switch {
		case r.Method == echo.RouteNotFound:
		case v.own[r]:
			if by := served[r]; by != r.Path && viewAt[r.Method+" "+by] {
				errs = append(errs, fmt.Errorf("%w: %s %s never runs: Echo routes its requests to the view registered later as %s %s", ErrInvalidRoute, r.Method, r.Path, r.Method, by))
			}
		case served[r] != r.Path && viewAt[r.Method+" "+served[r]]:
			// It never runs: a view took its place. (Any other answer,
			// even one that says the route never runs, is reported: this
			// check must fail closed.)
		case tookView(r):
			errs = append(errs, fmt.Errorf("%w: %s %s was registered on Echo directly, taking the place of a view and of the view's permission", ErrNoPermission, r.Method, r.Path))
		default:
			errs = append(errs, fmt.Errorf("%w: %s %s was registered on Echo directly, without a permission", ErrNoPermission, r.Method, r.Path))
		}
	}
	routers := v.e.Routers()
	for _, host := range slices.Sorted(maps.Keys(routers)) {
		routes := routers[host].Routes()
		slices.SortFunc(routes, byPath)
		for _, r := range routes {
			if r.Method != echo.RouteNotFound {
				errs = append(errs, fmt.Errorf("%w: %s %s was registered on Echo's router for host %q, which Views does not guard", ErrNoPermission, r.Method, r.Path, host))
			}
		}
	}
	return errors.Join(errs...)
}

// probeName and probeParam build a request that a route's pattern matches
// (see servedBy): a name no route has, and a parameter value that no
// static route holds.
const (
	probeName  = "\x00views: probe"
	probeParam = "\x01"
)

// servedBy returns the pattern of the route that Echo's router serves a
// request for r's pattern with: r's own, unless a later route took its
// place. Echo builds the request (Echo.Reverse, which finds the route by
// its name: r's is swapped for a moment) and routes it, so that the answer
// follows Echo's own rules for parameters, wildcards and inline verbs.
func (v *Views) servedBy(r *echo.Route) string {
	name := r.Name
	r.Name = probeName
	params := make([]any, strings.Count(r.Path, ":")+strings.Count(r.Path, "*"))
	for i := range params {
		params[i] = probeParam
	}
	path := v.e.Reverse(probeName, params...)
	r.Name = name
	c := v.e.NewContext(nil, nil)
	v.e.Router().Find(r.Method, path, c)
	return c.Path()
}

// answers reports whether a view was registered for method and path.
func (v *Views) answers(method, path string) bool {
	return slices.ContainsFunc(v.routes, func(r Route) bool { return r.Method == method && r.Path == path })
}

// Routes returns the registered routes in registration order.
func (v *Views) Routes() []Route { return slices.Clone(v.routes) }

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
	case r.Method == "" || !strings.HasPrefix(r.Path, "/"):
		return fmt.Errorf("%w: %s: needs a method and a path starting with /", ErrInvalidRoute, r.Name)
	case authz.Lineage(r.Resource) == nil:
		return fmt.Errorf("%w: %s: resource %q is not a clean slash path (set Route.Resource)", ErrInvalidRoute, r.Name, r.Resource)
	case r.Handler == nil:
		return fmt.Errorf("%w: %s: no handler", ErrInvalidRoute, r.Name)
	}
	return nil
}
