package twiliogo_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
// call: 25 parameters, as Twilio sends them.
var voiceWebhook = []authn.Param{
	{Name: "AccountSid", Value: "AC0123456789abcdef0123456789abcdef"},
	{Name: "ApiVersion", Value: "2010-04-01"},
	{Name: "CallSid", Value: "CA0123456789abcdef0123456789abcdef"},
	{Name: "CallStatus", Value: "ringing"},
	{Name: "Called", Value: "+18005551212"},
	{Name: "CalledCity", Value: "SAN FRANCISCO"},
	{Name: "CalledCountry", Value: "US"},
	{Name: "CalledState", Value: "CA"},
	{Name: "CalledZip", Value: "94105"},
	{Name: "Caller", Value: "+14158675309"},
	{Name: "CallerCity", Value: "OAKLAND"},
	{Name: "CallerCountry", Value: "US"},
	{Name: "CallerState", Value: "CA"},
	{Name: "CallerZip", Value: "94612"},
	{Name: "Direction", Value: "inbound"},
	{Name: "From", Value: "+14158675309"},
	{Name: "FromCity", Value: "OAKLAND"},
	{Name: "FromCountry", Value: "US"},
	{Name: "FromState", Value: "CA"},
	{Name: "FromZip", Value: "94612"},
	{Name: "To", Value: "+18005551212"},
	{Name: "ToCity", Value: "SAN FRANCISCO"},
	{Name: "ToCountry", Value: "US"},
	{Name: "ToState", Value: "CA"},
	{Name: "ToZip", Value: "94105"},
}

// formBody encodes the webhook as Twilio sends it.
func formBody() []byte {
	v := url.Values{}
	for _, p := range voiceWebhook {
		v.Add(p.Name, p.Value)
	}
	return []byte(v.Encode())
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
