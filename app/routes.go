package app

import (
	"net/http"

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

// opsPaths are the operations endpoints among the routes: they answer
// plain HTTP, never TwiML, and only GET (and HEAD, for probes that send
// it: the status is the same, the body is dropped).
var opsPaths = map[string]string{"/healthz": "GET, HEAD", "/readyz": "GET, HEAD", "/metrics": "GET"}

// notFound is the not-found view: the apology, except that a request for
// an operations endpoint with a method it does not answer gets a plain
// 405 with Allow. A load balancer probing /readyz with another method
// (HAProxy's default is OPTIONS) must not read the apology's 200 as
// "ready", during a drain least of all.
func notFound(apology echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		allow, ok := opsPaths[r.URL.Path]
		if !ok || r.Method == http.MethodGet || (r.Method == http.MethodHead && allow != "GET") {
			return apology(c)
		}
		c.Response().Header().Set("Allow", allow)
		return c.String(http.StatusMethodNotAllowed, "method not allowed\n")
	}
}
