package twiml

import (
	"encoding/xml"
	"strings"
	"testing"
)

// Every text a verb carries is escaped: a Dial's number and a Redirect's
// URL (a query's '&' is common) never inject markup.
func TestTextIsEscaped(t *testing.T) {
	doc, err := Response{Verbs: []Verb{
		Dial{Number: "+15005550006</Dial><Hangup/><Dial>"},
		Redirect{Method: "GET", URL: "/next?a=1&b=<2>"},
	}}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	for _, want := range []string{
		"<Dial>+15005550006&lt;/Dial&gt;&lt;Hangup/&gt;&lt;Dial&gt;</Dial>",
		`<Redirect method="GET">/next?a=1&amp;b=&lt;2&gt;</Redirect>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("got %s, want it to hold %s", s, want)
		}
	}
	var parsed struct {
		Dial     string    `xml:"Dial"`
		Redirect string    `xml:"Redirect"`
		Hangup   *struct{} `xml:"Hangup"`
	}
	if err := xml.Unmarshal(doc, &parsed); err != nil {
		t.Fatalf("the document does not parse: %v\n%s", err, s)
	}
	if parsed.Hangup != nil || parsed.Dial != "+15005550006</Dial><Hangup/><Dial>" || parsed.Redirect != "/next?a=1&b=<2>" {
		t.Errorf("parsed back as %+v", parsed)
	}
}
