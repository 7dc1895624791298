package authn

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestPrincipalsSetsVerifiedPostForm: after a form POST verifies,
// r.PostForm holds exactly the signed parameters, each name's values in
// the order sent, and equals what net/http's own parser makes of the body
// wherever that parser keeps every pair; FormValue still merges the query.
// A request that does not verify gets no PostForm from authn.
func TestPrincipalsSetsVerifiedPostForm(t *testing.T) {
	p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURL: "https://ivr.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	post := func(target, body, sig string) *http.Request {
		r := httptest.NewRequest("POST", target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set(SignatureHeader, sig)
		return r
	}
	words := []string{"", "a", "Digits", "From", "+1 415", "%", "é", "x&y", "a=b", "SAN FRANCISCO", "Digits"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		var params []Param
		for range rng.IntN(8) {
			params = append(params, Param{Name: words[1+rng.IntN(len(words)-1)], Value: words[rng.IntN(len(words))]})
		}
		body := EncodeForm(params)
		r := post("/?q=1", body, Sign("12345", "https://ivr.example.com/?q=1", params))
		got, _ := p.Principals(r)
		if len(got) == 0 {
			t.Fatalf("case %d: %q did not verify", i, body)
		}
		want, err := url.ParseQuery(body)
		if err != nil {
			t.Fatal(err)
		}
		if len(params) == 0 {
			want = url.Values{}
		}
		if !reflect.DeepEqual(r.PostForm, want) {
			t.Fatalf("case %d: body %q: PostForm %q, net/http parses %q", i, body, r.PostForm, want)
		}
		if got, want := r.FormValue("q"), "1"; got != want {
			t.Fatalf("case %d: FormValue(q) = %q, want %q from the query", i, got, want)
		}
	}

	// A ';' is a byte like any other to Twilio; net/http would drop the pair.
	semi := []Param{{"Digits", "1;2"}, {"From", "+14155550100"}}
	r := post("/", EncodeForm(semi), Sign("12345", "https://ivr.example.com/", semi))
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	if got, _ := p.Principals(r); len(got) == 0 {
		t.Fatal("the ';' body did not verify")
	}
	if got := r.PostFormValue("Digits"); got != "1;2" {
		t.Errorf("PostFormValue(Digits) = %q, want the signed %q", got, "1;2")
	}

	forged := post("/", EncodeForm(semi), Sign("other", "https://ivr.example.com/", semi))
	if got, _ := p.Principals(forged); got != nil || forged.PostForm != nil {
		t.Errorf("unverified request: principals %v, PostForm %v; want none", got, forged.PostForm)
	}
	plain := post("/", EncodeForm(semi), Sign("12345", "https://ivr.example.com/", semi))
	if v := p.Verify(plain); !v.Valid || plain.PostForm != nil {
		t.Errorf("Verify: %+v, PostForm %v; want valid and PostForm left alone", v, plain.PostForm)
	}
}

// A scratch memory grown by a large body, or by many parameters, is not
// kept as the spare, which garbage collection never frees; a small one is.
// The signature is well formed and wrong, so that the body is read and
// parsed: a malformed one would be refused before the body is read.
func TestSpareScratchStaysSmall(t *testing.T) {
	for _, large := range []string{
		"Digits=" + strings.Repeat("1", 512<<10), // buf and msg
		strings.Repeat("a=1&", spareMaxParams+1), // params
	} {
		p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, PublicURL: "https://ivr.example.com", MaxBodyBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		send := func(body string) {
			t.Helper()
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set(SignatureHeader, Sign("wrong", "https://ivr.example.com/", nil))
			if v := p.Verify(r); v.Reason != ReasonNoMatch {
				t.Fatalf("Verify: %s, want %s: the body was not read and parsed", v.Reason, ReasonNoMatch)
			}
		}
		send(large)
		if st := p.spare.Load(); st != nil && (cap(st.buf) > spareMaxBytes || cap(st.msg) > spareMaxBytes || cap(st.params) > spareMaxParams) {
			t.Errorf("%d-byte body: the spare kept buffers of %d, %d bytes and %d params", len(large), cap(st.buf), cap(st.msg), cap(st.params))
		}
		runtime.GC() // twice: the pool keeps its items through one collection
		runtime.GC()
		send("Digits=1")
		if p.spare.Load() == nil {
			t.Error("no spare kept after a small body")
		}
	}
}
