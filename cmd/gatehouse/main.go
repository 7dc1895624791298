// Command gatehouse serves the Gatehouse IVR and its developer tools. See
// `gatehouse help` and the README.
package main

import (
	"os"

	"github.com/gatehouse/gatehouse/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
