package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const routesTable = `METHOD  PATH         NAME        PERMISSION                  RESOURCE
GET     /            menu        view                        /
POST    /            choose      view                        /
GET     /accessible  accessible  view                        /accessible
GET     /healthz     healthz     __no_permission_required__  -
HEAD    /healthz     healthz     __no_permission_required__  -
GET     /metrics     metrics     __no_permission_required__  -
GET     /readyz      readyz      __no_permission_required__  -
HEAD    /readyz      readyz      __no_permission_required__  -
GET     /restricted  restricted  restricted                  /restricted
`

func TestRoutesCmd(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("log:\n  format: json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	typo := filepath.Join(dir, "typo.yaml")
	if err := os.WriteFile(typo, []byte("lsten: :80\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    string
		stderrHas string
	}{
		{"no token needed", nil, ExitOK, routesTable, ""},
		{"with a config file", []string{"--config", good}, ExitOK, routesTable, ""},
		{"missing config file", []string{"--config", filepath.Join(dir, "nope.yaml")}, ExitUsage, "", "nope.yaml"},
		{"unknown key", []string{"--config", typo}, ExitUsage, "", "lsten"},
		{"serve's flags are not routes' flags", []string{"--auth-token", "x"}, ExitUsage, "", "auth-token"},
		{"argument", []string{"extra"}, ExitUsage, "", `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Main(append([]string{"routes"}, tt.args...), &stdout, &stderr); code != tt.code {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			if got := stdout.String(); got != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, tt.stdout)
			}
			if tt.stderrHas != "" && !strings.Contains(stderr.String(), tt.stderrHas) {
				t.Errorf("stderr %q, want it to name %q", stderr.String(), tt.stderrHas)
			}
		})
	}
}

// routes needs no token, but one pasted in the wrong place is never
// printed: not as a stray argument, not as an unknown flag.
func TestRoutesHidesToken(t *testing.T) {
	const tok = "SeKr3tTok-0123456789abcdef0123456789"
	t.Setenv("TWILIO_AUTH_TOKEN", tok)
	for _, args := range [][]string{{tok}, {"--" + tok}, {"--config", tok}} {
		var stdout, stderr bytes.Buffer
		if code := Main(append([]string{"routes"}, args...), &stdout, &stderr); code != ExitUsage {
			t.Errorf("routes %q: exit status %d, want %d", args, code, ExitUsage)
		}
		if strings.Contains(stdout.String()+stderr.String(), tok) || stderr.Len() == 0 {
			t.Errorf("routes %q printed %q, want an error without the token", args, stderr.String())
		}
	}
}

// The table lists exactly what New registers.
func TestRoutesMatchServer(t *testing.T) {
	a, _ := newLoggedApp(t, "info", nil)
	listed, err := listRoutes(a.cfg)
	if err != nil {
		t.Fatal(err)
	}
	served := a.Routes()
	if len(listed) != len(served) {
		t.Fatalf("listed %d routes, serving %d", len(listed), len(served))
	}
	for i := range listed {
		l, s := listed[i], served[i]
		if l.Method != s.Method || l.Path != s.Path || l.Name != s.Name || l.Permission != s.Permission || l.Resource != s.Resource {
			t.Errorf("route %d: listed %+v, serving %+v", i, l, s)
		}
	}
}
