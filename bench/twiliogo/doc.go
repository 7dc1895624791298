// Package twiliogo benchmarks Gatehouse's Twilio signature check against
// HMAC-SHA1 alone over the same string to sign (the floor) and against
// github.com/twilio/twilio-go's client.RequestValidator, on one realistic
// voice webhook with 25 parameters. It is a nested module so that
// twilio-go never enters Gatehouse's own go.mod.
//
// bench/run runs it with the rest of the performance suite and prints the
// ratios; alone:
//
//	cd bench/twiliogo && go test -run '^$' -bench . -benchmem -count 6
//
// docs/BENCHMARKS.md reports the figures.
package twiliogo
