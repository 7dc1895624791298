// Command load is the loopback half of Gatehouse's performance suite, and
// the part of bench/run that turns results into a table:
//
//	load serve-bare [-listen ADDR] [-view | -verify]
//	load gen -url http://HOST:PORT/ [-public-url URL] [-conns 64] [-duration 20s] [-warmup 2s] [-pid PID] [-name NAME] [-pair N]
//	load report [-parts verify,scaling,authz,chain,loopback,pinned] [-pairs N] FILE...
//	load free-port
//
// serve-bare serves a bare Echo route (POST /, no middleware) answering
// the bytes of the IVR's choose view: the baseline; with -view, the choose
// view itself; with -verify, the bytes behind the signature check alone
// (token and URL from TWILIO_AUTH_TOKEN and GATEHOUSE_PUBLIC_URL). gen loads a server with the signed gather
// callback of app's BenchmarkChain (27 parameters, the caller pressed 1)
// over keep-alive HTTP/1.1 connections, each with one request in flight,
// checks that every answer is a 200 with the choose view's TwiML, and
// prints one machine-readable line:
//
//	LOAD name=gatehouse pair=1 conns=64 seconds=20.001 requests=612345 errors=0 rps=30615.8 p50_us=1850.0 p99_us=6020.0 p999_us=9100.0 max_us=21000.0 gen_cpu_s=9.10 server_cpu_s=28.40 vmhwm_kb=23456
//
// (latencies from a logarithmic histogram, within 1% of the exact value;
// pair=N with -pair; CPU seconds during the measured window and the
// server's peak RSS from Linux's /proc when -pid is given, and the run
// fails if /proc cannot tell them). It reads the auth token to sign with
// from TWILIO_AUTH_TOKEN and never prints it. report reads `go test
// -bench` output and LOAD lines and prints docs/BENCHMARKS.md's table of
// ratios, each benchmark summarised by the median of its runs and the
// loopback figures by the median of the pairs; every figure of the parts
// it is told to expect that is not in its input shows as missing, and
// fails it once the table is printed. free-port prints a loopback TCP
// port that was free a moment ago.
//
// bench/run builds and drives it; see docs/BENCHMARKS.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// errUsage marks an error in the command line.
var errUsage = errors.New("usage")

// errFlags is returned for flags the flag package could not parse; it has
// already said why.
var errFlags = errors.New("load: bad flags")

// parseFlags parses args into fs.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errFlags
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("load %s: %w: unexpected argument %q", fs.Name(), errUsage, fs.Arg(0))
	}
	return nil
}

// usage is printed for a missing or unknown mode.
const usage = `usage: load serve-bare [-listen ADDR] [-view | -verify]
       load gen -url http://HOST:PORT/ [-public-url URL] [-conns N] [-duration D] [-warmup D] [-pid PID] [-name NAME] [-pair N]
       load report [-parts P,...] [-pairs N] FILE...
       load free-port
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run runs one mode and returns the exit status: 0 success, 1 failure, 2
// usage error.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch mode, rest := args[0], args[1:]; mode {
	case "serve-bare":
		err = serveBareCmd(rest, stderr)
	case "gen":
		err = genCmd(rest, stdout, stderr, getenv)
	case "report":
		err = reportCmd(rest, stdout, stderr)
	case "free-port":
		err = freePortCmd(stdout)
	default:
		fmt.Fprintf(stderr, "load: unknown mode %q\n%s", mode, usage)
		return 2
	}
	switch {
	case errors.Is(err, errFlags):
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, err)
		return 2
	case err != nil:
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
