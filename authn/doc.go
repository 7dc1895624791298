// Package authn answers "who is calling": an authentication Policy turns an
// *http.Request into the principals it proves, and Effective adds Pyramid's
// special principals to them.
//
// A request always has [Everyone]; it also has [Authenticated] when some
// policy proved a principal that is not a system principal. The Twilio
// signature policy ([TwilioSignature]) proves [TwilioGroup] (and
// "account:<AccountSid>" when the signed parameters carry one) for requests
// whose X-Twilio-Signature header verifies. [Basic] puts HTTP Basic
// credentials in front of another policy, for webhook URLs that carry
// "user:pass@"; a request without them fails with a *[Challenge], which
// the caller answers with 401 and its WWW-Authenticate header.
//
// Effective principals travel in the request's context.Context: see
// [NewContext] and [FromContext].
//
// # Which URL was signed
//
// Twilio signs the webhook URL exactly as it was configured, and its own
// signing has not always agreed with itself about default ports. Verify
// therefore tries these candidates, in this order, and accepts the
// signature if any of them matches with any token:
//
//   - each base URL: the configured public URLs in order or, without one,
//     the request's scheme (https if it came over TLS) and Host header, with
//     X-Forwarded-Proto and X-Forwarded-Host believed only from a trusted
//     proxy (the last value of each, the one that proxy wrote);
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
// Twilio signs it), the percent-encoding and order of the query.
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
// limit, and the URL that was signed is rebuilt from the configured public
// URL plus the raw request target, never from client-supplied forwarding
// headers. Form bodies sign every body parameter (never the query's),
// sorted by name and then value, each distinct pair once; a body that is
// not valid form encoding does not verify. When the signed query carries
// bodySHA256 (Twilio's JSON webhooks), the URL alone is signed and the body
// must hash to it, whatever the Content-Type; a JSON body without it does
// not verify. All configured tokens are taken to belong to one Twilio
// account (a rotation set): the account:<AccountSid> principal says what
// the signed parameters claim, which only that account's token can sign.
// Basic credentials are compared in
// constant time, user name and password both. Auth tokens and passwords
// never appear in errors, logs or panics raised by this package.
//
// What Twilio's scheme cannot protect against, and this package therefore
// does not claim to: a captured request can be replayed as it is (the
// signature carries no timestamp or nonce; Twilio's I-Twilio-Idempotency-
// Token header is not signed), and because names and values are
// concatenated without separators, a body can be re-split at a name/value
// boundary without changing the string to sign. Views must treat a signed
// request as "sent by Twilio at some time", and use HTTPS so that requests
// cannot be captured in the first place.
package authn
