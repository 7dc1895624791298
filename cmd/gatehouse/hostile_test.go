package main_test

// The hostile-input suite: requests that anyone on the internet can send
// to `gatehouse serve`, written byte for byte on raw TCP connections. Each
// case asserts the exact answer (status, Content-Type, body, and the
// headers that matter) and, through the request log line joined by
// X-Request-Id, the route, the signature outcome and the decision. Only
// the cases marked as granted may reach a protected view; after the suite
// the servers must still be alive, must not have panicked or logged an
// error, must never have answered a request that reached Gatehouse with a
// 5xx, and their logs must hold exactly the expected grants.
//
// Expected behaviour: DESIGN.md ("Twilio signature", "The IVR"), TWILIO.md
// and the README's "When calls fail". Where net/http answers by itself
// (a request that is not HTTP, headers over server.max_header_bytes), the
// exact answer is net/http's own, and no request reaches Gatehouse.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	hostileToken   = "hostile-token-4e8b1d2a"
	hostilePublic  = "https://ivr.example.com"
	hostileXML     = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	hostileMenu    = hostileXML + `<Response><Gather numDigits="1" action="/" method="POST" timeout="3"><Say>Press 1 for the accessible route. Press 2 for the restricted route.</Say></Gather><Redirect method="GET">/</Redirect></Response>`
	hostileToOne   = hostileXML + `<Response><Redirect method="GET">/accessible</Redirect></Response>`
	hostileInvalid = hostileXML + `<Response><Say>Sorry, that is not an option.</Say><Redirect method="GET">/</Redirect></Response>`
	hostileReached = hostileXML + `<Response><Say>You reached the accessible route. Goodbye.</Say><Hangup></Hangup></Response>`
	// hostileLimit bounds one exchange: only a hang ever takes this long.
	hostileLimit = 30 * time.Second
)

// hostileWant is the exact answer to one hostile request.
type hostileWant struct {
	status      int
	contentType string            // "" means no Content-Type header
	body        string            // exact
	header      map[string]string // further headers, exact
	// native: net/http answered by itself; no request reached Gatehouse,
	// so there is no X-Request-Id and no request log line.
	native bool
	closes bool // native only: the answer says Connection: close
	// The request log line of an answer from Gatehouse; "" means absent.
	route, signature, decision, challenged string
}

// granted reports whether the case expects a protected view to run.
func (w hostileWant) granted() bool { return w.decision == "allowed" }

type hostileCase struct {
	name      string
	srv       *hostileServer
	raw       []byte
	halfClose bool // close the writing side after raw: a body cut short
	want      hostileWant
}

// hostileDenied is the apology of the forbidden view: the route's view did
// not run.
func hostileDenied(route, reason string) hostileWant {
	return hostileWant{status: 200, contentType: "application/xml", body: apology, route: route, signature: reason, decision: "denied"}
}

// hostileNotFound is the apology of the not-found view: no route matched,
// no authentication ran.
func hostileNotFound() hostileWant {
	return hostileWant{status: 200, contentType: "application/xml", body: apology, route: "not_found"}
}

// hostileGranted is the answer of a view that the request may reach.
func hostileGranted(route, doc string) hostileWant {
	return hostileWant{status: 200, contentType: "application/xml", body: doc, route: route, signature: "valid", decision: "allowed"}
}

// hostileChallenged is the 401 Basic challenge.
func hostileChallenged(route, reason string) hostileWant {
	return hostileWant{status: 401, contentType: "text/plain; charset=UTF-8", body: "unauthorized\n",
		header: map[string]string{"Www-Authenticate": `Basic realm="gatehouse", charset="UTF-8"`}, route: route, challenged: reason}
}

// hostileNative is net/http's own error answer.
func hostileNative(status int, body string) hostileWant {
	return hostileWant{status: status, contentType: "text/plain; charset=utf-8", body: body, native: true, closes: true}
}

func TestHostileInput(t *testing.T) {
	support := "GATEHOUSE_SUPPORT_NUMBER=+15005550006"
	tok := "TWILIO_AUTH_TOKEN=" + hostileToken
	// pub: the production shape, public_url set.
	pub := hostileStart(t, []string{tok, support, "GATEHOUSE_PUBLIC_URL=" + hostilePublic})
	// own: no public_url, no trusted proxy: the URL is the request's own.
	own := hostileStart(t, []string{tok, support})
	// proxied: no public_url, loopback is a trusted proxy.
	proxied := hostileStart(t, []string{tok, support, "GATEHOUSE_TRUSTED_PROXIES=127.0.0.1/32"})
	// basic: credentials in public_url.
	const basicUser, basicPass = "gh", "basic-pw-Qz"
	basicPublic := "https://" + basicUser + ":" + basicPass + "@ivr.example.com"
	basic := hostileStart(t, []string{tok, support, "GATEHOUSE_PUBLIC_URL=" + basicPublic})
	// slow: short read timeouts for the slowloris cases.
	const headerTimeout, readTimeout = time.Second, 2 * time.Second
	slow := hostileStart(t, []string{tok, support, "GATEHOUSE_PUBLIC_URL=" + hostilePublic,
		"GATEHOUSE_SERVER_READ_HEADER_TIMEOUT=" + headerTimeout.String(), "GATEHOUSE_SERVER_READ_TIMEOUT=" + readTimeout.String()})
	servers := map[string]*hostileServer{"pub": pub, "own": own, "proxied": proxied, "basic": basic, "slow": slow}

	sig := func(u string, pairs ...hostilePair) string {
		return "X-Twilio-Signature: " + hostileSign(hostileToken, u, pairs...)
	}
	const formCT = "Content-Type: application/x-www-form-urlencoded"
	const jsonCT = "Content-Type: application/json"
	get := func(s *hostileServer, target string, lines ...string) []byte {
		return hostileRaw("GET", target, s.addr, lines, "")
	}
	post := func(s *hostileServer, target, body string, lines ...string) []byte {
		return hostileRaw("POST", target, s.addr, lines, body)
	}
	pair := func(name, value string) hostilePair { return hostilePair{name, value} }

	acc := hostilePublic + "/accessible"
	root := hostilePublic + "/"
	good := hostileSign(hostileToken, acc)

	// A valid signature with '+' or '/' in it, for the URL-safe spelling.
	var b64Target, b64Sig string
	for i := 0; b64Sig == ""; i++ {
		target := "/accessible?n=" + strconv.Itoa(i)
		if s := hostileSign(hostileToken, hostilePublic+target); strings.ContainsAny(s, "+/") {
			b64Target, b64Sig = target, s
		}
	}
	urlSafe := strings.NewReplacer("+", "-", "/", "_").Replace(b64Sig)
	// The same signature with the spare low bits of its last digit set:
	// decodes to the same bytes under a lax decoder, but is not canonical.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	spare := good[:26] + string(alphabet[strings.IndexByte(alphabet, good[26])|1]) + "="

	// JSON: Twilio's bodySHA256 query parameter.
	jsonBody := `{"CallSid":"CA1","Digits":"1"}`
	hexOf := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	jsonTarget := "/?bodySHA256=" + hexOf(jsonBody)
	jsonUpper := "/?bodySHA256=" + strings.ToUpper(hexOf(jsonBody))

	// Ten thousand distinct parameters, each a three-character name with an
	// empty value, Digits=1 among them: about 40 KB, under the body limit
	// and at Go's own limit on form parameters.
	var many []hostilePair
	for i := range 9999 {
		const digits = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		many = append(many, pair(string([]byte{digits[i/(62*62)], digits[i/62%62], digits[i%62]}), ""))
	}
	many = append(many, pair("Digits", "1"))
	manyBody := func() string {
		parts := make([]string, len(many))
		for i, p := range many {
			parts[i] = p.name
			if p.value != "" {
				parts[i] += "=" + p.value
			}
		}
		return strings.Join(parts, "&")
	}()

	// Invalid UTF-8 in a name and a value, percent-encoded in the body;
	// Twilio signs the decoded bytes (TWILIO.md), so only the signature
	// over those exact bytes verifies.
	badUTF8 := []hostilePair{pair("Digits", "1"), pair("N\xffme", "\xfe\xff")}
	replaced := []hostilePair{pair("Digits", "1"), pair("N\ufffdme", "\ufffd\ufffd")}

	bigHeader := "X-Big: " + strings.Repeat("b", 32<<10)
	var manyHeaders, tooManyHeaders, manySigs []string
	for i := range 400 {
		manyHeaders = append(manyHeaders, fmt.Sprintf("X-Many-%03d: v", i))
	}
	for i := range 2000 {
		tooManyHeaders = append(tooManyHeaders, fmt.Sprintf("X-Many-%04d: v", i))
	}
	for range 100 {
		manySigs = append(manySigs, sig(acc))
	}

	ownBase := "http://" + own.addr
	proxBase := "http://" + proxied.addr
	basicAuth := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(basicUser+":"+basicPass))
	wrongAuth := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(basicUser+":not-the-password"))

	cases := []hostileCase{
		// The signature header itself.
		{"signature header missing", pub, get(pub, "/accessible"), false, hostileDenied("accessible", "missing_header")},
		{"signature header empty", pub, get(pub, "/accessible", "X-Twilio-Signature:"), false, hostileDenied("accessible", "missing_header")},
		{"signature header only white space", pub, get(pub, "/accessible", "X-Twilio-Signature:    "), false, hostileDenied("accessible", "missing_header")},
		{"signature not base64", pub, get(pub, "/accessible", "X-Twilio-Signature: !!!!not*base64!!!!~~~~~~~~~="), false, hostileDenied("accessible", "malformed_header")},
		{"signature truncated: no padding", pub, get(pub, "/accessible", "X-Twilio-Signature: "+good[:27]), false, hostileDenied("accessible", "malformed_header")},
		{"signature truncated: 20 digits", pub, get(pub, "/accessible", "X-Twilio-Signature: "+good[:20]), false, hostileDenied("accessible", "malformed_header")},
		{"signature too long: 4 digits more", pub, get(pub, "/accessible", "X-Twilio-Signature: "+good+"AAAA"), false, hostileDenied("accessible", "malformed_header")},
		{"signature too long: 8 KB", pub, get(pub, "/accessible", "X-Twilio-Signature: "+strings.Repeat(good, 300)), false, hostileDenied("accessible", "malformed_header")},
		{"signature in hex", pub, get(pub, "/accessible", "X-Twilio-Signature: "+hex.EncodeToString([]byte(good[:20]))), false, hostileDenied("accessible", "malformed_header")},
		{"signature in the URL-safe alphabet", pub, get(pub, b64Target, "X-Twilio-Signature: "+urlSafe), false, hostileDenied("accessible", "malformed_header")},
		{"signature with its spare bits set", pub, get(pub, "/accessible", "X-Twilio-Signature: "+spare), false, hostileDenied("accessible", "malformed_header")},
		{"signature of another token", pub, get(pub, "/accessible", "X-Twilio-Signature: "+hostileSign("not-the-token", acc)), false, hostileDenied("accessible", "no_match")},
		{"signature header twice, both valid", pub, get(pub, "/accessible", sig(acc), sig(acc)), false, hostileDenied("accessible", "malformed_header")},
		{"signature header twice, valid then junk", pub, get(pub, "/accessible", sig(acc), "X-Twilio-Signature: junk"), false, hostileDenied("accessible", "malformed_header")},
		{"signature header a list of two", pub, get(pub, "/accessible", "X-Twilio-Signature: "+good+", "+good), false, hostileDenied("accessible", "malformed_header")},
		{"signature header 100 times", pub, get(pub, "/accessible", manySigs...), false, hostileDenied("accessible", "malformed_header")},
		{"signature header in lower case: the same header", pub, get(pub, "/accessible", "x-twilio-signature: "+good), false, hostileGranted("accessible", hostileReached)},
		{"signature header in upper case: the same header", pub, get(pub, "/accessible", "X-TWILIO-SIGNATURE: "+good), false, hostileGranted("accessible", hostileReached)},
		{"signature with white space around it: not part of the value", pub, get(pub, "/accessible", "X-Twilio-Signature: \t "+good+" \t"), false, hostileGranted("accessible", hostileReached)},
		{"signature in X-Twilio-Signature-2", pub, get(pub, "/accessible", "X-Twilio-Signature-2: "+good), false, hostileDenied("accessible", "missing_header")},
		{"signature in Twilio-Signature", pub, get(pub, "/accessible", "Twilio-Signature: "+good), false, hostileDenied("accessible", "missing_header")},
		{"signature in X_Twilio_Signature", pub, get(pub, "/accessible", "X_Twilio_Signature: "+good), false, hostileDenied("accessible", "missing_header")},
		{"signature in the query", pub, get(pub, "/accessible?X-Twilio-Signature="+strings.ReplaceAll(good, "+", "%2B")), false, hostileDenied("accessible", "missing_header")},
		{"signature header with a space before the colon", pub, get(pub, "/accessible", "X-Twilio-Signature : "+good), false, hostileNative(400, "400 Bad Request: invalid header name")},

		// A valid signature replayed elsewhere.
		{"replayed to another path", pub, get(pub, "/accessible", sig(root)), false, hostileDenied("accessible", "no_match")},
		{"replayed with another query", pub, get(pub, "/accessible?CallSid=CA2", sig(acc+"?CallSid=CA1")), false, hostileDenied("accessible", "no_match")},
		{"replayed with a query added", pub, get(pub, "/accessible?x=1", sig(acc)), false, hostileDenied("accessible", "no_match")},
		{"replayed with the query reordered", pub, get(pub, "/accessible?b=2&a=1", sig(acc+"?a=1&b=2")), false, hostileDenied("accessible", "no_match")},
		{"replayed with an empty query", pub, get(pub, "/accessible?", sig(acc)), false, hostileDenied("accessible", "no_match")},
		{"replayed from another scheme", pub, get(pub, "/accessible", sig("http://ivr.example.com/accessible")), false, hostileDenied("accessible", "no_match")},
		{"replayed from another host", pub, get(pub, "/accessible", sig("https://evil.example.com/accessible")), false, hostileDenied("accessible", "no_match")},
		{"replayed from the host in other case", pub, get(pub, "/accessible", sig("https://IVR.example.com/accessible")), false, hostileDenied("accessible", "no_match")},
		{"replayed from another port", pub, get(pub, "/accessible", sig("https://ivr.example.com:8443/accessible")), false, hostileDenied("accessible", "no_match")},
		{"signed with the default port spelled out", pub, get(pub, "/accessible", sig("https://ivr.example.com:443/accessible")), false, hostileGranted("accessible", hostileReached)},
		{"signed for the root without its slash", pub, get(pub, "/", sig(hostilePublic)), false, hostileGranted("menu", hostileMenu)},
		{"signed for the request's own URL while public_url is set", pub, get(pub, "/accessible", sig("http://"+pub.addr+"/accessible")), false, hostileDenied("accessible", "no_match")},
		{"forwarding headers while public_url is set", pub, get(pub, "/accessible", sig("https://evil.example/accessible"), "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example"), false, hostileDenied("accessible", "no_match")},
		{"absolute-form request target", pub, hostileRaw("GET", acc, pub.addr, []string{sig(acc)}, ""), false, hostileDenied("accessible", "no_match")},

		// The URL from the request itself (no public_url), untrusted peer.
		{"own URL: X-Forwarded-Proto from an untrusted peer", own, get(own, "/accessible", sig("https://"+own.addr+"/accessible"), "X-Forwarded-Proto: https"), false, hostileDenied("accessible", "no_match")},
		{"own URL: X-Forwarded-Host from an untrusted peer", own, get(own, "/accessible", sig("http://ivr.example.com/accessible"), "X-Forwarded-Host: ivr.example.com"), false, hostileDenied("accessible", "no_match")},
		{"own URL: Forwarded from an untrusted peer", own, get(own, "/accessible", sig("https://ivr.example.com/accessible"), "Forwarded: proto=https;host=ivr.example.com"), false, hostileDenied("accessible", "no_match")},
		{"own URL: replayed to another Host", own, hostileRaw("GET", "/accessible", "evil.example", []string{sig(ownBase + "/accessible")}, ""), false, hostileDenied("accessible", "no_match")},
		{"own URL: replayed from another port", own, get(own, "/accessible", sig("http://127.0.0.1:1/accessible")), false, hostileDenied("accessible", "no_match")},
		{"own URL: signed for it", own, get(own, "/accessible", sig(ownBase+"/accessible")), false, hostileGranted("accessible", hostileReached)},

		// A trusted proxy: its forwarding headers count, the last value only.
		{"trusted proxy: forwarded scheme and host", proxied, get(proxied, "/accessible", sig("https://ivr.example.com/accessible"), "X-Forwarded-Proto: https", "X-Forwarded-Host: ivr.example.com"), false, hostileGranted("accessible", hostileReached)},
		{"trusted proxy: the last host of a list", proxied, get(proxied, "/accessible", sig("https://ivr.example.com/accessible"), "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example, ivr.example.com"), false, hostileGranted("accessible", hostileReached)},
		{"trusted proxy: an earlier host of a list", proxied, get(proxied, "/accessible", sig("https://evil.example/accessible"), "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example, ivr.example.com"), false, hostileDenied("accessible", "no_match")},
		{"trusted proxy: the host of an earlier line", proxied, get(proxied, "/accessible", sig("https://ivr.example.com/accessible"), "X-Forwarded-Proto: https", "X-Forwarded-Host: ivr.example.com", "X-Forwarded-Host: evil.example"), false, hostileDenied("accessible", "no_match")},
		{"trusted proxy: an earlier scheme of a list", proxied, get(proxied, "/accessible", sig("https://"+proxied.addr+"/accessible"), "X-Forwarded-Proto: https, http"), false, hostileDenied("accessible", "no_match")},
		{"trusted proxy: a forwarded host that is a URL", proxied, get(proxied, "/accessible", sig("https://evil.example/x?/accessible"), "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example/x?"), false, hostileDenied("accessible", "no_match")},
		{"trusted proxy: no forwarding headers", proxied, get(proxied, "/accessible", sig(proxBase+"/accessible")), false, hostileGranted("accessible", hostileReached)},

		// Parameters moved, repeated, dropped.
		{"body parameters moved into the query", pub, post(pub, "/?Digits=1", "", formCT, "Content-Length: 0", sig(root, pair("Digits", "1"))), false, hostileDenied("choose", "no_match")},
		{"query parameters moved into the body", pub, post(pub, "/", "Digits=1", formCT, sig(root+"?Digits=1")), false, hostileDenied("choose", "no_match")},
		{"repeated name, values reordered", pub, post(pub, "/", "To=b&Digits=1&To=a", formCT, sig(root, pair("Digits", "1"), pair("To", "a"), pair("To", "b"))), false, hostileGranted("choose", hostileToOne)},
		{"repeated name collapsed to one value", pub, post(pub, "/", "Digits=1&To=a", formCT, sig(root, pair("Digits", "1"), pair("To", "a"), pair("To", "b"))), false, hostileDenied("choose", "no_match")},
		{"one value of three dropped", pub, post(pub, "/", "Digits=1&To=a&To=c", formCT, sig(root, pair("Digits", "1"), pair("To", "a"), pair("To", "b"), pair("To", "c"))), false, hostileDenied("choose", "no_match")},
		{"a value changed", pub, post(pub, "/", "Digits=2", formCT, sig(root, pair("Digits", "1"))), false, hostileDenied("choose", "no_match")},
		{"an exact pair repeated: the same string to sign", pub, post(pub, "/", "Digits=1&Digits=1", formCT, sig(root, pair("Digits", "1"))), false, hostileGranted("choose", hostileToOne)},

		// Percent-encoding and UTF-8.
		{"invalid percent-encoding in the body", pub, post(pub, "/", "Digits=%zz", formCT, sig(root, pair("Digits", "%zz"))), false, hostileDenied("choose", "malformed_body")},
		{"truncated percent-encoding in the body", pub, post(pub, "/", "Digits=1%2", formCT, sig(root, pair("Digits", "1%2"))), false, hostileDenied("choose", "malformed_body")},
		{"invalid percent-encoding in the query, unsigned", pub, get(pub, "/accessible?x=%zz"), false, hostileDenied("accessible", "missing_header")},
		{"invalid percent-encoding in the query, signed raw", pub, get(pub, "/accessible?x=%zz", sig(acc+"?x=%zz")), false, hostileGranted("accessible", hostileReached)},
		{"invalid percent-encoding in the path", pub, get(pub, "/%zz", sig(hostilePublic+"/%zz")), false, hostileNative(400, "400 Bad Request")},
		{"invalid UTF-8 in the body, signed over the decoded bytes", pub, post(pub, "/", hostileForm(badUTF8...), formCT, sig(root, badUTF8...)), false, hostileGranted("choose", hostileToOne)},
		{"invalid UTF-8 in the body, signed over its U+FFFD spelling", pub, post(pub, "/", hostileForm(badUTF8...), formCT, sig(root, replaced...)), false, hostileDenied("choose", "no_match")},
		{"invalid UTF-8 raw in the query, signed raw", pub, get(pub, "/accessible?x=\xff\xfe", sig(acc+"?x=\xff\xfe")), false, hostileGranted("accessible", hostileReached)},

		// Content-Type.
		{"form body without Content-Type", pub, post(pub, "/", "Digits=1", sig(root, pair("Digits", "1"))), false, hostileDenied("choose", "unexpected_body")},
		{"form body as text/plain", pub, post(pub, "/", "Digits=1", "Content-Type: text/plain", sig(root, pair("Digits", "1"))), false, hostileDenied("choose", "unexpected_body")},
		{"form body as multipart", pub, post(pub, "/", "--x\r\nContent-Disposition: form-data; name=\"Digits\"\r\n\r\n1\r\n--x--\r\n", "Content-Type: multipart/form-data; boundary=x", sig(root, pair("Digits", "1"))), false, hostileDenied("choose", "unexpected_body")},
		{"two Content-Types, text/plain first", pub, post(pub, "/", "Digits=1", "Content-Type: text/plain", formCT, sig(root, pair("Digits", "1"))), false, hostileDenied("choose", "unexpected_body")},
		{"form body on a GET", pub, hostileRaw("GET", "/", pub.addr, []string{formCT, sig(root, pair("Digits", "1"))}, "Digits=1"), false, hostileDenied("menu", "unexpected_body")},

		// JSON and bodySHA256.
		{"JSON without bodySHA256", pub, post(pub, "/", jsonBody, jsonCT, sig(root)), false, hostileDenied("choose", "body_hash_missing")},
		{"JSON with a bodySHA256 that is not hex", pub, post(pub, "/?bodySHA256=xyz", jsonBody, jsonCT, sig(root+"?bodySHA256=xyz")), false, hostileDenied("choose", "body_hash_mismatch")},
		{"JSON with a bodySHA256 one digit short", pub, post(pub, jsonTarget[:len(jsonTarget)-1], jsonBody, jsonCT, sig(hostilePublic+jsonTarget[:len(jsonTarget)-1])), false, hostileDenied("choose", "body_hash_mismatch")},
		{"JSON with bodySHA256 twice", pub, post(pub, jsonTarget+"&"+jsonTarget[2:], jsonBody, jsonCT, sig(hostilePublic+jsonTarget+"&"+jsonTarget[2:])), false, hostileDenied("choose", "body_hash_mismatch")},
		{"JSON with an upper-case bodySHA256, signed so", pub, post(pub, jsonUpper, jsonBody, jsonCT, sig(hostilePublic+jsonUpper)), false, hostileGranted("choose", hostileInvalid)},
		{"JSON with bodySHA256 upper-cased after signing", pub, post(pub, jsonUpper, jsonBody, jsonCT, sig(hostilePublic+jsonTarget)), false, hostileDenied("choose", "no_match")},
		{"JSON with the bodySHA256 of another body", pub, post(pub, "/?bodySHA256="+hexOf(`{}`), jsonBody, jsonCT, sig(root+"?bodySHA256="+hexOf(`{}`))), false, hostileDenied("choose", "body_hash_mismatch")},
		{"JSON body swapped under a valid URL signature", pub, post(pub, jsonTarget, `{"CallSid":"CA1","Digits":"2"}`, jsonCT, sig(hostilePublic+jsonTarget)), false, hostileDenied("choose", "body_hash_mismatch")},
		{"JSON body swapped for a form body", pub, post(pub, jsonTarget, "Digits=1", formCT, sig(hostilePublic+jsonTarget)), false, hostileDenied("choose", "body_hash_mismatch")},
		{"JSON body stripped", pub, post(pub, jsonTarget, "", jsonCT, "Content-Length: 0", sig(hostilePublic+jsonTarget)), false, hostileDenied("choose", "body_hash_mismatch")},

		// Body size and framing.
		{"body over max_body_bytes, signed", pub, post(pub, "/", "Digits=1&Pad="+strings.Repeat("x", 70_000), formCT, sig(root, pair("Digits", "1"), pair("Pad", strings.Repeat("x", 70_000)))), false, hostileDenied("choose", "body_too_large")},
		{"body over max_body_bytes, unsigned", pub, post(pub, "/", "Digits=1&Pad="+strings.Repeat("x", 70_000), formCT), false, hostileDenied("choose", "missing_header")},
		{"signed, then the client closes its side", pub, get(pub, "/accessible", sig(acc)), true, hostileGranted("accessible", hostileReached)},
		{"body cut short, then the client closes", pub, post(pub, "/", "Digits=1&CallSid=CA1", formCT, "Content-Length: 100", sig(root, pair("CallSid", "CA1"), pair("Digits", "1"))), true, hostileDenied("choose", "body_unreadable")},
		{"chunked body, signed", pub, post(pub, "/", "8\r\nDigits=1\r\n0\r\n\r\n", formCT, "Transfer-Encoding: chunked", sig(root, pair("Digits", "1"))), false, hostileGranted("choose", hostileToOne)},
		{"chunked body with a bad chunk size", pub, post(pub, "/", "zz\r\nDigits=1\r\n0\r\n\r\n", formCT, "Transfer-Encoding: chunked", sig(root, pair("Digits", "1"))), false, hostileDenied("choose", "body_unreadable")},
		// RFC 9112: Transfer-Encoding overrides Content-Length; net/http
		// drops the latter, and the signature covers the chunked body.
		{"Content-Length and chunked together", pub, post(pub, "/", "8\r\nDigits=1\r\n0\r\n\r\n", formCT, "Content-Length: 3", "Transfer-Encoding: chunked", sig(root, pair("Digits", "1"))), false, hostileGranted("choose", hostileToOne)},
		{"two different Content-Lengths", pub, post(pub, "/", "Digits=1", formCT, "Content-Length: 8", "Content-Length: 3", sig(root, pair("Digits", "1"))), false, hostileNative(400, "400 Bad Request")},
		{"an unsupported transfer coding", pub, post(pub, "/", "Digits=1", formCT, "Transfer-Encoding: gzip", sig(root, pair("Digits", "1"))), false,
			hostileWant{status: 501, contentType: "text/plain; charset=utf-8", body: "Unsupported transfer encoding", native: true, closes: true}},
		{"10,000 parameters, unsigned", pub, post(pub, "/", manyBody, formCT), false, hostileDenied("choose", "missing_header")},
		{"10,000 parameters, signed with another token", pub, post(pub, "/", manyBody, formCT, "X-Twilio-Signature: "+hostileSign("not-the-token", root, many...)), false, hostileDenied("choose", "no_match")},
		{"10,000 parameters, signed", pub, post(pub, "/", manyBody, formCT, sig(root, many...)), false, hostileGranted("choose", hostileToOne)},

		// Headers.
		{"a header over max_header_bytes", pub, get(pub, "/accessible", sig(acc), bigHeader), false, hostileNative(431, "431 Request Header Fields Too Large")},
		{"2,000 headers, over max_header_bytes", pub, get(pub, "/accessible", append([]string{sig(acc)}, tooManyHeaders...)...), false, hostileNative(431, "431 Request Header Fields Too Large")},
		{"400 headers, unsigned", pub, get(pub, "/accessible", manyHeaders...), false, hostileDenied("accessible", "missing_header")},
		{"no Host header", pub, hostileRaw("GET", "/accessible", "", []string{sig(acc)}, ""), false, hostileNative(400, "400 Bad Request: missing required Host header")},
		{"two Host headers", pub, get(pub, "/accessible", sig(acc), "Host: ivr.example.com"), false, hostileNative(400, "400 Bad Request")},
		{"a malformed Host header", pub, hostileRaw("GET", "/accessible", "ivr example com", []string{sig(acc)}, ""), false, hostileNative(400, "400 Bad Request: malformed Host header")},
		{"a NUL byte in a header value", pub, get(pub, "/accessible", sig(acc), "X-Nul: a\x00b"), false, hostileNative(400, "400 Bad Request")},
		{"a NUL byte in a header name", pub, get(pub, "/accessible", sig(acc), "X-N\x00l: a"), false, hostileNative(400, "400 Bad Request")},
		// net/http unfolds an obs-fold line with a space: not a signature.
		{"a folded signature header", pub, get(pub, "/accessible", "X-Twilio-Signature: "+good[:14], " "+good[14:]), false, hostileDenied("accessible", "malformed_header")},

		// Not HTTP, or not the HTTP Gatehouse speaks.
		{"a request line that is not HTTP", pub, []byte("HELLO\r\n\r\n"), false, hostileNative(400, "400 Bad Request")},
		{"a TLS ClientHello", pub, []byte("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + strings.Repeat("\x00", 32) + "\r\n\r\n"), false, hostileNative(400, "400 Bad Request")},
		{"HTTP/2.0 on the request line", pub, []byte("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), false, hostileNative(505, "505 HTTP Version Not Supported: unsupported protocol version")},
		{"a NUL byte in the path", pub, get(pub, "/acc\x00essible", sig(hostilePublic+"/acc\x00essible")), false, hostileNative(400, "400 Bad Request")},
		{"a NUL byte in a signed form value", pub, post(pub, "/", "Digits=1%00", formCT, sig(root, pair("Digits", "1\x00"))), false, hostileGranted("choose", hostileInvalid)},
		{"bare LF line endings", pub, []byte("GET /accessible HTTP/1.1\nHost: x\n\n"), false, hostileDenied("accessible", "missing_header")},

		// Paths: the ACL resource is the route's, never the request path's.
		{"signed, forbidden", pub, get(pub, "/restricted", sig(hostilePublic+"/restricted")), false, hostileDenied("restricted", "valid")},
		{"OPTIONS * (net/http's own answer)", pub, hostileRaw("OPTIONS", "*", pub.addr, nil, ""), false,
			hostileWant{status: 200, header: map[string]string{"Content-Length": "0"}, native: true}},
	}
	for _, p := range []string{"/%2Faccessible", "/accessible%2F", "//accessible", "/x/../accessible", "/%2e%2e/accessible",
		"/restricted/..%2Faccessible", "/restricted/%2e%2e/accessible", "/accessible/", "/ACCESSIBLE", "/%61ccessible", "/accessible#f", "/accessible;x=1", "/nope"} {
		cases = append(cases, hostileCase{"signed path " + p, pub, get(pub, p, sig(hostilePublic+p)), false, hostileNotFound()})
	}
	for _, m := range []string{"HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "BREW"} {
		for _, p := range []string{"/", "/nope"} {
			want := hostileNotFound()
			if m == "HEAD" {
				want.body = "" // the same answer, without its body
			}
			cases = append(cases, hostileCase{"signed " + m + " " + p, pub, hostileRaw(m, p, pub.addr, []string{sig(hostilePublic + p)}, ""), false, want})
		}
	}
	cases = append(cases,
		// Credentials in public_url: Basic before the signature.
		hostileCase{"basic: no credentials", basic, get(basic, "/accessible", sig(basicPublic+"/accessible")), false, hostileChallenged("accessible", "no_credentials")},
		hostileCase{"basic: wrong password", basic, get(basic, "/accessible", wrongAuth, sig(basicPublic+"/accessible")), false, hostileChallenged("accessible", "wrong_credentials")},
		hostileCase{"basic: not Basic", basic, get(basic, "/accessible", "Authorization: Bearer "+basicPass, sig(basicPublic+"/accessible")), false, hostileChallenged("accessible", "malformed_credentials")},
		hostileCase{"basic: credentials twice", basic, get(basic, "/accessible", basicAuth, basicAuth, sig(basicPublic+"/accessible")), false, hostileChallenged("accessible", "malformed_credentials")},
		hostileCase{"basic: credentials, unsigned", basic, get(basic, "/accessible", basicAuth), false, hostileDenied("accessible", "missing_header")},
		hostileCase{"basic: signed without the credentials in the URL", basic, get(basic, "/accessible", basicAuth, sig(acc)), false, hostileDenied("accessible", "no_match")},
		hostileCase{"basic: credentials, signed as Twilio signs", basic, get(basic, "/accessible", basicAuth, sig(basicPublic+"/accessible")), false, hostileGranted("accessible", hostileReached)},
	)

	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				c.check(t)
			})
		}
		t.Run("slowloris headers", func(t *testing.T) {
			t.Parallel()
			hostileSlowHeaders(t, slow, headerTimeout)
		})
		t.Run("silent connection", func(t *testing.T) {
			t.Parallel()
			c, err := net.Dial("tcp", slow.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			hostileClosed(t, c, 10*headerTimeout, false)
		})
		t.Run("slow body", func(t *testing.T) {
			t.Parallel()
			hostileSlowBody(t, slow, readTimeout)
		})
	})

	// The aftermath, server by server.
	for name, s := range servers {
		a := hostileExchange(s.addr, hostileRaw("GET", "/healthz", s.addr, nil, ""), false, hostileLimit)
		if a.resp == nil || a.resp.StatusCode != 200 || a.body != "ok\n" {
			t.Errorf("%s: /healthz after the suite: %v %q %v", name, a.resp, a.body, a.err)
		}
		out := s.Logs() + s.stdout.String()
		if strings.Contains(strings.ToLower(out), "panic") {
			t.Errorf("%s: a panic in the output:\n%s", name, out)
		}
		granted := 0
		for _, l := range s.logLines(t) {
			if l["level"] == "ERROR" {
				t.Errorf("%s: an error was logged: %v", name, l)
			}
			if l["msg"] != "request" {
				continue
			}
			if st, _ := strconv.Atoi(l["status"]); st >= 500 {
				t.Errorf("%s: a request that reached Gatehouse was answered %s: %v", name, l["status"], l)
			}
			if l["decision"] == "allowed" {
				granted++
				if !s.isGranted(l["request_id"]) {
					t.Errorf("%s: a request no case expected to be allowed was allowed: %v", name, l)
				}
			}
		}
		s.mu.Lock()
		want := len(s.granted)
		s.mu.Unlock()
		if granted != want {
			t.Errorf("%s: %d requests allowed, want %d", name, granted, want)
		}
	}
}

// check sends the case's request and asserts the answer and its log line.
func (c hostileCase) check(t *testing.T) {
	t.Helper()
	c.checkAnswer(t, hostileExchange(c.srv.addr, c.raw, c.halfClose, hostileLimit))
}

// checkAnswer asserts that a is the case's answer, and its log line.
func (c hostileCase) checkAnswer(t *testing.T, a hostileAnswer) {
	t.Helper()
	if a.resp == nil {
		t.Fatalf("no answer: %v", a.err)
	}
	if a.err != nil {
		t.Fatalf("reading the answer's body: %v", a.err)
	}
	w := c.want
	if got := a.resp.StatusCode; got != w.status {
		t.Errorf("status = %d, want %d", got, w.status)
	}
	if got := a.resp.Header.Get("Content-Type"); got != w.contentType {
		t.Errorf("Content-Type = %q, want %q", got, w.contentType)
	}
	if a.body != w.body {
		t.Errorf("body = %q, want %q", a.body, w.body)
	}
	for k, v := range w.header {
		if got := a.resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !w.granted() {
		for _, doc := range []string{hostileMenu, hostileToOne, hostileInvalid, hostileReached, "<Redirect"} {
			if strings.Contains(a.body, strings.TrimPrefix(doc, hostileXML)) {
				t.Errorf("a protected view answered: %q", a.body)
			}
		}
	}

	id := a.resp.Header.Get("X-Request-Id")
	if w.native {
		if a.resp.Close != w.closes {
			t.Errorf("Connection: close = %v, want %v", a.resp.Close, w.closes)
		}
		if id != "" {
			t.Errorf("X-Request-Id = %q on net/http's own answer", id)
		}
		return
	}
	if len(id) != 32 {
		t.Fatalf("X-Request-Id = %q, want 32 hex digits", id)
	}
	if w.granted() {
		c.srv.expectGranted(id)
	}
	c.srv.waitLog(t, "msg=request request_id="+id)
	var line logLine
	for _, l := range c.srv.logLines(t) {
		if l["msg"] == "request" && l["request_id"] == id {
			line = l
		}
	}
	for k, want := range map[string]string{"route": w.route, "signature": w.signature, "decision": w.decision,
		"challenged": w.challenged, "status": strconv.Itoa(w.status)} {
		if got, ok := line[k]; got != want || ok != (want != "") {
			t.Errorf("log line %s = %q (present %v), want %q\n%v", k, got, ok, want, line)
		}
	}
}

// hostileClosed asserts that the server closes c within limit, without a
// byte of answer or, if orBadRequest, after net/http's own 400 answer.
func hostileClosed(t *testing.T, c net.Conn, limit time.Duration, orBadRequest bool) {
	t.Helper()
	const badRequest = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"
	c.SetReadDeadline(time.Now().Add(limit))
	got, err := io.ReadAll(c)
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		t.Errorf("the connection was still open after %v (read %q)", limit, got)
	case err != nil && !errors.Is(err, syscall.ECONNRESET):
		t.Errorf("reading: %v, want the connection closed", err)
	case len(got) > 0 && !(orBadRequest && string(got) == badRequest):
		t.Errorf("the server answered %q, want the connection closed without an answer", got)
	}
}

// hostileTrickle writes s in pieces of n bytes, one every interval, until
// it is written, a write fails or stop is closed.
func hostileTrickle(c net.Conn, s string, n int, interval time.Duration, stop <-chan struct{}) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for ; s != ""; s = s[min(n, len(s)):] {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		if _, err := c.Write([]byte(s[:min(n, len(s))])); err != nil {
			return
		}
	}
}

// hostileSlowHeaders opens connections that send their headers slowly,
// never finishing them: whole header lines one at a time (slowloris), or
// a byte at a time. The server must close each within ten
// read_header_timeouts, and serve others meanwhile. When the timeout
// falls inside a line, net/http reads the part as a line without a colon
// and answers 400 before it closes; between lines it closes silently.
func hostileSlowHeaders(t *testing.T, s *hostileServer, timeout time.Duration) {
	stop := make(chan struct{})
	defer close(stop)
	const line = "X-Slow: y\r\n"
	type slowConn struct {
		c     net.Conn
		bytes bool
	}
	var conns []slowConn
	for i := range 8 {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("POST / HTTP/1.1\r\nHost: " + s.addr + "\r\n")); err != nil {
			t.Fatal(err)
		}
		piece := len(line)
		if i%2 == 1 {
			piece = 1
		}
		go hostileTrickle(c, strings.Repeat(line, 1000), piece, 50*time.Millisecond, stop)
		conns = append(conns, slowConn{c, piece == 1})
	}
	healthy := func() {
		a := hostileExchange(s.addr, hostileRaw("GET", "/healthz", s.addr, nil, ""), false, hostileLimit)
		if a.resp == nil || a.resp.StatusCode != 200 || a.body != "ok\n" {
			t.Errorf("/healthz while slow clients hold connections: %v %q %v", a.resp, a.body, a.err)
		}
	}
	healthy()
	for _, sc := range conns {
		hostileClosed(t, sc.c, 10*timeout, sc.bytes)
	}
	healthy()
}

// hostileSlowBody sends a signed request whose body trickles in slower than
// read_timeout allows: the server must answer the apology (the body could
// not be read, so the signature cannot verify) within ten read_timeouts,
// then close the connection.
func hostileSlowBody(t *testing.T, s *hostileServer, timeout time.Duration) {
	body := hostileForm(hostilePair{"CallSid", "CA1"}, hostilePair{"Digits", "1"})
	body += "&Pad=" + strings.Repeat("x", 200)
	head := hostileRaw("POST", "/", s.addr, []string{"Content-Type: application/x-www-form-urlencoded",
		"X-Twilio-Signature: " + hostileSign(hostileToken, hostilePublic+"/", hostilePair{"CallSid", "CA1"}, hostilePair{"Digits", "1"}, hostilePair{"Pad", strings.Repeat("x", 200)}),
		"Content-Length: " + strconv.Itoa(len(body))}, "")
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(head); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go hostileTrickle(c, body, 1, 50*time.Millisecond, stop)
	hc := hostileCase{srv: s, want: hostileDenied("choose", "body_unreadable")}
	c.SetReadDeadline(time.Now().Add(10 * timeout))
	a := hostileReadAnswer(c, "POST")
	if a.resp == nil {
		t.Fatalf("no answer to a slow body within %v: %v", 10*timeout, a.err)
	}
	hc.checkAnswer(t, a)
	hostileClosed(t, c, 10*timeout, false)
}
