package app

import (
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/views"
)

// routes is the whole HTTP surface that `gatehouse serve` answers, with the
// permission each view requires and the resource whose ACL decides.
func (a *App) routes(ivr *views.IVR) []views.Route {
	return []views.Route{
		{Method: http.MethodGet, Path: "/", Name: "menu", Permission: "view", Resource: "/", Handler: ivr.Menu},
		{Method: http.MethodPost, Path: "/", Name: "choose", Permission: "view", Resource: "/", Handler: ivr.Choose},
		{Method: http.MethodGet, Path: "/accessible", Name: "accessible", Permission: "view", Handler: ivr.Accessible},
		{Method: http.MethodGet, Path: "/restricted", Name: "restricted", Permission: "restricted", Handler: ivr.Restricted},
		{Method: http.MethodGet, Path: "/healthz", Name: "healthz", Permission: authz.NoPermissionRequired, Handler: a.healthz},
		{Method: http.MethodHead, Path: "/healthz", Name: "healthz", Permission: authz.NoPermissionRequired, Handler: a.healthz},
		{Method: http.MethodGet, Path: "/readyz", Name: "readyz", Permission: authz.NoPermissionRequired, Handler: a.readyz},
		{Method: http.MethodHead, Path: "/readyz", Name: "readyz", Permission: authz.NoPermissionRequired, Handler: a.readyz},
		{Method: http.MethodGet, Path: "/metrics", Name: "metrics", Permission: authz.NoPermissionRequired, Handler: a.serveMetrics},
	}
}

// opsAllow returns the methods the operations endpoint at path answers,
// and whether path is one: they answer plain HTTP, never TwiML, and only
// GET (and HEAD, for probes that send it: the status is the same, the
// body is dropped).
func opsAllow(path string) (allow string, ok bool) {
	switch path {
	case "/healthz", "/readyz":
		return "GET, HEAD", true
	case "/metrics":
		return "GET", true
	}
	return "", false
}

// notFound is the not-found view: the apology, except for an operations
// endpoint, which never gets it. A load balancer probing /readyz must not
// read the apology's 200 as "ready", during a drain least of all: a
// method the endpoint does not answer (HAProxy's default is OPTIONS) gets
// a plain 405 with Allow, and a method it answers a plain 404, since it
// reached here under a spelling of the path Echo does not route
// (/%72eadyz: Echo routes the escaped path; /./readyz; /readyz/).
func notFound(apology echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		allow, ok := opsAllow(path.Clean(r.URL.Path))
		if !ok {
			return apology(c)
		}
		if slices.Contains(strings.Split(allow, ", "), r.Method) {
			return c.String(http.StatusNotFound, "not found\n")
		}
		c.Response().Header().Set("Allow", allow)
		return c.String(http.StatusMethodNotAllowed, "method not allowed\n")
	}
}
