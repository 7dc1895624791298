package views

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/views/twiml"
)

// DefaultApologyText is what the default exception views say when
// Apology.Text is empty.
const DefaultApologyText = "We are sorry, something went wrong. Please hold while we connect you to support."

// DefaultApologyTextNoSupport is said instead when no support number is
// configured, before hanging up.
const DefaultApologyTextNoSupport = "We are sorry, something went wrong. Please try again later. Goodbye."

// Apology is the TwiML answer of the forbidden, not-found and exception
// views: a <Say> followed by a <Dial> to the support number, or <Hangup/>
// when there is none. It always answers status 200, because Twilio treats
// any other status as an application error and plays its stock message.
type Apology struct {
	// Text is what is said. Optional. Default DefaultApologyText, or
	// DefaultApologyTextNoSupport without a SupportNumber.
	Text string
	// Voice is the <Say> voice. Optional. Default: Twilio's.
	Voice string
	// Language is the <Say> language. Optional. Default: Twilio's.
	Language string
	// SupportNumber is dialled after the apology. Optional. Default: none,
	// the call is hung up.
	SupportNumber string
}

// TwiML returns the apology document.
func (a Apology) TwiML() twiml.Response {
	text := a.Text
	if text == "" {
		text = DefaultApologyText
		if a.SupportNumber == "" {
			text = DefaultApologyTextNoSupport
		}
	}
	verbs := []twiml.Verb{twiml.Say{Voice: a.Voice, Language: a.Language, Text: text}}
	if a.SupportNumber != "" {
		verbs = append(verbs, twiml.Dial{Number: a.SupportNumber})
	} else {
		verbs = append(verbs, twiml.Hangup{})
	}
	return twiml.Response{Verbs: verbs}
}

// Handler returns a view that answers the apology with status 200. The
// document is rendered once, here.
func (a Apology) Handler() echo.HandlerFunc {
	return staticTwiML(a.TwiML().MustMarshal())
}

// staticTwiML answers a pre-rendered TwiML document with status 200.
func staticTwiML(doc []byte) echo.HandlerFunc {
	return func(c echo.Context) error { return writeTwiML(c, doc) }
}

// writeTwiML answers doc, a rendered TwiML document, with status 200: the
// one status Twilio does not treat as an application error. The
// Content-Type is set whatever was set before (c.Blob would keep it).
func writeTwiML(c echo.Context, doc []byte) error {
	c.Response().Header().Set(echo.HeaderContentType, twiml.ContentType)
	return c.Blob(http.StatusOK, twiml.ContentType, doc)
}
