package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ioGrace is how long a request may take past the end of a pass before the
// generator gives up on it.
const ioGrace = 10 * time.Second

// genOptions are gen's flags.
type genOptions struct {
	target, publicURL, name, pid string
	conns, pair                  int
	duration, warmup, wait       time.Duration
}

// genCmd runs the load generator: conns keep-alive connections, each
// sending the signed gather callback and waiting for its answer, for
// warmup (not recorded) and then for duration; then it prints one LOAD
// line. Every response must be a 200 with the choose view's body; any
// other answer is an error, and any error fails the run once the line is
// printed.
func genCmd(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var o genOptions
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.target, "url", "", "the server to load, http://HOST:PORT/ (required)")
	fs.StringVar(&o.publicURL, "public-url", "", "the server's public URL, which signatures are computed for (default: -url)")
	fs.StringVar(&o.name, "name", "server", "the name of the LOAD line")
	fs.StringVar(&o.pid, "pid", "", "the server's process ID: its CPU time and peak RSS are reported, or the run fails (Linux /proc)")
	fs.IntVar(&o.conns, "conns", 64, "connections, each with one request in flight")
	fs.IntVar(&o.pair, "pair", 0, "the number of the run's pair of servers, printed as pair=N (0: none)")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long to measure")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "how long to load the server before measuring")
	fs.DurationVar(&o.wait, "wait", 10*time.Second, "how long to wait for the server to answer at all")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case o.target == "":
		return fmt.Errorf("load gen: %w: -url is required", errUsage)
	case o.conns < 1 || o.duration <= 0 || o.warmup < 0 || o.pair < 0:
		return fmt.Errorf("load gen: %w: -conns and -duration must be positive, -warmup and -pair not negative", errUsage)
	case o.name == "" || strings.ContainsAny(o.name, " \t\n="):
		return fmt.Errorf("load gen: %w: -name %q: want a word without '='", errUsage, o.name)
	}
	if o.publicURL == "" {
		o.publicURL = o.target
	}
	token := getenv("TWILIO_AUTH_TOKEN")
	if token == "" {
		return fmt.Errorf("load gen: %w: TWILIO_AUTH_TOKEN is not set", errUsage)
	}
	req, err := wireRequest(o.target, o.publicURL, token)
	if err != nil {
		return err
	}
	want, err := expectedBody()
	if err != nil {
		return err
	}
	u, _ := url.Parse(o.target) // parsed by wireRequest
	if err := probe(u.Host, req, want, o.wait); err != nil {
		return fmt.Errorf("load gen: %s: %w", o.name, err)
	}

	conns := make([]*conn, o.conns)
	for i := range conns {
		conns[i] = &conn{addr: u.Host}
	}
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	if o.warmup > 0 {
		if p := runPass(conns, req, want, time.Now().Add(o.warmup)); p.errs > 0 {
			return fmt.Errorf("load gen: %s: %d errors while warming up; the first: %w", o.name, p.errs, p.firstErr)
		}
	}

	// With -pid, the CPU times and the peak RSS are figures the report
	// needs: if /proc cannot tell them, the run fails rather than print a
	// line without them.
	var procErr error
	cpu := func(pid string) time.Duration {
		d, err := cpuTime(pid)
		procErr = cmp.Or(procErr, err)
		return d
	}
	var serverCPU0, selfCPU0 time.Duration
	if o.pid != "" {
		if serverCPU0, selfCPU0 = cpu(o.pid), cpu("self"); procErr != nil {
			return fmt.Errorf("load gen: %s: -pid %s: %w", o.name, o.pid, procErr)
		}
	}
	start := time.Now()
	p := runPass(conns, req, want, start.Add(o.duration))
	elapsed := p.end.Sub(start)

	line := fmt.Sprintf("LOAD name=%s", o.name)
	if o.pair > 0 {
		line += fmt.Sprintf(" pair=%d", o.pair)
	}
	line += fmt.Sprintf(" conns=%d seconds=%.3f requests=%d errors=%d rps=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f",
		o.conns, elapsed.Seconds(), p.h.n, p.errs, float64(p.h.n)/elapsed.Seconds(),
		micros(p.h.quantile(0.50)), micros(p.h.quantile(0.99)), micros(p.h.quantile(0.999)), micros(time.Duration(p.h.max)))
	if o.pid != "" {
		serverCPU1, selfCPU1 := cpu(o.pid), cpu("self")
		// Read last: the peak of the whole run, right before the server
		// is stopped.
		kB, err := peakRSS(o.pid)
		if procErr = cmp.Or(procErr, err); procErr != nil {
			return fmt.Errorf("load gen: %s: -pid %s: %w", o.name, o.pid, procErr)
		}
		line += fmt.Sprintf(" gen_cpu_s=%.2f server_cpu_s=%.2f vmhwm_kb=%d",
			(selfCPU1 - selfCPU0).Seconds(), (serverCPU1 - serverCPU0).Seconds(), kB)
	}
	fmt.Fprintln(stdout, line)
	if p.errs > 0 {
		return fmt.Errorf("load gen: %s: %d of %d requests failed; the first: %w", o.name, p.errs, p.h.n+p.errs, p.firstErr)
	}
	return nil
}

// micros returns d in microseconds.
func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// probe sends one request, retrying while the server does not answer yet
// (for at most wait), and fails at once on a wrong answer.
func probe(addr string, req, want []byte, wait time.Duration) error {
	c := &conn{addr: addr}
	defer c.close()
	give := time.Now().Add(wait)
	for {
		err := c.do(req, want, time.Now().Add(ioGrace))
		if err == nil || errors.Is(err, errResponse) || time.Now().After(give) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pass is what one pass over every connection measured.
type pass struct {
	h        histogram // latencies of the successful requests
	errs     uint64
	firstErr error
	end      time.Time // when the last request ended
}

// runPass keeps every connection busy until until: each sends a request,
// waits for its response, records the latency, and sends the next, and
// stops after the first response that ends at or after until.
func runPass(conns []*conn, req, want []byte, until time.Time) *pass {
	results := make([]pass, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			r := &results[i]
			ioDeadline := until.Add(ioGrace)
			for {
				t0 := time.Now()
				err := c.do(req, want, ioDeadline)
				t1 := time.Now()
				if err != nil {
					if r.errs == 0 {
						r.firstErr = err
					}
					r.errs++
				} else {
					r.h.record(t1.Sub(t0))
				}
				// A server that cannot be reached any more ends the
				// connection's part at once.
				if !t1.Before(until) || errors.Is(err, errDial) {
					r.end = t1
					return
				}
			}
		})
	}
	wg.Wait()
	total := &pass{}
	for i := range results {
		r := &results[i]
		total.h.merge(&r.h)
		if r.errs > 0 && total.errs == 0 {
			total.firstErr = r.firstErr
		}
		total.errs += r.errs
		if r.end.After(total.end) {
			total.end = r.end
		}
	}
	return total
}
