module github.com/gatehouse/gatehouse/bench/twiliogo

go 1.26.0

require (
	github.com/gatehouse/gatehouse v0.0.0-00010101000000-000000000000
	github.com/twilio/twilio-go v1.31.0
)

require (
	github.com/golang/mock v1.6.0 // indirect
	github.com/pkg/errors v0.9.1 // indirect
)

replace github.com/gatehouse/gatehouse => ../..
