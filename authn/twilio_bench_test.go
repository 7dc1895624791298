package authn

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/tls"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// voiceWebhook is the form body of an inbound-call webhook: Twilio's 25
// voice request parameters, in the unsorted order Twilio sends them.
var voiceWebhook = []Param{
	{"Called", "+14155550100"},
	{"ToState", "CA"},
	{"CallerCountry", "US"},
	{"Direction", "inbound"},
	{"CallerState", "NY"},
	{"ToZip", "94105"},
	{"CallSid", "CA5f0e2b8a7c3d4e1f9a6b2c8d7e3f1a0b"},
	{"To", "+14155550100"},
	{"CallerZip", "10013"},
	{"ToCountry", "US"},
	{"ApiVersion", "2010-04-01"},
	{"CalledZip", "94105"},
	{"CalledCity", "SAN FRANCISCO"},
	{"CallStatus", "ringing"},
	{"From", "+12125550123"},
	{"AccountSid", "AC3c2f9e1d8b7a6f5e4d3c2b1a0f9e8d7c"},
	{"CalledCountry", "US"},
	{"CallerCity", "NEW YORK"},
	{"Caller", "+12125550123"},
	{"FromCountry", "US"},
	{"ToCity", "SAN FRANCISCO"},
	{"FromCity", "NEW YORK"},
	{"CalledState", "CA"},
	{"FromZip", "10013"},
	{"FromState", "NY"},
}

const benchURL = "https://ivr.example.com/"

// rewindBody is a request body that a benchmark can rewind without
// allocating.
type rewindBody struct {
	strings.Reader
	s string
}

func (b *rewindBody) Close() error { return nil }
func (b *rewindBody) rewind()      { b.Reset(b.s) }

// benchRequest parses the voice webhook the way net/http's server does,
// from the bytes on the wire.
func benchRequest(b *testing.B) (*http.Request, *rewindBody) {
	b.Helper()
	body := EncodeForm(voiceWebhook)
	wire := "POST / HTTP/1.1\r\nHost: ivr.example.com\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
		"I-Twilio-Idempotency-Token: 3f1e8a2c-7b6d-4c5e-9f0a-1b2c3d4e5f60\r\n" +
		"User-Agent: TwilioProxy/1.1\r\n" +
		SignatureHeader + ": " + Sign("12345", benchURL, voiceWebhook) + "\r\n\r\n" + body
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
	if err != nil {
		b.Fatal(err)
	}
	rb := &rewindBody{s: body}
	rb.rewind()
	r.Body = rb
	return r, rb
}

// BenchmarkVerify verifies the 25-parameter voice webhook, POSTed to the
// configured public URL's root.
func BenchmarkVerify(b *testing.B) {
	p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURL: "https://ivr.example.com"})
	if err != nil {
		b.Fatal(err)
	}
	r, body := benchRequest(b)
	b.SetBytes(int64(len(StringToSign(benchURL, voiceWebhook))))
	verifyLoop(b, p, r, body)
}

// BenchmarkVerifyNewOrder is BenchmarkVerify with the parameters sent in
// a different order by every other request, so that the sort order that
// the scratch memory remembers is always stale and the parameters are
// sorted afresh: the cost when webhooks of different kinds alternate.
func BenchmarkVerifyNewOrder(b *testing.B) {
	p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURL: "https://ivr.example.com"})
	if err != nil {
		b.Fatal(err)
	}
	r, body := benchRequest(b)
	other := &rewindBody{s: EncodeForm(reversed(voiceWebhook))}
	verifyLoop(b, p, r, body, other)
}

// verifyLoop verifies r with each of bodies in turn, as many times as the
// benchmark asks, and fails if one does not verify.
func verifyLoop(b *testing.B, p *TwilioSignature, r *http.Request, bodies ...*rewindBody) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		rb := bodies[i%len(bodies)]
		i++
		rb.rewind()
		r.Body = rb
		if v := p.Verify(r); !v.Valid {
			b.Fatalf("Verify = %+v", v)
		}
	}
}

// BenchmarkVerifyRequestHost is BenchmarkVerify without a public URL: the
// base comes from the request (over TLS) and its Host header.
func BenchmarkVerifyRequestHost(b *testing.B) {
	p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}})
	if err != nil {
		b.Fatal(err)
	}
	r, body := benchRequest(b)
	r.TLS = &tls.ConnectionState{}
	verifyLoop(b, p, r, body)
}

// BenchmarkHMACFloor is HMAC-SHA1 alone over the same string to sign, with
// the key schedule done once: no verifier can be faster.
func BenchmarkHMACFloor(b *testing.B) {
	floorLoop(b, []byte(StringToSign(benchURL, voiceWebhook)))
}

// floorLoop computes HMAC-SHA1 over sts as many times as the benchmark
// asks, with the key schedule done once.
func floorLoop(b *testing.B, sts []byte) {
	mac := hmac.New(sha1.New, []byte("12345"))
	var sum [sha1.Size]byte
	b.SetBytes(int64(len(sts)))
	b.ReportAllocs()
	for b.Loop() {
		mac.Reset()
		mac.Write(sts)
		mac.Sum(sum[:0])
	}
}

// BenchmarkBodyPart is the work on the body that any verifier must do
// besides the HMAC: parse and decode the 25 parameters, sort them, and
// concatenate them into the body part of the string to sign. The sort
// order is kept from one iteration to the next, as the verifier's scratch
// memory keeps it (see BenchmarkVerifyNewOrder for the other case).
func BenchmarkBodyPart(b *testing.B) {
	body := []byte(EncodeForm(voiceWebhook))
	buf := make([]byte, len(body), len(body)+8)
	var params []param
	var order []int32
	var keys []uint64
	var sts []byte
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, body) // as the verifier reads it: the parse decodes in place
		var err error
		buf, params, err = parseParams(buf[:len(body)], len(body), maxFormPairs, params[:0])
		if err != nil {
			b.Fatal(err)
		}
		order, keys = sortSpans(buf, params, order, keys)
		sts = appendParams(sts[:0], buf, len(body), params, order)
	}
}

// BenchmarkVerifyBound is a bound below any verification of the voice
// webhook, not a verifier: it reads the body, as Verify must, then builds
// the string to sign by copying the URL and the decoded names and values,
// each with one append, in an order and from offsets worked out before the
// loop, and computes the HMAC. Finding the 50 names and values, decoding
// their escapes and checking their order, which no verifier can skip, are
// left out, so a verifier costs more than this. docs/BENCHMARKS.md
// compares it with BenchmarkHMACFloor, over the same bytes.
func BenchmarkVerifyBound(b *testing.B) {
	body := EncodeForm(voiceWebhook)
	sorted := sortParams(slices.Clone(voiceWebhook))
	// The decoded names and values, one after another in sorted order, and
	// where each starts in that text.
	var decoded []byte
	var spans [][2]int
	for _, p := range sorted {
		for _, s := range []string{p.Name, p.Value} {
			spans = append(spans, [2]int{len(decoded), len(decoded) + len(s)})
			decoded = append(decoded, s...)
		}
	}
	mac := hmac.New(sha1.New, []byte("12345"))
	var sum [sha1.Size]byte
	buf := make([]byte, len(body)+1)
	sts := make([]byte, 0, len(benchURL)+len(body))
	r := strings.NewReader(body)
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(body)
		if n, err := io.ReadFull(r, buf); n != len(body) || err != io.ErrUnexpectedEOF {
			b.Fatal(n, err)
		}
		sts = append(sts[:0], benchURL...)
		for _, s := range spans {
			sts = append(sts, decoded[s[0]:s[1]]...)
		}
		mac.Reset()
		mac.Write(sts)
		mac.Sum(sum[:0])
	}
	if string(sts) != StringToSign(benchURL, voiceWebhook) {
		b.Fatalf("built %q, want the string to sign", sts)
	}
}

// BenchmarkVerifyGET verifies a GET to the same URL: no body, the URL
// alone is signed.
func BenchmarkVerifyGET(b *testing.B) {
	p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURL: "https://ivr.example.com"})
	if err != nil {
		b.Fatal(err)
	}
	const target = "/?CallSid=CA5f0e2b8a7c3d4e1f9a6b2c8d7e3f1a0b&From=%2B12125550123"
	wire := "GET " + target + " HTTP/1.1\r\nHost: ivr.example.com\r\n" +
		SignatureHeader + ": " + Sign("12345", "https://ivr.example.com"+target, nil) + "\r\n\r\n"
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if v := p.Verify(r); !v.Valid {
			b.Fatalf("Verify = %+v", v)
		}
	}
}

// scalingParams is a webhook of n parameters shaped like Twilio's: names
// of 6 to 13 bytes in no particular order, values that are a mix of plain
// words, phone numbers (an escaped '+') and spaces (sent as '+').
func scalingParams(n int) []Param {
	ps := make([]Param, n)
	for i := range ps {
		name := "Param" + strconv.Itoa((i*7919)%n)
		var value string
		switch i % 3 {
		case 0:
			value = "+1415555" + strconv.Itoa(1000+i%9000)
		case 1:
			value = "SAN FRANCISCO"
		default:
			value = "in-progress"
		}
		ps[i] = Param{Name: name, Value: value}
	}
	return ps
}

// BenchmarkVerifyScaling is how the cost of verifying a form POST grows
// with the number of parameters in its body (1 to 1,000), each size with
// its own floor: HMAC-SHA1 alone over the same string to sign.
func BenchmarkVerifyScaling(b *testing.B) {
	p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURL: "https://ivr.example.com"})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 10, 100, 1000} {
		params := scalingParams(n)
		sts := []byte(StringToSign(benchURL, params))
		b.Run("params="+strconv.Itoa(n)+"/verify", func(b *testing.B) {
			body := EncodeForm(params)
			wire := "POST / HTTP/1.1\r\nHost: ivr.example.com\r\n" +
				"Content-Type: application/x-www-form-urlencoded\r\n" +
				"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
				SignatureHeader + ": " + Sign("12345", benchURL, params) + "\r\n\r\n" + body
			r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(sts)))
			verifyLoop(b, p, r, &rewindBody{s: body})
		})
		b.Run("params="+strconv.Itoa(n)+"/floor", func(b *testing.B) { floorLoop(b, sts) })
	}
}
