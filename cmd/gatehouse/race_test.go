//go:build race

package main_test

// raceBuild: the tests run under the race detector, so the binary they
// start is built with it too, and the end-to-end and load tests
// race-check the server they drive.
const raceBuild = true
