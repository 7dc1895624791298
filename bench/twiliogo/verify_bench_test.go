package twiliogo_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/gatehouse/gatehouse/authn"
)

const (
	token     = "0123456789abcdef0123456789abcdef" // the shape of a Twilio auth token
	publicURL = "https://ivr.example.com"
	target    = "/"
	fullURL   = publicURL + target
)

// voiceWebhook is the form body of a Twilio voice webhook for an incoming
// call: 25 parameters, in the unsorted order Twilio sends them (the order
// of authn's own benchmark).
var voiceWebhook = []authn.Param{
	{Name: "Called", Value: "+18005551212"},
	{Name: "ToState", Value: "CA"},
	{Name: "CallerCountry", Value: "US"},
	{Name: "Direction", Value: "inbound"},
	{Name: "CallerState", Value: "CA"},
	{Name: "ToZip", Value: "94105"},
	{Name: "CallSid", Value: "CA0123456789abcdef0123456789abcdef"},
	{Name: "To", Value: "+18005551212"},
	{Name: "CallerZip", Value: "94612"},
	{Name: "ToCountry", Value: "US"},
	{Name: "ApiVersion", Value: "2010-04-01"},
	{Name: "CalledZip", Value: "94105"},
	{Name: "CalledCity", Value: "SAN FRANCISCO"},
	{Name: "CallStatus", Value: "ringing"},
	{Name: "From", Value: "+14158675309"},
	{Name: "AccountSid", Value: "AC0123456789abcdef0123456789abcdef"},
	{Name: "CalledCountry", Value: "US"},
	{Name: "CallerCity", Value: "OAKLAND"},
	{Name: "Caller", Value: "+14158675309"},
	{Name: "FromCountry", Value: "US"},
	{Name: "ToCity", Value: "SAN FRANCISCO"},
	{Name: "FromCity", Value: "OAKLAND"},
	{Name: "CalledState", Value: "CA"},
	{Name: "FromZip", Value: "94612"},
	{Name: "FromState", Value: "CA"},
}

// formBody encodes the webhook as Twilio sends it, in its order
// (url.Values.Encode would sort it).
func formBody() []byte {
	return []byte(authn.EncodeForm(voiceWebhook))
}

// resetBody is a request body that can be rewound without allocating, so
// that re-arming the request costs every iteration the same few
// nanoseconds.
type resetBody struct{ bytes.Reader }

func (*resetBody) Close() error { return nil }

func TestWebhookHas25Parameters(t *testing.T) {
	if got := len(voiceWebhook); got < 25 {
		t.Errorf("got %d parameters, want at least 25", got)
	}
}

// TestWebhookInTwilioOrder: the body is sent unsorted, as Twilio sends it,
// so that no verifier is handed the signing order for free.
func TestWebhookInTwilioOrder(t *testing.T) {
	params, err := authn.ParseForm(formBody())
	if err != nil {
		t.Fatal(err)
	}
	if len(params) != len(voiceWebhook) {
		t.Fatalf("the body has %d parameters, want %d", len(params), len(voiceWebhook))
	}
	if slices.IsSortedFunc(params, func(a, b authn.Param) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("the body's parameters are sorted by name: %v", params)
	}
}

// BenchmarkHMACFloor is the floor: HMAC-SHA1 alone over the exact string to
// sign, with a reused HMAC state.
func BenchmarkHMACFloor(b *testing.B) {
	data := []byte(authn.StringToSign(fullURL, voiceWebhook))
	mac := hmac.New(sha1.New, []byte(token))
	var sum [sha1.Size]byte
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		mac.Reset()
		mac.Write(data)
		mac.Sum(sum[:0])
	}
}

// BenchmarkGatehouseVerify is authn.TwilioSignature.Verify on a real
// *http.Request: reading and parsing the form body, sorting, HMAC, compare.
func BenchmarkGatehouseVerify(b *testing.B) {
	v, err := authn.NewTwilioSignature(authn.TwilioConfig{AuthTokens: []string{token}, PublicURL: publicURL})
	if err != nil {
		b.Fatal(err)
	}
	body := formBody()
	r := httptest.NewRequest(http.MethodPost, target, nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(authn.SignatureHeader, authn.Sign(token, fullURL, voiceWebhook))
	rb := &resetBody{}
	arm := func() {
		rb.Reset(body)
		r.Body, r.ContentLength = rb, int64(len(body))
	}
	arm()
	if res := v.Verify(r); !res.Valid {
		b.Fatalf("the webhook does not verify: %s", res.Reason)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		arm()
		if !v.Verify(r).Valid {
			b.Fatal("not valid")
		}
	}
}

// BenchmarkTwilioGoValidate is twilio-go's RequestValidator.Validate given
// the parameters already parsed into a map (a form body with repeated names
// cannot be expressed in it).
func BenchmarkTwilioGoValidate(b *testing.B) {
	rv := client.NewRequestValidator(token)
	params := make(map[string]string, len(voiceWebhook))
	for _, p := range voiceWebhook {
		params[p.Name] = p.Value
	}
	sig := authn.Sign(token, fullURL, voiceWebhook)
	if !rv.Validate(fullURL, params, sig) {
		b.Fatal("twilio-go rejects the webhook")
	}
	b.ReportAllocs()
	for b.Loop() {
		if !rv.Validate(fullURL, params, sig) {
			b.Fatal("not valid")
		}
	}
}

// BenchmarkTwilioGoValidateBody is twilio-go's RequestValidator.ValidateBody
// on the raw form body, which parses it: the same work as Gatehouse's Verify
// except reading the body from the request.
func BenchmarkTwilioGoValidateBody(b *testing.B) {
	rv := client.NewRequestValidator(token)
	body := formBody()
	sig := authn.Sign(token, fullURL, voiceWebhook)
	if !rv.ValidateBody(fullURL, body, sig) {
		b.Fatal("twilio-go rejects the webhook")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !rv.ValidateBody(fullURL, body, sig) {
			b.Fatal("not valid")
		}
	}
}

var _ io.ReadCloser = (*resetBody)(nil)
