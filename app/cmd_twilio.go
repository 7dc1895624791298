package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/config"
)

// The Twilio commands: sign, verify and invoke (the README's "Signing,
// verifying and invoking webhooks" section is their manual).
//
// sign prints the X-Twilio-Signature on its first line, bare, so that a
// script can capture it with $(gatehouse sign ... | head -n 1); with
// --body-file it prints on its second line the URL with the bodySHA256
// parameter that Twilio adds for a JSON body. verify rebuilds the request the
// server would see and checks it with the server's own verifier
// (authn.TwilioSignature), so it follows the same candidate URLs and the
// same token set. invoke sends a correctly signed request to a running
// server.

const (
	// maxBodyFileBytes bounds a --body-file: far above any webhook body, far
	// below what would hurt.
	maxBodyFileBytes = 16 << 20
	// maxResponseBytes bounds how much of a response invoke prints.
	maxResponseBytes = 1 << 20
	// defaultInvokeTimeout is Twilio's own default webhook timeout.
	defaultInvokeTimeout = 15 * time.Second
	// bodyHashParam is the query parameter that carries the SHA-256 of a
	// JSON body.
	bodyHashParam = "bodySHA256"
)

// twilioFlags returns the flag set of a Twilio command, holding the
// configuration flags that name tokens: --auth-token (which prints as
// [REDACTED] wherever pflag shows it) and --config.
func twilioFlags(name, synopsis string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	all := pflag.NewFlagSet("", pflag.ContinueOnError)
	config.AddFlags(all)
	fs.AddFlag(all.Lookup("auth-token"))
	fs.AddFlag(all.Lookup("config"))
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: gatehouse %s %s\n\nflags:\n%s", name, synopsis, fs.FlagUsages())
	}
	return fs
}

// authTokens returns every accepted auth token of cfg, primary first, as
// serve would read them.
func authTokens(cfg *config.Config) ([]string, error) {
	var tokens []string
	for _, t := range cfg.Tokens() {
		tokens = append(tokens, t.Reveal())
	}
	if len(tokens) == 0 {
		return nil, errors.New("no auth token: set --auth-token or TWILIO_AUTH_TOKEN")
	}
	return tokens, nil
}

// failer returns the function that a Twilio command called name reports
// its failures with: each is printed, like fail, with every credential of
// cfg and the password of each of urls replaced by "[REDACTED]", since a
// token or password passed as an argument by mistake (a parameter, a file
// name, a flag's value, the URL's own path) would be quoted. urls are the
// URLs given on the command line that cfg does not hold (--url, invoke's
// URL); each is redacted as the configuration redacts its public_url
// (config.Config.RedactError), in every spelling of its password, and
// whole if it is so mistyped that its password cannot be found.
func failer(name string, stderr io.Writer, cfg *config.Config, urls ...string) func(code int, err error) int {
	var holders []*config.Config
	for _, u := range urls {
		if u != "" {
			holders = append(holders, &config.Config{PublicURL: u})
		}
	}
	// The URLs first: a password that holds a token is then hidden whole,
	// not around the token's [REDACTED].
	holders = append(holders, cfg)
	return func(code int, err error) int {
		for _, c := range holders {
			err = c.RedactError(err)
		}
		return fail(stderr, name, code, err)
	}
}

// parseTwilioFlags is parseConfigFlags for a Twilio command: what it
// prints (a usage error, the configuration's error) is also redacted with
// the password of every argument that holds an '@', read as a URL as
// failer reads one. Which argument is the URL is not known until the flags
// parse, and a short unknown flag is named: --PASSWORD, pasted by mistake.
func parseTwilioFlags(fs *pflag.FlagSet, args []string, stderr io.Writer) (cfg *config.Config, done bool, code int) {
	return parseConfigFlags(fs, args, redactingWriter{stderr, urlHolders(args), true})
}

// urlArgs returns the arguments of args that may be URLs holding a
// password: those with a ':' somewhere before their last '@' (user:password@,
// however mistyped the rest), without a leading --flag=. Any of them may
// be quoted back (as a stray argument, a file name, a parameter), so each
// command redacts the password of every one, not only of its URL. A path
// with an '@' and no ':' before it (/etc/gatehouse@prod/policy.csv) holds
// no password, and is shown as it is.
func urlArgs(args []string) []string {
	var out []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			if _, v, ok := strings.Cut(a, "="); ok {
				a = v
			}
		}
		if at := strings.LastIndexByte(a, '@'); at < 0 || !strings.Contains(a[:at], ":") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// urlHolders returns a configuration holding each of urlArgs(args) as its
// public_url: their Redact hides each one's password, as the
// configuration's hides public_url's.
func urlHolders(args []string) []*config.Config {
	var out []*config.Config
	for _, u := range urlArgs(args) {
		out = append(out, &config.Config{PublicURL: u})
	}
	return out
}

// parseParams parses name=value arguments into form parameters, in order.
// The value is everything after the first '='; it may be empty.
func parseParams(args []string) ([]authn.Param, error) {
	params := make([]authn.Param, 0, len(args))
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("argument %q is not name=value", a)
		}
		params = append(params, authn.Param{Name: name, Value: value})
	}
	return params, nil
}

// splitURL splits an absolute http or https URL, exactly as written, into
// its base (scheme://[userinfo@]host[:port]) and its request target (path
// and query; "/" when the URL has no path, as a client sends it).
func splitURL(flag, raw string) (base, target string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not the parser's detail: it quotes pieces of the URL, which may
		// be pieces of a password.
		return "", "", fmt.Errorf("%s is not a valid URL", flag)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return "", "", fmt.Errorf("%s must be an absolute http or https URL", flag)
	}
	if strings.Contains(raw, "#") {
		return "", "", fmt.Errorf("%s must not have a fragment: a client never sends one", flag)
	}
	start := strings.Index(raw, "://") + len("://")
	end := strings.IndexAny(raw[start:], "/?")
	if end < 0 {
		return raw, "/", nil
	}
	base, target = raw[:start+end], raw[start+end:]
	if target[0] == '?' {
		target = "/" + target
	}
	// What a server can receive: a target with a space, say, cannot be
	// sent, so sign must not sign it any more than verify checks it.
	head := "GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n"
	if _, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head))); err != nil {
		return "", "", fmt.Errorf("%s: its path and query do not form a valid request target", flag)
	}
	return base, target, nil
}

// readBodyFile reads a --body-file, bounded.
func readBodyFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("--body-file: %w", err)
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, maxBodyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("--body-file: %w", err)
	}
	if len(body) > maxBodyFileBytes {
		return nil, fmt.Errorf("--body-file: larger than %d bytes", maxBodyFileBytes)
	}
	return body, nil
}

// withBodyHash returns rawURL with the bodySHA256 parameter that Twilio
// adds to the query of a request with a JSON body. flag names rawURL in
// errors.
func withBodyHash(flag, rawURL string, body []byte) (string, error) {
	if _, query, ok := strings.Cut(rawURL, "?"); ok {
		for pair := range strings.SplitSeq(query, "&") {
			if name, _, _ := strings.Cut(pair, "="); name == bodyHashParam {
				return "", fmt.Errorf("%s already has a %s parameter: give it without one", flag, bodyHashParam)
			}
		}
	}
	sum := sha256.Sum256(body)
	return appendQuery(rawURL, bodyHashParam+"="+hex.EncodeToString(sum[:])), nil
}

// requestInput is what sign, verify and invoke take besides flags: form
// parameters or a JSON body, never both.
func requestInput(args []string, bodyFile string) ([]authn.Param, []byte, error) {
	params, err := parseParams(args)
	if err != nil {
		return nil, nil, err
	}
	if bodyFile == "" {
		return params, nil, nil
	}
	if len(params) > 0 {
		return nil, nil, errors.New("name=value parameters and --body-file exclude each other: a request has a form body or a JSON body")
	}
	body, err := readBodyFile(bodyFile)
	return nil, body, err
}

const signSynopsis = "--url URL [name=value ...] [--body-file F] [--auth-token TOKEN]"

// signCmd prints the signature Twilio sends for a request: line 1 the bare
// signature; with --body-file, line 2 the URL with bodySHA256.
func signCmd(args []string, stdout, stderr io.Writer) int {
	fs := twilioFlags("sign", signSynopsis, stderr)
	rawURL := fs.String("url", "", "the `URL` Twilio requests, exactly as configured (required)")
	bodyFile := fs.String("body-file", "", "a JSON body `file`: its SHA-256 is added to the URL as bodySHA256")
	cfg, done, code := parseTwilioFlags(fs, args, stderr)
	if done {
		return code
	}
	failed := failer("sign", stderr, cfg, urlArgs(args)...)
	if *rawURL == "" {
		return failed(ExitUsage, errors.New("--url is required"))
	}
	if _, _, err := splitURL("--url", *rawURL); err != nil {
		return failed(ExitUsage, err)
	}
	params, body, err := requestInput(fs.Args(), *bodyFile)
	if err != nil {
		return failed(ExitUsage, err)
	}
	tokens, err := authTokens(cfg)
	if err != nil {
		return failed(ExitUsage, err)
	}
	if *bodyFile == "" {
		fmt.Fprintln(stdout, authn.Sign(tokens[0], *rawURL, params))
		return ExitOK
	}
	signed, err := withBodyHash("--url", *rawURL, body)
	if err != nil {
		return failed(ExitUsage, err)
	}
	fmt.Fprintf(stdout, "%s\n%s\n", authn.Sign(tokens[0], signed, nil), signed)
	return ExitOK
}

const verifySynopsis = "--url URL --signature SIG [name=value ...] [--body-file F] [--auth-token TOKEN]"

// verifyCmd checks a signature as the server would: exit 0 valid, 1
// invalid (with the reason on stdout), 2 bad input.
func verifyCmd(args []string, stdout, stderr io.Writer) int {
	fs := twilioFlags("verify", verifySynopsis, stderr)
	rawURL := fs.String("url", "", "the `URL` Twilio requested, with bodySHA256 for a JSON body (required)")
	sig := fs.String("signature", "", "the X-Twilio-Signature `value` (required)")
	bodyFile := fs.String("body-file", "", "the JSON body `file`, sent as application/json")
	cfg, done, code := parseTwilioFlags(fs, args, stderr)
	if done {
		return code
	}
	failed := failer("verify", stderr, cfg, urlArgs(args)...)
	switch {
	case *rawURL == "":
		return failed(ExitUsage, errors.New("--url is required"))
	case *sig == "":
		return failed(ExitUsage, errors.New("--signature is required"))
	}
	base, target, err := splitURL("--url", *rawURL)
	if err != nil {
		return failed(ExitUsage, err)
	}
	params, body, err := requestInput(fs.Args(), *bodyFile)
	if err != nil {
		return failed(ExitUsage, err)
	}
	tokens, err := authTokens(cfg)
	if err != nil {
		return failed(ExitUsage, err)
	}
	if n := cfg.Server.MaxBodyBytes; n <= 0 || n > config.MaxBodyBytesLimit {
		// As serve refuses it (config.Validate).
		return failed(ExitUsage, fmt.Errorf("server.max_body_bytes must be between 1 and %d (16 MiB), got %d", config.MaxBodyBytesLimit, n))
	}
	verifier, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens:   tokens,
		PublicURL:    base,
		MaxBodyBytes: cfg.Server.MaxBodyBytes,
	})
	if err != nil {
		return failed(ExitUsage, err)
	}
	r, err := serverRequest(base, target, params, body, *bodyFile != "")
	if err != nil {
		return failed(ExitUsage, err)
	}
	r.Header.Set(authn.SignatureHeader, *sig)
	if v := verifier.Verify(r); !v.Valid {
		fmt.Fprintf(stdout, "invalid: %s\n", v.Reason)
		return ExitFalse
	}
	fmt.Fprintln(stdout, "valid")
	return ExitOK
}

// serverRequest builds the *http.Request a server receives when Twilio
// requests base+target: the request line and Host header are parsed by
// net/http itself, so RequestURI is the raw target, byte for byte. A JSON
// body goes as application/json, parameters as a form POST, nothing as a
// GET.
func serverRequest(base, target string, params []authn.Param, body []byte, isJSON bool) (*http.Request, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, errors.New("--url is not a valid URL") // checked by splitURL
	}
	method, contentType := http.MethodGet, ""
	switch {
	case isJSON:
		method, contentType = http.MethodPost, "application/json"
	case len(params) > 0:
		method, contentType = http.MethodPost, "application/x-www-form-urlencoded"
		body = []byte(authn.EncodeForm(params))
	}
	head := method + " " + target + " HTTP/1.1\r\nHost: " + u.Host + "\r\n\r\n"
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
	if err != nil {
		return nil, errors.New("--url: its path and query do not form a valid request target")
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	r.RemoteAddr = "127.0.0.1:1"
	return r, nil
}

const invokeSynopsis = "URL [name=value ...] [--method GET|POST] [--public-url URL] [--body-file F] [--auth-token TOKEN]"

// invokeCmd sends a signed request to a running server and prints the
// status line and the body: exit 0 for a 2xx answer, 1 for any other, 2
// for bad input or when no answer came.
func invokeCmd(args []string, stdout, stderr io.Writer) int {
	fs := twilioFlags("invoke", invokeSynopsis, stderr)
	method := fs.String("method", http.MethodPost, "`GET` (parameters in the query) or POST (a form body, or the --body-file)")
	fs.String("public-url", "", "the server's public `URL`, scheme://[user:pass@]host[:port] with an optional path prefix such as /ivr: "+
		"the signature covers it plus the path and query sent; default: the configuration's public_url (GATEHOUSE_PUBLIC_URL, --config), else URL's scheme and host")
	bodyFile := fs.String("body-file", "", "a JSON body `file`, sent as application/json with bodySHA256 in the query")
	timeout := fs.Duration("timeout", defaultInvokeTimeout, "give up after this `duration`")
	cfg, done, code := parseTwilioFlags(fs, args, stderr)
	if done {
		return code
	}
	if fs.NArg() == 0 {
		return failer("invoke", stderr, cfg)(ExitUsage, errors.New("the URL to invoke is required"))
	}
	failed := failer("invoke", stderr, cfg, urlArgs(args)...)
	m := strings.ToUpper(*method)
	if m != http.MethodGet && m != http.MethodPost {
		return failed(ExitUsage, fmt.Errorf("--method %q: want GET or POST", *method))
	}
	if m == http.MethodGet && *bodyFile != "" {
		return failed(ExitUsage, errors.New("--body-file needs --method POST"))
	}
	if *timeout <= 0 {
		return failed(ExitUsage, errors.New("--timeout must be positive"))
	}
	target := fs.Arg(0)
	base, _, err := splitURL("URL", target)
	if err != nil {
		return failed(ExitUsage, err)
	}
	// --public-url is also the configuration's flag for public_url, so
	// cfg.PublicURL is the flag if it was given, else the environment's or
	// the --config file's public_url: the URL the server signs for.
	if public := cfg.PublicURL; public != "" {
		name := "public_url"
		if fs.Changed("public-url") {
			name = "--public-url"
		}
		pb, rest, err := splitURL(name, public)
		if err != nil {
			return failed(ExitUsage, err)
		}
		if strings.Contains(rest, "?") {
			return failed(ExitUsage, fmt.Errorf("%s must not have a query", name))
		}
		base = pb + strings.TrimSuffix(rest, "/") // an optional path prefix, as the server's public_url
	}
	params, body, err := requestInput(fs.Args()[1:], *bodyFile)
	if err != nil {
		return failed(ExitUsage, err)
	}
	tokens, err := authTokens(cfg)
	if err != nil {
		return failed(ExitUsage, err)
	}

	contentType, signed := "", []authn.Param(nil)
	var reqBody []byte // nil: no body
	switch {
	case *bodyFile != "":
		if target, err = withBodyHash("URL", target, body); err != nil {
			return failed(ExitUsage, err)
		}
		contentType, reqBody = "application/json", body
	case m == http.MethodGet && len(params) > 0:
		target = appendQuery(target, authn.EncodeForm(params))
	case m == http.MethodPost:
		contentType, signed = "application/x-www-form-urlencoded", params
		reqBody = []byte(authn.EncodeForm(params))
	}

	// Like Twilio, send credentials from the signed URL's userinfo only
	// after a 401 challenge asks for them.
	var creds *url.Userinfo
	if u, err := url.Parse(base); err == nil {
		creds = u.User
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	send := func(withCredentials bool) (*http.Response, error) {
		var b io.Reader
		if reqBody != nil {
			b = bytes.NewReader(reqBody)
		}
		req, err := http.NewRequestWithContext(ctx, m, target, b)
		if err != nil {
			return nil, errors.New("URL is not a valid request URL")
		}
		req.URL.User = nil // never sent unasked: see creds
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("User-Agent", "gatehouse-invoke")
		// Sign what the client will put on the request line, which may
		// differ in escaping from what was typed.
		req.Header.Set(authn.SignatureHeader, authn.Sign(tokens[0], base+req.URL.RequestURI(), signed))
		if withCredentials {
			password, _ := creds.Password()
			req.SetBasicAuth(creds.Username(), password)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		return client.Do(req) // a *url.Error: the client strips any password
	}
	resp, err := send(false)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && creds != nil &&
		strings.HasPrefix(strings.ToLower(resp.Header.Get("WWW-Authenticate")), "basic") {
		resp.Body.Close()
		fmt.Fprintln(stderr, "gatehouse invoke: 401 challenge: repeating the request with the URL's credentials, as Twilio does")
		resp, err = send(true)
	}
	if err != nil {
		return failed(ExitUsage, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	fmt.Fprintf(stdout, "%s %s\n%s", resp.Proto, resp.Status, out)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		fmt.Fprintln(stdout)
	}
	if err != nil {
		return failed(ExitUsage, fmt.Errorf("reading the response: %w", err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return ExitFalse
	}
	return ExitOK
}

// appendQuery appends encoded query parameters to rawURL: after '?' if it
// has no query (or an empty one), else after '&'.
func appendQuery(rawURL, query string) string {
	start := strings.IndexByte(rawURL, '?')
	switch {
	case start < 0:
		return rawURL + "?" + query
	case start == len(rawURL)-1, strings.HasSuffix(rawURL, "&"):
		return rawURL + query
	}
	return rawURL + "&" + query
}
