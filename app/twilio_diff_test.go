package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/authn"
)

// The differential test against Twilio's official Node.js helper library
// (npm package "twilio", pinned in testdata/twilio-node/package.json).
// testdata/twilio-node/generate.js signs thousands of generated requests
// with the library's own functions; for each, `gatehouse sign` must print
// the library's signature, `gatehouse verify` must accept it, and single-byte
// mutations of the URL, a parameter (or the JSON body) and the signature
// must be rejected. The generator's header explains the case classes.

const nodeDir = "testdata/twilio-node"

// diffCase is one request of the generator's output.
type diffCase struct {
	Kind      string `json:"kind"`  // get, form or json
	Class     string `json:"class"` // agree, variant or divergence
	Note      string `json:"note"`  // what a variant or divergence is
	URL       string `json:"url"`   // the URL the server receives
	BaseURL   string `json:"baseUrl"`
	SignedURL string `json:"signedUrl"` // the URL the library signed
	// SignedBaseURL is SignedURL before bodySHA256 (JSON only).
	SignedBaseURL string      `json:"signedBaseUrl"`
	Params        [][2]string `json:"params"`
	Body          string      `json:"body"`
	Signature     string      `json:"signature"`
	LibValid      bool        `json:"libValid"` // the library's validator accepts it
}

type diffCases struct {
	Library string     `json:"library"`
	Seed    int        `json:"seed"`
	Token   string     `json:"token"`
	Cases   []diffCase `json:"cases"`
}

// generateCases runs the generator. Without node or the installed package
// the test fails under CI (which installs them) and is skipped elsewhere.
func generateCases(t *testing.T) diffCases {
	t.Helper()
	install := "npm ci --prefix app/testdata/twilio-node"
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(nodeDir, "node_modules", "twilio", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("differential test needs node and the twilio package (%v); run: %s", err, install)
		}
		t.Skipf("needs node and the twilio package (%v); run: %s", err, install)
	}
	cmd := exec.Command(node, "generate.js")
	cmd.Dir = nodeDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node generate.js: %v\n%s", err, stderr.Bytes())
	}
	var cases diffCases
	if err := json.Unmarshal(out, &cases); err != nil {
		t.Fatalf("decoding the generated cases: %v", err)
	}
	return cases
}

// cli runs the gatehouse command line in-process.
func cli(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = app.Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// diffRun holds what the cases of one test share.
type diffRun struct {
	t      *testing.T
	token  string
	dir    string
	rng    *rand.Rand
	files  int
	errors int
}

func (d *diffRun) errorf(c diffCase, format string, args ...any) {
	d.t.Helper()
	if d.errors++; d.errors <= 25 {
		d.t.Errorf("%s %s %s %q: %s", c.Class, c.Note, c.Kind, c.URL, fmt.Sprintf(format, args...))
	}
}

// bodyFile writes body to a new file and returns its name.
func (d *diffRun) bodyFile(body string) string {
	d.files++
	name := filepath.Join(d.dir, fmt.Sprintf("body%d.json", d.files))
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		d.t.Fatal(err)
	}
	return name
}

// paramArgs returns "--" and the name=value arguments of params.
func paramArgs(params []authn.Param) []string {
	args := []string{"--"}
	for _, p := range params {
		args = append(args, p.Name+"="+p.Value)
	}
	return args
}

// sign runs gatehouse sign over c's URL (before bodySHA256 for JSON) and
// returns its output lines.
func (d *diffRun) sign(c diffCase, rawURL string, params []authn.Param, bodyFile string) []string {
	args := []string{"sign", "--url", rawURL, "--auth-token", d.token}
	if bodyFile != "" {
		args = append(args, "--body-file", bodyFile)
	}
	code, out, errOut := cli(append(args, paramArgs(params)...)...)
	if code != app.ExitOK {
		d.errorf(c, "sign: got exit %d (%s), want 0", code, strings.TrimSpace(errOut))
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// verify runs gatehouse verify and returns its exit status and output.
func (d *diffRun) verify(rawURL, sig string, params []authn.Param, bodyFile string) (int, string) {
	args := []string{"verify", "--url", rawURL, "--signature", sig, "--auth-token", d.token}
	if bodyFile != "" {
		args = append(args, "--body-file", bodyFile)
	}
	code, out, errOut := cli(append(args, paramArgs(params)...)...)
	return code, strings.TrimSpace(out + errOut)
}

// mutate replaces one byte of s at a random position among those for which
// ok holds, keeping the byte's class (digit, hex letter, other letter) so
// that a URL stays a URL. It returns s unchanged if no position qualifies.
func mutate(rng *rand.Rand, s string, from int, ok func(byte) bool) string {
	var at []int
	for i := from; i < len(s); i++ {
		if ok(s[i]) {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s
	}
	i := at[rng.IntN(len(at))]
	b := []byte(s)
	var class string
	switch c := b[i]; {
	case '0' <= c && c <= '9':
		class = "0123456789"
	case 'a' <= c && c <= 'f':
		class = "abcdef"
	case 'A' <= c && c <= 'F':
		class = "ABCDEF"
	case 'a' <= c && c <= 'z':
		class = "ghijklmnopqrstuvwxyz"
	case 'A' <= c && c <= 'Z':
		class = "GHIJKLMNOPQRSTUVWXYZ"
	default:
		class = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
	}
	for {
		if r := class[rng.IntN(len(class))]; r != b[i] {
			b[i] = r
			return string(b)
		}
	}
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func TestTwilioNodeDifferential(t *testing.T) {
	// Only the flags below name tokens: nothing from the environment.
	for _, env := range []string{"TWILIO_AUTH_TOKEN", "GATEHOUSE_TWILIO_AUTH_TOKENS", "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE"} {
		t.Setenv(env, "")
	}
	gen := generateCases(t)
	d := &diffRun{t: t, token: gen.Token, dir: t.TempDir(), rng: rand.New(rand.NewPCG(uint64(gen.Seed), 3))}

	var (
		counts    = map[string]int{} // cases per class/kind
		mutations = map[string]int{} // rejected mutations per kind
		signCalls int
		verifies  int
	)
	for _, c := range gen.Cases {
		counts[c.Class+"/"+c.Kind]++
		if !c.LibValid { // a sanity check of the generator
			d.errorf(c, "the library's own validator rejects its signature")
		}
		var params []authn.Param
		for _, p := range c.Params {
			params = append(params, authn.Param{Name: p[0], Value: p[1]})
		}
		bodyFile := ""
		if c.Kind == "json" {
			bodyFile = d.bodyFile(c.Body)
		}

		// sign: over the URL the library signed, or for JSON over that URL
		// before bodySHA256, which sign adds. A divergence: over the URL
		// as requested.
		signURL := c.SignedURL
		switch {
		case c.Class == "divergence" && c.Kind == "json":
			signURL = c.BaseURL
		case c.Class == "divergence":
			signURL = c.URL
		case c.Kind == "json":
			signURL = c.SignedBaseURL
		}
		lines := d.sign(c, signURL, params, bodyFile)
		signCalls++
		switch {
		case c.Class == "divergence":
			if lines[0] == c.Signature {
				d.errorf(c, "sign: got the library's signature %s, want a different one (documented divergence)", lines[0])
			}
		case lines[0] != c.Signature:
			d.errorf(c, "sign: got %s, want the library's %s", lines[0], c.Signature)
		case c.Kind == "json" && (len(lines) != 2 || lines[1] != c.SignedURL):
			d.errorf(c, "sign: got URL line %q, want %q", lines[len(lines)-1], c.SignedURL)
		case c.Kind != "json" && len(lines) != 1:
			d.errorf(c, "sign: got %d lines, want 1", len(lines))
		}

		// verify the library's signature.
		code, out := d.verify(c.URL, c.Signature, params, bodyFile)
		verifies++
		switch {
		case c.Class == "divergence":
			if code != app.ExitFalse {
				d.errorf(c, "verify: got exit %d (%s), want 1 (documented divergence)", code, out)
			}
			continue
		case code != app.ExitOK:
			d.errorf(c, "verify: got exit %d (%s), want 0", code, out)
		}

		// Single-byte mutations: each must be rejected.
		reject := func(what, rawURL, sig string, params []authn.Param, bodyFile string) {
			code, out := d.verify(rawURL, sig, params, bodyFile)
			verifies++
			if code != app.ExitFalse || !strings.HasPrefix(out, "invalid: ") {
				d.errorf(c, "verify with a mutated %s: got exit %d (%s), want 1", what, code, out)
				return
			}
			mutations[what]++
		}
		after := strings.Index(c.URL, "://") + len("://")
		reject("url", mutate(d.rng, c.URL, after, isAlnum), c.Signature, params, bodyFile)
		reject("signature", c.URL, mutate(d.rng, c.Signature, 0, func(byte) bool { return true }), params, bodyFile)
		switch c.Kind {
		case "form":
			if m, ok := mutateParam(d.rng, c.URL, params); ok {
				reject("param", c.URL, c.Signature, m, bodyFile)
			}
		case "json":
			body := []byte(c.Body)
			i := d.rng.IntN(len(body))
			body[i] ^= 0x01
			reject("body", c.URL, c.Signature, nil, d.bodyFile(string(body)))
		}
	}
	if d.errors > 25 {
		t.Errorf("... %d errors in all", d.errors)
	}
	t.Logf("%s, seed %d: %d cases %v; %d sign and %d verify runs; mutations rejected %v",
		gen.Library, gen.Seed, len(gen.Cases), counts, signCalls, verifies, mutations)
}

// mutateParam changes one ASCII letter or digit in the name or value of one
// of params, such that the string to sign changes. ok is false if no
// parameter has such a byte.
func mutateParam(rng *rand.Rand, rawURL string, params []authn.Param) (mutated []authn.Param, ok bool) {
	type spot struct{ param, field int }
	var spots []spot
	for i, p := range params {
		for f, s := range []string{p.Name, p.Value} {
			if strings.IndexFunc(s, func(r rune) bool { return r < 0x80 && isAlnum(byte(r)) }) >= 0 {
				spots = append(spots, spot{i, f})
			}
		}
	}
	want := authn.StringToSign(rawURL, params)
	for range 8 {
		if len(spots) == 0 {
			return nil, false
		}
		s := spots[rng.IntN(len(spots))]
		mutated = append([]authn.Param(nil), params...)
		if s.field == 0 {
			mutated[s.param].Name = mutate(rng, params[s.param].Name, 0, isAlnum)
		} else {
			mutated[s.param].Value = mutate(rng, params[s.param].Value, 0, isAlnum)
		}
		if authn.StringToSign(rawURL, mutated) != want {
			return mutated, true
		}
	}
	return nil, false
}
