// Package webhooks holds the Twilio webhook requests that Gatehouse's
// benchmarks and load tests send, so that the in-process and the loopback
// figures serve the same request.
package webhooks

import "github.com/gatehouse/gatehouse/authn"

// GatherCallback is what Twilio POSTs to the IVR menu's action when the
// caller presses 1: the 25 voice parameters of the call, plus Digits and
// FinishedOnKey, in the unsorted order Twilio sends them. It returns a
// fresh slice each time.
func GatherCallback() []authn.Param {
	return []authn.Param{
		{Name: "Called", Value: "+14155550100"},
		{Name: "ToState", Value: "CA"},
		{Name: "CallerCountry", Value: "US"},
		{Name: "Direction", Value: "inbound"},
		{Name: "CallerState", Value: "NY"},
		{Name: "ToZip", Value: "94105"},
		{Name: "CallSid", Value: "CA5f0e2b8a7c3d4e1f9a6b2c8d7e3f1a0b"},
		{Name: "To", Value: "+14155550100"},
		{Name: "CallerZip", Value: "10013"},
		{Name: "ToCountry", Value: "US"},
		{Name: "FinishedOnKey", Value: ""},
		{Name: "ApiVersion", Value: "2010-04-01"},
		{Name: "CalledZip", Value: "94105"},
		{Name: "CalledCity", Value: "SAN FRANCISCO"},
		{Name: "CallStatus", Value: "in-progress"},
		{Name: "From", Value: "+12125550123"},
		{Name: "AccountSid", Value: "AC3c2f9e1d8b7a6f5e4d3c2b1a0f9e8d7c"},
		{Name: "CalledCountry", Value: "US"},
		{Name: "CallerCity", Value: "NEW YORK"},
		{Name: "Caller", Value: "+12125550123"},
		{Name: "FromCountry", Value: "US"},
		{Name: "ToCity", Value: "SAN FRANCISCO"},
		{Name: "Digits", Value: "1"},
		{Name: "FromCity", Value: "NEW YORK"},
		{Name: "CalledState", Value: "CA"},
		{Name: "FromZip", Value: "10013"},
		{Name: "FromState", Value: "NY"},
	}
}
