package twiml

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		resp Response
		want string
	}{
		{"empty", Response{}, `<Response></Response>`},
		{"say with attributes", Response{Verbs: []Verb{Say{Voice: "alice", Language: "en-GB", Text: "Hello"}}},
			`<Response><Say voice="alice" language="en-GB">Hello</Say></Response>`},
		{"escaping", Response{Verbs: []Verb{Say{Text: `<Hangup/> & "x"`}}},
			`<Response><Say>&lt;Hangup/&gt; &amp; &#34;x&#34;</Say></Response>`},
		{"gather nests", Response{Verbs: []Verb{Gather{NumDigits: 1, Action: "/", Method: "POST", Timeout: 3, Verbs: []Verb{Say{Text: "Press 1"}}}, Redirect{Method: "GET", URL: "/"}}},
			`<Response><Gather numDigits="1" action="/" method="POST" timeout="3"><Say>Press 1</Say></Gather><Redirect method="GET">/</Redirect></Response>`},
		{"dial and hangup", Response{Verbs: []Verb{Dial{Number: "+15005550006"}, Pause{Length: 1}, Hangup{}}},
			`<Response><Dial>+15005550006</Dial><Pause length="1"></Pause><Hangup></Hangup></Response>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.resp.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			got := string(b)
			if !strings.HasPrefix(got, xml.Header) {
				t.Errorf("missing XML declaration: %q", got)
			}
			if got = strings.TrimPrefix(got, xml.Header); got != tt.want {
				t.Errorf("Marshal =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
