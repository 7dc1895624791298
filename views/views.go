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
	if o, ok := v.registered(r.Method, r.Path); ok {
		// Echo would silently replace the first view, and its permission.
		v.errs = append(v.errs, fmt.Errorf("%w: %s: %s %s is registered already, as %s", ErrInvalidRoute, r.Name, r.Method, r.Path, o.Name))
		return
	}
	v.routes = append(v.routes, r)
	// The guard wraps the view here, once: as route middleware, Echo
	// would wrap it afresh for every request.
	er := v.e.Add(r.Method, r.Path, v.guard(r)(r.Handler))
	er.Name = r.Name
	v.own[er] = true
}

// registered returns the view registered for method and a path that Echo
// routes to the same handler as path.
func (v *Views) registered(method, path string) (Route, bool) {
	shape := routeShape(path)
	i := slices.IndexFunc(v.routes, func(r Route) bool { return r.Method == method && routeShape(r.Path) == shape })
	if i < 0 {
		return Route{}, false
	}
	return v.routes[i], true
}

// routeShape returns path with the names of its parameters erased: Echo
// gives /users/:id and /users/:name one handler, the last registered.
func routeShape(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		b.WriteByte(path[i])
		if path[i] == ':' && (i == 0 || path[i-1] != '\\') {
			for i+1 < len(path) && path[i+1] != '/' {
				i++
			}
		}
	}
	return b.String()
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
// registered on the Echo instance directly, one that replaced a view there,
// and any route of a host router (Echo.Host). Echo's RouteNotFound routes
// are left alone, as not-found views. Echo's Router.Add, which bypasses
// Echo's route table, cannot be seen: do not use it.
func (v *Views) Err() error {
	errs := slices.Clone(v.errs)
	byPath := func(a, b *echo.Route) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
	}
	routes := v.e.Routes()
	slices.SortFunc(routes, byPath)
	for _, r := range routes {
		if r.Method == echo.RouteNotFound || v.own[r] {
			continue
		}
		how := "without a permission"
		if _, ok := v.registered(r.Method, r.Path); ok {
			how = "replacing a view and the view's permission"
		}
		errs = append(errs, fmt.Errorf("%w: %s %s was registered on Echo directly, %s", ErrNoPermission, r.Method, r.Path, how))
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
