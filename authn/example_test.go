package authn_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gatehouse/gatehouse/authn"
)

func ExampleSign() {
	params := []authn.Param{
		{Name: "CallSid", Value: "CA1234567890ABCDE"},
		{Name: "Caller", Value: "+14158675310"},
		{Name: "Digits", Value: "1234"},
		{Name: "From", Value: "+14158675310"},
		{Name: "To", Value: "+18005551212"},
	}
	fmt.Println(authn.Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params))
	// Output: GvWf1cFY/Q7PnoempGyD5oXAezc=
}

func ExampleStringToSign() {
	params := []authn.Param{{Name: "Digits", Value: "2"}, {Name: "CallSid", Value: "CA1"}, {Name: "Digits", Value: "1"}}
	fmt.Println(authn.StringToSign("https://ivr.example.com/", params))
	// Output: https://ivr.example.com/CallSidCA1Digits1Digits2
}

func ExampleParseForm() {
	params, err := authn.ParseForm([]byte("Digits=1&From=%2B14155550100&SpeechResult=hello+there"))
	fmt.Println(params, err)
	_, err = authn.ParseForm([]byte("Digits=%G1"))
	fmt.Println(err)
	// Output:
	// [{Digits 1} {From +14155550100} {SpeechResult hello there}] <nil>
	// authn: malformed form body
}

func ExampleEncodeForm() {
	body := authn.EncodeForm([]authn.Param{{Name: "Digits", Value: "1"}, {Name: "From", Value: "+14155550100"}, {Name: "SpeechResult", Value: "hello there"}})
	fmt.Println(body)
	params, _ := authn.ParseForm([]byte(body))
	fmt.Println(params)
	// Output:
	// Digits=1&From=%2B14155550100&SpeechResult=hello+there
	// [{Digits 1} {From +14155550100} {SpeechResult hello there}]
}

func ExampleTwilioSignature() {
	policy, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens: []string{"12345"},
		PublicURL:  "https://ivr.example.com",
	})
	if err != nil {
		panic(err)
	}
	body := "AccountSid=AC123&Digits=1"
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(authn.SignatureHeader, authn.Sign("12345", "https://ivr.example.com/",
		[]authn.Param{{Name: "AccountSid", Value: "AC123"}, {Name: "Digits", Value: "1"}}))

	principals, err := authn.Effective(policy, r)
	fmt.Println(principals, err)

	r.Header.Set(authn.SignatureHeader, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	v := policy.Verify(r)
	fmt.Println(v.Valid, v.Reason)
	// Output:
	// [system.Everyone system.Authenticated group:twilio account:AC123] <nil>
	// false no_match
}

// Twilio may have signed the webhook with or without the default port,
// and a webhook configured without a path arrives as "/".
func ExampleTwilioSignature_Verify() {
	policy, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens: []string{"new-token", "old-token"}, // during a rotation
		PublicURL:  "https://ivr.example.com",
	})
	if err != nil {
		panic(err)
	}
	for _, signed := range []struct{ token, url string }{
		{"new-token", "https://ivr.example.com/?lang=en"},
		{"old-token", "https://ivr.example.com:443/?lang=en"},
		{"new-token", "https://ivr.example.com?lang=en"},
		{"new-token", "https://ivr.example.com/?lang=fr"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/?lang=en", nil)
		r.Header.Set(authn.SignatureHeader, authn.Sign(signed.token, signed.url, nil))
		v := policy.Verify(r)
		fmt.Println(v.Valid, v.Reason, v.URL)
	}
	// Output:
	// true valid https://ivr.example.com/?lang=en
	// true valid https://ivr.example.com:443/?lang=en
	// true valid https://ivr.example.com?lang=en
	// false no_match https://ivr.example.com/?lang=en
}

func ExampleEffective() {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	anonymous, _ := authn.Effective(authn.Static(), r)
	fred, _ := authn.Effective(authn.Multi(authn.Static("fred"), authn.Static("group:editors")), r)
	fmt.Println(anonymous)
	fmt.Println(fred)
	// Output:
	// [system.Everyone]
	// [system.Everyone system.Authenticated fred group:editors]
}

func ExampleFromContext() {
	ctx := authn.NewContext(context.Background(), []string{authn.Everyone, authn.Authenticated, "fred"})
	principals, ok := authn.FromContext(ctx)
	fmt.Println(principals, ok)
	// Output: [system.Everyone system.Authenticated fred] true
}

func ExamplePolicyFunc() {
	apiKey := authn.PolicyFunc(func(r *http.Request) ([]string, error) {
		if r.Header.Get("X-Api-Key") == "demo" { // a real policy compares in constant time
			return []string{"service:demo"}, nil
		}
		return nil, nil
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Api-Key", "demo")
	principals, _ := authn.Effective(apiKey, r)
	fmt.Println(principals)
	// Output: [system.Everyone system.Authenticated service:demo]
}

func ExampleMulti() {
	p := authn.Multi(authn.Static("fred"), authn.Static("group:editors", "fred"))
	principals, err := p.Principals(httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(principals, err)
	// Output: [fred group:editors fred] <nil>
}

func ExampleStatic() {
	principals, _ := authn.Effective(authn.Static("group:twilio"), httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(principals)
	// Output: [system.Everyone system.Authenticated group:twilio]
}

func ExampleBasic() {
	signature, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens: []string{"12345"},
		PublicURL:  "https://twilio:s3cret@ivr.example.com",
	})
	if err != nil {
		panic(err)
	}
	policy, err := authn.NewBasic(authn.BasicConfig{Username: "twilio", Password: "s3cret", Next: signature})
	if err != nil {
		panic(err)
	}

	// Twilio's first request carries no credentials: it is challenged.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set(authn.SignatureHeader, authn.Sign("12345", "https://twilio:s3cret@ivr.example.com/", nil))
	_, err = policy.Principals(r)
	var challenge *authn.Challenge
	if errors.As(err, &challenge) {
		fmt.Println("401, WWW-Authenticate:", challenge.Header)
	}

	// Its second request carries them, and the signature covers the userinfo.
	r.SetBasicAuth("twilio", "s3cret")
	principals, err := authn.Effective(policy, r)
	fmt.Println(principals, err)
	// Output:
	// 401, WWW-Authenticate: Basic realm="gatehouse", charset="UTF-8"
	// [system.Everyone system.Authenticated group:twilio] <nil>
}
