package twiml

import (
	"bytes"
	"encoding/xml"
)

// ContentType is the media type of a TwiML document.
const ContentType = "application/xml"

// Verb is one TwiML verb. Only the types of this package implement it.
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

// Gather collects digits and posts them to Action.
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

// Marshal renders r as a complete XML document with an XML declaration.
func (r Response) Marshal() ([]byte, error) {
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
