package app

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/views"
)

// routesCmd prints the whole HTTP surface that `serve` would answer with
// the same configuration: Pyramid's proutes, plus the permission column.
// It builds no server, so it needs no auth token and loads no policy.
func routesCmd(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("routes", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("config", "", "configuration `file`, YAML (.yaml, .yml) or TOML (.toml)")
	// The configuration is loaded with the flags, so that every failure,
	// a stray argument included, is printed with its credentials redacted:
	// routes needs no token, but one may be pasted in the wrong place.
	cfg, done, code := parseConfigFlags(fs, args, redactingWriter{stderr, urlHolders(args), true})
	if done {
		return code
	}
	failed := failer("routes", stderr, cfg, urlArgs(args)...)
	if fs.NArg() > 0 {
		return failed(ExitUsage, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if err := cfg.Validate(); err != nil {
		return failed(ExitUsage, err)
	}
	routes, err := listRoutes(cfg)
	if err != nil {
		return failed(ExitUsage, err)
	}
	// A write error is Main's to report (see Main), as for every command.
	_ = writeRoutes(stdout, routes)
	return ExitOK
}

// listRoutes returns the routes that New would register for cfg, as the
// views register them (default names and resources filled in), without
// building a server. The App it reads the table from has no policies and
// no token; its handlers are never called.
func listRoutes(cfg *config.Config) ([]views.Route, error) {
	a := &App{cfg: cfg}
	declared := a.routes(views.NewIVR(cfg.Apology.Voice, cfg.Apology.Language))
	routes := make([]views.Route, 0, len(declared))
	var errs []error
	for _, r := range declared {
		r, err := views.ResolveRoute(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		routes = append(routes, r)
	}
	return routes, errors.Join(errs...)
}

// writeRoutes prints routes as an aligned table sorted by path, then
// method; routes that tie keep their order. An opted-out route shows its
// permission as authz.NoPermissionRequired and no resource, since no ACL
// is consulted for it.
func writeRoutes(w io.Writer, routes []views.Route) error {
	routes = slices.Clone(routes)
	slices.SortStableFunc(routes, func(a, b views.Route) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tNAME\tPERMISSION\tRESOURCE")
	for _, r := range routes {
		resource := r.Resource
		if r.Permission == authz.NoPermissionRequired {
			resource = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Method, r.Path, r.Name, r.Permission, resource)
	}
	return tw.Flush()
}
