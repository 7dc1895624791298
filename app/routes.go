package app

import (
	"net/http"

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
		{Method: http.MethodGet, Path: "/readyz", Name: "readyz", Permission: authz.NoPermissionRequired, Handler: a.readyz},
		{Method: http.MethodGet, Path: "/metrics", Name: "metrics", Permission: authz.NoPermissionRequired, Handler: a.serveMetrics},
	}
}
