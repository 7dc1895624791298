package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/views"
)

// App is a configured Gatehouse server.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	echo     *echo.Echo
	views    *views.Views
	metrics  *metrics
	policy   *policyState // the ACL in force, and how to reload it
	draining atomic.Bool  // shutting down: readiness fails
	drain    *drain       // the connections Serve must not drop

	// For the request log (see observe).
	ids        *requestIDs
	aces       aceTexts
	principals principalTexts
	requestPC  atomic.Uintptr // where the request line is logged from; 0 until the first
}

// New builds the server from cfg. It fails on anything that would make the
// server unsafe or unusable: no auth token, an invalid policy, an invalid
// route. logger receives the request log, one line per request at info
// level, and the debug_authorization lines if cfg asks for them (at debug
// level, but shown whatever logger's level); nil discards everything.
//
// No error of New quotes a credential of cfg: any it would hold, such as
// a token pasted into policy.file and quoted back by the failure to open
// it, is replaced by "[REDACTED]" (see config.Config.RedactError).
func New(cfg *config.Config, logger *slog.Logger) (*App, error) {
	a, err := newApp(cfg, logger)
	if err != nil {
		return nil, cfg.RedactError(err)
	}
	return a, nil
}

// newApp is New without the redaction of its errors.
func newApp(cfg *config.Config, logger *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &App{cfg: cfg, log: logger, drain: newDrain(), ids: newRequestIDs()}
	if err := cfg.RequireToken(); err != nil {
		return nil, err
	}
	proxies, err := cfg.TrustedProxyPrefixes()
	if err != nil {
		return nil, err
	}
	var tokens []string
	for _, t := range cfg.Tokens() {
		tokens = append(tokens, t.Reveal())
	}
	twilio, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens:     tokens,
		AccountSid:     cfg.Twilio.AccountSid,
		PublicURL:      cfg.PublicURL,
		TrustedProxies: proxies,
		MaxBodyBytes:   cfg.Server.MaxBodyBytes,
		Observe:        a.observeSignature,
	})
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	authnPolicy, err := requireCredentials(cfg.PublicURL, twilio)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	policy, err := loadPolicy(cfg.Policy)
	if err != nil {
		return nil, err
	}

	a.policy = policy
	routes := a.routes(views.NewIVR(cfg.Apology.Voice, cfg.Apology.Language))
	a.metrics = newMetrics(routes)

	a.echo = echo.New()
	a.echo.HideBanner, a.echo.HidePort = true, true
	// The outermost middleware: registered before views.New registers
	// its own (edge), it wraps it. As Echo middleware rather than Pre
	// middleware, it runs once the router has chosen the handler (for a
	// request no route matches too), which saves a closure per request.
	a.echo.Use(a.observe) // which also bounds the body (limitBody)
	viewsLog := logger
	if cfg.DebugAuthorization {
		viewsLog = slog.New(debugVisible{logger.Handler()})
	}
	apology := views.Apology{
		Text:          cfg.Apology.Text,
		Voice:         cfg.Apology.Voice,
		Language:      cfg.Apology.Language,
		SupportNumber: cfg.SupportNumber,
	}
	a.views, err = views.New(a.echo, views.Config{
		Authn:              authnPolicy,
		Authz:              policy.acl,
		Apology:            apology,
		NotFound:           notFound(apology.Handler()),
		Logger:             viewsLog,
		DebugAuthorization: cfg.DebugAuthorization,
	})
	if err != nil {
		return nil, err
	}
	for _, r := range routes {
		a.views.Add(r)
	}
	if err := a.views.Err(); err != nil {
		return nil, err
	}
	return a, nil
}

// Handler returns the server's HTTP handler.
func (a *App) Handler() http.Handler { return a.echo }

// Routes returns the served routes with their permissions.
func (a *App) Routes() []views.Route { return a.views.Routes() }

// Serve serves on ln until ctx is done, then shuts down gracefully:
//
//  1. readiness fails at once (/readyz answers 503) and kept-alive
//     connections are closed after their next answer, but new
//     connections are still served, for server.shutdown_delay: time for a
//     load balancer to notice and stop sending requests;
//  2. the listener closes, so new connections are refused; the requests
//     of the connections already accepted, and those in flight, are
//     answered within server.shutdown_timeout (Serve first waits until
//     every connection it accepted has handed its first request over, so
//     that none is dropped unanswered); Serve then returns nil, or an
//     error if some request whose headers it had read was not wholly
//     answered in time (it is cut off, a request whose body was still
//     arriving included). Connections on which no request's headers had
//     all arrived by then are closed, and Serve returns nil (with a
//     warning if net/http had not closed them itself: those under 5 s
//     old).
//
// While it serves, it watches the configured policy files and reloads them
// when they change (see policy.watch_interval).
//
// Serve refuses to start if a route was added without a permission since
// New (see views.Views.Err).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.views.Err(); err != nil {
		return err
	}
	s := a.cfg.Server
	srv := &http.Server{
		Handler:           a.drainHandler(a.echo),
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       s.ReadTimeout,
		WriteTimeout:      s.WriteTimeout,
		IdleTimeout:       s.IdleTimeout,
		MaxHeaderBytes:    s.HTTPMaxHeaderBytes(), // the configured figure, exactly
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnContext:       a.drain.connContext,
		ConnState:         a.drain.connState,
	}
	ln = &onceCloseListener{Listener: ln}
	stopWatch := a.startPolicyWatch(ctx)
	defer stopWatch()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("listening", slog.String("addr", ln.Addr().String()))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.draining.Store(true) // and drainHandler closes connections after their answer
	a.log.Info("draining: readiness fails, still serving until the delay ends",
		slog.Duration("shutdown_delay", s.ShutdownDelay), slog.Duration("shutdown_timeout", s.ShutdownTimeout))
	if s.ShutdownDelay > 0 {
		t := time.NewTimer(s.ShutdownDelay)
		select {
		case <-t.C:
		case err := <-errc:
			t.Stop()
			return err
		}
	}
	a.log.Info("shutting down: refusing new connections, finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), s.ShutdownTimeout)
	defer cancel()
	// Close the listener ourselves and wait for srv.Serve to return: by
	// then the ConnState hook has run for every connection it accepted,
	// so drain knows them all. Shutdown would drop the requests not yet
	// read; drain.wait lets them reach the handler first (if sctx ends
	// before, so does Shutdown).
	ln.Close()
	serveErr := <-errc
	_ = a.drain.wait(sctx)
	if err := srv.Shutdown(sctx); err != nil {
		busy, silent := a.drain.busyConns(), a.drain.pending()
		srv.Close()
		if busy > 0 {
			return fmt.Errorf("app: shutdown: requests still in flight after server.shutdown_timeout (%v) were cut off: %w", s.ShutdownTimeout, err)
		}
		// Only connections on which no request's headers had been read were
		// left (net/http waits up to 5 s for a new one): a client that
		// connected and sent nothing, or too little. No request the server
		// received was lost.
		a.log.Warn("shutdown: closed connections that had not sent a request's headers by server.shutdown_timeout",
			slog.Int("connections", silent), slog.Duration("shutdown_timeout", s.ShutdownTimeout))
	}
	if !errors.Is(serveErr, net.ErrClosed) && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	a.log.Info("stopped")
	return nil
}

// limitBody bounds the body of c's request, which must be the request's
// own copy; authn reports a larger body as too large and views see a read
// error.
func (a *App) limitBody(c echo.Context) {
	r := c.Request()
	if r.Body != nil && r.Body != http.NoBody {
		// The underlying writer, so that net/http closes the connection
		// after an over-limit body.
		r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, a.cfg.Server.MaxBodyBytes)
	}
}

func (a *App) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz answers 200 only while a valid policy is in force and the server
// is not draining.
func (a *App) readyz(c echo.Context) error {
	switch {
	case a.draining.Load():
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"ready": false, "reason": "draining"})
	case a.policy == nil || a.policy.acl.Generation() == 0:
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"ready": false, "reason": "no valid policy"})
	}
	return c.JSON(http.StatusOK, map[string]any{"ready": true})
}

// serveMetrics is the /metrics view: the Prometheus exposition formats.
func (a *App) serveMetrics(c echo.Context) error {
	a.metrics.serve.ServeHTTP(c.Response(), c.Request())
	return nil
}

// requireCredentials puts an HTTP Basic check in front of the signature
// policy when the public URL carries credentials ("https://user:pass@host"),
// as Twilio supports them: Twilio's first request is then answered 401 with
// a challenge, and its second carries the credentials.
func requireCredentials(publicURL string, signature authn.Policy) (authn.Policy, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.User == nil {
		return signature, nil // an unparsable URL was refused by the signature policy
	}
	password, _ := u.User.Password()
	return authn.NewBasic(authn.BasicConfig{Username: u.User.Username(), Password: password, Next: signature})
}
