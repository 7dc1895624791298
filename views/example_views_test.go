package views_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policies"
	"github.com/gatehouse/gatehouse/views"
)

// loadACL builds the Casbin ACL of csv with the embedded default model,
// as an application does at startup.
func loadACL(csv string) *authz.Casbin {
	m, err := policies.LoadModel("")
	if err != nil {
		panic(err)
	}
	f, err := policies.Parse("acl.csv", []byte(csv))
	if err != nil {
		panic(err)
	}
	acl, err := authz.NewCasbin(m, f.Policy(), f.Grouping())
	if err != nil {
		panic(err)
	}
	return acl
}

// userHeader is a toy authentication policy for authn.PolicyFunc: the
// X-Api-Key header names the user. A real one checks a secret in constant
// time.
func userHeader(r *http.Request) ([]string, error) {
	if user := r.Header.Get("X-Api-Key"); user != "" {
		return []string{"user:" + user}, nil
	}
	return nil, nil
}

// get serves one request to e as user (none if empty) and prints the
// answer's status and body.
func get(e *echo.Echo, method, target, user string) {
	r := httptest.NewRequest(method, target, nil)
	if user != "" {
		r.Header.Set("X-Api-Key", user)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
}

// New checks its configuration once, at startup. The forbidden, not-found
// and exception views default to the TwiML apology; an API answers JSON
// instead.
func ExampleNew() {
	_, err := views.New(echo.New(), views.Config{Authn: authn.PolicyFunc(userHeader)})
	fmt.Println(err)

	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn: authn.PolicyFunc(userHeader),
		Authz: loadACL("p, user:alice, /reports, view, allow"),
		Forbidden: func(c echo.Context, d authz.Decision) error {
			return c.JSON(http.StatusForbidden, map[string]string{"error": "forbidden", "permission": d.Permission})
		},
		NotFound: func(c echo.Context) error {
			return c.JSON(http.StatusNotFound, map[string]string{"error": "not found"})
		},
		Exception: func(c echo.Context, err error) error {
			return c.JSON(http.StatusInternalServerError, map[string]string{"error": "internal error"})
		},
	})
	if err != nil {
		panic(err)
	}
	v.GET("/reports", "view", func(c echo.Context) error { return c.String(http.StatusOK, "the reports") })
	v.GET("/broken", authz.NoPermissionRequired, func(c echo.Context) error { return errors.New("disk full") })
	if err := v.Err(); err != nil {
		panic(err)
	}

	get(e, http.MethodGet, "/reports", "alice")
	get(e, http.MethodGet, "/reports", "bob")
	get(e, http.MethodGet, "/nowhere", "alice")
	get(e, http.MethodGet, "/broken", "")
	// Output:
	// views: Config.Authn and Config.Authz are required
	// 200 the reports
	// 403 {"error":"forbidden","permission":"view"}
	// 404 {"error":"not found"}
	// 500 {"error":"internal error"}
}

func ExampleViews_GET() {
	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn:   authn.PolicyFunc(userHeader),
		Authz:   loadACL("p, system.Authenticated, /docs, view, allow"),
		Apology: views.Apology{Text: "Sorry."},
	})
	if err != nil {
		panic(err)
	}
	// The resource is the path, /docs/:id, whose lineage is /docs/:id,
	// /docs, /: the ACL of /docs decides for every document.
	v.GET("/docs/:id", "view", func(c echo.Context) error {
		return c.String(http.StatusOK, "document "+c.Param("id"))
	})
	get(e, http.MethodGet, "/docs/7", "alice")
	get(e, http.MethodGet, "/docs/7", "") // proves nothing: system.Everyone only
	// Output:
	// 200 document 7
	// 200 <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>Sorry.</Say><Hangup></Hangup></Response>
}

func ExampleViews_POST() {
	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn: authn.PolicyFunc(userHeader),
		Authz: loadACL("p, user:alice, /docs, edit, allow\np, system.Authenticated, /docs, view, allow"),
		Forbidden: func(c echo.Context, d authz.Decision) error {
			return c.String(http.StatusForbidden, d.String())
		},
	})
	if err != nil {
		panic(err)
	}
	v.POST("/docs", "edit", func(c echo.Context) error { return c.String(http.StatusCreated, "created") })
	get(e, http.MethodPost, "/docs", "alice")
	get(e, http.MethodPost, "/docs", "bob")
	// Output:
	// 201 created
	// 403 ACLDenied permission 'edit' via ACE '<default deny>' in ACL [('Allow', 'user:alice', 'edit'), ('Allow', 'system.Authenticated', 'view')] on context '/docs' for principals ['system.Everyone', 'system.Authenticated', 'user:bob']
}

// A Route names its resource when it is not the route's path: here the
// publish action is a permission on the document, not a resource of its
// own.
func ExampleViews_Add() {
	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn: authn.PolicyFunc(userHeader),
		Authz: loadACL("p, user:alice, /docs, publish, allow"),
		Forbidden: func(c echo.Context, d authz.Decision) error {
			return c.String(http.StatusForbidden, "forbidden on "+d.Context)
		},
	})
	if err != nil {
		panic(err)
	}
	v.Add(views.Route{
		Method:     http.MethodPost,
		Path:       "/docs/:id/publish",
		Name:       "publish",
		Permission: "publish",
		Resource:   "/docs/:id",
		Handler:    func(c echo.Context) error { return c.String(http.StatusOK, "published "+c.Param("id")) },
	})
	get(e, http.MethodPost, "/docs/7/publish", "alice")
	get(e, http.MethodPost, "/docs/7/publish", "bob")
	// Output:
	// 200 published 7
	// 403 forbidden on /docs/:id
}

// Err is the startup check: a route without a permission, an invalid
// route, and a route registered on Echo directly (which no permission
// guards) are all reported, each on a line of its own.
func ExampleViews_Err() {
	e := echo.New()
	v, err := views.New(e, views.Config{Authn: authn.PolicyFunc(userHeader), Authz: loadACL("p, user:alice, /, view, allow")})
	if err != nil {
		panic(err)
	}
	ok := func(c echo.Context) error { return c.NoContent(http.StatusOK) }
	v.GET("/reports", "view", ok)
	v.GET("/export", "", ok)
	v.Add(views.Route{Method: http.MethodGet, Path: "/files/", Permission: "view", Handler: ok})
	e.GET("/legacy", ok)

	err = v.Err()
	fmt.Println(err)
	fmt.Println(errors.Is(err, views.ErrNoPermission), errors.Is(err, views.ErrInvalidRoute))
	// Output:
	// views: route declares no permission (use authz.NoPermissionRequired to opt out): GET /export
	// views: invalid route: GET /files/: resource "/files/" is not a clean slash path (set Route.Resource)
	// views: route declares no permission (use authz.NoPermissionRequired to opt out): GET /legacy was registered on Echo directly, without a permission
	// true true
}

func ExampleViews_Routes() {
	// printRoutes prints the security of every view registered through v.
	printRoutes := func(v *views.Views) {
		for _, r := range v.Routes() {
			fmt.Printf("%s %s (%s): %s on %s\n", r.Method, r.Path, r.Name, r.Permission, r.Resource)
		}
	}

	e := echo.New()
	v, err := views.New(e, views.Config{Authn: authn.PolicyFunc(userHeader), Authz: loadACL("p, system.Authenticated, /docs, view, allow")})
	if err != nil {
		panic(err)
	}
	ok := func(c echo.Context) error { return c.NoContent(http.StatusOK) }
	v.GET("/healthz", authz.NoPermissionRequired, ok)
	v.GET("/docs/:id", "view", ok)
	v.Add(views.Route{Method: http.MethodPost, Path: "/docs/:id/publish", Name: "publish", Permission: "publish", Resource: "/docs/:id", Handler: ok})
	printRoutes(v)
	// Output:
	// GET /healthz (GET /healthz): __no_permission_required__ on /healthz
	// GET /docs/:id (GET /docs/:id): view on /docs/:id
	// POST /docs/:id/publish (publish): publish on /docs/:id
}

// A view may decide more finely than its route: here anyone signed in may
// read /docs/:id, but a draft only those who may edit it. The view asks
// the ACL about the document's own resource and returns a denial as an
// *authz.DeniedError: the forbidden view answers it, with that decision.
func ExampleViews_deniedError() {
	acl := loadACL(`p, system.Authenticated, /docs, view, allow
p, group:editors, /docs, edit, allow
g, user:alice, group:editors`)
	drafts := map[string]bool{"2": true}
	e := echo.New()
	v, err := views.New(e, views.Config{
		Authn: authn.PolicyFunc(userHeader),
		Authz: acl,
		Forbidden: func(c echo.Context, d authz.Decision) error {
			return c.String(http.StatusForbidden, "may not "+d.Permission+" "+d.Context)
		},
	})
	if err != nil {
		panic(err)
	}
	v.GET("/docs/:id", "view", func(c echo.Context) error {
		id := c.Param("id")
		if drafts[id] {
			ctx := c.Request().Context()
			principals, _ := authn.FromContext(ctx)
			d, err := acl.Permits(ctx, principals, "/docs/"+id, "edit")
			if err != nil {
				return err
			}
			if !d.Allowed {
				return &authz.DeniedError{Decision: d}
			}
		}
		return c.String(http.StatusOK, "document "+id)
	})
	if err := v.Err(); err != nil {
		panic(err)
	}
	get(e, http.MethodGet, "/docs/1", "bob")
	get(e, http.MethodGet, "/docs/2", "bob")
	get(e, http.MethodGet, "/docs/2", "alice")
	// Output:
	// 200 document 1
	// 403 may not edit /docs/2
	// 200 document 2
}
