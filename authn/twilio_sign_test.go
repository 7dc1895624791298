package authn

import (
	"bytes"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The example from Twilio's "webhooks security" documentation.
var docParams = []Param{
	{"CallSid", "CA1234567890ABCDE"},
	{"Caller", "+14158675310"},
	{"Digits", "1234"},
	{"From", "+14158675310"},
	{"To", "+18005551212"},
}

const docURL = "https://mycompany.com/myapp.php?foo=1&bar=2"

func TestSignVectors(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		params []Param
		want   string
	}{
		{"twilio docs", docURL, docParams, "GvWf1cFY/Q7PnoempGyD5oXAezc="},
		{"docs params reversed", docURL, reversed(docParams), "GvWf1cFY/Q7PnoempGyD5oXAezc="},
		{"repeated names once per distinct value", docURL, []Param{
			{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}, {"Digits", "1234"},
		}, "IK+Dwps556ElfBT0I3Rgjkr1wJU="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sign("12345", tt.url, tt.params); got != tt.want {
				t.Errorf("Sign = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStringToSign(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		params []Param
		want   string
	}{
		{"url alone", "https://h/?a=1", nil, "https://h/?a=1"},
		{"sorted by name then value", "u", []Param{{"b", "2"}, {"a", "9"}, {"a", "1"}}, "ua1a9b2"},
		{"sort keys, not joined pairs", "u", []Param{{"ReasonConferenceEnded", "test"}, {"Reason", "Participant"}},
			"uReasonParticipantReasonConferenceEndedtest"},
		{"duplicates once", "u", []Param{{"a", "1"}, {"a", "1"}}, "ua1"},
		{"empty value is bare name", "u", []Param{{"a", ""}, {"b", "x"}}, "uabx"},
		{"bytewise order", "u", []Param{{"a", "1"}, {"B", "2"}, {"_", "3"}}, "uB2_3a1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StringToSign(tt.url, tt.params); got != tt.want {
				t.Errorf("StringToSign = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseForm(t *testing.T) {
	tests := []struct {
		body    string
		want    []Param
		wantErr bool
	}{
		{"", nil, false},
		{"a=1&b=2", []Param{{"a", "1"}, {"b", "2"}}, false},
		{"a=1&&b=", []Param{{"a", "1"}, {"b", ""}}, false},
		{"flag", []Param{{"flag", ""}}, false},
		{"a=x+y%2Bz", []Param{{"a", "x y+z"}}, false},
		{"a=1;b=2", []Param{{"a", "1;b=2"}}, false},
		{"a=%E2%9C%93", []Param{{"a", "✓"}}, false},
		{"a=%zz", nil, true},
		{"a=%4", nil, true},
		{"%=1", nil, true},
		{"=v", []Param{{"", "v"}}, false},
	}
	for _, tt := range tests {
		got, err := ParseForm([]byte(tt.body))
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseForm(%q) error = %v, wantErr %v", tt.body, err, tt.wantErr)
			continue
		}
		if err != nil && !errors.Is(err, ErrMalformedForm) {
			t.Errorf("ParseForm(%q) error = %v, want ErrMalformedForm", tt.body, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ParseForm(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func FuzzParseForm(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2", "a=%zz", "x+y=%41", "&&=&", "a=1;b", "%", "a=%E2%9C%93",
		"a=%2B&a=%2b&a=+", "%41%42=%43", "k=v%", "k=v%4", "=&=&=", "Digits=1&Digits=1&Digits=", "a=1%26b%3D2"} {
		f.Add([]byte(s))
	}
	verifier, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURL: "https://ivr.example.com"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		params, err := ParseForm(body)
		// An independent decoder, written from the rules alone, must agree
		// on the pairs and on whether the body is malformed.
		want, ok := formOracle(body)
		if (err == nil) != ok || ok && !slices.Equal(params, want) {
			t.Fatalf("ParseForm(%q) = %q, %v; the rules give %q (well-formed: %v)", body, params, err, want, ok)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformedForm) {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		// Re-encoding what was parsed must parse back to the same pairs.
		var enc []byte
		for i, p := range params {
			if i > 0 {
				enc = append(enc, '&')
			}
			enc = append(enc, escapeForm(p.Name)...)
			enc = append(enc, '=')
			enc = append(enc, escapeForm(p.Value)...)
		}
		again, err := ParseForm(enc)
		if err != nil || !slices.Equal(again, params) {
			t.Fatalf("round trip of %q: got %q, %v; want %q", body, again, err, params)
		}
		// Signed over the oracle's string to sign, the body verifies, and
		// the view's r.PostForm holds exactly the oracle's pairs, each
		// name's values in the order sent.
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		values := url.Values{}
		for _, p := range want {
			values[p.Name] = append(values[p.Name], p.Value)
		}
		r.Header.Set(SignatureHeader, hmacB64("12345", oracleStringToSign("https://ivr.example.com/", values, true)))
		if got, _ := verifier.Principals(r); len(got) == 0 {
			t.Fatalf("signed body %q did not verify", body)
		}
		if !reflect.DeepEqual(r.PostForm, values) {
			t.Fatalf("body %q: PostForm %q, want %q", body, r.PostForm, values)
		}
	})
}

// formOracle decodes a form body byte by byte, by the rules alone: pairs
// split on '&' only, empty ones skipped, a pair split at its first '=' (a
// name alone has an empty value), '+' a space, '%' and two hex digits a
// byte, any other '%' malformed. It shares no code with ParseForm.
func formOracle(body []byte) ([]Param, bool) {
	var params []Param
	for _, pair := range strings.Split(string(body), "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		n, ok1 := oracleUnescape(name)
		v, ok2 := oracleUnescape(value)
		if !ok1 || !ok2 {
			return nil, false
		}
		params = append(params, Param{Name: n, Value: v})
	}
	return params, true
}

func oracleUnescape(s string) (string, bool) {
	hexval := func(c byte) (byte, bool) {
		switch {
		case '0' <= c && c <= '9':
			return c - '0', true
		case 'a' <= c && c <= 'f':
			return c - 'a' + 10, true
		case 'A' <= c && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			out = append(out, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			hi, ok1 := hexval(s[i+1])
			lo, ok2 := hexval(s[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			out = append(out, hi<<4|lo)
			i += 2
		default:
			out = append(out, c)
		}
	}
	return string(out), true
}

func escapeForm(s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			out = append(out, c)
			continue
		}
		out = append(out, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return out
}

func reversed(p []Param) []Param {
	r := slices.Clone(p)
	slices.Reverse(r)
	return r
}

// The verifier's parse, sort and concatenation (parseParams, sortSpans,
// appendParams) agree with StringToSign on bodies built to hit every path:
// names sharing their first 7 or 8 bytes, names shorter than 8 bytes, empty
// names and values, repeated pairs, escapes, and lists long enough for the
// general sort. The sort order is kept from one body to the next, as the
// scratch memory keeps it, so that a remembered order is tried both when
// it still sorts the body (the same body shuffled alike) and when it does
// not.
func TestBodyPartMatchesStringToSign(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"", "a", "To", "ToCity", "ToCountry", "CalledCity", "CalledCountry", "CalledC", "CalledCo",
		"CallerCity", "Caller", "Called", "AccountSid", "Digits", "digits", "Z\x00", "Z", "\xff", "é"}
	values := []string{"", "1", "+1415", "SAN FRANCISCO", "a&b=c", "%", "\x00", "✓"}
	var order []int32
	var keys []uint64
	for _, n := range []int{0, 1, 2, 5, 25, 48, 49, 200, 255, 256, 300} {
		var ps []Param
		for i := range 40 {
			if i%2 == 0 { // a new body; else the last one with one value changed
				ps = nil
				for range n {
					ps = append(ps, Param{names[rng.IntN(len(names))], values[rng.IntN(len(values))]})
				}
			} else if n > 0 {
				ps = slices.Clone(ps)
				ps[rng.IntN(n)].Value = values[rng.IntN(len(values))]
			}
			var enc []byte
			for i, p := range ps {
				if i > 0 {
					enc = append(enc, '&')
				}
				enc = append(enc, url.QueryEscape(p.Name)...)
				enc = append(enc, '=')
				enc = append(enc, url.QueryEscape(p.Value)...)
			}
			buf, params, err := parseParams(slices.Clone(enc), len(enc), maxFormPairs, nil)
			if err != nil {
				t.Fatalf("parseParams(%q): %v", enc, err)
			}
			order, keys = sortSpans(buf, params, order, keys)
			got := string(appendParams(nil, buf, len(enc), params, order))
			if parsed, err := ParseForm(enc); err != nil || !slices.Equal(parsed, ps) {
				t.Fatalf("ParseForm(%q) = %q, %v; want %q", enc, parsed, err, ps)
			}
			if want := StringToSign("", ps); got != want {
				t.Fatalf("%d params %q:\ngot  %q\nwant %q", n, enc, got, want)
			}
		}
	}
}

// decodeSignature accepts exactly what base64.StdEncoding.Strict() decodes
// to 20 bytes, and decodes it alike.
func TestDecodeSignatureMatchesBase64(t *testing.T) {
	var val [256]byte
	for i := range val {
		val[i] = 0xff
	}
	for i, c := range []byte(b64Alphabet) {
		val[c] = byte(i)
	}
	valid := "RSOYDt4T1cUTdK1PDd93/VVr8B8="
	inputs := []string{valid, "", "=", valid[:27], valid + "=", "RSOYDt4T1cUTdK1PDd93/VVr8B9=", "RSOYDt4T1cUTdK1PDd93/VVr8B8A",
		"RSOYDt4T1cUTdK1PDd93/VVr8B\n=", "RSOYDt4T1cUTdK1PDd93/VVr8B\r=", "RSOYDt4T1cUTdK1PDd93-VVr8B8=", "RSOYDt4T1cUTdK1PDd93_VVr8B8="}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := b64Alphabet + "=\r\n-_ \x00\xff"
	for range 20000 {
		b := []byte(valid)
		for range 1 + rng.IntN(3) {
			b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	for _, in := range inputs {
		var got [20]byte
		ok := decodeSignature(&val, in, &got)
		want, err := base64.StdEncoding.Strict().DecodeString(in)
		wantOK := err == nil && len(want) == 20
		if ok != wantOK || ok && string(got[:]) != string(want) {
			t.Fatalf("decodeSignature(%q) = %x, %v; want %x, %v", in, got, ok, want, wantOK)
		}
	}
}
