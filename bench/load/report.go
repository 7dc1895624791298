package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// row is one line of the report's table.
type row struct {
	measure, result, baseline, ratio, target, met string
}

// section starts a group of rows: a row with its title in bold.
func section(title string) row { return row{measure: "**" + title + "**"} }

// report is the table of ratios and the notes under it.
type report struct {
	rows     []row
	notes    []string
	met, all int // targets met, targets checked
}

// check records a target checked by a row and returns the row's verdict.
func (r *report) check(ok bool) string {
	r.all++
	if ok {
		r.met++
		return "yes"
	}
	return "**no**"
}

// reportCmd prints the table of ratios from files holding `go test -bench`
// output and gen's LOAD lines (in any order, concatenated).
func reportCmd(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("load report: %w: want at least one file of results", errUsage)
	}
	var all bytes.Buffer
	for _, name := range args {
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("load report: %w", err)
		}
		all.Write(b)
		all.WriteByte('\n')
	}
	stats, err := parseBench(bytes.NewReader(all.Bytes()))
	if err != nil {
		return err
	}
	loads, err := parseLoad(bytes.NewReader(all.Bytes()))
	if err != nil {
		return err
	}
	rep := buildReport(stats, loads)
	_, err = io.WriteString(stdout, rep.markdown(runsLabel(stats)))
	return err
}

// runsLabel says how many runs each median summarises.
func runsLabel(stats map[string]benchStat) string {
	var counts []int
	for _, s := range stats {
		counts = append(counts, s.runs)
	}
	slices.Sort(counts)
	counts = slices.Compact(counts)
	switch len(counts) {
	case 0:
		return "result"
	case 1:
		return fmt.Sprintf("result (median of %d)", counts[0])
	}
	return fmt.Sprintf("result (median of %d–%d)", counts[0], counts[len(counts)-1])
}

// buildReport computes the rows of every section whose results are
// present.
func buildReport(stats map[string]benchStat, loads map[string]loadResult) *report {
	r := &report{}
	r.verification(stats)
	r.scaling(stats)
	r.authorization(stats)
	r.chain(stats)
	r.loopback(loads, "", "")
	r.loopback(loads, "-pinned", " (pinned: server on CPU 0, generator on CPU 1)")
	return r
}

// verification: the 25-parameter voice webhook against the HMAC floor and
// twilio-go.
func (r *report) verification(s map[string]benchStat) {
	floor, okF := s["authn/HMACFloor"]
	verify, okV := s["authn/Verify"]
	tf, okTF := s["twiliogo/HMACFloor"]
	gv, okGV := s["twiliogo/GatehouseVerify"]
	if !(okF && okV) && !(okTF && okGV) {
		return
	}
	r.rows = append(r.rows, section("Verification, 25-parameter voice webhook"))
	if okF && okV {
		x := verify.ns / floor.ns
		r.rows = append(r.rows,
			row{"`authn` HMAC-SHA1 alone (the floor)", statText(floor), "", "", "", ""},
			row{"`authn` Verify ÷ floor", statText(verify), "floor " + nsText(floor.ns), times(x), "≤ 1.5×", r.check(x <= 1.5)},
			row{"`authn` Verify allocations", allocsText(verify.allocs), "", "", "≤ 2 allocs/op", r.check(verify.mem && verify.allocs <= 2)},
		)
	}
	if !(okTF && okGV) {
		return
	}
	r.rows = append(r.rows,
		row{"`bench/twiliogo` Gatehouse Verify ÷ floor", statText(gv), "floor " + nsText(tf.ns), times(gv.ns / tf.ns), "", ""})
	if tv, ok := s["twiliogo/TwilioGoValidate"]; ok {
		x := tv.ns / gv.ns
		r.rows = append(r.rows, row{"twilio-go `Validate` (parameters pre-parsed) ÷ Gatehouse", statText(tv), "Gatehouse " + nsText(gv.ns), times(x), "≥ 20×", r.check(x >= 20)})
	}
	if tb, ok := s["twiliogo/TwilioGoValidateBody"]; ok {
		r.rows = append(r.rows, row{"twilio-go `ValidateBody` (raw body) ÷ Gatehouse", statText(tb), "Gatehouse " + nsText(gv.ns), times(tb.ns / gv.ns), "", ""})
	}
}

// scalingSizes are the parameter counts of BenchmarkVerifyScaling.
var scalingSizes = []int{1, 10, 100, 1000}

// scaling: verification of 1 to 1,000 parameters, each against its floor,
// and the growth from 100 to 1,000.
func (r *report) scaling(s map[string]benchStat) {
	perParam := map[int]float64{}
	for _, n := range scalingSizes {
		v, okV := s[fmt.Sprintf("authn/VerifyScaling/params=%d/verify", n)]
		f, okF := s[fmt.Sprintf("authn/VerifyScaling/params=%d/floor", n)]
		if !okV || !okF {
			continue
		}
		if len(perParam) == 0 {
			r.rows = append(r.rows, section("Verification cost by body size"))
		}
		perParam[n] = v.ns / float64(n)
		r.rows = append(r.rows, row{
			fmt.Sprintf("Verify, %s ÷ floor", plural(n, "parameter")),
			fmt.Sprintf("%s (%s per parameter)", nsText(v.ns), nsText(perParam[n])),
			"floor " + nsText(f.ns), times(v.ns / f.ns), "", ""})
	}
	if a, ok := perParam[100]; ok {
		if b, ok := perParam[1000]; ok {
			x := b / a
			r.rows = append(r.rows, row{"Verify growth: per parameter at 1,000 ÷ at 100", nsText(b) + " per parameter", nsText(a) + " per parameter", times(x), "≤ 1.2× (linear)", r.check(x <= 1.2)})
		}
	}
}

// decisionRows and decisionDepths are BenchmarkDecision's grid.
var (
	decisionRows   = []int{10, 1000, 10000}
	decisionDepths = []int{1, 4}
)

// authorization: cached against uncached decisions and raw Casbin, at
// each size and depth, and how the cached decision's cost follows the
// rows.
func (r *report) authorization(s map[string]benchStat) {
	key := func(rows, depth int, kind string) string {
		return fmt.Sprintf("authz/Decision/rows=%d/depth=%d/%s", rows, depth, kind)
	}
	started := false
	for _, rows := range decisionRows {
		for _, depth := range decisionDepths {
			c, okC := s[key(rows, depth, "cached")]
			u, okU := s[key(rows, depth, "uncached")]
			if !okC || !okU {
				continue
			}
			if !started {
				r.rows = append(r.rows, section("Authorization decision"))
				started = true
			}
			where := fmt.Sprintf("%s rows, depth %d", commas(int64(rows)), depth)
			base := "uncached " + nsText(u.ns) + ", " + allocsText(u.allocs)
			r.rows = append(r.rows, row{"cached, " + where + " (uncached ÷ cached)", statText(c), base, times(u.ns / c.ns),
				"≤ 250 ns, ≤ 1 alloc", r.check(c.ns <= 250 && c.mem && c.allocs <= 1)})
			if cb, ok := s[key(rows, depth, "casbin")]; ok {
				r.rows = append(r.rows, row{"raw Casbin `Enforce`, " + where + " (÷ uncached)", statText(cb), base, times(cb.ns / u.ns), "", ""})
			}
		}
	}
	for _, depth := range decisionDepths {
		small, okS := s[key(10, depth, "cached")]
		large, okL := s[key(10000, depth, "cached")]
		if okS && okL {
			x := large.ns / small.ns
			r.rows = append(r.rows, row{fmt.Sprintf("cached, 10,000 rows ÷ 10 rows, depth %d", depth), nsText(large.ns), nsText(small.ns), times(x), "≤ 1.5× (flat)", r.check(x <= 1.5)})
		}
		small, okS = s[key(10, depth, "uncached")]
		large, okL = s[key(10000, depth, "uncached")]
		if okS && okL {
			r.rows = append(r.rows, row{fmt.Sprintf("uncached, 10,000 rows ÷ 10 rows, depth %d", depth), nsText(large.ns), nsText(small.ns), times(large.ns / small.ns), "", ""})
		}
	}
}

// chain: the signed gather callback served in-process, with and without
// Gatehouse.
func (r *report) chain(s map[string]benchStat) {
	un, ok := s["app/Chain/unsecured"]
	if !ok {
		return
	}
	base := "unsecured " + statText(un)
	started := false
	for _, v := range []struct{ name, label, target string }{
		{"secured", "secured (request log at info) − unsecured", "≤ +3 µs"},
		{"secured-nolog", "secured, no request log − unsecured", ""},
	} {
		sec, ok := s["app/Chain/"+v.name]
		if !ok {
			continue
		}
		if !started {
			r.rows = append(r.rows, section("Full chain in-process (signed form POST to the IVR)"))
			started = true
		}
		d := sec.ns - un.ns
		met := ""
		if v.target != "" {
			met = r.check(d <= 3000)
		}
		r.rows = append(r.rows, row{v.label, statText(sec), base, signed(d) + " (" + times(sec.ns/un.ns) + ")", v.target, met})
	}
}

// loopback: Gatehouse against the bare view over loopback HTTP, for the
// LOAD lines named gatehouse+suffix and bare+suffix.
func (r *report) loopback(l map[string]loadResult, suffix, label string) {
	gh, okG := l["gatehouse"+suffix]
	bare, okB := l["bare"+suffix]
	if !okG && !okB {
		return
	}
	conns := gh["conns"]
	if !okG {
		conns = bare["conns"]
	}
	r.rows = append(r.rows, section(fmt.Sprintf("Loopback HTTP, %.0f connections%s", conns, label)))
	if okB {
		r.rows = append(r.rows, row{"bare Echo route, the same view", loadText(bare), "", "", "", ""})
	}
	if !okG {
		return
	}
	if okB {
		x := gh["rps"] / bare["rps"]
		r.rows = append(r.rows, row{"Gatehouse ÷ bare, throughput", loadText(gh), "bare " + commas(int64(math.Round(bare["rps"]))) + " req/s",
			fmt.Sprintf("%.0f%%", 100*x), "≥ 85%", r.check(x >= 0.85)})
	} else {
		r.rows = append(r.rows, row{"Gatehouse", loadText(gh), "", "", "", ""})
	}
	if kB, ok := gh["vmhwm_kb"]; ok {
		base, ratio := "", ""
		if bk, ok := bare["vmhwm_kb"]; ok && okB {
			base, ratio = "bare "+mbText(bk), times(kB/bk)
		}
		r.rows = append(r.rows, row{"Gatehouse peak RSS (VmHWM)", mbText(kB), base, ratio, "≤ 40 MB", r.check(kB*1024 <= 40e6)})
	}
	gc, okGC := cpuPerRequest(gh)
	bc, okBC := cpuPerRequest(bare)
	if okGC && okBC && okB {
		r.rows = append(r.rows, row{"server CPU per request, Gatehouse − bare", nsText(gc), "bare " + nsText(bc), signed(gc-bc) + " (" + times(gc/bc) + ")", "", ""})
	}
	var parts []string
	for _, v := range []struct {
		name string
		res  loadResult
		ok   bool
	}{{"Gatehouse", gh, okG}, {"bare", bare, okB}} {
		g, okg := v.res["gen_cpu_s"]
		srv, oks := v.res["server_cpu_s"]
		if v.ok && okg && oks && v.res["seconds"] > 0 {
			parts = append(parts, fmt.Sprintf("against %s, the generator used %.2f CPUs and the server %.2f",
				v.name, g/v.res["seconds"], srv/v.res["seconds"]))
		}
	}
	if len(parts) > 0 {
		r.notes = append(r.notes, fmt.Sprintf("CPU while measuring loopback%s: %s.", label, strings.Join(parts, "; ")))
	}
}

// cpuPerRequest is the server's CPU time per request of a LOAD line, in
// nanoseconds.
func cpuPerRequest(l loadResult) (float64, bool) {
	c, ok := l["server_cpu_s"]
	if !ok || l["requests"] == 0 {
		return 0, false
	}
	return c * 1e9 / l["requests"], true
}

// markdown renders the table (its result column headed resultHead), the
// count of targets met, and the notes.
func (r *report) markdown(resultHead string) string {
	var b strings.Builder
	b.WriteString("| measurement | " + resultHead + " | baseline (same run) | ratio | target | met |\n")
	b.WriteString("|---|---|---|---:|---|---|\n")
	for _, w := range r.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", w.measure, w.result, w.baseline, w.ratio, w.target, w.met)
	}
	fmt.Fprintf(&b, "\nTargets met: %d of %d.\n", r.met, r.all)
	for _, n := range r.notes {
		b.WriteString("\n" + n + "\n")
	}
	return b.String()
}

// statText is a benchmark's time, bytes and allocations per operation.
func statText(s benchStat) string {
	if !s.mem {
		return nsText(s.ns)
	}
	return nsText(s.ns) + ", " + commas(int64(math.Round(s.bytes))) + " B, " + allocsText(s.allocs)
}

// allocsText is an allocation count per operation.
func allocsText(a float64) string {
	if a == 1 {
		return "1 alloc"
	}
	return commas(int64(math.Round(a))) + " allocs"
}

// loadText is a LOAD line's throughput, latencies and errors.
func loadText(l loadResult) string {
	return fmt.Sprintf("%s req/s, p50 %s, p99 %s, %s errors",
		commas(int64(math.Round(l["rps"]))), nsText(l["p50_us"]*1e3), nsText(l["p99_us"]*1e3), commas(int64(l["errors"])))
}

// nsText writes a duration given in nanoseconds with three significant
// digits, in ns, µs, ms or s.
func nsText(ns float64) string {
	units := []struct {
		scale float64
		name  string
	}{{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}}
	for _, u := range units {
		if math.Abs(ns) >= u.scale {
			return sig3(ns/u.scale) + " " + u.name
		}
	}
	return sig3(ns) + " ns"
}

// sig3 writes v with three significant digits (all the digits of its
// integer part when it has more), with thousands separators.
func sig3(v float64) string {
	a := math.Abs(v)
	decimals := 0
	switch {
	case a == 0:
	case a < 10:
		decimals = 2
	case a < 100:
		decimals = 1
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if decimals > 0 || a < 1000 {
		return s
	}
	return commas(int64(math.Round(v)))
}

// signed writes a difference in nanoseconds with its sign.
func signed(ns float64) string {
	if ns < 0 {
		return "−" + nsText(-ns)
	}
	return "+" + nsText(ns)
}

// times writes a ratio as "1.23×".
func times(x float64) string { return sig3(x) + "×" }

// mbText writes a size given in kB (KiB, as /proc reports) in megabytes.
func mbText(kB float64) string { return strconv.FormatFloat(kB*1024/1e6, 'f', 1, 64) + " MB" }

// plural writes n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return commas(int64(n)) + " " + noun + "s"
}

// commas writes n with thousands separators.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
