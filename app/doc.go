// Package app is Gatehouse's composition root: `gatehouse serve` and the
// rest of the command line. It builds the Echo server that answers the
// Twilio IVR from a config.Config, wires the authentication and
// authorization policies, the views and their exception views, and serves
// them with timeouts, a body limit and graceful shutdown.
//
// To add Gatehouse to an Echo application of your own, you do not need this
// package: use views, authn, authz and policies directly, as
// docs/echo.md and examples/echoapp do. This package shows how they fit
// in a complete server.
//
// # The pieces
//
// [New] validates the configuration and builds everything before anything
// listens: the Twilio signature policy (behind HTTP Basic credentials when
// public_url carries them), the Casbin ACL from the policy files (embedded
// defaults, or policy.model and policy.file), and the views of routes.go,
// the whole HTTP surface with the permission each route requires.
// [App.Handler] is the finished handler, for tests with net/http/httptest;
// [App.Serve] serves it on a listener until its context is done, then
// drains; [App.Routes] lists the routes with their security, which
// `gatehouse routes` prints. [Main] is the command line (cli.go); the
// policy commands (explain, principals, policy lint, policy test) are in
// cmd_policy.go, the Twilio ones (sign, verify, invoke) in cmd_twilio.go.
//
// # A request's path
//
//	listener → drain bookkeeping → Echo → request log middleware:
//	    request ID (X-Request-Id), a views.Record, body limit
//	  → views: authenticate (Basic, then Twilio signature → principals)
//	  → authorize (Casbin ACL, Pyramid semantics) → view | apology
//	  → request log line and metrics from the Record
//
// The request log (logging.go) writes one line per request, naming the
// route, never the URL; Prometheus metrics (metrics.go) count requests,
// signature outcomes, decisions and policy reloads at /metrics. /healthz
// and /readyz opt out of authentication and authorization; readiness fails
// as soon as shutdown begins, server.shutdown_delay before the listener
// closes. [App.Serve] watches the configured policy files and reloads them
// when their content changes (policy.watch_interval); `gatehouse serve`
// (Main) also reloads them on SIGHUP, once they have settled as the
// watcher requires (two reads that agree). A program that calls App.Serve
// itself gets no SIGHUP reload: only the command line catches the signal
// (reload.go).
//
// The Examples of New, App.Handler and App.Serve build and run a server on
// the embedded defaults; those of Main run the command line. go doc does
// not print examples: read them on pkg.go.dev or in this package's
// test files (example_test.go, example_app_test.go, cmd_twilio_test.go),
// and run them with `go test -run Example -v ./app`.
//
// # Security
//
// Everything that can be checked is checked before the server listens: a
// missing auth token, an invalid policy file or a route without a
// permission stops startup with one clear line and exit status 2. The auth
// token is held as a config.Secret and is never logged. A policy file that
// turns invalid while the server runs is rejected and logged, and the last
// good policy stays in force: never an empty or open one. The request log
// names routes, never request URLs, whose query may hold callers' numbers;
// only debug-level lines (debug_authorization, failed signatures' URLs)
// hold URLs, with any password masked.
package app
