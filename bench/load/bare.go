package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/gatehouse/gatehouse/config"
)

// serveBareCmd serves a bare Echo route (POST /, no middleware) that
// answers the same TwiML bytes as Gatehouse's choose view, until SIGINT or
// SIGTERM: the baseline the loopback figures compare Gatehouse with (see
// bareHandler). With -view it serves the choose view itself, which parses
// the form; with -verify, the same bytes behind the signature check alone
// (see signedHandler). The HTTP server has the same timeouts and header limit as
// `gatehouse serve` on its defaults.
func serveBareCmd(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve-bare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8081", "the address to listen on")
	view := fs.Bool("view", false, "serve the choose view itself, which parses the form, instead of its bytes")
	verify := fs.Bool("verify", false, "answer the same bytes behind the signature check alone (token TWILIO_AUTH_TOKEN, public URL GATEHOUSE_PUBLIC_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	body, err := expectedBody()
	if err != nil {
		return err
	}
	var handler http.Handler = bareHandler(body)
	if *view {
		handler = viewHandler()
	}
	if *view && *verify {
		return fmt.Errorf("load serve-bare: %w: -view and -verify exclude each other", errUsage)
	}
	if *verify {
		if handler, err = signedHandler(body, os.Getenv("TWILIO_AUTH_TOKEN"), os.Getenv("GATEHOUSE_PUBLIC_URL")); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("load serve-bare: %w", err)
	}
	s := config.Default().Server
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       s.ReadTimeout,
		WriteTimeout:      s.WriteTimeout,
		IdleTimeout:       s.IdleTimeout,
		MaxHeaderBytes:    s.HTTPMaxHeaderBytes(),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stderr, "load serve-bare: listening on %s\n", ln.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("load serve-bare: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("load serve-bare: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("load serve-bare: %w", err)
	}
	return nil
}

// freePortCmd prints a TCP port on 127.0.0.1 that was free a moment ago,
// for bench/run to give the servers.
func freePortCmd(stdout io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("load free-port: %w", err)
	}
	defer ln.Close()
	_, err = fmt.Fprintln(stdout, ln.Addr().(*net.TCPAddr).Port)
	return err
}
