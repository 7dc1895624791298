package twiml

import (
	"encoding/xml"
	"errors"
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

// outside implements Verb by embedding one of the package's verbs: it is
// not one, and Marshal refuses it.
type outside struct {
	Hangup
	XMLName xml.Name `xml:"Play"`
	URL     string   `xml:",chardata"`
}

// Marshal refuses what Twilio would not expect: a verb of another type,
// and a Gather whose prompt holds anything but Say and Pause.
func TestMarshalRefusesInvalidDocuments(t *testing.T) {
	prompt := func(v ...Verb) Response { return Response{Verbs: []Verb{Gather{Action: "/", Verbs: v}}} }
	tests := []struct {
		name string
		resp Response
		ok   bool
	}{
		{"every verb at the top", Response{Verbs: []Verb{Say{}, &Say{}, Pause{}, Gather{}, &Gather{}, Redirect{}, Dial{}, Hangup{}, &Hangup{}}}, true},
		{"nil verbs, which render as nothing", Response{Verbs: []Verb{nil, (*Gather)(nil), (*Dial)(nil), Gather{Verbs: []Verb{nil, (*Say)(nil), (*Dial)(nil)}}}}, true},
		{"a prompt of Say and Pause", prompt(Say{Text: "Press 1"}, Pause{Length: 1}, &Say{}), true},
		{"another type at the top", Response{Verbs: []Verb{outside{URL: "https://x/a.mp3"}}}, false},
		{"another type in a prompt", prompt(outside{}), false},
		{"Dial in a prompt", prompt(Dial{Number: "+15005550006"}), false},
		{"Gather in a prompt", prompt(Gather{}), false},
		{"a pointer to Gather in a prompt", prompt(&Gather{}), false},
		{"Redirect in a prompt", prompt(Redirect{URL: "/"}), false},
		{"Hangup in a prompt", prompt(Hangup{}), false},
		{"nested: Dial in a pointer Gather's prompt", Response{Verbs: []Verb{&Gather{Verbs: []Verb{Dial{}}}}}, false},
	}
	for _, tt := range tests {
		b, err := tt.resp.Marshal()
		if tt.ok {
			if err != nil {
				t.Errorf("%s: Marshal: %v, want a document", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidDocument) || b != nil {
			t.Errorf("%s: Marshal = %q, %v; want ErrInvalidDocument", tt.name, b, err)
		}
	}
}
