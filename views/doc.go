// Package views puts Pyramid's view security on Echo: every view declares
// the permission it requires, a security middleware authenticates the
// request (authn), asks the authorization policy (authz) and only then runs
// the view, and the forbidden, not-found and exception views answer
// everything that goes wrong.
//
// The request path, in one place:
//
//	request → Echo router → Views.guard: authn.Effective → authz.Permits
//	        → view (allowed) | Config.Forbidden (denied)
//	authn.Effective fails with an *authn.Challenge → 401 + WWW-Authenticate
//	router miss → Config.NotFound; error or panic → Config.Exception
//
// The default forbidden, not-found and exception views answer TwiML with
// status 200 that apologises and dials a support number ([Apology]), so a
// Twilio caller never hears Twilio's stock application error. The package
// also holds the demo IVR call flow ([IVR]).
//
// For operations, the security middleware notes what it found out (route,
// effective principals, decision) in the request's [Record], which the
// application's outermost middleware installs and logs, and with
// Config.DebugAuthorization logs every permission check in Pyramid's
// debug_authorization form ([DebugAuthorizationLine]) at level DEBUG.
//
// # Security
//
// Registration fails closed: a route without a permission is an error from
// [Views.Err] unless it opts out explicitly with [authz.NoPermissionRequired].
// At request time an authentication or authorization error ("could not
// decide") never reaches the view: the exception view answers instead, and
// a panic in a view is recovered and answered by the exception view without
// a stack trace.
package views
