package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/internal/webhooks"
	"github.com/gatehouse/gatehouse/views"
	"github.com/gatehouse/gatehouse/views/twiml"
)

// gatherCallback is the body every load request carries (see
// webhooks.GatherCallback), the body of app/bench_test.go's
// BenchmarkChain too.
var gatherCallback = webhooks.GatherCallback()

// wireRequest returns the signed gather callback as the bytes of one
// HTTP/1.1 request to target (an http:// URL whose path is /), signed with
// token for publicURL + "/", which is the URL the server rebuilds from its
// configured public URL and the request target.
func wireRequest(target, publicURL, token string) ([]byte, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("load: %w: target: %w", errUsage, err)
	}
	if u.Scheme != "http" || u.Host == "" || (u.Path != "/" && u.Path != "") || u.RawQuery != "" {
		return nil, fmt.Errorf("load: %w: target %q: want http://HOST:PORT/", errUsage, target)
	}
	body := authn.EncodeForm(gatherCallback)
	sig := authn.Sign(token, strings.TrimSuffix(publicURL, "/")+"/", gatherCallback)
	return []byte("POST / HTTP/1.1\r\n" +
		"Host: " + u.Host + "\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
		"I-Twilio-Idempotency-Token: 3f1e8a2c-7b6d-4c5e-9f0a-1b2c3d4e5f60\r\n" +
		"User-Agent: TwilioProxy/1.1\r\n" +
		authn.SignatureHeader + ": " + sig + "\r\n\r\n" + body), nil
}

// bareHandler is the loopback baseline, issue 6's "bare Echo route
// returning the same TwiML bytes": POST / on a bare Echo server answers
// body (the choose view's answer, see expectedBody) with the view's
// Content-Type, reading nothing of the request. No middleware, no
// signature check, no authorization, no log.
func bareHandler(body []byte) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/", func(c echo.Context) error { return c.Blob(http.StatusOK, twiml.ContentType, body) })
	return e
}

// signedHandler is bareHandler behind the signature check alone: POST /
// answers body if authn's Verify passes its X-Twilio-Signature for token
// and publicURL, and 403 with no body otherwise. No authorization, no
// view, no log, no request ID: the least a server that checks Twilio's
// signature does besides answering, a reference for how much of the
// loopback target's budget the check itself takes.
func signedHandler(body []byte, token, publicURL string) (*echo.Echo, error) {
	p, err := authn.NewTwilioSignature(authn.TwilioConfig{AuthTokens: []string{token}, PublicURL: publicURL})
	if err != nil {
		return nil, fmt.Errorf("load serve-bare: %w", err)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/", func(c echo.Context) error {
		if !p.Verify(c.Request()).Valid {
			return c.NoContent(http.StatusForbidden)
		}
		return c.Blob(http.StatusOK, twiml.ContentType, body)
	})
	return e, nil
}

// viewHandler is the IVR's choose view itself on a bare Echo server, POST
// /: it parses the form to read Digits, as the view does behind
// Gatehouse. `load serve-bare -view` serves it.
func viewHandler() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/", views.NewIVR("", "").Choose)
	return e
}

// expectedBody is what the choose view answers to the gather callback (a
// redirect to /accessible): the body every response must have, from
// Gatehouse and from the bare server alike.
func expectedBody() ([]byte, error) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(authn.EncodeForm(gatherCallback)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	viewHandler().ServeHTTP(w, r)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `/accessible`) {
		return nil, fmt.Errorf("load: the choose view answers %d %q, want 200 and a redirect to /accessible", w.Code, w.Body.String())
	}
	return w.Body.Bytes(), nil
}
