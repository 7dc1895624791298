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

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/policies"
	"github.com/gatehouse/gatehouse/views"
)

// App is a configured Gatehouse server.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	echo     *echo.Echo
	views    *views.Views
	draining atomic.Bool
}

// New builds the server from cfg. It fails on anything that would make the
// server unsafe or unusable: no auth token, an invalid policy, an invalid
// route.
func New(cfg *config.Config, logger *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
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
		PublicURL:      cfg.PublicURL,
		TrustedProxies: proxies,
		MaxBodyBytes:   cfg.Server.MaxBodyBytes,
	})
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	authnPolicy, err := requireCredentials(cfg.PublicURL, twilio)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	acl, err := loadPolicy(cfg.Policy)
	if err != nil {
		return nil, err
	}

	a := &App{cfg: cfg, log: logger, echo: echo.New()}
	a.echo.HideBanner, a.echo.HidePort = true, true
	a.echo.Pre(a.limitBody)
	a.views, err = views.New(a.echo, views.Config{
		Authn: authnPolicy,
		Authz: acl,
		Apology: views.Apology{
			Text:          cfg.Apology.Text,
			Voice:         cfg.Apology.Voice,
			Language:      cfg.Apology.Language,
			SupportNumber: cfg.SupportNumber,
		},
		Logger:             logger,
		DebugAuthorization: cfg.DebugAuthorization,
	})
	if err != nil {
		return nil, err
	}
	for _, r := range a.routes(views.NewIVR(cfg.Apology.Voice, cfg.Apology.Language)) {
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

// Serve serves on ln until ctx is done, then stops accepting requests,
// fails readiness, and lets in-flight requests finish within the configured
// shutdown timeout.
//
// Serve refuses to start if a route was added without a permission since
// New (see views.Views.Err).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.views.Err(); err != nil {
		return err
	}
	s := a.cfg.Server
	srv := &http.Server{
		Handler:           a.echo,
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       s.ReadTimeout,
		WriteTimeout:      s.WriteTimeout,
		IdleTimeout:       s.IdleTimeout,
		MaxHeaderBytes:    s.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("listening", slog.String("addr", ln.Addr().String()))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.draining.Store(true)
	a.log.Info("shutting down", slog.Duration("timeout", s.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), s.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("app: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// limitBody bounds every request body; authn reports a larger body as
// too large and views see a read error.
func (a *App) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Body != nil && r.Body != http.NoBody {
			// The underlying writer, so that net/http closes the
			// connection after an over-limit body.
			r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, a.cfg.Server.MaxBodyBytes)
		}
		return next(c)
	}
}

func (a *App) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

func (a *App) readyz(c echo.Context) error {
	if a.draining.Load() {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"ready": false, "reason": "draining"})
	}
	return c.JSON(http.StatusOK, map[string]any{"ready": true})
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

// loadPolicy builds the Casbin ACL from the configured (or embedded) model
// and policy files.
func loadPolicy(p config.Policy) (*authz.Casbin, error) {
	m, err := policies.LoadModel(p.Model)
	if err != nil {
		return nil, err
	}
	f, err := policies.LoadFile(p.File)
	if err != nil {
		return nil, err
	}
	return authz.NewCasbin(m, f.Policy(), f.Grouping())
}
