package app_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/config"
)

// The vectors of issue 3: token 12345, this URL, these parameters.
const (
	vecToken = "12345"
	vecURL   = "https://mycompany.com/myapp.php?foo=1&bar=2"
	vecJSON  = `{"property": "value", "boolean": true}`
	vecHash  = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
	// secretToken is long enough to be recognised if it leaked into output.
	secretToken = "tok-3c4d5e6f-never-printed"
)

var vecParams = []string{"CallSid=CA1234567890ABCDE", "Caller=+14158675309", "Digits=1234", "From=+14158675309", "To=+18005551212"}

// isolateTokens clears every environment variable that names a token or
// the public URL, then sets env, for the duration of the test.
func isolateTokens(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range []string{"TWILIO_AUTH_TOKEN", "GATEHOUSE_TWILIO_AUTH_TOKENS", "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE", "GATEHOUSE_SERVER_MAX_BODY_BYTES", "GATEHOUSE_PUBLIC_URL"} {
		t.Setenv(k, "")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// writeFile writes content to a new file in dir and returns its name.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// cliCase is one run of the command line and what it must produce.
type cliCase struct {
	name     string
	env      map[string]string
	args     []string
	code     int
	stdout   string // exact, if wantOut
	wantOut  bool
	contains string // a substring of stdout+stderr
}

func runCLICases(t *testing.T, tests []cliCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateTokens(t, tt.env)
			code, out, errOut := cli(tt.args...)
			if code != tt.code {
				t.Errorf("exit status: got %d, want %d (stdout %q, stderr %q)", code, tt.code, out, errOut)
			}
			if tt.wantOut && out != tt.stdout {
				t.Errorf("stdout: got %q, want %q", out, tt.stdout)
			}
			if !strings.Contains(out+errOut, tt.contains) {
				t.Errorf("output: got %q, want it to contain %q", out+errOut, tt.contains)
			}
			if tt.code == app.ExitUsage && strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr: got %q, want one line", errOut)
			}
			for _, tok := range []string{secretToken, vecToken + "6"} {
				if strings.Contains(out+errOut, tok) {
					t.Errorf("output %q contains the auth token", out+errOut)
				}
			}
		})
	}
}

func TestSign(t *testing.T) {
	dir := t.TempDir()
	body := writeFile(t, dir, "body.json", vecJSON)
	tokenFile := writeFile(t, dir, "token", vecToken+"\n")
	sign := func(args ...string) []string { return append([]string{"sign"}, args...) }
	tests := []cliCase{
		{name: "form", args: sign(append([]string{"--url", vecURL, "--auth-token", vecToken}, vecParams...)...),
			wantOut: true, stdout: "RSOYDt4T1cUTdK1PDd93/VVr8B8=\n"},
		{name: "token from TWILIO_AUTH_TOKEN", env: map[string]string{"TWILIO_AUTH_TOKEN": vecToken},
			args: sign(append([]string{"--url", vecURL}, vecParams...)...), wantOut: true, stdout: "RSOYDt4T1cUTdK1PDd93/VVr8B8=\n"},
		{name: "token from a token file", env: map[string]string{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": tokenFile},
			args: sign(append([]string{"--url", vecURL}, vecParams...)...), wantOut: true, stdout: "RSOYDt4T1cUTdK1PDd93/VVr8B8=\n"},
		{name: "the primary in a token file signs, not a rotation token",
			env:  map[string]string{"GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": tokenFile, "GATEHOUSE_TWILIO_AUTH_TOKENS": "old-67890"},
			args: sign(append([]string{"--url", vecURL}, vecParams...)...), wantOut: true, stdout: "RSOYDt4T1cUTdK1PDd93/VVr8B8=\n"},
		{name: "signed with :443", args: sign(append([]string{"--url", "https://mycompany.com:443/myapp.php?foo=1&bar=2", "--auth-token", vecToken}, vecParams...)...),
			wantOut: true, stdout: "kvajT1Ptam85bY51eRf/AJRuM3w=\n"},
		{name: "http signed with :80", args: sign(append([]string{"--url", "http://mycompany.com:80/myapp.php?foo=1&bar=2", "--auth-token", vecToken}, vecParams...)...),
			wantOut: true, stdout: "0ZXoZLH/DfblKGATFgpif+LLRf4=\n"},
		{name: "repeated names", args: sign("--url", vecURL, "--auth-token", vecToken, "Sid=CA123", "SidAccount=AC123", "Digits=5678", "Digits=1234", "Digits=1234"),
			wantOut: true, stdout: "IK+Dwps556ElfBT0I3Rgjkr1wJU=\n"},
		{name: "values may hold =", args: sign("--url", vecURL, "--auth-token", vecToken, "a=b=c", "--", "-d="),
			wantOut: true, stdout: authn.Sign(vecToken, vecURL, []authn.Param{{Name: "a", Value: "b=c"}, {Name: "-d", Value: ""}}) + "\n"},
		{name: "JSON body", args: sign("--url", vecURL, "--auth-token", vecToken, "--body-file", body),
			wantOut: true, stdout: "a9nBmqA0ju/hNViExpshrM61xv4=\n" + vecURL + "&bodySHA256=" + vecHash + "\n"},
		{name: "JSON body, URL without a query", args: sign("--url", "https://mycompany.com/myapp.php", "--auth-token", vecToken, "--body-file", body),
			wantOut: true, contains: "\nhttps://mycompany.com/myapp.php?bodySHA256=" + vecHash + "\n",
			stdout: authn.Sign(vecToken, "https://mycompany.com/myapp.php?bodySHA256="+vecHash, nil) + "\nhttps://mycompany.com/myapp.php?bodySHA256=" + vecHash + "\n"},
		{name: "JSON body, URL with an empty query", args: sign("--url", "https://mycompany.com/?", "--auth-token", vecToken, "--body-file", body),
			contains: "\nhttps://mycompany.com/?bodySHA256=" + vecHash + "\n"},
		{name: "help", args: sign("--help"), contains: "usage: gatehouse sign --url URL"},

		{name: "no --url", args: sign("--auth-token", secretToken), code: app.ExitUsage, contains: "--url is required"},
		{name: "no token", args: sign("--url", vecURL), code: app.ExitUsage, contains: "no auth token"},
		{name: "relative URL", args: sign("--url", "/myapp.php", "--auth-token", secretToken), code: app.ExitUsage, contains: "absolute http or https URL"},
		{name: "other scheme", args: sign("--url", "ftp://mycompany.com/", "--auth-token", secretToken), code: app.ExitUsage, contains: "absolute http or https URL"},
		{name: "fragment", args: sign("--url", vecURL+"#x", "--auth-token", secretToken), code: app.ExitUsage, contains: "fragment"},
		{name: "unparsable URL", args: sign("--url", "https://user:pass@host:port/", "--auth-token", secretToken), code: app.ExitUsage, contains: "not a valid URL"},
		{name: "a space in the path, which no request can carry", args: sign("--url", "https://h.example/a b", "--auth-token", secretToken), code: app.ExitUsage, contains: "not form a valid request target"},
		{name: "a space in the query", args: sign("--url", "https://h.example/?q=a b", "--auth-token", secretToken), code: app.ExitUsage, contains: "not form a valid request target"},
		{name: "not name=value", args: sign("--url", vecURL, "--auth-token", secretToken, "Digits"), code: app.ExitUsage, contains: `"Digits" is not name=value`},
		{name: "empty name", args: sign("--url", vecURL, "--auth-token", secretToken, "=1"), code: app.ExitUsage, contains: "not name=value"},
		{name: "params and body", args: sign("--url", vecURL, "--auth-token", secretToken, "--body-file", body, "Digits=1"), code: app.ExitUsage, contains: "exclude each other"},
		{name: "missing body file", args: sign("--url", vecURL, "--auth-token", secretToken, "--body-file", filepath.Join(dir, "nope")), code: app.ExitUsage, contains: "--body-file"},
		{name: "URL with bodySHA256 and a body", args: sign("--url", vecURL+"&bodySHA256="+vecHash, "--auth-token", secretToken, "--body-file", body), code: app.ExitUsage, contains: "already has a bodySHA256"},
		{name: "unknown flag", args: sign("--url", vecURL, "--auth-token", secretToken, "--nope"), code: app.ExitUsage, contains: "unknown flag"},
	}
	runCLICases(t, tests)
}

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	body := writeFile(t, dir, "body.json", vecJSON)
	otherBody := writeFile(t, dir, "other.json", `{"property": "value", "boolean": false}`)
	tokenFile := writeFile(t, dir, "token", vecToken)
	jsonURL := vecURL + "&bodySHA256=" + vecHash
	verify := func(url, sig string, args ...string) []string {
		return append([]string{"verify", "--url", url, "--signature", sig}, args...)
	}
	withToken := func(args ...string) []string { return append([]string{"--auth-token", vecToken}, args...) }
	tests := []cliCase{
		{name: "form", args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", withToken(vecParams...)...), wantOut: true, stdout: "valid\n"},
		{name: "repeated names", args: verify(vecURL, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", withToken("Digits=1234", "Sid=CA123", "Digits=5678", "SidAccount=AC123", "Digits=1234")...),
			wantOut: true, stdout: "valid\n"},
		{name: "pairs sorted as strings", args: verify(vecURL, "95+Bu0JVPi0r/SsESZCVf0dWAjw=", withToken(append(vecParams, "Reason=Participant", "ReasonConferenceEnded=test")...)...),
			code: app.ExitFalse, wantOut: true, stdout: "invalid: no_match\n"},
		{name: "wrong token", args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", append([]string{"--auth-token", secretToken}, vecParams...)...),
			code: app.ExitFalse, wantOut: true, stdout: "invalid: no_match\n"},
		{name: "a parameter missing", args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", withToken(vecParams[1:]...)...),
			code: app.ExitFalse, wantOut: true, stdout: "invalid: no_match\n"},
		{name: "rotation: the old token in twilio.auth_tokens", env: map[string]string{"TWILIO_AUTH_TOKEN": secretToken, "GATEHOUSE_TWILIO_AUTH_TOKENS": "other-token-1," + vecToken},
			args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vecParams...), wantOut: true, stdout: "valid\n"},
		{name: "token file", env: map[string]string{"TWILIO_AUTH_TOKEN": secretToken, "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE": tokenFile},
			args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vecParams...), wantOut: true, stdout: "valid\n"},
		{name: "GET", args: verify(vecURL, authn.Sign(vecToken, vecURL, nil), withToken()...), wantOut: true, stdout: "valid\n"},
		{name: "GET signed with parameters", args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", withToken()...),
			code: app.ExitFalse, wantOut: true, stdout: "invalid: no_match\n"},
		{name: "userinfo and port", args: verify("https://twilio:pa%40ss@IVR.Example.com:8443/x?a='b'", authn.Sign(vecToken, "https://twilio:pa%40ss@IVR.Example.com:8443/x?a='b'", nil), withToken()...),
			wantOut: true, stdout: "valid\n"},
		{name: "host case is signed", args: verify("https://ivr.example.com/x", authn.Sign(vecToken, "https://IVR.example.com/x", nil), withToken()...),
			code: app.ExitFalse, wantOut: true, stdout: "invalid: no_match\n"},
		{name: "JSON body", args: verify(jsonURL, "a9nBmqA0ju/hNViExpshrM61xv4=", withToken("--body-file", body)...), wantOut: true, stdout: "valid\n"},
		{name: "JSON body that does not match bodySHA256", args: verify(jsonURL, "a9nBmqA0ju/hNViExpshrM61xv4=", withToken("--body-file", otherBody)...),
			code: app.ExitFalse, wantOut: true, stdout: "invalid: body_hash_mismatch\n"},
		{name: "JSON body without bodySHA256", args: verify(vecURL, authn.Sign(vecToken, vecURL, nil), withToken("--body-file", body)...),
			code: app.ExitFalse, wantOut: true, stdout: "invalid: body_hash_missing\n"},
		{name: "body over server.max_body_bytes", env: map[string]string{"GATEHOUSE_SERVER_MAX_BODY_BYTES": "16"},
			args: verify(jsonURL, "a9nBmqA0ju/hNViExpshrM61xv4=", withToken("--body-file", body)...), code: app.ExitFalse, wantOut: true, stdout: "invalid: body_too_large\n"},
		{name: "malformed signature", args: verify(vecURL, "not base64", withToken(vecParams...)...),
			code: app.ExitFalse, wantOut: true, stdout: "invalid: malformed_header\n"},
		{name: "help", args: []string{"verify", "-h"}, contains: "usage: gatehouse verify --url URL --signature SIG"},

		{name: "no --signature", args: []string{"verify", "--url", vecURL, "--auth-token", secretToken}, code: app.ExitUsage, contains: "--signature is required"},
		{name: "no --url", args: []string{"verify", "--signature", "x", "--auth-token", secretToken}, code: app.ExitUsage, contains: "--url is required"},
		{name: "no token", args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8="), code: app.ExitUsage, contains: "no auth token"},
		{name: "not a request target", args: verify("https://mycompany.com/a b", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "--auth-token", secretToken), code: app.ExitUsage, contains: "request target"},
		{name: "server.max_body_bytes out of range", env: map[string]string{"GATEHOUSE_SERVER_MAX_BODY_BYTES": "9223372036854775807"},
			args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", withToken(vecParams...)...), code: app.ExitUsage, contains: "server.max_body_bytes must be between 1 and 16777216"},
		{name: "server.max_body_bytes zero", env: map[string]string{"GATEHOUSE_SERVER_MAX_BODY_BYTES": "0"},
			args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", withToken(vecParams...)...), code: app.ExitUsage, contains: "server.max_body_bytes"},
		{name: "bad configuration", env: map[string]string{"GATEHOUSE_SERVER_MAX_BODY_BYTES": "lots"},
			args: verify(vecURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "--auth-token", secretToken), code: app.ExitUsage, contains: "server.max_body_bytes"},
		{name: "token never echoed", args: verify("https://"+secretToken+"@host:x/", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "--auth-token", secretToken), code: app.ExitUsage, contains: "not a valid URL"},
	}
	runCLICases(t, tests)
}

// An Example of signing a form POST and checking the signature.
func ExampleMain_sign() {
	// The token may come from TWILIO_AUTH_TOKEN instead of --auth-token.
	args := []string{"--auth-token", "12345", "--url", "https://mycompany.com/myapp.php?foo=1&bar=2",
		"CallSid=CA1234567890ABCDE", "Caller=+14158675309", "Digits=1234", "From=+14158675309", "To=+18005551212"}
	app.Main(append([]string{"sign"}, args...), os.Stdout, os.Stderr)
	code := app.Main(append([]string{"verify", "--signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, args...), os.Stdout, os.Stderr)
	fmt.Println("exit status", code)
	// Output:
	// RSOYDt4T1cUTdK1PDd93/VVr8B8=
	// valid
	// exit status 0
}

// newIVR starts the real application on an httptest server.
func newIVR(t *testing.T, token, publicURL string) *httptest.Server {
	t.Helper()
	cfg := config.Default()
	cfg.Twilio.AuthToken = config.Secret(token)
	cfg.PublicURL = publicURL
	a, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// newVerifier starts a server that answers 200 "valid" for a request whose
// signature verifies and 403 with the reason otherwise.
func newVerifier(t *testing.T, token string) *httptest.Server {
	t.Helper()
	v, err := authn.NewTwilioSignature(authn.TwilioConfig{AuthTokens: []string{token}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := v.Verify(r)
		body, _ := io.ReadAll(r.Body) // the body the verifier read, replayed
		if !res.Valid {
			w.WriteHeader(http.StatusForbidden)
		}
		fmt.Fprintf(w, "%s %s %s %s", res.Reason, r.Method, r.Header.Get("Content-Type"), body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestInvoke(t *testing.T) {
	const token = secretToken
	ivr := newIVR(t, token, "")
	public := newIVR(t, token, "https://ivr.example.com")
	const withCredentials = "https://twilio:pa55@ivr.example.com"
	basic := newIVR(t, token, withCredentials)
	verifier := newVerifier(t, token)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	body := writeFile(t, t.TempDir(), "body.json", vecJSON)

	invoke := func(args ...string) []string {
		return append([]string{"invoke", "--auth-token", token}, args...)
	}
	tests := []cliCase{
		{name: "GET / reaches the menu", args: invoke(ivr.URL+"/", "--method", "GET"), contains: "HTTP/1.1 200 OK\n<?xml"},
		{name: "GET / with parameters", args: invoke(ivr.URL+"/", "--method", "get", "CallSid=CA1", "From=+14155551212"), contains: `<Gather numDigits="1"`},
		{name: "URL without a path", args: invoke(ivr.URL, "--method", "GET"), contains: `<Gather numDigits="1"`},
		{name: "POST / chooses the accessible route", args: invoke(ivr.URL+"/", "Digits=1", "CallSid=CA1"), contains: `<Redirect method="GET">/accessible</Redirect>`},
		{name: "POST / chooses the restricted route", args: invoke(ivr.URL+"/", "Digits=2"), contains: `<Redirect method="GET">/restricted</Redirect>`},
		{name: "GET /accessible", args: invoke(ivr.URL+"/accessible", "--method", "GET"), contains: "You reached the accessible route"},
		{name: "--public-url", args: invoke(public.URL+"/", "--method", "GET", "--public-url", "https://ivr.example.com"), contains: `<Gather numDigits="1"`},
		{name: "--public-url with a trailing slash", args: invoke(public.URL+"/", "Digits=1", "--public-url", "https://ivr.example.com/"), contains: "/accessible</Redirect>"},
		{name: "without --public-url the server's URL differs: apology", args: invoke(public.URL+"/", "--method", "GET"), contains: "We are sorry"},
		{name: "JSON body", args: invoke(verifier.URL+"/hook?x=1", "--body-file", body),
			wantOut: true, stdout: "HTTP/1.1 200 OK\nvalid POST application/json " + vecJSON + "\n"},
		{name: "form body", args: invoke(verifier.URL+"/hook?x=1", "A=1", "B=x y+z&"),
			wantOut: true, stdout: "HTTP/1.1 200 OK\nvalid POST application/x-www-form-urlencoded A=1&B=x+y%2Bz%26\n"},
		{name: "GET with parameters appended to the query", args: invoke(verifier.URL+"/hook?x=1", "--method", "GET", "A=1"),
			wantOut: true, stdout: "HTTP/1.1 200 OK\nvalid GET  \n"},
		{name: "a non-2xx answer", args: []string{"invoke", "--auth-token", "wrong-token-value", verifier.URL + "/"},
			code: app.ExitFalse, wantOut: true, stdout: "HTTP/1.1 403 Forbidden\nno_match POST application/x-www-form-urlencoded \n"},
		{name: "help", args: []string{"invoke", "--help"}, contains: "usage: gatehouse invoke URL"},

		{name: "no URL", args: invoke(), code: app.ExitUsage, contains: "URL to invoke is required"},
		{name: "bad URL", args: invoke("localhost:8080/"), code: app.ExitUsage, contains: "absolute http or https URL"},
		{name: "bad --public-url", args: invoke(ivr.URL, "--public-url", "ivr.example.com"), code: app.ExitUsage, contains: "--public-url must be an absolute"},
		{name: "--public-url with a query", args: invoke(ivr.URL, "--public-url", "https://ivr.example.com/?a=1"), code: app.ExitUsage, contains: "must not have a query"},
		{name: "bad method", args: invoke(ivr.URL, "--method", "PUT"), code: app.ExitUsage, contains: `--method "PUT"`},
		{name: "GET with a body file", args: invoke(ivr.URL, "--method", "GET", "--body-file", body), code: app.ExitUsage, contains: "--body-file needs --method POST"},
		{name: "bad timeout", args: invoke(ivr.URL, "--timeout", "0s"), code: app.ExitUsage, contains: "--timeout"},
		{name: "no token", args: []string{"invoke", ivr.URL}, code: app.ExitUsage, contains: "no auth token"},
		{name: "connection refused", args: invoke(closed.URL + "/"), code: app.ExitUsage, contains: "connect"},
		{name: "credentials in --public-url: the challenge, then the menu", args: invoke(basic.URL+"/", "--method", "GET", "--public-url", withCredentials),
			contains: "HTTP/1.1 200 OK\n<?xml"},
		{name: "credentials sent only after the challenge", args: invoke(basic.URL+"/", "Digits=1", "--public-url", withCredentials),
			contains: "401 challenge: repeating the request"},
		{name: "wrong credentials: 401", args: invoke(basic.URL+"/", "--method", "GET", "--public-url", "https://twilio:guess@ivr.example.com"),
			code: app.ExitFalse, contains: "HTTP/1.1 401 Unauthorized"},
		{name: "no credentials: 401, not retried", args: invoke(basic.URL+"/", "--method", "GET", "--public-url", "https://ivr.example.com"),
			code: app.ExitFalse, contains: "HTTP/1.1 401 Unauthorized"},
	}
	runCLICases(t, tests)
}

// Without --public-url, invoke signs for the configuration's public_url,
// from the environment or the --config file, as the server it tests does;
// the flag wins, and a path prefix is kept.
func TestInvokePublicURLFromConfig(t *testing.T) {
	const token = secretToken
	ivr := newIVR(t, token, "")
	public := newIVR(t, token, "https://ivr.example.com")
	prefixed := newIVR(t, token, "https://ivr.example.com/ivr")
	dir := t.TempDir()
	conf := writeFile(t, dir, "gatehouse.yaml", "public_url: https://ivr.example.com\n")
	badConf := writeFile(t, dir, "bad.yaml", "public_url: https://ivr.example.com/?a=1\n")
	const menu, apology = `<Gather numDigits="1"`, "We are sorry"
	withEnv := func(url string) map[string]string { return map[string]string{"GATEHOUSE_PUBLIC_URL": url} }
	get := func(args ...string) []string {
		return append([]string{"invoke", "--auth-token", token, "--method", "GET"}, args...)
	}
	tests := []cliCase{
		{name: "GATEHOUSE_PUBLIC_URL", env: withEnv("https://ivr.example.com"), args: get(public.URL + "/"), contains: menu},
		{name: "public_url of --config", args: get(public.URL+"/", "--config", conf), contains: menu},
		{name: "--public-url wins over the environment", env: withEnv("https://other.example.com"),
			args: get(public.URL+"/", "--public-url", "https://ivr.example.com"), contains: menu},
		{name: "--public-url wins over --config", args: get(public.URL+"/", "--config", conf, "--public-url", "https://other.example.com"), contains: apology},
		{name: "an empty --public-url signs for the URL itself", env: withEnv("https://ivr.example.com"),
			args: get(ivr.URL+"/", "--public-url", ""), contains: menu},
		{name: "the environment's public_url, for another server: apology", env: withEnv("https://ivr.example.com"), args: get(ivr.URL + "/"), contains: apology},
		{name: "a path prefix in --public-url", args: get(prefixed.URL+"/accessible", "--public-url", "https://ivr.example.com/ivr"), contains: "You reached the accessible route"},
		{name: "a path prefix in GATEHOUSE_PUBLIC_URL", env: withEnv("https://ivr.example.com/ivr/"), args: get(prefixed.URL + "/"), contains: menu},
		{name: "a bad public_url in the environment", env: withEnv("ivr.example.com"), args: get(ivr.URL + "/"),
			code: app.ExitUsage, contains: "gatehouse invoke: public_url must be an absolute http or https URL"},
		{name: "a public_url with a query in --config", args: get(ivr.URL+"/", "--config", badConf),
			code: app.ExitUsage, contains: "gatehouse invoke: public_url must not have a query"},
		{name: "help says the default and the prefix", args: []string{"invoke", "--help"}, contains: "optional path prefix"},
		{name: "help says the default", args: []string{"invoke", "--help"}, contains: "default: the configuration's public_url"},
	}
	runCLICases(t, tests)
}

// The password of a URL given on the command line (sign's and verify's
// --url, invoke's URL) is not printed back when it is also passed by
// mistake where an argument belongs, in any spelling or case, and the
// configured credentials stay redacted beside it.
func TestTwilioCommandsHideURLPassword(t *testing.T) {
	const (
		password = "PaSsW0rdX"
		token    = secretToken
		pub      = "https://tw:pUbl1cPass@ivr.example.com" // the configuration's
	)
	withPassword := "https://tw:" + password + "@ivr.example.com/"
	escaped := "https://tw:PaSs%21W0rd@ivr.example.com/" // the password PaSs!W0rd
	closed := closedAddr(t)                              // invoke's request fails to connect
	tests := []struct {
		name    string
		args    []string
		want    string   // in stderr
		secrets []string // besides password, token and the public_url password
	}{
		{name: "verify: a parameter", args: []string{"verify", "--url", withPassword, "--signature", "x", password},
			want: `gatehouse verify: argument "[REDACTED]" is not name=value`},
		{name: "verify: the body file, lower-cased", args: []string{"verify", "--url", withPassword, "--signature", "x", "--body-file", strings.ToLower(password)},
			want: "gatehouse verify: --body-file: open [REDACTED]: no such file or directory"},
		{name: "verify: the --url flag joined with =", args: []string{"verify", "--url=" + withPassword, "--signature", "x", "A=1", password},
			want: `gatehouse verify: argument "[REDACTED]" is not name=value`},
		{name: "sign: the body file", args: []string{"sign", "--url", withPassword, "--body-file", password},
			want: "gatehouse sign: --body-file: open [REDACTED]: no such file or directory"},
		{name: "sign: a parameter, the password decoded", args: []string{"sign", "--url", escaped, "PaSs!W0rd"},
			want: `gatehouse sign: argument "[REDACTED]" is not name=value`, secrets: []string{"PaSs!W0rd", "PaSs%21W0rd"}},
		{name: "sign: the password and the token", args: []string{"sign", "--url", withPassword, "--body-file", password + "/" + token},
			want: "gatehouse sign: --body-file: open [REDACTED]/[REDACTED]: no such file or directory"},
		{name: "sign: the password as a flag", args: []string{"sign", "--url", withPassword, "--" + password},
			want: "gatehouse sign: unknown flag --[REDACTED]\n"},
		{name: "verify: the password as a flag, before the URL", args: []string{"verify", "--" + password, "--signature", "x", "--url=" + withPassword},
			want: "gatehouse verify: unknown flag --[REDACTED]\n"},
		{name: "invoke: the password as a flag", args: []string{"invoke", "http://tw:" + password + "@127.0.0.1:1/", "--" + strings.ToLower(password)},
			want: "gatehouse invoke: unknown flag --[REDACTED]\n"},
		{name: "invoke: the URL's path", args: []string{"invoke", "http://tw:" + password + "@" + closed + "/" + password},
			want: `gatehouse invoke: Post "http://` + closed + `/[REDACTED]": `},
		{name: "invoke: the method", args: []string{"invoke", "http://tw:" + password + "@127.0.0.1:1/", "--method", password},
			want: `gatehouse invoke: --method "[REDACTED]": want GET or POST`},
		{name: "invoke: a parameter, with the public URL's password", args: []string{"invoke", "http://tw:" + password + "@127.0.0.1:1/", "A=1", password + "-pUbl1cPass"},
			want: `gatehouse invoke: argument "[REDACTED]-[REDACTED]" is not name=value`},
		// A URL with a password given where another argument goes: quoted
		// back, it is redacted too.
		{name: "sign: a URL as a stray argument", args: []string{"sign", "--url", "https://ivr.example.com/", withPassword},
			want: `gatehouse sign: argument "https:[REDACTED]@ivr.example.com/" is not name=value`},
		{name: "invoke: the public URL as a stray argument", args: []string{"invoke", "http://127.0.0.1:1/", withPassword},
			want: `gatehouse invoke: argument "https:[REDACTED]@ivr.example.com/" is not name=value`},
		{name: "verify: a URL as a stray argument", args: []string{"verify", "--url", "https://ivr.example.com/", "--signature", "x", withPassword},
			want: `gatehouse verify: argument "https:[REDACTED]@ivr.example.com/" is not name=value`},
		{name: "sign: a URL as the body file", args: []string{"sign", "--url", "https://ivr.example.com/", "--body-file=" + withPassword},
			want: "gatehouse sign: --body-file: open https:[REDACTED]@ivr.example.com/: no such file or directory"},
		{name: "routes: a URL as a stray argument", args: []string{"routes", withPassword},
			want: `gatehouse routes: unexpected argument "https:[REDACTED]@ivr.example.com/"`},
		{name: "explain: a URL as the policy file", args: []string{"explain", "--resource", "/", "--permission", "view", "--policy", withPassword},
			want: "https:[REDACTED]@ivr.example.com/: no such file or directory"},
		// serve: a public URL given without --public-url, or after the
		// wrong flag.
		{name: "serve: a URL as a stray argument", args: []string{"serve", withPassword},
			want: `gatehouse serve: unexpected argument "https:[REDACTED]@ivr.example.com/"`},
		{name: "serve: a URL as the policy file", args: []string{"serve", "--policy-file", withPassword},
			want: "gatehouse serve: app: policy file: open https:[REDACTED]@ivr.example.com/: no such file or directory"},
		{name: "serve: a URL as the listen address", args: []string{"serve", "--listen", withPassword},
			want: "gatehouse serve: config: listen: "},
		{name: "serve: a URL as the support number", args: []string{"serve", "--support-number", withPassword},
			want: "gatehouse serve: config: support_number: "},
		{name: "serve: the password as a flag", args: []string{"serve", "--public-url", withPassword, "--" + password},
			want: "gatehouse serve: unknown flag --[REDACTED]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateTokens(t, map[string]string{"TWILIO_AUTH_TOKEN": token, "GATEHOUSE_PUBLIC_URL": pub})
			code, out, errOut := cli(tt.args...)
			if code != app.ExitUsage {
				t.Errorf("exit status: got %d, want %d (stderr %q)", code, app.ExitUsage, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr: got %q, want it to contain %q", errOut, tt.want)
			}
			for _, secret := range append([]string{password, token, "pUbl1cPass"}, tt.secrets...) {
				if strings.Contains(strings.ToLower(out+errOut), strings.ToLower(secret)) {
					t.Errorf("output %q shows %q", out+errOut, secret)
				}
			}
		})
	}
}

// When the configuration cannot load, nothing can redact its credentials:
// a short unknown flag or command, which may be one of them (a short
// public_url password, say), is then not named at all.
func TestUnknownNamesNotRepeatedWithoutConfiguration(t *testing.T) {
	const password = "hunter22"
	isolateTokens(t, map[string]string{"GATEHOUSE_PUBLIC_URL": "https://tw:" + password + "@ivr.example.com", "GATEHOUSE_SERVER_READ_TIMEOUT": "banana"})
	for _, args := range [][]string{
		{"https://u:" + password + "@h/"},
		{"explain", "--" + password},
		{"principals", "--" + password},
		{"policy", "lint", "--" + password},
		{"policy", "test", "--" + password},
		{"sign", "--" + password},
		{"routes", "--" + password},
		{password},
	} {
		code, out, errOut := cli(args...)
		if code != app.ExitUsage || strings.Contains(out+errOut, password) || errOut == "" {
			t.Errorf("gatehouse %q: exit %d, output %q; want %d, an error that does not repeat the name", args, code, out+errOut, app.ExitUsage)
		}
	}
}

// A --config file the parse never reached (it came after the bad flag, or
// after an unknown command) is not read, so what it holds could not be
// redacted: a short unknown name is then not repeated.
func TestUnknownNamesNotRepeatedBeforeConfig(t *testing.T) {
	const password = "Sekr3tPw"
	isolateTokens(t, map[string]string{"TWILIO_AUTH_TOKEN": secretToken})
	file := writeFile(t, t.TempDir(), "gh.yaml", "public_url: https://tw:"+password+"@ivr.example.com\n")
	for _, args := range [][]string{
		{"serve", "--" + password, "--config", file},
		{"sign", "--" + password, "--config", file},
		{"routes", "--" + password, "--config=" + file},
		{password, "--config", file},
		{"https://u:" + password + "@h/"},
	} {
		code, out, errOut := cli(args...)
		if code != app.ExitUsage || strings.Contains(out+errOut, password) || errOut == "" {
			t.Errorf("gatehouse %q: exit %d, output %q; want %d, an error that does not repeat it", args, code, out+errOut, app.ExitUsage)
		}
	}
	// Once the file is read, a name it redacts is named, redacted.
	if _, _, errOut := cli("sign", "--config", file, "--"+password); !strings.Contains(errOut, "unknown flag --[REDACTED]") {
		t.Errorf("sign --config FILE --%s: stderr %q, want the flag named, redacted", password, errOut)
	}
}

// A configured token passed by mistake as an argument of sign, verify or
// invoke (a name=value parameter, the --body-file, the --method, a bad
// flag value, in any case) is not printed back: the failure names the
// problem with the token redacted. serve's stray argument too.
func TestTwilioCommandsHidePastedToken(t *testing.T) {
	const token = secretToken
	missing := filepath.Join(t.TempDir(), token, "body.json")
	upper := strings.ToUpper(token)
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"sign: a parameter", []string{"sign", "--url", vecURL, token}, `gatehouse sign: argument "[REDACTED]" is not name=value`},
		{"sign: a parameter, upper-cased", []string{"sign", "--url", vecURL, upper}, `gatehouse sign: argument "[REDACTED]" is not name=value`},
		{"sign: the body file", []string{"sign", "--url", vecURL, "--body-file", token}, "gatehouse sign: --body-file: open [REDACTED]: no such file or directory"},
		{"sign: in the body file's path", []string{"sign", "--url", vecURL, "--body-file", missing}, "[REDACTED]/body.json: no such file or directory"},
		{"verify: a parameter", []string{"verify", "--url", vecURL, "--signature", "x", "A=1", token}, `gatehouse verify: argument "[REDACTED]" is not name=value`},
		{"verify: the body file", []string{"verify", "--url", vecURL, "--signature", "x", "--body-file", token}, "gatehouse verify: --body-file: open [REDACTED]"},
		{"invoke: the method", []string{"invoke", "http://127.0.0.1:1/", "--method", token}, `gatehouse invoke: --method "[REDACTED]": want GET or POST`},
		{"invoke: a parameter", []string{"invoke", "http://127.0.0.1:1/", token}, `gatehouse invoke: argument "[REDACTED]" is not name=value`},
		{"invoke: the body file", []string{"invoke", "http://127.0.0.1:1/", "--body-file", token}, "gatehouse invoke: --body-file: open [REDACTED]"},
		{"invoke: a bad flag value", []string{"invoke", "http://127.0.0.1:1/", "--timeout", token}, `gatehouse invoke: invalid value for --timeout: want a duration, such as 10s`},
		{"invoke: a bad flag value, with a config that does not load", []string{"invoke", "--config", "missing.yaml", "http://127.0.0.1:1/", "--timeout", token}, `gatehouse invoke: invalid value for --timeout: want a duration, such as 10s`},
		{"invoke: a bad flag value before the token", []string{"invoke", "--timeout", token, "--auth-token", token, "http://127.0.0.1:1/"}, `gatehouse invoke: invalid value for --timeout: want a duration, such as 10s`},
		{"invoke: a long flag with one dash", []string{"invoke", "--config", "missing.yaml", "http://127.0.0.1:1/", "-auth-token=" + token}, `gatehouse invoke: unknown flag after a single dash: long flags take two, as in --name=value`},
		{"invoke: a flag with three dashes", []string{"invoke", "--config", "missing.yaml", "http://127.0.0.1:1/", "---auth-token=" + token}, `gatehouse invoke: bad flag syntax: want --name or --name=value`},
		{"invoke: a flag without a name", []string{"invoke", "--config", "missing.yaml", "http://127.0.0.1:1/", "--=" + token}, `gatehouse invoke: bad flag syntax: want --name or --name=value`},
		{"invoke: a flag run into its value", []string{"invoke", "--config", "missing.yaml", "http://127.0.0.1:1/", "--auth-token" + token}, `gatehouse invoke: unknown flag beginning with --auth-token: write --auth-token=VALUE or --auth-token VALUE`},
		{"invoke: a flag joined by a colon", []string{"invoke", "--config", "missing.yaml", "http://127.0.0.1:1/", "--auth-token:" + token}, `gatehouse invoke: unknown flag beginning with --auth-token`},
		{"serve: the token as a flag", []string{"serve", "--config", "missing.yaml", "--" + token}, fmt.Sprintf("gatehouse serve: unknown flag of %d characters (not repeated: it may be a secret)", len(token))},
		{"serve: a long flag with one dash", []string{"serve", "--config", "missing.yaml", "-auth-token=" + token}, `gatehouse serve: unknown flag after a single dash`},
		{"serve: a bad flag value, with a config that does not load", []string{"serve", "--config", "missing.yaml", "--debug-authorization=" + token}, `gatehouse serve: invalid value for --debug-authorization: want true or false`},
		{"serve: a stray argument", []string{"serve", "--listen", "127.0.0.1:0", token}, `gatehouse serve: unexpected argument "[REDACTED]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateTokens(t, map[string]string{"TWILIO_AUTH_TOKEN": token})
			code, out, errOut := cli(tt.args...)
			if code != app.ExitUsage {
				t.Errorf("exit status: got %d, want %d (stderr %q)", code, app.ExitUsage, errOut)
			}
			if strings.Contains(strings.ToLower(out+errOut), strings.ToLower(token)) {
				t.Errorf("output %q contains the auth token", out+errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr: got %q, want it to contain %q", errOut, tt.want)
			}
		})
	}
}

// failingWriter fails every write, as a full disk or a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// A command whose output could not be written exits 2 with the error on
// stderr, whatever it would have returned: not 0, which a script would
// take for success, nor 1, which would read as "denied" or "invalid".
func TestOutputWriteErrorExitsUsage(t *testing.T) {
	isolateTokens(t, map[string]string{"TWILIO_AUTH_TOKEN": "abcdef0123456789abcdef0123456789"})
	for _, tt := range []struct {
		args []string
		code int // with a working output
	}{
		{[]string{"help"}, app.ExitOK},
		{[]string{"sign", "--url", "https://ivr.example.com/", "Digits=1"}, app.ExitOK},
		{[]string{"verify", "--url", "https://ivr.example.com/", "--signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}, app.ExitFalse},
		{[]string{"explain", "--resource", "/", "--permission", "view", "--principal", "group:twilio"}, app.ExitOK},
		{[]string{"explain", "--resource", "/", "--permission", "view", "--principal", "user:nobody"}, app.ExitFalse},
		{[]string{"principals", "--resource", "/", "--permission", "view"}, app.ExitOK},
		{[]string{"routes"}, app.ExitOK},
		{[]string{"policy", "lint"}, app.ExitOK},
		{[]string{"policy", "test", "../policies/policy_test.csv"}, app.ExitOK},
	} {
		if code, out, errOut := cli(tt.args...); code != tt.code || out == "" {
			t.Fatalf("gatehouse %q: exit %d, output %q, stderr %q; want %d and some output", tt.args, code, out, errOut, tt.code)
		}
		var errOut bytes.Buffer
		code := app.Main(tt.args, failingWriter{}, &errOut)
		if code != app.ExitUsage || !strings.Contains(errOut.String(), "writing the output: no space left on device") {
			t.Errorf("gatehouse %q to a full disk: exit %d, stderr %q; want %d and the error", tt.args, code, errOut.String(), app.ExitUsage)
		}
	}
}

// A credential shorter than six bytes (the tour's token 12345, a short
// public_url password) is hidden where it stands as a word of its own,
// as when it is quoted whole in an error; inside longer words it is kept,
// so that messages stay readable.
func TestShortCredentialsHidden(t *testing.T) {
	for _, tt := range []struct {
		env    map[string]string
		secret string
		args   []string
		want   string // in stderr
	}{
		{map[string]string{"TWILIO_AUTH_TOKEN": "12345"}, "12345",
			[]string{"sign", "--url", "https://ivr.example.com/", "12345"}, `gatehouse sign: argument "[REDACTED]" is not name=value`},
		{map[string]string{"TWILIO_AUTH_TOKEN": secretToken, "GATEHOUSE_PUBLIC_URL": "https://twilio:s3cr5@ivr.example.com"}, "s3cr5",
			[]string{"serve", "--listen", "s3cr5"}, `gatehouse serve: config: listen: want host:port, such as ":8080", got "[REDACTED]"`},
		{map[string]string{"TWILIO_AUTH_TOKEN": secretToken, "GATEHOUSE_PUBLIC_URL": "https://twilio:s3cr5@ivr.example.com"}, "s3cr5",
			[]string{"sign", "--url", "https://ivr.example.com/", "--body-file", "/no/S3CR5/x"}, "gatehouse sign: --body-file: open /no/[REDACTED]/x: no such file or directory"},
		// Inside a longer word: kept.
		{map[string]string{"TWILIO_AUTH_TOKEN": "12345"}, "",
			[]string{"sign", "--url", "https://ivr.example.com/", "x123456"}, `gatehouse sign: argument "x123456" is not name=value`},
	} {
		isolateTokens(t, tt.env)
		code, out, errOut := cli(tt.args...)
		if code != app.ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("gatehouse %q: exit %d, stderr %q; want %d and %q", tt.args, code, errOut, app.ExitUsage, tt.want)
		}
		if tt.secret != "" && strings.Contains(strings.ToLower(out+errOut), strings.ToLower(tt.secret)) {
			t.Errorf("gatehouse %q shows %q: %q", tt.args, tt.secret, out+errOut)
		}
	}
}

// A path with an '@' and no ':' before it holds no password: an error
// shows it as it is, not hidden as a URL would be.
func TestPathWithAtShown(t *testing.T) {
	isolateTokens(t, map[string]string{"TWILIO_AUTH_TOKEN": secretToken})
	const path = "/no/such/gatehouse@prod/policy.csv"
	for _, args := range [][]string{
		{"serve", "--policy-file=" + path},
		{"serve", "--policy-file", path},
		{"sign", "--url", "https://ivr.example.com/", "--body-file", path},
		{"policy", "lint", "--policy", path},
	} {
		code, _, errOut := cli(args...)
		if code != app.ExitUsage || !strings.Contains(errOut, path) {
			t.Errorf("gatehouse %q: exit %d, stderr %q; want %d and the path shown", args, code, errOut, app.ExitUsage)
		}
	}
}

// What a command prints as its result is data: a short credential that
// happens to be a word of it (the password "ops" and the principal
// group:ops) does not rewrite it, as it would in an error.
func TestShortCredentialsKeptInOutput(t *testing.T) {
	policy := filepath.Join(t.TempDir(), "policy.csv")
	if err := os.WriteFile(policy, []byte("p, group:ops, /calls, view, allow\np, user:ops-lead, /calls, view, allow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	isolateTokens(t, map[string]string{"TWILIO_AUTH_TOKEN": secretToken, "GATEHOUSE_PUBLIC_URL": "https://twilio:ops@ivr.example.com"})
	code, out, errOut := cli("principals", "--policy", policy, "--resource", "/calls", "--permission", "view")
	if code != app.ExitOK || out != "group:ops\nuser:ops-lead\n" {
		t.Errorf("principals: exit %d, stdout %q, stderr %q; want 0 and both principals as written", code, out, errOut)
	}
	code, out, errOut = cli("explain", "--policy", policy, "--resource", "/calls", "--permission", "view", "--principal", "group:ops")
	if code != app.ExitOK || !strings.Contains(out, "group:ops") {
		t.Errorf("explain: exit %d, stdout %q, stderr %q; want 0 and the ACE as written", code, out, errOut)
	}
	// The same word quoted back in an error is hidden.
	code, _, errOut = cli("explain", "--policy", policy, "--resource", "/calls", "--permission", "view", "--principal", "group:ops", "ops")
	if code != app.ExitUsage || strings.Contains(errOut, "ops") {
		t.Errorf("explain with a stray argument: exit %d, stderr %q; want %d, the argument hidden", code, errOut, app.ExitUsage)
	}
}

// policy lint prints problems, which quote policy rows: a short credential
// pasted into one is hidden there, as in any error. explain and principals
// print a result, which an argument of a URL's shape (an e-mail principal)
// must not rewrite.
func TestPolicyOutputShortCredentialsAndEmailPrincipals(t *testing.T) {
	isolateTokens(t, map[string]string{"TWILIO_AUTH_TOKEN": "12345", "GATEHOUSE_PUBLIC_URL": "https://twilio:ops@ivr.example.com"})
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.csv", "p, a, /, view, 12345\np, a, ops, view, allow\n")
	code, out, errOut := cli("policy", "lint", "--policy", bad)
	if code != app.ExitFalse || strings.Contains(out+errOut, "12345") || strings.Contains(out+errOut, `"ops"`) || !strings.Contains(out, `got "[REDACTED]"`) {
		t.Errorf("policy lint: exit %d, stdout %q, stderr %q; want 1 and both credentials hidden", code, out, errOut)
	}
	pol := writeFile(t, dir, "p.csv", "p, user:alice@example.com, /calls, view, allow\np, user:al:pass1word@example.com, /calls, view, allow\n")
	for _, principal := range []string{"user:alice@example.com", "user:al:pass1word@example.com"} {
		code, out, errOut = cli("explain", "--policy", pol, "--resource", "/calls", "--permission", "view", "--principal", principal)
		if code != app.ExitOK || !strings.Contains(out, "'"+principal+"'") {
			t.Errorf("explain %s: exit %d, stdout %q, stderr %q; want 0 and the principal as written", principal, code, out, errOut)
		}
	}
	code, out, errOut = cli("principals", "--policy", pol, "--resource", "/calls", "--permission", "view")
	if code != app.ExitOK || out != "user:al:pass1word@example.com\nuser:alice@example.com\n" {
		t.Errorf("principals: exit %d, stdout %q, stderr %q; want both principals as written", code, out, errOut)
	}
}

// serve exits 2, naming the key, when the configured listen address cannot
// be used: in use, or a host that does not resolve.
func TestServeListenFailureIsInputError(t *testing.T) {
	isolateTokens(t, map[string]string{"TWILIO_AUTH_TOKEN": secretToken})
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, addr := range []string{busy.Addr().String(), "nosuch.invalid:18190"} {
		code, _, errOut := cli("serve", "--listen", addr)
		if code != app.ExitUsage || !strings.HasPrefix(errOut, "gatehouse serve: config: listen: ") {
			t.Errorf("serve --listen %s: exit %d, stderr %q; want %d and the key named", addr, code, errOut, app.ExitUsage)
		}
	}
}

// explain quotes its question back as Python's repr, which escapes quotes
// and unprintable characters: a credential with such a character would
// escape the output's redaction, so a question holding one is refused
// (exit 2, not quoted). One repr leaves as it is stays [REDACTED] in the
// result. policy test's failing rows are results too: a short password
// leaves the principal group:ops as it is.
func TestExplainQuotingAndPolicyTestResults(t *testing.T) {
	dir := t.TempDir()
	pol := writeFile(t, dir, "p.csv", "p, group:x, /calls, view, allow\np, group:ops, /calls, view, allow\n")
	for _, tt := range []struct {
		env       map[string]string
		principal string
		code      int
		hidden    string // must not be in the output, in any case
	}{
		{map[string]string{"TWILIO_AUTH_TOKEN": secretToken, "GATEHOUSE_PUBLIC_URL": "https://twilio:se%27cr%22et1@ivr.example.com"}, "se'cr\"et1", app.ExitUsage, "et1"},
		{map[string]string{"TWILIO_AUTH_TOKEN": "secret\u00adtoken"}, "xsecret\u00adtoken", app.ExitUsage, "token"},
		{map[string]string{"TWILIO_AUTH_TOKEN": "ab'cdefgh"}, "ab'cdefgh", app.ExitFalse, "cdefgh"}, // repr's double quotes leave it as it is
		{map[string]string{"TWILIO_AUTH_TOKEN": secretToken}, secretToken, app.ExitFalse, secretToken},
	} {
		isolateTokens(t, tt.env)
		code, out, errOut := cli("explain", "--policy", pol, "--resource", "/calls", "--permission", "view", "--principal", tt.principal)
		if code != tt.code || strings.Contains(strings.ToLower(out+errOut), strings.ToLower(tt.hidden)) {
			t.Errorf("explain --principal %q: exit %d, stdout %q, stderr %q; want %d and %q hidden", tt.principal, code, out, errOut, tt.code, tt.hidden)
		}
	}
	isolateTokens(t, map[string]string{"TWILIO_AUTH_TOKEN": secretToken, "GATEHOUSE_PUBLIC_URL": "https://twilio:ops@ivr.example.com"})
	tests := writeFile(t, dir, "t.csv", "deny, /calls, view, group:ops\n")
	code, out, errOut := cli("policy", "test", tests, "--policy", pol)
	if code != app.ExitFalse || !strings.Contains(out, "deny, /calls, view, group:ops: got ACLAllowed") {
		t.Errorf("policy test: exit %d, stdout %q, stderr %q; want 1 and group:ops as written", code, out, errOut)
	}
}

// closedAddr returns a loopback address on which nothing listens: a port
// that was just free, closed again, so that a request to it fails at
// once (unlike a fixed port, which anything on the machine may hold).
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
