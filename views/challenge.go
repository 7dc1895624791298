package views

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
)

// answerChallenge answers a request that an authentication policy
// challenged (see authn.Challenge): 401 with the WWW-Authenticate header
// and a short plain-text body. It is not TwiML: Twilio reads the challenge,
// not the body, and repeats the request with credentials.
func answerChallenge(c echo.Context, ch *authn.Challenge) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, ch.Header)
	return c.String(http.StatusUnauthorized, "unauthorized\n")
}
