package app

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// invoke, like Twilio, sends the URL's credentials only after a 401 whose
// WWW-Authenticate asks for HTTP Basic: not after a bare 401, nor after a
// challenge of another scheme.
func TestInvokeCredentialsOnlyForBasicChallenge(t *testing.T) {
	for _, challenge := range []string{"", `Bearer realm="api"`} {
		var mu sync.Mutex
		var auths []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			auths = append(auths, r.Header.Get("Authorization"))
			mu.Unlock()
			if challenge != "" {
				w.Header().Set("WWW-Authenticate", challenge)
			}
			w.WriteHeader(http.StatusUnauthorized)
		}))
		var stdout, stderr bytes.Buffer
		code := Main([]string{"invoke", "--auth-token", "t0k3nt0k3n", srv.URL + "/", "--method", "GET",
			"--public-url", "https://twilio:pa55w0rd@ivr.example.com"}, &stdout, &stderr)
		srv.Close()
		if code != ExitFalse || !strings.Contains(stdout.String(), "401 Unauthorized") {
			t.Errorf("challenge %q: exit %d, stdout %q; want 1 and the 401", challenge, code, stdout.String())
		}
		mu.Lock()
		for _, a := range auths {
			if a != "" {
				t.Errorf("challenge %q: the server received Authorization %q: credentials sent unasked", challenge, a)
			}
		}
		mu.Unlock()
	}
}
