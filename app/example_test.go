package app_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/config"
)

func ExampleMain() {
	code := app.Main([]string{"help"}, os.Stdout, io.Discard)
	fmt.Println("exit status", code)
	// Output:
	// usage: gatehouse <command> [flags]
	//
	// commands:
	//   serve       serve the IVR (--config FILE --listen ADDR --public-url URL ...)
	//   sign        print a request's X-Twilio-Signature (--url URL [name=value ...] [--body-file F])
	//   verify      check a signature as the server would (--url URL --signature SIG [name=value ...])
	//   invoke      send a signed request to a running server (URL [name=value ...] [--method M])
	//   explain     explain a decision (--resource PATH --permission PERM --principal P ... [--policy FILE])
	//   principals  principals allowed a permission (--resource PATH --permission PERM [--policy FILE])
	//   routes      list every route with its permission and resource (--config FILE)
	//   policy      check policy files: policy lint [--policy FILE] | policy test FILE [--policy FILE]
	//   help        show this help
	//
	// Run 'gatehouse <command> --help' for a command's flags.
	// exit status 0
}

func ExampleNew() {
	cfg := config.Default()
	cfg.Twilio.AuthToken = "your-auth-token"
	cfg.PublicURL = "https://ivr.example.com"
	a, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		panic(err)
	}
	for _, r := range a.Routes() {
		fmt.Printf("%-4s %-11s %-10s %s\n", r.Method, r.Path, r.Name, r.Permission)
	}

	// A request signed as Twilio signs it reaches a view that requires "view".
	r := httptest.NewRequest(http.MethodGet, "/accessible", nil)
	r.Header.Set("X-Twilio-Signature", authn.Sign("your-auth-token", "https://ivr.example.com/accessible", nil))
	w := httptest.NewRecorder()
	a.Handler().ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// GET  /           menu       view
	// POST /           choose     view
	// GET  /accessible accessible view
	// GET  /restricted restricted restricted
	// GET  /healthz    healthz    __no_permission_required__
	// HEAD /healthz    healthz    __no_permission_required__
	// GET  /readyz     readyz     __no_permission_required__
	// HEAD /readyz     readyz     __no_permission_required__
	// GET  /metrics    metrics    __no_permission_required__
	// 200 <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>You reached the accessible route. Goodbye.</Say><Hangup></Hangup></Response>
}

func ExampleMain_explain() {
	// The embedded default policy; system.Everyone and
	// system.Authenticated are added as the server adds them.
	code := app.Main([]string{"explain", "--resource", "/restricted", "--permission", "restricted",
		"--principal", "group:twilio"}, os.Stdout, os.Stderr)
	fmt.Println("exit status", code)
	// Output:
	// ACLDenied permission 'restricted' via ACE '<default deny>' in ACL [('Allow', 'group:twilio', 'view')] on context '/restricted' for principals ['system.Everyone', 'system.Authenticated', 'group:twilio']
	// exit status 1
}

func ExampleMain_policyTest() {
	// The tests of the embedded default policy.
	code := app.Main([]string{"policy", "test", "../policies/policy_test.csv"}, os.Stdout, os.Stderr)
	fmt.Println("exit status", code)
	// Output:
	// ok: 6 tests passed
	// exit status 0
}
