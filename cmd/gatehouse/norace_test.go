//go:build !race

package main_test

// raceBuild: see race_test.go.
const raceBuild = false
