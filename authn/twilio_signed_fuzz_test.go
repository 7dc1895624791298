package authn

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// signable says, by TWILIO.md and the package's rules, whether a signature
// may verify a request (ok), whether its body is a form, and the form's
// values, without any of the package's code.
func signable(method, target, contentType, body string) (ok, isForm bool, values url.Values) {
	mt, _, _ := mime.ParseMediaType(contentType)
	var sums []string
	final := false
	if _, q, has := strings.Cut(target, "?"); has {
		pairs := strings.Split(q, "&")
		for i, pair := range pairs {
			if k, v, _ := strings.Cut(pair, "="); k == "bodySHA256" {
				sums = append(sums, v)
				final = i == len(pairs)-1 && strings.Contains(pair, "=")
			}
		}
	}
	switch {
	case len(sums) > 1:
		return false, false, nil
	case len(sums) == 1:
		h := sha256.Sum256([]byte(body))
		return final && mt == "application/json" && strings.EqualFold(sums[0], hex.EncodeToString(h[:])), false, nil
	case mt == "application/x-www-form-urlencoded":
		if method != "POST" && body != "" {
			return false, false, nil
		}
		ps, good := formOracle([]byte(body))
		if !good {
			return false, false, nil
		}
		values = url.Values{}
		for _, p := range ps {
			values[p.Name] = append(values[p.Name], p.Value)
		}
		return true, true, values
	case mt == "application/json":
		return false, false, nil
	}
	return body == "", false, nil
}

// FuzzVerifySigned signs each request with the oracle's string to sign
// for a chosen candidate URL: Verify accepts it exactly when Twilio could
// have signed the request, as that URL, and leaves PostForm equal to the
// oracle's pairs. Signed instead over a plausible wrong string (a mistake
// another verifier makes), it never verifies. (FuzzVerify's oracle runs
// only on the rare input that verifies; this one signs every input.)
func FuzzVerifySigned(f *testing.F) {
	f.Add(uint8(0), "POST", "/myapp.php?foo=1&bar=2", form, docBody, uint8(0), uint8(0))
	f.Add(uint8(1), "POST", "/", form, "a=1;b&a=1&c=%2B+&Z=", uint8(3), uint8(2))
	f.Add(uint8(0), "POST", "/hook?x=1&bodySHA256="+jsonHash, "application/json; charset=utf-8", jsonBody, uint8(1), uint8(5))
	f.Add(uint8(2), "GET", "/?q=it's+%27&From=%2B1", "", "", uint8(1), uint8(6))
	f.Add(uint8(1), "GET", "/menu", form, "", uint8(2), uint8(1))
	f.Add(uint8(0), "POST", "/x", "text/plain", "", uint8(0), uint8(4))
	var policies []*TwilioSignature
	for _, pu := range fuzzPublicURLs {
		p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"old", "12345"}, PublicURL: pu.public, MaxBodyBytes: 1 << 12})
		if err != nil {
			f.Fatal(err)
		}
		policies = append(policies, p)
	}
	f.Fuzz(func(t *testing.T, which uint8, method, target, contentType, body string, pick, wrong uint8) {
		if !strings.HasPrefix(target, "/") || len(body) > 1<<12 {
			return
		}
		pu := fuzzPublicURLs[int(which)%len(fuzzPublicURLs)]
		p := policies[int(which)%len(fuzzPublicURLs)]
		r, err := http.NewRequest(method, "https://mycompany.com"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		r.RequestURI = target
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		var urls []string
		for _, b := range pu.bases {
			urls = append(urls, b+target)
			if target == "/" || strings.HasPrefix(target, "/?") {
				urls = append(urls, b+target[1:])
			}
		}
		u := urls[int(pick)%len(urls)]
		ok, isForm, values := signable(method, target, contentType, body)
		right := oracleStringToSign(u, values, isForm)
		r.Header.Set(SignatureHeader, hmacB64("12345", right))
		got, _ := p.Principals(r)
		if valid := len(got) > 0; valid != ok {
			v := p.Verify(r)
			t.Fatalf("signed %q: verified %v, oracle %v (%+v)", right, valid, ok, v)
		}
		if ok && isForm && !reflect.DeepEqual(r.PostForm, values) && !(len(values) == 0 && len(r.PostForm) == 0) {
			t.Fatalf("PostForm %q, want %q", r.PostForm, values)
		}
		if !ok {
			return
		}
		// A wrong string to sign, as some library builds it.
		var alt string
		switch wrong % 7 {
		case 0: // form params dropped, or appended to a non-form request
			alt = oracleStringToSign(u, values, !isForm)
			if !isForm {
				q, _ := url.ParseQuery(strings.SplitN(target+"?", "?", 2)[1])
				alt = oracleStringToSign(u, q, true)
			}
		case 1: // duplicate values not collapsed
			alt = u
			names := make([]string, 0, len(values))
			for n := range values {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				vs := append([]string(nil), values[n]...)
				sort.Strings(vs)
				for _, v := range vs {
					alt += n + v
				}
			}
		case 2: // sorted by joined name+value
			alt = u
			var kv []string
			for n, vs := range values {
				seen := map[string]bool{}
				for _, v := range vs {
					if !seen[v] {
						kv, seen[v] = append(kv, n+v), true
					}
				}
			}
			sort.Strings(kv)
			alt += strings.Join(kv, "")
		case 3: // net/http's ParseQuery of the body (drops ';' pairs)
			q, _ := url.ParseQuery(body)
			alt = oracleStringToSign(u, q, isForm)
		case 4: // host lower-cased
			alt = oracleStringToSign(strings.ToLower(u), values, isForm)
		case 5: // the URL re-encoded
			pu, err := url.Parse(u)
			if err != nil {
				return
			}
			alt = oracleStringToSign(pu.String(), values, isForm)
		case 6: // a trailing '?' dropped, or a slash added to the root
			alt = oracleStringToSign(strings.TrimSuffix(u, "?"), values, isForm)
		}
		for _, cand := range urls {
			if alt == oracleStringToSign(cand, values, isForm) {
				return // the same string Twilio signs
			}
		}
		r2, _ := http.NewRequest(method, "https://mycompany.com"+target, strings.NewReader(body))
		r2.RequestURI = target
		if contentType != "" {
			r2.Header.Set("Content-Type", contentType)
		}
		r2.Header.Set(SignatureHeader, hmacB64("12345", alt))
		if v := p.Verify(r2); v.Valid {
			t.Fatalf("a wrong string to sign (%d) verified: %q (right: %q; %+v)", wrong%7, alt, right, v)
		}
	})
}

// FuzzDecodeSignature: decodeSignature accepts exactly the canonical
// standard base64 of 20 bytes (what base64.StdEncoding.Strict() decodes
// to 20 bytes and encodes back to the same string), and decodes it to the
// same bytes.
func FuzzDecodeSignature(f *testing.F) {
	for _, s := range []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAAAAAAB=", "////////////////////////////", "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
		"IK+Dwps556ElfBT0I3Rgjkr1wJU", "IK-Dwps556ElfBT0I3Rgjkr1wJU=", "IK+Dwps556ElfBT0I3Rgjkr1wJ\n="} {
		f.Add(s)
	}
	p, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got [20]byte
		ok := decodeSignature(&p.b64, s, &got)
		raw, err := base64.StdEncoding.Strict().DecodeString(s)
		want := err == nil && len(raw) == 20 && base64.StdEncoding.EncodeToString(raw) == s
		if ok != want {
			t.Fatalf("decodeSignature(%q) = %v, oracle %v (err %v, len %d)", s, ok, want, err, len(raw))
		}
		if ok && string(got[:]) != string(raw) {
			t.Fatalf("decodeSignature(%q) = %x, want %x", s, got, raw)
		}
	})
}
