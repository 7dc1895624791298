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
