package authn_test

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
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

// Configuration is checked once, when the policy is built: a missing
// token or an unusable public URL is an error then, never at request
// time. The errors never quote the URL, which may carry a password.
func ExampleNewTwilioSignature() {
	_, err := authn.NewTwilioSignature(authn.TwilioConfig{PublicURL: "https://ivr.example.com"})
	fmt.Println(errors.Is(err, authn.ErrNoToken))

	_, err = authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens: []string{"12345"},
		PublicURL:  "https://twilio:s3cret@ivr.example.com/?lang=en",
	})
	fmt.Println(err)

	var policy *authn.TwilioSignature
	policy, err = authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens:   []string{"12345"},
		PublicURL:    "https://ivr.example.com",
		MaxBodyBytes: 16 << 10,
	})
	fmt.Println(policy != nil, err)
	// Output:
	// true
	// authn: twilio: public URL must be an absolute http or https URL without query or fragment
	// true <nil>
}

// Principals proves group:twilio, and the account that the signed
// parameters name. It also hands the view the verified form: r.PostForm
// holds exactly the parameters that were signed, even those net/http's own
// parser would drop, such as a pair holding a ';'.
func ExampleTwilioSignature_Principals() {
	policy, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens: []string{"12345"},
		PublicURL:  "https://ivr.example.com",
	})
	if err != nil {
		panic(err)
	}
	params := []authn.Param{
		{Name: "AccountSid", Value: "AC123"},
		{Name: "SpeechResult", Value: "one; two"},
	}
	r := httptest.NewRequest(http.MethodPost, "/?lang=en", strings.NewReader(authn.EncodeForm(params)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(authn.SignatureHeader, authn.Sign("12345", "https://ivr.example.com/?lang=en", params))

	principals, err := policy.Principals(r)
	fmt.Println(principals, err)
	fmt.Printf("%q\n", r.PostFormValue("SpeechResult"))
	fmt.Printf("%q\n", r.PostFormValue("lang")) // the query is signed, but is not the form

	r.Header.Set(authn.SignatureHeader, authn.Sign("other-token", "https://ivr.example.com/?lang=en", params))
	principals, err = policy.Principals(r)
	fmt.Println(principals, err)
	// Output:
	// [group:twilio account:AC123] <nil>
	// "one; two"
	// ""
	// [] <nil>
}

// Without a public URL, the URL is rebuilt from the request, and the
// X-Forwarded-Proto and X-Forwarded-Host headers are believed only from a
// trusted proxy: here a TLS-terminating load balancer at 10.0.0.7 forwards
// Twilio's https request as plain http.
func ExampleTwilioSignature_Verify_trustedProxies() {
	policy, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens: []string{"12345"},
		// The load balancer's own address, not its network: any host in a
		// trusted range could claim any scheme and host.
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.7/32")},
	})
	if err != nil {
		panic(err)
	}
	for _, peer := range []string{"10.0.0.7:41000", "203.0.113.9:41000"} {
		r := httptest.NewRequest(http.MethodGet, "/accessible", nil)
		r.Host, r.RemoteAddr = "ivr.internal:8080", peer
		r.Header.Set("X-Forwarded-Proto", "https")
		r.Header.Set("X-Forwarded-Host", "ivr.example.com")
		r.Header.Set(authn.SignatureHeader, authn.Sign("12345", "https://ivr.example.com/accessible", nil))

		var v authn.Verification = policy.Verify(r)
		var reason authn.Reason = v.Reason
		fmt.Println(peer, v.Valid, reason, v.URL)
	}
	// Output:
	// 10.0.0.7:41000 true valid https://ivr.example.com/accessible
	// 203.0.113.9:41000 false no_match http://ivr.internal:8080/accessible
}

// A server keeps the effective principals in the request's context, so
// that every handler after authentication can read them.
func ExampleNewContext() {
	var policy authn.Policy = authn.Static("group:twilio")
	authenticate := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			principals, err := authn.Effective(policy, r)
			if err != nil {
				http.Error(w, "cannot authenticate", http.StatusInternalServerError) // fail closed
				return
			}
			next.ServeHTTP(w, r.WithContext(authn.NewContext(r.Context(), principals)))
		})
	}
	view := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		principals, _ := authn.FromContext(r.Context())
		fmt.Fprintln(w, "principals:", principals)
	})

	rec := httptest.NewRecorder()
	authenticate(view).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Print(rec.Body)
	// Output: principals: [system.Everyone system.Authenticated group:twilio]
}

// NewBasic refuses settings that could not work, without quoting them.
func ExampleNewBasic() {
	signature, err := authn.NewTwilioSignature(authn.TwilioConfig{
		AuthTokens: []string{"12345"},
		PublicURL:  "https://twilio:s3cret@ivr.example.com",
	})
	if err != nil {
		panic(err)
	}
	_, err = authn.NewBasic(authn.BasicConfig{Username: "twilio:admin", Password: "s3cret", Next: signature})
	fmt.Println(errors.Is(err, authn.ErrBasicConfig))

	var basic *authn.Basic
	basic, err = authn.NewBasic(authn.BasicConfig{Username: "twilio", Password: "s3cret", Realm: "ivr", Next: signature})
	fmt.Println(basic != nil, err)
	// Output:
	// true
	// true <nil>
}

// Principals tells why it asks for credentials; only the right user name
// and password let the next policy decide.
func ExampleBasic_Principals() {
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
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set(authn.SignatureHeader, authn.Sign("12345", "https://twilio:s3cret@ivr.example.com/", nil))
	try := func() {
		principals, err := policy.Principals(r)
		var challenge *authn.Challenge
		if errors.As(err, &challenge) {
			fmt.Println("401:", challenge.Reason)
			return
		}
		fmt.Println(principals, err)
	}

	try()
	r.SetBasicAuth("twilio", "wrong")
	try()
	r.Header.Set("Authorization", "Bearer abc")
	try()
	r.SetBasicAuth("twilio", "s3cret")
	try()
	// Output:
	// 401: no_credentials
	// 401: wrong_credentials
	// 401: malformed_credentials
	// [group:twilio] <nil>
}

// A parsed form, in any order, signs as Twilio signs it: names sorted,
// then values, every value kept.
func ExampleParamsFromValues() {
	form := url.Values{"Tag": {"b", "a"}, "Digits": {"1"}}
	params := authn.ParamsFromValues(form)
	fmt.Println(authn.StringToSign("https://ivr.example.com/", params))
	fmt.Println(authn.Sign("12345", "https://ivr.example.com/", params))
	// Output:
	// https://ivr.example.com/Digits1TagaTagb
	// biyYxiZLG6B1fSJKMUpfE66nh7U=
}

// Principals returns what the policy proves, without the system
// principals that Effective adds; nothing proven is (nil, nil).
func ExamplePolicyFunc_Principals() {
	const key = "demo-key" // in real use, from configuration
	apiKey := authn.PolicyFunc(func(r *http.Request) ([]string, error) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Api-Key")), []byte(key)) == 1 {
			return []string{"service:monitor"}, nil
		}
		return nil, nil
	})

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	fmt.Println(apiKey.Principals(r))
	r.Header.Set("X-Api-Key", key)
	fmt.Println(apiKey.Principals(r))
	// Output:
	// [] <nil>
	// [service:monitor] <nil>
}
