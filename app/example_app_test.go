package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/config"
)

// newApp builds the server on the embedded defaults, as `gatehouse serve`
// does with TWILIO_AUTH_TOKEN=12345 and GATEHOUSE_PUBLIC_URL set.
func newApp() *app.App {
	cfg := config.Default()
	cfg.Twilio.AuthToken = "12345"
	cfg.PublicURL = "https://ivr.example.com"
	cfg.Server.ShutdownDelay = 0 // no load balancer to wait for
	a, err := app.New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		panic(err)
	}
	return a
}

// Handler is the whole server, security included, without a listener:
// what tests drive with net/http/httptest.
func ExampleApp_Handler() {
	var a *app.App = newApp()
	h := a.Handler()
	for _, signed := range []bool{true, false} {
		r := httptest.NewRequest(http.MethodGet, "/accessible", nil)
		if signed {
			r.Header.Set(authn.SignatureHeader, authn.Sign("12345", "https://ivr.example.com/accessible", nil))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get("Content-Type"), strings.Contains(w.Body.String(), "You reached the accessible route"))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	fmt.Print(w.Code, " ", w.Body.String())
	// Output:
	// 200 application/xml true
	// 200 application/xml false
	// 200 ok
}

// Routes lists the served routes with their security: here, those that
// opt out of it.
func ExampleApp_Routes() {
	for _, r := range newApp().Routes() {
		if r.Permission == authz.NoPermissionRequired {
			fmt.Println(r.Method, r.Path, r.Name)
		}
	}
	// Output:
	// GET /healthz healthz
	// HEAD /healthz healthz
	// GET /readyz readyz
	// HEAD /readyz readyz
	// GET /metrics metrics
}

// Serve answers on any listener until its context is done, then shuts
// down gracefully and returns nil; the listener is closed.
func ExampleApp_Serve() {
	a := newApp()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/readyz")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.Status, " ", string(body))

	stop()
	fmt.Println("Serve returned", <-served)
	_, err = net.Dial("tcp", ln.Addr().String())
	fmt.Println("connecting after shutdown fails:", err != nil)
	// Output:
	// 200 OK {"ready":true}
	// Serve returned <nil>
	// connecting after shutdown fails: true
}
