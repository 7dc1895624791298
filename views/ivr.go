package views

import (
	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/views/twiml"
)

// IVR is the demo call flow that `gatehouse serve` answers: a menu that
// gathers one digit and redirects to an accessible or a restricted view.
// Its documents are rendered once, by NewIVR.
type IVR struct {
	menu, accessible, restricted, toAccessible, toRestricted, invalid []byte
}

// NewIVR renders the call flow's documents, spoken with voice and language
// (both optional).
func NewIVR(voice, language string) *IVR {
	say := func(text string) twiml.Say { return twiml.Say{Voice: voice, Language: language, Text: text} }
	redirect := func(to string) []byte {
		return twiml.Response{Verbs: []twiml.Verb{twiml.Redirect{Method: "GET", URL: to}}}.MustMarshal()
	}
	return &IVR{
		menu: twiml.Response{Verbs: []twiml.Verb{
			twiml.Gather{NumDigits: 1, Action: "/", Method: "POST", Timeout: 3, Verbs: []twiml.Verb{
				say("Press 1 for the accessible route. Press 2 for the restricted route."),
			}},
			twiml.Redirect{Method: "GET", URL: "/"},
		}}.MustMarshal(),
		toAccessible: redirect("/accessible"),
		toRestricted: redirect("/restricted"),
		invalid: twiml.Response{Verbs: []twiml.Verb{
			say("Sorry, that is not an option."),
			twiml.Redirect{Method: "GET", URL: "/"},
		}}.MustMarshal(),
		accessible: twiml.Response{Verbs: []twiml.Verb{say("You reached the accessible route. Goodbye."), twiml.Hangup{}}}.MustMarshal(),
		restricted: twiml.Response{Verbs: []twiml.Verb{say("You reached the restricted route. Goodbye."), twiml.Hangup{}}}.MustMarshal(),
	}
}

// Menu answers GET /: gather one digit, posted back to /.
func (ivr *IVR) Menu(c echo.Context) error { return writeTwiML(c, ivr.menu) }

// Choose answers POST /: redirect by the Digits of the signed form body
// (never the query string).
func (ivr *IVR) Choose(c echo.Context) error {
	doc := ivr.invalid
	switch c.Request().PostFormValue("Digits") {
	case "1":
		doc = ivr.toAccessible
	case "2":
		doc = ivr.toRestricted
	}
	return writeTwiML(c, doc)
}

// Accessible answers GET /accessible.
func (ivr *IVR) Accessible(c echo.Context) error {
	return writeTwiML(c, ivr.accessible)
}

// Restricted answers GET /restricted. It requires a permission nobody
// holds in the default policy, so the forbidden view answers instead.
func (ivr *IVR) Restricted(c echo.Context) error {
	return writeTwiML(c, ivr.restricted)
}
