// Package views puts Pyramid's view security on Echo v4. Every view
// declares the permission it requires; before the view runs, a security
// middleware authenticates the request (package authn), asks the
// authorization policy (package authz) whether the request's principals
// hold that permission on the view's resource, and only then runs the
// view. The forbidden, not-found and exception views answer everything
// that goes wrong.
//
// docs/echo.md adds this package to an existing Echo application step by
// step, and examples/echoapp is that application, runnable.
//
// # How the pieces fit
//
// [New] takes the Echo instance and a [Config]: the authentication policy
// (Config.Authn, an [authn.Policy]), the authorization policy
// (Config.Authz, an [authz.Policy], usually an [*authz.Casbin] loaded with
// package policies), and optionally your own forbidden, not-found and
// exception views. It returns a [Views], through which you register every
// route instead of through Echo: [Views.GET] and [Views.POST] take a path,
// a permission and a handler; [Views.Add] takes a [Route], which can also
// name the route and its resource. After the last route, [Views.Err]
// reports every route without a permission; check it before serving.
// Register every view before serving: once the first request has come,
// Add registers nothing, logs the view it refused and Err reports it
// ([ErrServing]).
//
//	e := echo.New()
//	v, err := views.New(e, views.Config{
//		Authn: myPolicy, Authz: acl,
//		// The defaults answer TwiML with status 200; an API sets its own.
//		Forbidden: apiForbidden, NotFound: apiNotFound, Exception: apiException,
//	})
//	if err != nil { ... }
//	v.GET("/docs", "view", listDocs)
//	v.POST("/docs", "edit", createDoc)
//	v.GET("/healthz", authz.NoPermissionRequired, healthz)
//	if err := v.Err(); err != nil { ... } // refuse to start
//
// New installs the not-found and exception views as e's HTTPErrorHandler
// (set no other after it: Err reports one) and adds one middleware with
// e.Use (panic recovery; OPTIONS requests no view answers go to the
// not-found view; any other request routed to anything but a view's
// handler as Views registered it, such as a route registered on e after
// Err was checked, is refused through the exception view). One Views per Echo: a
// second New on it is refused. Middleware registered with e.Use
// before New wraps everything, including the security: that is where a
// request log installs its [Record].
//
// # A request's path
//
//	request → Echo router → security middleware of the route:
//	    1. authenticate: authn.Effective(Config.Authn, r) → principals
//	       (system.Everyone, then system.Authenticated and what the
//	       policy proved); an *authn.Challenge → 401 + WWW-Authenticate
//	    2. authorize: Config.Authz.Permits(ctx, principals,
//	       Route.Resource, Route.Permission) → authz.Decision
//	    3. render: allowed → the view; denied → Config.Forbidden
//	router miss, 405, or a view returning echo.ErrNotFound → Config.NotFound
//	a request that, as the view would read it, Echo does not route to the
//	    view (changed by a middleware since, a "%" once decoded, an empty,
//	    . or .. segment, an escaped slash) → Config.NotFound
//	any other error, a panic, or a policy that could not decide → Config.Exception
//
// A route whose permission is [authz.NoPermissionRequired] skips steps 1
// and 2: its view runs for every request, and sees no principals.
//
// # Resources
//
// The resource whose ACL decides is Route.Resource, by default the route's
// path as Echo spells it. Resources are slash paths, and an ACL row on a
// resource also applies to everything under it: the lineage of "/docs/:id"
// is "/docs/:id", "/docs", "/", so rows on "/docs" decide for every
// document unless a row on "/docs/:id" decides first. Set Route.Resource
// when the route's path is not the thing being protected, such as
// "POST /docs/:id/publish", whose resource is the document, "/docs/:id".
// The resource belongs to the route, not to the request: every document
// of "/docs/:id" has the same ACL.
//
// # Exception views
//
// Config.Forbidden receives the [authz.Decision] (a copy, with its
// explanation): the route's, or the one a view returns as an
// [*authz.DeniedError] after checking a finer resource itself (recorded as
// a denial, whatever its Allowed says, for the principals authentication
// proved; joined with another error, it is a failure for Config.Exception);
// Config.NotFound and Config.Exception answer whatever they like. Their status is theirs to choose: the defaults answer the
// [Apology], TwiML with status 200 that apologises and dials a support
// number (or hangs up), because Twilio plays its stock "application error"
// message for any other status. An application with both an API and
// Twilio webhooks answers JSON from its own views and calls
// [Apology.Handler] for the webhook paths, as the Example of
// Apology.Handler shows.
// The error given to Config.Exception has already been logged to
// Config.Logger (level ERROR); do not send it to the client. Only a 404
// or 405 *echo.HTTPError goes to the not-found view (never one wrapped in
// a policy's error: that policy could not decide): any other that a view
// returns, such as the 400 of c.Bind, goes to Config.Exception, which can
// answer its status (errors.As). A view that fails before it answers
// leaves the response headers as they were before it ran, so that the
// error view does not answer with the failed view's Content-Type,
// Content-Length or Set-Cookie. (Hooks a view registers with
// Response.Before or After cannot be taken back, and run on whatever
// answers: set what must not outlive a failure in the header, not in a
// hook.) If a not-found, forbidden or exception view of the
// application's own fails or panics, it is logged and Config.Apology
// answers: the caller always hears it.
//
// # Inside a view
//
// [authn.FromContext] on the request's context returns the effective
// principals the decision was made for, groups from the policy's g rows
// included. If the application's middleware installed a [Record]
// ([NewRecordContext]), [RecordFrom] returns it, and its [Record.Summary]
// holds the route, the principals and the decision with its explanation;
// the request log reads the same Record once the request is answered.
// Config.DebugAuthorization logs every permission check in Pyramid's
// debug_authorization form ([DebugAuthorizationLine]) at level DEBUG,
// through Config.Logger: that logger's handler must pass DEBUG records
// (slog's handlers drop them by default), or nothing appears.
//
// A view that answers a Twilio form POST reads the call's parameters
// from the body, with c.Request().PostFormValue, as [IVR.Choose] does:
// once the signature verifies, package authn has set the request's
// PostForm to exactly the parameters Twilio signed and posted.
// c.FormValue is r.FormValue, which also reads the URL's query: when the
// body has no such parameter, it returns the query's instead, which is
// part of the signed URL but is not a parameter of the call.
//
// The package also holds the demo IVR call flow that `gatehouse serve`
// answers ([IVR]).
//
// The Examples show each step: those of New (JSON exception views),
// Views.GET (lineage), Views.Add (a resource other than the path),
// Views.Err (what fails at startup), Views (a denial a view returns as
// an *authz.DeniedError), NewRecordContext (a request log) and
// RecordFrom (the decision inside a view). go doc does not print
// examples: read them on pkg.go.dev or in this package's example_*_test.go
// files, and run them with `go test -run Example -v ./views`.
//
// # Security
//
// Registration fails closed: a route without a permission, an invalid
// route, a view registered twice, an HTTPErrorHandler set after New, and a route that Echo would serve
// without the guard (registered on the Echo instance directly, taking a
// view's place there, a not-found route, or on a host router) are errors
// from [Views.Err], and such a route is refused when a request comes for
// it; opting out is
// explicit, with [authz.NoPermissionRequired]. A view can never require
// [authz.AllPermissions]. At request time an authentication or
// authorization error ("could not decide") never reaches the view: the
// exception view answers instead, and a panic in a view is recovered and
// answered by the exception view without a stack trace. The decision is
// made even when the client has gone away, so a hang-up cannot turn into
// an error. A [Record] holds nothing secret: no token, signature, URL or
// request parameter.
package views
