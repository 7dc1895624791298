// Package authn answers "who is calling": an authentication [Policy] turns
// an *http.Request into the principals it proves, and [Effective] adds
// Pyramid's special principals to them. It verifies Twilio's request
// signatures and HTTP Basic credentials, and uses the standard library
// only.
//
// # Policies and principals
//
// A [Policy] returns the principals that a request proves, or an error
// when it cannot decide. [PolicyFunc] adapts a function to the interface,
// [Multi] takes the union of several policies, and [Static] proves fixed
// principals (for tests and tools). [Effective] turns a policy's answer
// into the request's effective principals: [Everyone] always, then
// [Authenticated] if the policy proved anything, then what it proved. A
// server keeps them in the request's context with [NewContext], and its
// handlers read them back with [FromContext].
//
// Gatehouse's own policies are these:
//
//   - [TwilioSignature], built by [NewTwilioSignature] from a
//     [TwilioConfig], proves [TwilioGroup] for a request whose
//     X-Twilio-Signature header verifies, plus AccountPrefix+AccountSid
//     ("account:AC...") when the signed parameters carry an AccountSid.
//     [TwilioSignature.Verify] reports the outcome as a [Verification],
//     whose [Reason] is safe to log and count.
//   - [Basic], built by [NewBasic] from a [BasicConfig], requires HTTP
//     Basic credentials before it lets another policy (the signature
//     policy) decide. It serves webhook URLs that carry "user:pass@".
//     Twilio sends the credentials only after a 401 challenge, so a
//     request without them fails with a *[Challenge]: the caller answers
//     401 with its WWW-Authenticate header.
//
// # The signature
//
// Twilio signs a webhook request with the account's auth token. The
// X-Twilio-Signature header is the standard base64 of the HMAC-SHA1 of
// this string:
//
//  1. the URL Twilio requested, exactly as it was configured: scheme and
//     host in their original case, user information and port if the URL
//     had them, the path, and the query byte for byte;
//  2. for a form POST (application/x-www-form-urlencoded), each body
//     parameter, name then value, decoded ('+' is a space, %XX a byte),
//     sorted by name and then by value, each distinct pair once; a name
//     without a value adds the bare name. The query's parameters are never
//     added: they are in the URL already;
//  3. for a GET, nothing more;
//  4. for a JSON body, nothing more either: Twilio appends bodySHA256, the
//     lowercase hex SHA-256 of the raw body, to the URL's query, and the
//     receiver must check that the body hashes to it.
//
// [StringToSign] builds that string and [Sign] the signature; [ParseForm]
// decodes a form body as the verifier does, and [EncodeForm] encodes one.
// The gatehouse sign, verify and invoke commands are built on them.
//
// # Which URL was signed
//
// Twilio signs the webhook URL exactly as it was configured, and its own
// signing has not always agreed with itself about default ports. Verify
// therefore tries these candidates, in this order, and accepts the
// signature if any of them matches with any token:
//
//   - each base URL: the configured public URLs in order or, without one,
//     the request's scheme (https if it came over TLS) and Host header,
//     whichever peer sent it, with X-Forwarded-Proto and X-Forwarded-Host
//     believed only from a trusted proxy (the last value of each, whoever
//     wrote it);
//   - with its port as written, then with the scheme's default port (:443
//     for https, :80 for http) added if it had none, or removed if it had
//     exactly that one; another port is never added or removed;
//   - followed by the raw request target (RequestURI) and, for the root
//     ("/" or "/?query"), also by the target without its slash, since a
//     webhook configured as "https://host" or "https://host?x=1" arrives
//     as "/" or "/?x=1".
//
// Everything else is kept byte for byte: the scheme's and host's case, the
// userinfo of a public URL (it never arrives in the request line, but
// Twilio signs it), the percent-encoding and order of the query. Behind a
// proxy that terminates TLS, set [TwilioConfig.PublicURL] to the scheme
// and host Twilio calls. [TwilioConfig.TrustedProxies] is for when a
// public URL cannot be used, and only for proxies that set both
// forwarding headers on every request, overwriting the client's (or
// appending their own value after it): since the last value is believed,
// a proxy that passes a client's header on unchanged lets the client
// choose the URL. List the proxies' own addresses, not a range that other
// peers share.
//
// # Security
//
// A policy that cannot decide returns an error, never a partial answer, and
// callers must fail closed. A signature that does not verify is not an
// error: the policy simply proves nothing, and the request is left with
// [Everyone] only. Signatures are compared in constant time against every
// token for each candidate (the candidates are tried in a fixed order and
// the first match ends the search: timing depends on the URL and on
// validity, never on how close a forgery came); more than one
// X-Twilio-Signature header, or one that is not the canonical base64 of 20
// bytes, does not verify. Request bodies are read only up to a configured
// limit, into memory that grows with the bytes that arrive, not with the
// length the client announces, and a form body of more than 10,000 pairs
// does not verify. The URL that was signed is rebuilt from the configured public URL
// plus the raw request target; without a public URL, from the request's
// own scheme and Host header, which any client sets as it likes, with
// forwarding headers believed only from trusted proxies. Without a public
// URL, a request signed for another host of the same account therefore
// verifies too. Form bodies sign every body parameter (never the query's),
// sorted by name and then value, each distinct pair once; a body that is
// not valid form encoding does not verify. After a form body verifies,
// the request's PostForm holds exactly the verified parameters, so that
// the view cannot read the body differently from the verifier. When the
// signed query ends with a bodySHA256 pair (Twilio's JSON webhooks), the
// URL alone is signed and the body must be labelled application/json and
// hash to it (its JSON is not parsed: the hash binds every byte);
// bodySHA256 elsewhere in the query, or with another Content-Type, does
// not verify, and neither does a JSON body without it. (A form webhook's
// whole string to sign is a signed URL too, in which a value the sender
// chose could spell out a bodySHA256 pair; it ends the query only if its
// parameter sorts last.) All configured tokens are taken to
// belong to one Twilio account (a rotation set): the account:<AccountSid>
// principal says what the signed parameters claim, which a re-cut body
// (below) can turn into another account's SID, unless
// TwilioConfig.AccountSid pins the account that may be proven. Basic credentials are compared in constant
// time, user name and password both. Auth tokens and passwords never
// appear in errors, logs or panics raised by this package.
//
// What Twilio's scheme cannot protect against, and this package therefore
// does not claim to: a captured request can be replayed as it is (the
// signature carries no timestamp or nonce; Twilio's
// I-Twilio-Idempotency-Token header is not signed), and because names and
// values are concatenated without separators, a form body can be re-split
// at a name/value boundary without changing the string to sign:
// "Digits=1" and "Digit=s1" sign the same, and a value can take in the
// pairs that follow it. The URL is joined to the body the same way, and
// the method is not signed, so the cut can also cross the end of the URL:
// a GET of https://ivr.example.com/?CallSid=CA1&From=%2B15551234567
// verifies as a POST of /?CallSid=CA1&From=%2B155 with the form body
// "51234567" (the view then sees From "+155" and a parameter named
// "51234567"), a POST of /?CallSid=CA1 with "Digits=1" verifies as a GET
// of /?CallSid=CA1Digits1, and the signature of a GET of / verifies a POST
// of / with no body. Views must treat a signed request as "sent by Twilio
// at some time", check that each parameter they read, from the query or
// the body, has the form they expect, not act on names they did not
// expect, not tell Twilio's requests apart by method alone, and use HTTPS
// so that requests cannot be captured in the first place.
//
// # Examples and further reading
//
// The examples of [TwilioSignature] show a request verified end to end,
// the default-port and trailing-slash candidates, a trusted proxy, and the
// verified form handed to the view; those of [Basic] show the 401
// challenge; that of [NewContext] shows principals carried to a handler.
// The repository's docs/tutorial.md puts a Twilio number in front of
// Gatehouse step by step: the auth token and its rotation, a
// TLS-terminating load balancer, credentials in the webhook URL, and each
// classic signature stumbling block run for real.
package authn
