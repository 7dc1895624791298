// Package app is Gatehouse's composition root: it builds the Echo server
// from a config.Config, wires the authentication and authorization
// policies, the views and their exception views, and serves them with
// timeouts, a body limit and graceful shutdown. It logs one line per
// request (logging.go), counts requests, signature outcomes, decisions and
// policy reloads in Prometheus metrics served at /metrics (metrics.go), and
// answers /healthz and /readyz; readiness fails before the listener closes
// on shutdown. Main is the command line; `gatehouse routes` prints the
// route table without building a server (cmd_routes.go).
//
// The whole HTTP surface, every route with the permission it requires, is
// the table in routes.go. The policy commands (explain, principals, policy
// lint, policy test) are in cmd_policy.go; reloading the policy files while
// serving, on change or on SIGHUP, is in reload.go.
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
