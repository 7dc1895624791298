package app_test

import (
	"fmt"
	"io"
	"os"

	"github.com/gatehouse/gatehouse/app"
)

func ExampleMain() {
	code := app.Main([]string{"help"}, os.Stdout, io.Discard)
	fmt.Println("exit status", code)
	// Output:
	// usage: gatehouse <command> [flags]
	//
	// commands:
	//   serve    serve the IVR (flags: --config FILE --listen ADDR --public-url URL ...)
	//   help     show this help
	//
	// Run 'gatehouse <command> --help' for a command's flags.
	// exit status 0
}
