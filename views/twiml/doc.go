// Package twiml renders the small subset of Twilio's TwiML markup that
// Gatehouse's views answer voice webhooks with: a [Response] holding, in
// order, the verbs [Say], [Gather] (which holds verbs of its own, such as
// the Say that prompts the caller), [Redirect], [Dial], [Hangup] and
// [Pause]. [Verb] is the interface they share, and [Response.Marshal]
// refuses any verb of another type (one that embeds a verb of this
// package, say) and a Gather holding anything but Say and Pause, so a
// document can hold nothing Twilio would not expect.
//
// Build a Response, render it with [Response.Marshal], or with
// [Response.MustMarshal] for a document built from constants at startup,
// and answer it with [ContentType] and status 200: Twilio treats any other
// status as an application error and plays its stock message to the
// caller. The views package renders its documents once, when they are
// built, and answers the same bytes to every call, as the example of
// Response.MustMarshal (in example_test.go) and views.Apology do.
//
// # Security
//
// Attribute values and text are escaped by encoding/xml, so text from
// configuration or from a caller (a name, a transcription) can never
// inject markup or verbs.
package twiml
