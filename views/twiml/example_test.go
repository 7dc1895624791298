package twiml_test

import (
	"fmt"

	"github.com/gatehouse/gatehouse/views/twiml"
)

func ExampleResponse_Marshal() {
	doc := twiml.Response{Verbs: []twiml.Verb{
		twiml.Say{Text: "We are sorry."},
		twiml.Dial{Number: "+15005550006"},
	}}
	b, _ := doc.Marshal()
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Say>We are sorry.</Say><Dial>+15005550006</Dial></Response>
}

// MustMarshal renders a document built from constants once, at startup;
// the handler then answers the same bytes to every call.
func ExampleResponse_MustMarshal() {
	menu := twiml.Response{Verbs: []twiml.Verb{
		twiml.Gather{NumDigits: 1, Action: "/choose", Method: "POST", Timeout: 5, Verbs: []twiml.Verb{
			twiml.Say{Voice: "Polly.Joanna", Text: "Press 1 for sales & support."},
		}},
		twiml.Pause{Length: 2},
		twiml.Redirect{Method: "GET", URL: "/menu"},
		twiml.Hangup{},
	}}
	doc := menu.MustMarshal()
	fmt.Println(twiml.ContentType)
	fmt.Println(string(doc))
	// Output:
	// application/xml
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Gather numDigits="1" action="/choose" method="POST" timeout="5"><Say voice="Polly.Joanna">Press 1 for sales &amp; support.</Say></Gather><Pause length="2"></Pause><Redirect method="GET">/menu</Redirect><Hangup></Hangup></Response>
}
