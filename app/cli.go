package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/config"
)

// Exit statuses of the command line, the same for every command (the
// README's tables give each command's).
const (
	ExitOK    = 0 // success, allowed, valid
	ExitFalse = 1 // denied, invalid, check failed
	ExitUsage = 2 // usage or input error
)

// A command is one subcommand of the gatehouse command line. run gets the
// arguments after the command name and returns the exit status.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

// commands is the whole command line, one row per command, in the
// order the usage lists it.
var commands = []command{
	{"serve", "serve the IVR (--config FILE --listen ADDR --public-url URL ...)", serveCmd},
	{"sign", "print a request's X-Twilio-Signature (--url URL [name=value ...] [--body-file F])", signCmd},
	{"verify", "check a signature as the server would (--url URL --signature SIG [name=value ...])", verifyCmd},
	{"invoke", "send a signed request to a running server (URL [name=value ...] [--method M])", invokeCmd},
	{"explain", "explain a decision (--resource PATH --permission PERM --principal P ... [--policy FILE])", explainCmd},
	{"principals", "principals allowed a permission (--resource PATH --permission PERM [--policy FILE])", principalsCmd},
	{"routes", "list every route with its permission and resource (--config FILE)", routesCmd},
	{"policy", "check policy files: policy lint [--policy FILE] | policy test FILE [--policy FILE]", policyCmd},
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: gatehouse <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-11s %s\n", "help", "show this help")
	b.WriteString("\nRun 'gatehouse <command> --help' for a command's flags.\n")
	return b.String()
}

// Main runs the gatehouse command line with args (without the program
// name) and returns the process exit status.
//
// A command whose output could not be written (a full disk) exits
// ExitUsage, with the error on stderr, whatever it would have returned: a
// script must not take a signature it never got, or an answer it never
// read, for success, nor for "denied". (A write to a closed pipe on the
// process's standard output kills it with SIGPIPE first, as Go does for
// any program that does not handle that signal.)
func Main(args []string, stdout, stderr io.Writer) int {
	const hint = " (run 'gatehouse help' for the list)"
	if len(args) == 0 {
		fmt.Fprintln(stderr, "gatehouse: missing command"+hint)
		return ExitUsage
	}
	name, rest := args[0], args[1:]
	out := &checkedWriter{w: stdout}
	switch name {
	case "help", "-h", "--help":
		fmt.Fprint(out, usage())
		return out.status("help", ExitOK, stderr)
	}
	for _, c := range commands {
		if c.name == name {
			return out.status(name, c.run(rest, out, stderr), stderr)
		}
	}
	// Named only if short, and redacted: it may be a credential pasted in
	// the wrong place, as for an unknown flag (see flagError). Without a
	// configuration to redact with, not named at all.
	// The --config file among the other arguments is not read: what it
	// holds could not be redacted.
	if cfg, err := config.Load(config.Options{}); err == nil && len(name) <= maxEchoedFlag && !slices.ContainsFunc(rest, isConfigFlag) {
		msg := fmt.Sprintf("gatehouse: unknown command %q%s", name, hint)
		for _, c := range append(urlHolders([]string{name}), cfg) {
			msg = c.RedactMessage(msg)
		}
		fmt.Fprintln(stderr, msg)
	} else {
		fmt.Fprintln(stderr, "gatehouse: unknown command"+hint)
	}
	return ExitUsage
}

// checkedWriter is a command's standard output: it keeps the first
// error of a write, after which it writes nothing more.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
	return n, err
}

// status returns code, the exit status of the command cmd, or ExitUsage,
// with the error on stderr, if its output could not be written.
func (c *checkedWriter) status(cmd string, code int, stderr io.Writer) int {
	if c.err == nil {
		return code
	}
	fmt.Fprintf(stderr, "gatehouse %s: writing the output: %v\n", cmd, c.err)
	return ExitUsage
}

// parseFlags parses args into fs. It returns done with the exit status
// when the command must stop: after --help, or on a usage error. named
// says whether a short unknown flag may be named (see flagError): only if
// stderr redacts the configuration's credentials, one of which it may be.
func parseFlags(fs *pflag.FlagSet, args []string, stderr io.Writer, named bool) (done bool, code int) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return true, ExitOK
		}
		return true, fail(stderr, fs.Name(), ExitUsage, flagError(fs, err, named))
	}
	return false, 0
}

// isConfigFlag reports whether arg gives the --config flag.
func isConfigFlag(arg string) bool { return arg == "--config" || strings.HasPrefix(arg, "--config=") }

// maxEchoedFlag is the longest unknown flag name that flagError repeats:
// shorter than any Twilio credential (an auth token has 32 characters).
const maxEchoedFlag = 24

// flagError returns err, a failure to parse fs's flags, rebuilt from parts
// that quote no argument: pflag quotes a bad value, or a whole argument it
// cannot read (-auth-token=TOKEN, with one dash), and either may be a
// token that no configuration loaded yet could redact. An unknown flag is
// named only if it is short (a token is not) and named is set (a short
// public_url password may be one, which only a loaded configuration can
// redact), or by the flag it begins with (--auth-tokenTOKEN, without the
// '=').
func flagError(fs *pflag.FlagSet, err error, named bool) error {
	var (
		bad     *pflag.InvalidValueError
		unknown *pflag.NotExistError
		syntax  *pflag.InvalidSyntaxError
		missing *pflag.ValueRequiredError
	)
	switch {
	case errors.As(err, &bad):
		want := "a " + bad.GetFlag().Value.Type()
		switch bad.GetFlag().Value.Type() {
		case "duration":
			want = "a duration, such as 10s"
		case "bool":
			want = "true or false"
		case "int", "int64", "uint", "uint64":
			want = "a whole number"
		}
		return fmt.Errorf("invalid value for --%s: want %s", bad.GetFlag().Name, want)
	case errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() != "":
		return errors.New("unknown flag after a single dash: long flags take two, as in --name=value")
	case errors.As(err, &unknown):
		name := unknown.GetSpecifiedName()
		longest := ""
		fs.VisitAll(func(f *pflag.Flag) {
			if strings.HasPrefix(name, f.Name) && len(f.Name) > len(longest) {
				longest = f.Name
			}
		})
		switch {
		case longest != "":
			return fmt.Errorf("unknown flag beginning with --%s: write --%s=VALUE or --%s VALUE", longest, longest, longest)
		case named && len(name) <= maxEchoedFlag:
			return fmt.Errorf("unknown flag --%s", name)
		}
		return fmt.Errorf("unknown flag of %d characters (not repeated: it may be a secret)", len(name))
	case errors.As(err, &syntax):
		return errors.New("bad flag syntax: want --name or --name=value")
	case errors.As(err, &missing):
		return fmt.Errorf("flag --%s needs a value", missing.GetFlag().Name)
	}
	return err
}

// parseConfigFlags parses args into fs, which holds configuration flags
// (config.AddFlags), then loads the configuration, for a command that
// redacts every error it prints with it. It returns done with the exit
// status when the command must stop: after --help, on a usage error, or
// when the configuration does not load (Load's errors are redacted
// already). A usage error (see flagError) is also redacted with the
// configuration that the flags parsed before it, the environment and the
// file give, if that loads: a short unknown flag is still named.
func parseConfigFlags(fs *pflag.FlagSet, args []string, stderr io.Writer) (cfg *config.Config, done bool, code int) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, true, ExitOK
		}
		// nil on error: Redact is then a no-op, and nothing is named. Nor
		// is anything when a --config came after the bad flag: the parse
		// stopped before it, so its file, and what it holds, is not read.
		cfg, _ := config.Load(config.Options{Flags: fs})
		named := cfg != nil && (fs.Lookup("config") == nil || fs.Lookup("config").Changed || !slices.ContainsFunc(args, isConfigFlag))
		return nil, true, fail(stderr, fs.Name(), ExitUsage, cfg.RedactError(flagError(fs, err, named)))
	}
	cfg, err := config.Load(config.Options{Flags: fs})
	if err != nil {
		return nil, true, fail(stderr, fs.Name(), ExitUsage, err)
	}
	return cfg, false, 0
}

// fail prints each line of err prefixed with the command and returns code.
func fail(stderr io.Writer, cmd string, code int, err error) int {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(stderr, "gatehouse %s: %s\n", cmd, line)
	}
	return code
}

func serveCmd(args []string, _, stderr io.Writer) int {
	// SIGHUP reloads the policy files. Caught from the start: its default
	// action would kill a server that is still starting.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	// Whether SIGINT was ignored when the process started (a background
	// job of a non-interactive shell ignores it), read before Notify ends
	// that: see the second signal below. Go keeps an inherited "ignore"
	// for SIGHUP and SIGINT only; SIGTERM's default action is restored at
	// startup, whatever the parent set.
	intIgnoredAtStart := signal.Ignored(os.Interrupt)
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	config.AddFlags(fs)
	// What the flags' parse prints is redacted with the password of every
	// argument that may be a URL (a public URL given without
	// --public-url, or after the wrong flag), as the other commands do.
	cfg, done, code := parseConfigFlags(fs, args, redactingWriter{stderr, urlHolders(args), true})
	if done {
		return code
	}
	// From here on, every error is redacted: one built from a configured
	// value (a policy file's path, the listen address) or an argument
	// would quote a credential pasted into it. (stderr is read at each
	// failure: it becomes the log's writer below.)
	failed := func(code int, err error) int { return failer("serve", stderr, cfg, urlArgs(args)...)(code, err) }
	if fs.NArg() > 0 {
		return failed(ExitUsage, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	// Validate before building the logger from log.*: its messages redact
	// a token pasted into the wrong key, newLogger's would quote it.
	if err := cfg.Validate(); err != nil {
		return failed(ExitUsage, err)
	}
	// The log goes through a batchWriter, so that request lines written
	// together share a system call; from here on errors go through it too,
	// after the lines logged before them. Close writes what is pending.
	logOut := newBatchWriter(stderr)
	defer logOut.Close()
	stderr = logOut
	logger, err := newLogger(cfg.Log, logOut)
	if err != nil {
		return failed(ExitUsage, err)
	}
	a, err := New(cfg, logger)
	if err != nil {
		return failed(ExitUsage, err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		// The configured address cannot be used (in use, or a host that
		// does not resolve): an input error, named by its key.
		return failed(ExitUsage, fmt.Errorf("config: listen: %w", err))
	}
	// Config.LogValue redacts any credential pasted into another key.
	logger.Info("starting", slog.Any("config", cfg))
	a.logStartupWarnings(logger)
	// One registration takes both stop signals, from now to the end: the
	// first starts the drain, a second stops the process. (Registering
	// for the second only once the first had come left a moment in which
	// a second signal was lost, and the drain ran its full length.)
	stops := make(chan os.Signal, 2)
	signal.Notify(stops, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stops)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer a.reloadOn(hup)()
	served := make(chan struct{})
	defer close(served)
	go func() {
		select {
		case <-stops:
			cancel()
		case <-served:
			return
		}
		// A second signal during the drain stops the process at once, as
		// that signal's default action would, once the log is written.
		select {
		case sig := <-stops:
			logOut.Close()
			code := ExitFalse
			if s, ok := sig.(syscall.Signal); ok {
				code = 128 + int(s) // the shell's status for a death by s
			}
			// Reset restores the disposition the process started with:
			// if that was to ignore the signal, raising it again would do
			// nothing. Then exit at once with the status it would have
			// given.
			if sig != os.Interrupt || !intIgnoredAtStart {
				signal.Reset(sig)
				if p, err := os.FindProcess(os.Getpid()); err == nil {
					p.Signal(sig)
				}
				time.Sleep(time.Second) // the signal kills the process first
			}
			os.Exit(code)
		case <-served:
		}
	}()
	if err := a.Serve(ctx, ln); err != nil {
		// Through the log, in its format: a JSON log stays JSON to the end.
		logger.LogAttrs(context.Background(), slog.LevelError, "serve failed", slog.String("error", cfg.RedactError(err).Error()))
		return ExitFalse
	}
	return ExitOK
}

// newLogger builds the structured logger that config.Log describes.
func newLogger(c config.Log, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("app: log.level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.Format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(newTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("app: log.format: unknown format %q (want text or json)", c.Format)
}
