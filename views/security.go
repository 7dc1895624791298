package views

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
)

// guard is the security middleware of one route: authenticate, authorize,
// then run the view or the forbidden view. Errors fail closed into the
// exception view.
func (v *Views) guard(rt Route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !v.routedHere(c, rt) {
				return echo.ErrNotFound // logged as a miss, not as the view's
			}
			rec := RecordFrom(c.Request().Context())
			rec.setRoute(rt)
			if rt.Permission == authz.NoPermissionRequired {
				return runView(c, next)
			}
			r := c.Request()
			var principals []string
			err := recovered(c, "authentication policy for ", func() (err error) {
				principals, err = authn.Effective(v.cfg.Authn, r)
				return err
			})
			if err != nil {
				if ch, ok := errors.AsType[*authn.Challenge](err); ok {
					rec.setChallenged(ch.Reason)
					return answerChallenge(c, ch)
				}
				return &guardError{fmt.Errorf("views: authenticating %s: %w", rt.Name, err)}
			}
			rec.setPrincipals(principals)
			ctx := authn.NewContext(r.Context(), principals)
			// Decide even when the request's context is done: net/http
			// cancels it as soon as reading the request fails (a body
			// cut short, or slower than the server's read timeout) yet
			// still writes the answer, and the decision is what chooses
			// that answer. Passing the cancellation on would turn a
			// client's hang-up into a policy that "could not decide".
			var d authz.Decision
			err = recovered(c, "authorization policy for ", func() (err error) {
				d, err = v.cfg.Authz.Permits(context.WithoutCancel(ctx), principals, rt.Resource, rt.Permission)
				return err
			})
			if err != nil {
				rec.setAuthzFailed()
				c.SetRequest(r.WithContext(ctx)) // for the exception view
				return &guardError{fmt.Errorf("views: authorizing %s: %w", rt.Name, err)}
			}
			rec.setDecision(d)
			// The view sees the principals the decision was made for: the
			// policy may have added groups (g rows). The request is copied
			// once, with its final context.
			viewCtx := ctx
			if len(d.Principals) > 0 && !slices.Equal(d.Principals, principals) {
				viewCtx = authn.NewContext(r.Context(), d.Principals)
			}
			c.SetRequest(r.WithContext(viewCtx))
			if v.cfg.DebugAuthorization {
				v.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, DebugAuthorizationLine(requestURL(r), rt.Name, rt.Resource, d),
					slog.String("request_id", rec.RequestID()))
			}
			if !d.Allowed {
				// A copy: the forbidden view may change what it is given,
				// and d's principals are also the Record's, for the log.
				v.forbidden(c, d.Clone())
				return nil
			}
			return runView(c, next)
		}
	}
}

// DebugAuthorizationLine renders one permission check as Pyramid's
// debug_authorization setting logs it:
//
//	debug_authorization of url <url> (view name '<view>' against context '<resource>'): <decision>
//
// The view name and the resource are quoted as Python's repr quotes them,
// as Pyramid's %r does, and the decision is [authz.Decision.String].
func DebugAuthorizationLine(url, view, resource string, d authz.Decision) string {
	return "debug_authorization of url " + url + " (view name " + authz.Repr(view) +
		" against context " + authz.Repr(resource) + "): " + d.String()
}

// requestURL is the URL of r as the server received it: scheme, Host
// header and the raw request target, query included. A target in absolute
// form (GET http://user:password@host/path) is reduced to its path and
// query, so that the URL never holds credentials; the query may hold
// caller data.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	target := r.RequestURI
	if !strings.HasPrefix(target, "/") {
		target = r.URL.RequestURI()
	}
	return scheme + "://" + r.Host + target
}

// edge runs around every handler Echo's router picks, views or not. It
// turns a panic into an error for the exception view, sends an OPTIONS
// request that no view answers to the not-found view (Echo would otherwise
// answer it with an empty 204 of its own), and refuses, through the
// exception view, a request that Echo routed to anything but a view or its
// own not-found and method-not-allowed answers: a route registered on
// Echo directly runs without a permission check, even one added after
// Err was checked.
func (v *Views) edge(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = panicError(c, "", p)
			}
		}()
		method := c.Request().Method
		served := v.servedViews()
		if method == http.MethodOptions {
			if _, isView := served.byRoute[routeKey{method, c.Path()}]; !isView {
				return runView(c, v.cfg.NotFound)
			}
		}
		switch h := c.Handler(); {
		case served.ids[funcID(h)]:
			// A view, as Views registered it. Its guard checks that the
			// request, as it is when the view runs, is the view's own: a
			// middleware may have changed its method or path since Echo
			// routed it.
			return next(c)
		case sameFunc(h, echo.NotFoundHandler):
			// Echo's miss, whatever function the global holds now (an
			// app may have set one that serves files): never run it.
			return echo.ErrNotFound
		case sameFunc(h, echo.MethodNotAllowedHandler):
			if allow, ok := c.Get(echo.ContextKeyHeaderAllow).(string); ok && allow != "" {
				c.Response().Header().Set(echo.HeaderAllow, allow)
			}
			return echo.ErrMethodNotAllowed
		}
		// A route Echo serves that is not a view: registered on e
		// directly (on a host router, or in a view's place), after Err was
		// checked or with its error ignored. It would run with no
		// permission check: refused.
		return fmt.Errorf("%w: %s %s is a route registered on Echo directly, not a view: refused", ErrNoPermission, method, c.Path())
	}
}

// routedHere reports whether the request, as the view of rt will read
// it, is one that Echo routes to that very view. Echo routed the request
// as it was when it came, and as it was sent: a middleware may have
// changed the request, or the context's route, since (a Pre middleware
// that replaces the request is not even seen by Echo's router); a view
// reads r.URL.Path decoded, a file server also cleans it (after
// http.StripPrefix has taken the route's prefix off), and Echo's static
// handler, or a view that unescapes a parameter, decodes it a second time.
// Any difference lets the view of one route act on a path of another,
// under its own permission: GET /static/%70rivate/secret.txt,
// /static//private/secret.txt, /static/../private/secret.txt or
// /static/%2570rivate/secret.txt would run the view of /static/* and
// serve the file that the view of /static/private/* guards with another,
// and /t/a%2Fb/%73ecret would run /t/:tenant/:doc for /t/:tenant/secret.
//
// So the request, now, must have a path with no "%" once decoded, no
// empty, "." or ".." segment and no escaped slash, and Echo must route it,
// with its method, to rt's handler; if the path holds escapes that Echo
// routes undecoded (%40 for @, as JavaScript's encodeURIComponent writes
// it, or lower-case hex), the decoded path must route there too. The
// context's parameters must be those of one of these routings (a
// middleware may have decoded them). Otherwise the guard sends the
// request to the not-found view.
func (v *Views) routedHere(c echo.Context, rt Route) bool {
	r := c.Request()
	p := r.URL.Path
	if strings.IndexByte(p, '%') >= 0 || strings.Contains(p, "//") || hasDotSegment(p) {
		return false
	}
	id := v.servedViews().byRoute[routeKey{rt.Method, rt.Path}]
	params := c.ParamValues()
	d := v.e.AcquireContext()
	defer v.e.ReleaseContext(d)
	raw := echo.GetPath(r)
	if find(v.e, d, r, raw); d.Path() != rt.Path || funcID(d.Handler()) != id {
		return false
	}
	same := slices.Equal(d.ParamValues(), params)
	if raw != p {
		if strings.Contains(raw, "%2F") || strings.Contains(raw, "%2f") {
			return false // it would shift the segments of the decoded path
		}
		if find(v.e, d, r, p); d.Path() != rt.Path || funcID(d.Handler()) != id || !same && !slices.Equal(d.ParamValues(), params) {
			return false
		}
	} else if !same {
		return false
	}
	// Would Echo route it here had Add registered the views it refused
	// once serving? (Echo routes on the shape of its whole tree: a late
	// view of any method can change where a request goes.) Its routes'
	// handlers are all nop: the pattern tells them apart, and the node of
	// rt's pattern has a route of rt's method, so landing there is no
	// miss and no 405.
	if w := v.wouldBe.Load(); w != nil {
		wc := w.NewContext(r, nil)
		for _, path := range slices.Compact([]string{raw, p}) {
			if find(w, wc, r, path); wc.Path() != rt.Path {
				return false
			}
		}
	}
	return true
}

// find routes r's method at path through e's router into c.
func find(e *echo.Echo, c echo.Context, r *http.Request, path string) {
	c.Reset(r, nil)
	e.Router().Find(r.Method, path, c)
}

// hasDotSegment reports whether p has a "." or ".." segment.
func hasDotSegment(p string) bool {
	if !strings.Contains(p, "/.") {
		return false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// runView runs a route's view, or the forbidden or not-found view that
// answers for it. A view that fails or panics before it answers leaves the
// response headers as they were before it ran: the error views answer on
// the same response, and must not inherit what the failed view set (a
// Content-Type, a Content-Length, a Content-Encoding, a Set-Cookie), as
// Pyramid's exception views do not inherit the failed view's response.
// (Echo's own 405 handler is no view: the Allow header it sets stays.) The
// error views that handleError calls go through safely, which does the
// same.
//
// Hooks that a view registers on the response (Response.Before, After)
// are Echo's, which offers no way to take them back: they stay, and run
// on whatever answers, an error view included. A view sets what it must
// not leak on a failure (a cookie) in the header, which is restored, not
// in a hook.
func runView(c echo.Context, view echo.HandlerFunc) (err error) {
	h := c.Response().Header()
	var saved headerState
	saved.save(h)
	returned := false
	defer func() {
		if (!returned || err != nil) && !c.Response().Committed {
			saved.restore(h)
		}
	}()
	err = view(c)
	returned = true
	return err
}

// headerState is a response header as it was at one point: its names and
// their value slices (a handler replaces a name's slice with Set, extends
// it with Add, which keeps the saved slice's length, or deletes the name).
// The few names of a request's middleware fit in fields, without
// allocating.
type headerState struct {
	n      int
	fields [4]headerField
	more   []headerField
}

type headerField struct {
	name   string
	values []string
}

func (s *headerState) save(h http.Header) {
	for name, values := range h {
		if s.n < len(s.fields) {
			s.fields[s.n] = headerField{name, values}
		} else {
			s.more = append(s.more, headerField{name, values})
		}
		s.n++
	}
}

func (s *headerState) restore(h http.Header) {
	clear(h)
	for _, f := range s.fields[:min(s.n, len(s.fields))] {
		h[f.name] = f.values
	}
	for _, f := range s.more {
		h[f.name] = f.values
	}
}

// panicError returns the error that a panic p in a view (or in the
// not-found, forbidden or exception view named by which) becomes.
// http.ErrAbortHandler, the one panic meant to abort the answer, goes on.
func panicError(c echo.Context, which string, p any) error {
	if e, ok := p.(error); ok && e == http.ErrAbortHandler {
		panic(p)
	}
	path := c.Path() // the route's pattern
	if path == "" {
		path = c.Request().URL.Path // no route matched
	}
	return fmt.Errorf("views: panic in %s%s %s: %v", which, c.Request().Method, path, p)
}

// recovered calls f, named by which in an error, and turns a panic into
// an error (see panicError). The guard calls its authentication and
// authorization policies through it: a policy that panics is a policy that
// could not decide, recorded (decision=error) and answered as one, by the
// exception view. safely calls the error views through it.
func recovered(c echo.Context, which string, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicError(c, which, p)
		}
	}()
	return f()
}

// safely calls view, the not-found, forbidden or exception view named by
// which, and turns a panic into an error, as edge does for the views: the
// caller must still get an answer. It runs the view through runView, so
// that the apology that answers instead of a failed view does not inherit
// its headers.
func safely(c echo.Context, which string, view func() error) error {
	return recovered(c, which+" view for ", func() error {
		return runView(c, func(echo.Context) error { return view() })
	})
}

// guardError is an error of the security middleware itself: the policies
// could not decide. It goes to the exception view, whatever it wraps (an
// authz.PolicyFunc returning an *authz.DeniedError included).
type guardError struct{ err error }

func (e *guardError) Error() string { return e.err.Error() }
func (e *guardError) Unwrap() error { return e.err }

// viewDenial returns the *authz.DeniedError a view returned, itself or
// wrapped in a chain of single errors (fmt.Errorf with one %w). Nothing
// else counts: an error of the guard's, a denial joined with another error
// (errors.Join: the other error must not vanish), or a denial without a
// permission (a zero DeniedError, a programming error) goes to the
// exception view.
func viewDenial(err error) (*authz.DeniedError, bool) {
	for err != nil {
		switch e := err.(type) {
		case *guardError:
			return nil, false
		case *authz.DeniedError:
			return e, e.Decision.Permission != ""
		}
		err = errors.Unwrap(err) // nil for a join
	}
	return nil, false
}

// handleError is Echo's HTTPErrorHandler: router misses go to the
// not-found view, everything else to the exception view.
func (v *Views) handleError(err error, c echo.Context) {
	ctx := c.Request().Context()
	id := slog.String("request_id", RecordFrom(ctx).RequestID())
	if c.Response().Committed {
		v.cfg.Logger.LogAttrs(ctx, slog.LevelError, "error after response was committed", id, slog.String("error", err.Error()))
		return
	}
	var he *echo.HTTPError
	var ge *guardError
	denied, isDenial := viewDenial(err)
	switch {
	case isDenial:
		// The view checked a permission of its own (on a finer resource
		// than its route's, say) and was denied: the forbidden view
		// answers, as for the route's permission, and the log records
		// that decision. A denial is not a failure: no error line.
		d := denied.Decision.Clone()
		d.Allowed = false // whatever the view put there, it denied
		RecordFrom(ctx).setViewDenial(d.Clone())
		v.forbidden(c, d)
		return
	case !errors.As(err, &ge) && errors.As(err, &he) && (he.Code == 404 || he.Code == 405):
		// A router miss, or a view's own 404 or 405; never an error of the
		// guard's, whatever it wraps: the policies could not decide.
		err = safely(c, "not-found", func() error { return v.cfg.NotFound(c) })
	default:
		v.cfg.Logger.LogAttrs(ctx, slog.LevelError, "view failed", id, slog.String("path", c.Path()), slog.String("error", err.Error()))
		err = safely(c, "exception", func() error { return v.cfg.Exception(c, err) })
	}
	if err != nil {
		v.errorViewFailed(c, err)
	}
}

// forbidden answers a denial, the route's or one a view returned, with the
// forbidden view; if that fails or panics, the failure is logged and the
// Apology answers (errorViewFailed), the same way on both paths.
func (v *Views) forbidden(c echo.Context, d authz.Decision) {
	if err := safely(c, "forbidden", func() error { return v.cfg.Forbidden(c, d) }); err != nil {
		v.errorViewFailed(c, err)
	}
}

// errorViewFailed logs the failure of one of the application's own error
// views (not-found, forbidden, exception) and answers with the configured
// Apology, which cannot fail but to write, unless an answer has begun.
func (v *Views) errorViewFailed(c echo.Context, err error) {
	ctx := c.Request().Context()
	v.cfg.Logger.LogAttrs(ctx, slog.LevelError, "exception view failed",
		slog.String("request_id", RecordFrom(ctx).RequestID()), slog.String("error", err.Error()))
	if !c.Response().Committed {
		_ = v.apology(c)
	}
}
