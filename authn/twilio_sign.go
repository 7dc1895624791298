package authn

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// ErrMalformedForm is returned by ParseForm for a body that is not valid
// application/x-www-form-urlencoded data.
var ErrMalformedForm = errors.New("authn: malformed form body")

// Param is one decoded name=value pair of a form body.
type Param struct {
	Name, Value string
}

// ParseForm decodes an application/x-www-form-urlencoded body into its
// parameters, in body order. Pairs are separated by '&' only (a ';' is an
// ordinary character); empty pairs are skipped; a pair without '=' is a name
// with an empty value; '+' decodes to a space and %XX to its byte. Invalid
// percent-encoding is an error wrapping ErrMalformedForm.
func ParseForm(body []byte) ([]Param, error) {
	var params []Param
	for len(body) > 0 {
		var pair []byte
		pair, body, _ = bytes.Cut(body, []byte{'&'})
		if len(pair) == 0 {
			continue
		}
		name, value, _ := bytes.Cut(pair, []byte{'='})
		n, err := unescape(name)
		if err != nil {
			return nil, err
		}
		v, err := unescape(value)
		if err != nil {
			return nil, err
		}
		params = append(params, Param{Name: n, Value: v})
	}
	return params, nil
}

// unescape decodes one form component: '+' is a space, %XX a byte.
func unescape(b []byte) (string, error) {
	if bytes.IndexByte(b, '%') < 0 && bytes.IndexByte(b, '+') < 0 {
		return string(b), nil
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '+':
			out = append(out, ' ')
		case '%':
			if i+2 >= len(b) || !ishex(b[i+1]) || !ishex(b[i+2]) {
				return "", ErrMalformedForm
			}
			out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return string(out), nil
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// sortParams sorts params in the order Twilio signs them: by name, then by
// value, byte-wise; a pair that repeats exactly is kept once.
func sortParams(params []Param) []Param {
	slices.SortFunc(params, func(a, b Param) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return slices.Compact(params)
}

// StringToSign returns what Twilio signs for a request to rawURL whose form
// body carried params: the URL exactly as given, then every parameter's name
// and value, sorted by name and then value, each distinct pair once. For a
// GET or a JSON request params is empty and the URL alone is signed.
func StringToSign(rawURL string, params []Param) string {
	sorted := sortParams(slices.Clone(params))
	var b strings.Builder
	n := len(rawURL)
	for _, p := range sorted {
		n += len(p.Name) + len(p.Value)
	}
	b.Grow(n)
	b.WriteString(rawURL)
	for _, p := range sorted {
		b.WriteString(p.Name)
		b.WriteString(p.Value)
	}
	return b.String()
}

// Sign returns the X-Twilio-Signature value that Twilio sends with a
// request to rawURL carrying the form parameters params, signed with token.
func Sign(token, rawURL string, params []Param) string {
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(StringToSign(rawURL, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ParamsFromValues converts url.Values to params, for callers that already
// hold parsed values. The order of the result is irrelevant to signing.
func ParamsFromValues(v url.Values) []Param {
	var params []Param
	for name, values := range v {
		for _, value := range values {
			params = append(params, Param{Name: name, Value: value})
		}
	}
	return params
}
