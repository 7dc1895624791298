package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/policies"
)

// The policy commands need no token, but a token or the public_url
// password may still reach their output: pasted by mistake as a file name,
// a principal, a flag, or into a policy row that lint or test quotes.
// Each loads the credentials the environment configures (these commands
// take no --config) and prints everything, stdout and stderr, through
// redactedOutput.

// redactedOutput loads the configuration the environment gives, only for
// its credentials, and returns stdout and stderr wrapped so that every
// credential of it is printed as "[REDACTED]". stderr carries errors,
// which may quote back what was typed: it is redacted as an error message
// (config.Config.RedactMessage), with the password of every argument that
// may be a URL too. stdout is redacted the same way if messages is set
// (policy lint, whose output quotes policy rows as problems); else it is
// a result, data (explain's decision, principals' list, policy test's
// failing rows), redacted of the configured credentials as data
// (config.Config.Redact): an argument such as the principal
// user:alice@example.com has the shape of a URL with a password, and
// must not be rewritten in the answer. A
// missing token is no error. If the configuration does not load, the
// writers redact nothing and err, redacted already, says why: the command
// reports it, and stops, once its flags are parsed, as the Twilio
// commands do.
func redactedOutput(stdout, stderr io.Writer, args []string, messages bool) (out, errOut io.Writer, err error) {
	cfg, err := config.Load(config.Options{})
	if err != nil {
		err = fmt.Errorf("the environment's configuration (read for the credentials to redact): %w", err)
	}
	// The passwords of URLs on the command line first (see failer), then
	// the configuration's credentials.
	holders := append(urlHolders(args), cfg)
	out = redactingWriter{stdout, holders, true}
	if !messages {
		out = redactingWriter{stdout, []*config.Config{cfg}, false}
	}
	return out, redactingWriter{stderr, holders, true}, err
}

// redactingWriter writes to w with every credential of each configuration
// of holders replaced by "[REDACTED]": as config.Config.RedactMessage
// replaces it if messages is set (standard error, where errors quote
// back what the operator typed), else as config.Config.Redact does (the
// command's output, whose names a short password must not rewrite). Each Write is redacted on its own,
// so a credential split across two writes would not be found: the
// commands print each line, and fail each line of an error, with one
// write. A nil configuration redacts nothing.
type redactingWriter struct {
	w        io.Writer
	holders  []*config.Config
	messages bool
}

// redact returns s as Write would write it.
func (r redactingWriter) redact(s string) string {
	for _, c := range r.holders {
		if r.messages {
			s = c.RedactMessage(s)
		} else {
			s = c.Redact(s)
		}
	}
	return s
}

// Write writes p, redacted, and reports len(p) on success.
func (r redactingWriter) Write(p []byte) (int, error) {
	s := r.redact(string(p))
	if _, err := io.WriteString(r.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

// parsePolicyFlags parses args into fs for a policy command whose output
// redactedOutput redacts, or cannot (cfgErr says why). It returns done
// with the exit status when the command must stop: after --help, on a
// usage error, or when the configuration cannot load, and so cannot
// redact.
func parsePolicyFlags(fs *pflag.FlagSet, args []string, stderr io.Writer, cfgErr error) (done bool, code int) {
	if done, code := parseFlags(fs, args, stderr, cfgErr == nil); done {
		return true, code
	}
	if cfgErr != nil {
		return true, fail(stderr, fs.Name(), ExitUsage, cfgErr)
	}
	return false, 0
}

// policyFlags are the flags that name the policy files a command reads.
type policyFlags struct {
	policy, model string
}

func (p *policyFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&p.policy, "policy", "", "policy (ACL) `file`; default: the embedded policy")
	fs.StringVar(&p.model, "model", "", "Casbin model `file`; default: the embedded model")
}

// load builds the ACL from the files, as serve does.
func (p *policyFlags) load() (*authz.Casbin, error) {
	m, err := policies.LoadModel(p.model)
	if err != nil {
		return nil, err
	}
	f, err := policies.LoadFile(p.policy)
	if err != nil {
		return nil, err
	}
	acl, err := authz.NewCasbin(m, f.Policy(), f.Grouping())
	return acl, withModel(p.model, err)
}

// effectivePrincipals returns the principals the server would give a
// request that proved proven: system.Everyone, then system.Authenticated
// if anything was proven, then the proven principals (authn.Effective).
func effectivePrincipals(proven []string) ([]string, error) {
	return authn.Effective(authn.PolicyFunc(func(*http.Request) ([]string, error) { return proven, nil }), nil)
}

// explainCmd prints the decision for one question, explained; exit 0 if
// allowed, 1 if denied.
func explainCmd(args []string, stdout, stderr io.Writer) int {
	const name = "explain"
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	var (
		files      policyFlags
		q          question
		principals []string
		exact      bool
	)
	q.add(fs, "the `permission` asked for, such as view (required)")
	fs.StringArrayVar(&principals, "principal", nil, "a `principal` the request proved, such as group:twilio (repeatable)")
	fs.BoolVar(&exact, "exact", false, "use the principals exactly as given, without adding system.Everyone and system.Authenticated")
	files.add(fs)
	stdout, stderr, cfgErr := redactedOutput(stdout, stderr, args, false)
	if done, code := parsePolicyFlags(fs, args, stderr, cfgErr); done {
		return code
	}
	if err := q.check(fs); err != nil {
		return fail(stderr, name, ExitUsage, err)
	}
	// The decision quotes the question back as Python's repr does. A
	// credential in it is then hidden by the output's redaction, unless
	// repr escaped a character of the value (a quote, an unprintable
	// character), which that redaction would not recognise: such a value
	// is refused, without quoting it.
	if out, ok := stdout.(redactingWriter); ok {
		for _, v := range append([]string{q.resource, q.permission}, principals...) {
			if r := authz.Repr(v); out.redact(v) != v && r[1:len(r)-1] != v {
				return fail(stderr, name, ExitUsage, errors.New("a --principal, --resource or --permission holds a credential of the configuration (not shown) with a character that explain's quoting would escape"))
			}
		}
	}
	if !exact {
		var err error
		if principals, err = effectivePrincipals(principals); err != nil {
			return fail(stderr, name, ExitUsage, fmt.Errorf("%w (system principals are added as the server adds them; see --exact)", err))
		}
	}
	acl, err := files.load()
	if err != nil {
		return fail(stderr, name, ExitUsage, err)
	}
	d, err := acl.Permits(context.Background(), principals, q.resource, q.permission)
	if err != nil {
		return fail(stderr, name, ExitUsage, err)
	}
	fmt.Fprintln(stdout, d)
	if !d.Allowed {
		return ExitFalse
	}
	return ExitOK
}

// question is the resource and permission that explain and principals
// ask about.
type question struct{ resource, permission string }

func (q *question) add(fs *pflag.FlagSet, permissionUsage string) {
	fs.StringVar(&q.resource, "resource", "", "the resource `path`, such as /community/blog (required)")
	fs.StringVar(&q.permission, "permission", "", permissionUsage)
}

// check reports a stray argument or a missing flag.
func (q *question) check(fs *pflag.FlagSet) error {
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case q.resource == "":
		return errors.New("--resource is required")
	case q.permission == "":
		return errors.New("--permission is required")
	}
	return nil
}

// principalsCmd prints the principals allowed a permission on a resource,
// one per line, sorted.
func principalsCmd(args []string, stdout, stderr io.Writer) int {
	const name = "principals"
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	var (
		files policyFlags
		q     question
	)
	q.add(fs, "the `permission`, such as view (required)")
	files.add(fs)
	stdout, stderr, cfgErr := redactedOutput(stdout, stderr, args, false)
	if done, code := parsePolicyFlags(fs, args, stderr, cfgErr); done {
		return code
	}
	if err := q.check(fs); err != nil {
		return fail(stderr, name, ExitUsage, err)
	}
	acl, err := files.load()
	if err != nil {
		return fail(stderr, name, ExitUsage, err)
	}
	allowed, err := acl.PrincipalsAllowed(q.resource, q.permission)
	if err != nil {
		return fail(stderr, name, ExitUsage, err)
	}
	for _, p := range allowed {
		fmt.Fprintln(stdout, p)
	}
	return ExitOK
}

// policyCmd runs policy lint and policy test.
func policyCmd(args []string, stdout, stderr io.Writer) int {
	const use = "want 'policy lint [--policy FILE] [--model FILE]' or 'policy test FILE [--policy FILE] [--model FILE]'"
	// lint prints problems, which quote policy rows as errors do; test
	// prints results (each failing row and its decision), data.
	lint := len(args) > 0 && args[0] == "lint"
	stdout, stderr, cfgErr := redactedOutput(stdout, stderr, args, lint)
	if len(args) == 0 {
		return fail(stderr, "policy", ExitUsage, errors.New(use))
	}
	switch args[0] {
	case "lint":
		return policyLintCmd(args[1:], stdout, stderr, cfgErr)
	case "test":
		return policyTestCmd(args[1:], stdout, stderr, cfgErr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, "usage: gatehouse policy lint [--policy FILE] [--model FILE]")
		fmt.Fprintln(stdout, "       gatehouse policy test FILE [--policy FILE] [--model FILE]")
		return ExitOK
	}
	if cfgErr != nil {
		// The subcommand would be quoted unredacted: the configuration's
		// problem first.
		return fail(stderr, "policy", ExitUsage, cfgErr)
	}
	return fail(stderr, "policy", ExitUsage, fmt.Errorf("unknown subcommand %q: %s", args[0], use))
}

// policyLintCmd prints every problem of the policy (and model) files as
// FILE:LINE: PROBLEM; exit 1 if there is any. stdout and stderr redact
// already (redactedOutput); cfgErr is why they cannot, if they cannot.
func policyLintCmd(args []string, stdout, stderr io.Writer, cfgErr error) int {
	const name = "policy lint"
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	var files policyFlags
	files.add(fs)
	if done, code := parsePolicyFlags(fs, args, stderr, cfgErr); done {
		return code
	}
	if fs.NArg() > 0 {
		return fail(stderr, name, ExitUsage, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	problems := 0
	if _, err := policies.LoadModel(files.model); err != nil {
		var pe *os.PathError // the file cannot be read
		if errors.As(err, &pe) {
			return fail(stderr, name, ExitUsage, err)
		}
		for _, e := range splitErrors(err) {
			fmt.Fprintln(stdout, strings.TrimPrefix(e.Error(), "policies: "))
			problems++
		}
	}
	found, err := policies.LintFile(files.policy)
	if err != nil {
		return fail(stderr, name, ExitUsage, err)
	}
	for _, le := range found {
		fmt.Fprintf(stdout, "%s:%d: %v\n", le.File, le.Line, le.Err)
		problems++
	}
	if problems == 0 {
		// Each file is sound on its own: load them together, as serve
		// does, for what only the pair can show (grouping rows under a
		// model without a role definition, a matcher that decides
		// wrongly). Lint passes nothing that serve would refuse.
		if _, err := files.load(); err != nil {
			for _, e := range splitErrors(err) {
				fmt.Fprintln(stdout, strings.TrimPrefix(e.Error(), "authz: "))
				problems++
			}
		}
	}
	if problems > 0 {
		fmt.Fprintln(stdout, plural(problems, "problem"))
		return ExitFalse
	}
	fmt.Fprintln(stdout, "ok")
	return ExitOK
}

// policyTestCmd runs a policy test file against the policy; exit 1 listing
// every failing row. stdout, stderr and cfgErr are policyLintCmd's.
func policyTestCmd(args []string, stdout, stderr io.Writer, cfgErr error) int {
	const name = "policy test"
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	var files policyFlags
	files.add(fs)
	if done, code := parsePolicyFlags(fs, args, stderr, cfgErr); done {
		return code
	}
	switch {
	case fs.NArg() == 0:
		return fail(stderr, name, ExitUsage, errors.New("want a test FILE"))
	case fs.NArg() > 1:
		return fail(stderr, name, ExitUsage, fmt.Errorf("unexpected argument %q", fs.Arg(1)))
	}
	tests, err := policies.LoadTests(fs.Arg(0))
	if err != nil {
		return fail(stderr, name, ExitUsage, err)
	}
	acl, err := files.load()
	if err != nil {
		return fail(stderr, name, ExitUsage, err)
	}
	failed := 0
	for _, t := range tests {
		principals, err := effectivePrincipals(t.Principals)
		if err != nil {
			return fail(stderr, name, ExitUsage, fmt.Errorf("%s:%d: %w", t.File, t.Line, err))
		}
		d, err := acl.Permits(context.Background(), principals, t.Resource, t.Permission)
		if err != nil {
			return fail(stderr, name, ExitUsage, fmt.Errorf("%s:%d: %w", t.File, t.Line, err))
		}
		if d.Allowed != t.Allow {
			failed++
			fmt.Fprintf(stdout, "FAIL %s:%d: %s: got %s\n", t.File, t.Line, t, d)
		}
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "FAIL: %d of %s failed\n", failed, plural(len(tests), "test"))
		return ExitFalse
	}
	fmt.Fprintf(stdout, "ok: %s passed\n", plural(len(tests), "test"))
	return ExitOK
}

// plural renders n things: "1 test", "2 tests".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
