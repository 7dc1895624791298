// Package authn answers "who is calling": an authentication Policy turns an
// *http.Request into the principals it proves, and Effective adds Pyramid's
// special principals to them.
//
// A request always has [Everyone]; it also has [Authenticated] when some
// policy proved a principal that is not a system principal. The Twilio
// signature policy ([TwilioSignature]) proves [TwilioGroup] (and
// "account:<AccountSid>" when the signed parameters carry one) for requests
// whose X-Twilio-Signature header verifies.
//
// Effective principals travel in the request's context.Context: see
// [NewContext] and [FromContext].
//
// # Security
//
// A policy that cannot decide returns an error, never a partial answer, and
// callers must fail closed. A signature that does not verify is not an
// error: the policy simply proves nothing, and the request is left with
// [Everyone] only. Signatures are compared in constant time, request bodies
// are read only up to a configured limit, and the URL that was signed is
// rebuilt from the configured public URL plus the raw request target, never
// from client-supplied forwarding headers. Auth tokens never appear in
// errors, logs or panics raised by this package.
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
