package twiml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
)

// ContentType is the media type of a TwiML document.
const ContentType = "application/xml"

// Verb is one TwiML verb. Only the types of this package implement it,
// and Marshal refuses any other type that does by embedding one of them.
type Verb interface{ verb() }

// Response is a TwiML document: a <Response> holding verbs in order.
type Response struct {
	XMLName xml.Name `xml:"Response"`
	Verbs   []Verb
}

// Say speaks Text.
type Say struct {
	XMLName  xml.Name `xml:"Say"`
	Voice    string   `xml:"voice,attr,omitempty"`
	Language string   `xml:"language,attr,omitempty"`
	Text     string   `xml:",chardata"`
}

// Gather collects digits and posts them to Action. Its Verbs, the prompt,
// may be only Say and Pause.
type Gather struct {
	XMLName   xml.Name `xml:"Gather"`
	NumDigits int      `xml:"numDigits,attr,omitempty"`
	Action    string   `xml:"action,attr,omitempty"`
	Method    string   `xml:"method,attr,omitempty"`
	Timeout   int      `xml:"timeout,attr,omitempty"`
	Verbs     []Verb
}

// Redirect moves the call to URL.
type Redirect struct {
	XMLName xml.Name `xml:"Redirect"`
	Method  string   `xml:"method,attr,omitempty"`
	URL     string   `xml:",chardata"`
}

// Dial connects the caller to Number.
type Dial struct {
	XMLName xml.Name `xml:"Dial"`
	Number  string   `xml:",chardata"`
}

// Hangup ends the call.
type Hangup struct {
	XMLName xml.Name `xml:"Hangup"`
}

// Pause waits Length seconds.
type Pause struct {
	XMLName xml.Name `xml:"Pause"`
	Length  int      `xml:"length,attr,omitempty"`
}

func (Say) verb()      {}
func (Gather) verb()   {}
func (Redirect) verb() {}
func (Dial) verb()     {}
func (Hangup) verb()   {}
func (Pause) verb()    {}

// ErrInvalidDocument is what Marshal returns, wrapped, for a Response
// that holds a Verb of another package's type, or a Gather that holds a
// verb other than Say and Pause (Twilio's warning 13320).
var ErrInvalidDocument = errors.New("twiml: invalid document")

// check returns an error wrapping ErrInvalidDocument if a verb of verbs
// is not one of this package's types, or, inGather, not Say or Pause.
func check(verbs []Verb, inGather bool) error {
	for _, v := range verbs {
		if isNil(v) {
			continue // it renders as nothing: encoding/xml skips it
		}
		var name string
		switch v := v.(type) {
		case Say, *Say, Pause, *Pause:
			continue
		case Gather:
			name = "Gather"
			if !inGather {
				if err := check(v.Verbs, true); err != nil {
					return err
				}
				continue
			}
		case *Gather:
			name = "Gather"
			if !inGather {
				if err := check(v.Verbs, true); err != nil {
					return err
				}
				continue
			}
		case Redirect, *Redirect, Dial, *Dial, Hangup, *Hangup:
			name = fmt.Sprintf("%T", v)
			if !inGather {
				continue
			}
		default:
			return fmt.Errorf("%w: %T is not a verb of package twiml", ErrInvalidDocument, v)
		}
		return fmt.Errorf("%w: <Gather> may hold only Say and Pause, not %s", ErrInvalidDocument, name)
	}
	return nil
}

// isNil reports whether v is nil, or a nil pointer to a verb.
func isNil(v Verb) bool {
	switch v := v.(type) {
	case nil:
		return true
	case *Say:
		return v == nil
	case *Gather:
		return v == nil
	case *Redirect:
		return v == nil
	case *Dial:
		return v == nil
	case *Hangup:
		return v == nil
	case *Pause:
		return v == nil
	}
	return false
}

// Marshal renders r as a complete XML document with an XML declaration. It
// refuses, with an error wrapping ErrInvalidDocument, a document that
// holds a verb of another package's type, or a Gather holding a verb
// other than Say and Pause.
func (r Response) Marshal() ([]byte, error) {
	if err := check(r.Verbs, false); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := xml.NewEncoder(&b).Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// MustMarshal is Marshal for documents built from constants, as at startup;
// it panics on error, which only a programming error can cause.
func (r Response) MustMarshal() []byte {
	b, err := r.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}
