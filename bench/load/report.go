package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// errMissing is returned when figures the report expects are not in its
// input: a benchmark that did not run, a LOAD line or field not printed.
var errMissing = errors.New("figures missing")

// missingText stands for a figure that was expected and not found.
const missingText = "**missing**"

// allParts are the parts of the suite, in the report's order: bench/run's
// ONLY names, and pinned for the loopback pair of PIN=1.
var allParts = []string{"verify", "scaling", "authz", "chain", "loopback", "pinned"}

// defaultParts are the parts bench/run runs by default.
const defaultParts = "verify,scaling,authz,chain,loopback"

// loadFields are the fields every LOAD line of the suite must have: gen
// prints them all when given -pid, as bench/run does.
var loadFields = []string{"conns", "seconds", "requests", "errors", "rps", "p50_us", "p99_us", "gen_cpu_s", "server_cpu_s", "vmhwm_kb"}

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
	met, all int      // targets met, targets checked
	unjudged int      // targets not checked: measured under other conditions than the issue's
	missing  []string // the figures expected and not found, in table order
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

// notApplicable is the verdict of a loopback target measured under other
// conditions than issue 6 sets (see issueConditions).
const notApplicable = "n/a: issue 6 asks for 64 connections, ≥ 20 s"

// issueConditions reports whether every LOAD line of the named servers
// ran 64 connections for at least 20 s, the conditions of issue 6's
// loopback targets.
func issueConditions(lines []loadLine, names ...string) bool {
	for _, l := range lines {
		if slices.Contains(names, l.name) && (l.fields["conns"] != 64 || l.fields["seconds"] < 20) {
			return false
		}
	}
	return true
}

// target is a bound that a figure must meet: at most limit, or at least
// it. One target decides both how the table shows a figure (show) and
// the verdict (holds), so that the two cannot disagree.
type target struct {
	label   string               // the table's target column, "≤ 1.5×"
	limit   float64              // in the figure's own unit
	atLeast bool                 // x ≥ limit, else x ≤ limit
	text    func(float64) string // how the table writes a figure
	unit    string               // the unit of an exact figure (see show)
}

// holds reports whether x meets t.
func (t target) holds(x float64) bool {
	if t.atLeast {
		return x >= t.limit
	}
	return x <= t.limit
}

// show returns x as the table shows it, followed by x written with as
// many digits as it takes to tell it from the limit when x misses t but
// reads as the limit's own figure: 250.4 ns shows as "250 ns", which
// would seem to meet "≤ 250 ns".
func (t target) show(x float64) string {
	text := t.text(x)
	if t.holds(x) || text != t.text(t.limit) {
		return text
	}
	exact := strconv.FormatFloat(x, 'g', -1, 64)
	for prec := 4; prec < 17; prec++ {
		if e := strconv.FormatFloat(x, 'g', prec, 64); e != strconv.FormatFloat(t.limit, 'g', prec, 64) {
			exact = e
			break
		}
	}
	return text + " (exactly " + exact + t.unit + ")"
}

// The targets of issue 6, each in the unit of the figure it bounds.
var (
	verifyTarget = target{label: "≤ 1.5×", limit: 1.5, text: times, unit: "×"}
	twilioTarget = target{label: "≥ 20×", limit: 20, atLeast: true, text: times, unit: "×"}
	linearTarget = target{label: "≤ 1.2× (linear)", limit: 1.2, text: times, unit: "×"}
	flatTarget   = target{label: "≤ 1.5× (flat)", limit: 1.5, text: times, unit: "×"}
	chainTarget  = target{label: "≤ +3 µs", limit: 3000, text: signed, unit: " ns"}
	loopTarget   = target{label: "≥ 85%", limit: 85, atLeast: true, text: func(p float64) string { return percent(p / 100) }, unit: "%"}
	rssTarget    = target{label: "≤ 40 MB", limit: 40, text: func(mb float64) string { return mbText(mb * 1e6 / 1024) }, unit: " MB"}
)

// miss records a figure that was expected and not found.
func (r *report) miss(name string) {
	if !slices.Contains(r.missing, name) {
		r.missing = append(r.missing, name)
	}
}

// missingRow adds a row whose figures are missing; its target, if it
// has one, counts as checked and not met.
func (r *report) missingRow(measure, target string) {
	met := ""
	if target != "" {
		r.all++
		met = missingText
	}
	r.rows = append(r.rows, row{measure, missingText, "", "", target, met})
}

// stat returns the benchmark named name ("authn/Verify"), and records it
// as missing if it is not in s.
func (r *report) stat(s map[string]benchStat, name string) (benchStat, bool) {
	st, ok := s[name]
	if !ok {
		r.miss("benchmark " + name)
	}
	return st, ok
}

// reportCmd prints the table of ratios from files holding `go test -bench`
// output and gen's LOAD lines (in any order, concatenated). -parts names
// the parts whose figures it expects and -pairs the loopback pairs; a
// figure missing from the files is shown as missing and fails the command
// once the table is printed. A missed target does not.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	partsFlag := fs.String("parts", defaultParts, "the parts whose figures to expect, a comma list of "+strings.Join(allParts, ", "))
	pairs := fs.Int("pairs", 1, "the loopback pairs to expect (the pinned part always has one)")
	if err := fs.Parse(args); err != nil {
		return errFlags
	}
	files := fs.Args()
	if len(files) == 0 {
		return fmt.Errorf("load report: %w: want at least one file of results", errUsage)
	}
	if *pairs < 1 {
		return fmt.Errorf("load report: %w: -pairs %d: want at least 1", errUsage, *pairs)
	}
	parts := strings.Split(*partsFlag, ",")
	for _, p := range parts {
		if !slices.Contains(allParts, p) {
			return fmt.Errorf("load report: %w: -parts: unknown part %q, want some of %s", errUsage, p, strings.Join(allParts, ","))
		}
	}
	var all bytes.Buffer
	for _, name := range files {
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
	rep := buildReport(stats, loads, parts, *pairs)
	if _, err := io.WriteString(stdout, rep.markdown(runsLabel(stats))); err != nil {
		return err
	}
	if len(rep.missing) > 0 {
		return fmt.Errorf("load report: %w: %d: %s", errMissing, len(rep.missing), strings.Join(rep.missing, "; "))
	}
	return nil
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

// buildReport computes the rows of each of parts, expecting every figure
// of those parts and pairs loopback pairs.
func buildReport(stats map[string]benchStat, loads []loadLine, parts []string, pairs int) *report {
	r := &report{}
	for _, p := range allParts {
		if !slices.Contains(parts, p) {
			continue
		}
		switch p {
		case "verify":
			r.verification(stats)
		case "scaling":
			r.scaling(stats)
		case "authz":
			r.authorization(stats)
		case "chain":
			r.chain(stats)
		case "loopback":
			r.loopback(loads, "", "", pairs, true)
		case "pinned":
			r.loopback(loads, "-pinned", " (pinned: server on CPU 0, generator on CPU 1)", 1, false)
		}
	}
	return r
}

// verification: the 25-parameter voice webhook against the HMAC floor and
// twilio-go.
func (r *report) verification(s map[string]benchStat) {
	r.rows = append(r.rows, section("Verification, 25-parameter voice webhook"))
	floor, okF := r.stat(s, "authn/HMACFloor")
	verify, okV := r.stat(s, "authn/Verify")
	if okF {
		r.rows = append(r.rows, row{"`authn` HMAC-SHA1 alone (the floor)", statText(floor), "", "", "", ""})
	} else {
		r.missingRow("`authn` HMAC-SHA1 alone (the floor)", "")
	}
	if okF && okV {
		x := verify.ns / floor.ns
		r.rows = append(r.rows, row{"`authn` Verify ÷ floor", statText(verify), "floor " + nsText(floor.ns), verifyTarget.show(x), verifyTarget.label, r.check(verifyTarget.holds(x))})
	} else {
		r.missingRow("`authn` Verify ÷ floor", verifyTarget.label)
	}
	if okV {
		r.rows = append(r.rows, row{"`authn` Verify allocations", allocsText(verify.allocs), "", "", "≤ 2 allocs/op", r.check(verify.mem && verify.allocs <= 2)})
	} else {
		r.missingRow("`authn` Verify allocations", "≤ 2 allocs/op")
	}

	tf, okTF := r.stat(s, "twiliogo/HMACFloor")
	gv, okGV := r.stat(s, "twiliogo/GatehouseVerify")
	tv, okTV := r.stat(s, "twiliogo/TwilioGoValidate")
	tb, okTB := r.stat(s, "twiliogo/TwilioGoValidateBody")
	if okTF && okGV {
		r.rows = append(r.rows, row{"`bench/twiliogo` Gatehouse Verify ÷ floor", statText(gv), "floor " + nsText(tf.ns), times(gv.ns / tf.ns), "", ""})
	} else {
		r.missingRow("`bench/twiliogo` Gatehouse Verify ÷ floor", "")
	}
	const validate = "twilio-go `Validate` (parameters pre-parsed) ÷ Gatehouse"
	if okTV && okGV {
		x := tv.ns / gv.ns
		r.rows = append(r.rows, row{validate, statText(tv), "Gatehouse " + nsText(gv.ns), twilioTarget.show(x), twilioTarget.label, r.check(twilioTarget.holds(x))})
	} else {
		r.missingRow(validate, twilioTarget.label)
	}
	const validateBody = "twilio-go `ValidateBody` (raw body) ÷ Gatehouse"
	if okTB && okGV {
		r.rows = append(r.rows, row{validateBody, statText(tb), "Gatehouse " + nsText(gv.ns), times(tb.ns / gv.ns), "", ""})
	} else {
		r.missingRow(validateBody, "")
	}
}

// scalingSizes are the parameter counts of BenchmarkVerifyScaling.
var scalingSizes = []int{1, 10, 100, 1000}

// scaling: verification of 1 to 1,000 parameters, each against its floor,
// and the growth from 100 to 1,000.
func (r *report) scaling(s map[string]benchStat) {
	r.rows = append(r.rows, section("Verification cost by body size"))
	perParam := map[int]float64{}
	for _, n := range scalingSizes {
		v, okV := r.stat(s, fmt.Sprintf("authn/VerifyScaling/params=%d/verify", n))
		f, okF := r.stat(s, fmt.Sprintf("authn/VerifyScaling/params=%d/floor", n))
		label := fmt.Sprintf("Verify, %s ÷ floor", plural(n, "parameter"))
		if okV {
			perParam[n] = v.ns / float64(n)
		}
		if !okV || !okF {
			r.missingRow(label, "")
			continue
		}
		r.rows = append(r.rows, row{label,
			fmt.Sprintf("%s (%s per parameter)", nsText(v.ns), nsText(perParam[n])),
			"floor " + nsText(f.ns), times(v.ns / f.ns), "", ""})
	}
	const growth = "Verify growth: per parameter at 1,000 ÷ at 100"
	a, okA := perParam[100]
	b, okB := perParam[1000]
	if !okA || !okB {
		r.missingRow(growth, linearTarget.label)
		return
	}
	x := b / a
	r.rows = append(r.rows, row{growth, nsText(b) + " per parameter", nsText(a) + " per parameter", linearTarget.show(x), linearTarget.label, r.check(linearTarget.holds(x))})
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
	r.rows = append(r.rows, section("Authorization decision"))
	key := func(rows, depth int, kind string) string {
		return fmt.Sprintf("authz/Decision/rows=%d/depth=%d/%s", rows, depth, kind)
	}
	const cachedTarget = "≤ 250 ns, ≤ 1 alloc"
	for _, rows := range decisionRows {
		for _, depth := range decisionDepths {
			c, okC := r.stat(s, key(rows, depth, "cached"))
			u, okU := r.stat(s, key(rows, depth, "uncached"))
			cb, okCB := r.stat(s, key(rows, depth, "casbin"))
			where := fmt.Sprintf("%s rows, depth %d", commas(int64(rows)), depth)
			cached := "cached, " + where + " (uncached ÷ cached)"
			casbin := "raw Casbin `Enforce`, " + where + " (÷ uncached)"
			if !okU {
				r.missingRow(cached, cachedTarget)
				r.missingRow(casbin, "")
				continue
			}
			base := "uncached " + nsText(u.ns) + ", " + allocsText(u.allocs)
			if okC {
				// The time is shown against its bound; the allocations
				// are in the same text, and only the verdict checks them.
				t := target{label: cachedTarget, limit: 250, unit: " ns", text: func(ns float64) string {
					c := c
					c.ns = ns
					return statText(c)
				}}
				r.rows = append(r.rows, row{cached, t.show(c.ns), base, times(u.ns / c.ns), t.label, r.check(t.holds(c.ns) && c.mem && c.allocs <= 1)})
			} else {
				r.missingRow(cached, cachedTarget)
			}
			if okCB {
				r.rows = append(r.rows, row{casbin, statText(cb), base, times(cb.ns / u.ns), "", ""})
			} else {
				r.missingRow(casbin, "")
			}
		}
	}
	for _, depth := range decisionDepths {
		label := fmt.Sprintf("cached, 10,000 rows ÷ 10 rows, depth %d", depth)
		small, okS := r.stat(s, key(10, depth, "cached"))
		large, okL := r.stat(s, key(10000, depth, "cached"))
		if okS && okL {
			x := large.ns / small.ns
			r.rows = append(r.rows, row{label, nsText(large.ns), nsText(small.ns), flatTarget.show(x), flatTarget.label, r.check(flatTarget.holds(x))})
		} else {
			r.missingRow(label, flatTarget.label)
		}
		label = fmt.Sprintf("uncached, 10,000 rows ÷ 10 rows, depth %d", depth)
		small, okS = r.stat(s, key(10, depth, "uncached"))
		large, okL = r.stat(s, key(10000, depth, "uncached"))
		if okS && okL {
			r.rows = append(r.rows, row{label, nsText(large.ns), nsText(small.ns), times(large.ns / small.ns), "", ""})
		} else {
			r.missingRow(label, "")
		}
	}
}

// chain: the signed gather callback served in-process, with and without
// Gatehouse.
func (r *report) chain(s map[string]benchStat) {
	r.rows = append(r.rows, section("Full chain in-process (signed form POST to the IVR)"))
	un, okU := r.stat(s, "app/Chain/unsecured")
	for _, v := range []struct{ name, label, target string }{
		{"secured", "secured (request log at info) − unsecured", chainTarget.label},
		{"secured-nolog", "secured, no request log − unsecured", ""},
	} {
		sec, ok := r.stat(s, "app/Chain/"+v.name)
		if !ok || !okU {
			r.missingRow(v.label, v.target)
			continue
		}
		d := sec.ns - un.ns
		diff, met := signed(d), ""
		if v.target != "" {
			diff, met = chainTarget.show(d), r.check(chainTarget.holds(d))
		}
		r.rows = append(r.rows, row{v.label, statText(sec), "unsecured " + statText(un), diff + " (" + times(sec.ns/un.ns) + ")", v.target, met})
	}
	// Gatehouse hands the view the verified form, so the view parses
	// nothing: against a route that reads nothing either, the difference
	// is all of Gatehouse's cost.
	const label = "secured (request log at info) − a bare route answering the same bytes, reading nothing"
	sec, okS := r.stat(s, "app/Chain/secured")
	bare, okB := r.stat(s, "app/Chain/bare")
	if !okS || !okB {
		r.missingRow(label, "")
		return
	}
	r.rows = append(r.rows, row{label, statText(sec), "bare " + statText(bare), signed(sec.ns-bare.ns) + " (" + times(sec.ns/bare.ns) + ")", "", ""})
}

// loopbackRuns are the LOAD lines of one server in the loopback pairs,
// by pair number (index 0 unused; nil where a line is missing).
type loopbackRuns []loadResult

// values returns key of every run, and whether every run has it.
func (l loopbackRuns) values(key string) ([]float64, bool) {
	var out []float64
	for _, run := range l[1:] {
		v, ok := run[key]
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// summary is the median of each run's throughput and latencies, and the
// errors of all the runs, as loadText shows them.
func (l loopbackRuns) summary() (loadResult, bool) {
	out := loadResult{}
	for _, k := range []string{"rps", "p50_us", "p99_us", "errors"} {
		vs, ok := l.values(k)
		if !ok {
			return nil, false
		}
		out[k] = median(vs)
		if k == "errors" {
			out[k] = 0
			for _, v := range vs {
				out[k] += v
			}
		}
	}
	return out, true
}

// perRun returns f of every run, and whether every run has the fields f
// needs (f reports that).
func (l loopbackRuns) perRun(f func(loadResult) (float64, bool)) ([]float64, bool) {
	var out []float64
	for _, run := range l[1:] {
		v, ok := f(run)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// loopback: Gatehouse against the bare route over loopback HTTP, from the
// LOAD lines named gatehouse+suffix and bare+suffix, pairs of them; with
// references, also the same view on a bare route (view+suffix) and the
// bare route behind the signature check alone (signed+suffix), run in each
// pair too. A line's pair is its pair field, or else its place among the
// lines of its name.
func (r *report) loopback(lines []loadLine, suffix, label string, pairs int, references bool) {
	gName, bName, vName, sName := "gatehouse"+suffix, "bare"+suffix, "view"+suffix, "signed"+suffix
	gh, bare := make(loopbackRuns, pairs+1), make(loopbackRuns, pairs+1)
	view, signed := make(loopbackRuns, pairs+1), make(loopbackRuns, pairs+1)
	type server struct {
		name, label string
		runs        loopbackRuns
	}
	servers := []server{{gName, "Gatehouse", gh}, {bName, "bare", bare}}
	if references {
		servers = append(servers, server{vName, "the same view", view}, server{sName, "the signature check alone", signed})
	}
	first := make([]string, pairs+1) // which server ran first in each pair
	seen := map[string]int{}
	conns := 0.0
	for _, l := range lines {
		var runs loopbackRuns
		for _, v := range servers {
			if v.name == l.name {
				runs = v.runs
			}
		}
		if runs == nil {
			continue
		}
		seen[l.name]++
		n := seen[l.name]
		if p, ok := l.fields["pair"]; ok {
			n = int(p)
		}
		if n < 1 || n > pairs {
			r.notes = append(r.notes, fmt.Sprintf("A LOAD line named %s for pair %d was ignored: %s expected.", l.name, n, plural(pairs, "pair")))
			continue
		}
		runs[n] = l.fields
		if first[n] == "" {
			first[n] = l.name
		}
		if c, ok := l.fields["conns"]; ok {
			conns = c
		}
	}
	title := "Loopback HTTP"
	if conns > 0 {
		title += fmt.Sprintf(", %.0f connections", conns)
	}
	r.rows = append(r.rows, section(fmt.Sprintf("%s, %s%s", title, plural(pairs, "pair"), label)))
	for n := 1; n <= pairs; n++ {
		for _, v := range servers {
			name, runs := v.name, v.runs
			if runs[n] == nil {
				r.miss(fmt.Sprintf("LOAD %s pair %d", name, n))
				continue
			}
			for _, k := range loadFields {
				if _, ok := runs[n][k]; !ok {
					r.miss(fmt.Sprintf("LOAD %s pair %d: %s", name, n, k))
				}
			}
		}
	}
	runs := fmt.Sprintf(" (median of %s)", plural(pairs, "run"))

	bareSum, okB := r.summaryRow("bare Echo route, the same TwiML bytes"+runs, bare)

	ratios := throughputRatios(gh, bare)
	for n := 1; n <= pairs && pairs > 1; n++ {
		g, okG := gh[n]["rps"]
		b, okB := bare[n]["rps"]
		order, ok := map[string]string{gName: "Gatehouse first", bName: "bare first", vName: "view first", sName: "signature check first"}[first[n]]
		if !ok {
			order = "not run"
		}
		measure := fmt.Sprintf("pair %d (%s): Gatehouse ÷ bare, throughput", n, order)
		if !okG || !okB {
			r.missingRow(measure, "")
			continue
		}
		r.rows = append(r.rows, row{measure, rpsText(g), "bare " + rpsText(b), percent(g / b), "", ""})
	}
	headline := fmt.Sprintf("Gatehouse ÷ bare, throughput (median of %s)", plural(pairs, "pair"))
	ghSum, okG := gh.summary()
	// Issue 6 sets its loopback targets for 64 connections and at least
	// 20 s of load per run: a run under other conditions (QUICK=1, or
	// CONNS=1, which is bound by round trips) gets no verdict.
	verdict := func(ok bool) string {
		if !issueConditions(lines, gName, bName) {
			r.unjudged++
			return notApplicable
		}
		return r.check(ok)
	}
	if okG && okB && len(ratios) == pairs {
		p := 100 * median(ratios)
		r.rows = append(r.rows, row{headline, loadText(ghSum), "bare " + rpsText(bareSum["rps"]),
			loopTarget.show(p), loopTarget.label, verdict(loopTarget.holds(p))})
	} else {
		r.missingRow(headline, loopTarget.label)
	}

	rss := fmt.Sprintf("Gatehouse peak RSS (VmHWM, the highest of %s)", plural(pairs, "run"))
	if kBs, ok := gh.values("vmhwm_kb"); ok {
		kB := slices.Max(kBs)
		mb := kB * 1024 / 1e6
		base, ratio := "", ""
		if bks, ok := bare.values("vmhwm_kb"); ok {
			bk := slices.Max(bks)
			base, ratio = "bare "+mbText(bk), times(kB/bk)
		}
		r.rows = append(r.rows, row{rss, rssTarget.show(mb), base, ratio, rssTarget.label, verdict(rssTarget.holds(mb))})
	} else {
		r.missingRow(rss, rssTarget.label)
	}

	r.cpuRow("server CPU per request, Gatehouse − bare"+runs, gh, bare, "bare")

	if references {
		r.sameView(gh, view, pairs)
		r.signatureAlone(signed, bare, pairs)
	}

	var parts []string
	for _, v := range servers {
		share := func(key string) func(loadResult) (float64, bool) {
			return func(l loadResult) (float64, bool) {
				c, ok := l[key]
				return c / l["seconds"], ok && l["seconds"] > 0
			}
		}
		g, okg := v.runs.perRun(share("gen_cpu_s"))
		srv, oks := v.runs.perRun(share("server_cpu_s"))
		if okg && oks {
			parts = append(parts, fmt.Sprintf("against %s, the generator used %.2f CPUs and the server %.2f", v.label, median(g), median(srv)))
		}
	}
	if len(parts) > 0 {
		r.notes = append(r.notes, fmt.Sprintf("CPU while measuring loopback%s (medians of the runs): %s.", label, strings.Join(parts, "; ")))
	}
}

// sameView adds the rows comparing Gatehouse with the same view (the
// choose view, which parses the form itself) on a bare route: what an app
// without Gatehouse would run, where the bare route above reads nothing.
// The issue sets no target for it.
func (r *report) sameView(gh, view loopbackRuns, pairs int) {
	runs := fmt.Sprintf(" (median of %s)", plural(pairs, "run"))
	r.summaryRow("bare Echo route, the same view (parses the form itself)"+runs, view)
	r.comparison("Gatehouse ÷ the same view on a bare route", "Gatehouse − the same view on a bare route", gh, view, "view", pairs)
}

// signatureAlone adds the rows of the bare route behind the signature
// check alone (authn's Verify, nothing else), against the bare route: how
// much of the loopback target's budget the check Twilio's scheme requires
// takes by itself. The issue sets no target for it.
func (r *report) signatureAlone(signed, bare loopbackRuns, pairs int) {
	runs := fmt.Sprintf(" (median of %s)", plural(pairs, "run"))
	r.summaryRow("bare Echo route behind the signature check alone, the same bytes"+runs, signed)
	r.comparison("the signature check alone ÷ bare", "the signature check alone − bare", signed, bare, "bare", pairs)
}

// comparison adds the rows comparing server with base (named baseName in
// the baseline column): the throughput ratio, the median of the pairs'
// (ratio the row's label, which says ÷), and the difference in server CPU
// per request (cpu the row's label, which says −). Neither has a target.
func (r *report) comparison(ratio, cpu string, server, base loopbackRuns, baseName string, pairs int) {
	ratios := throughputRatios(server, base)
	headline := fmt.Sprintf("%s, throughput (median of %s)", ratio, plural(pairs, "pair"))
	sum, ok := server.summary()
	baseSum, okB := base.summary()
	if len(ratios) == pairs && ok && okB {
		r.rows = append(r.rows, row{headline, loadText(sum), baseName + " " + rpsText(baseSum["rps"]), percent(median(ratios)), "", ""})
	} else {
		r.missingRow(headline, "")
	}
	r.cpuRow(fmt.Sprintf("server CPU per request, %s (median of %s)", cpu, plural(pairs, "run")), server, base, baseName)
}

// throughputRatios returns the first server's throughput ÷ the baseline's
// of every pair in which both ran.
func throughputRatios(gh, base loopbackRuns) []float64 { // gh: the first server
	var ratios []float64
	for n := 1; n < len(gh); n++ {
		g, okG := gh[n]["rps"]
		b, okB := base[n]["rps"]
		if okG && okB {
			ratios = append(ratios, g/b)
		}
	}
	return ratios
}

// summaryRow adds the row of a baseline's summary (or says it is missing)
// and returns the summary.
func (r *report) summaryRow(label string, runs loopbackRuns) (loadResult, bool) {
	sum, ok := runs.summary()
	if ok {
		r.rows = append(r.rows, row{label, loadText(sum), "", "", "", ""})
	} else {
		r.missingRow(label, "")
	}
	return sum, ok
}

// cpuRow adds the row of Gatehouse's server CPU per request against a
// baseline's, the medians of their runs (or says it is missing).
func (r *report) cpuRow(label string, gh, base loopbackRuns, baseName string) {
	gc, okG := gh.perRun(cpuPerRequest)
	bc, okB := base.perRun(cpuPerRequest)
	if !okG || !okB {
		r.missingRow(label, "")
		return
	}
	g, b := median(gc), median(bc)
	r.rows = append(r.rows, row{label, nsText(g), baseName + " " + nsText(b), signed(g-b) + " (" + times(g/b) + ")", "", ""})
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
// count of targets met, the figures missing, and the notes.
func (r *report) markdown(resultHead string) string {
	var b strings.Builder
	b.WriteString("| measurement | " + resultHead + " | baseline (same run) | ratio | target | met |\n")
	b.WriteString("|---|---|---|---:|---|---|\n")
	for _, w := range r.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", w.measure, w.result, w.baseline, w.ratio, w.target, w.met)
	}
	fmt.Fprintf(&b, "\nTargets met: %d of %d", r.met, r.all)
	if r.unjudged > 0 {
		fmt.Fprintf(&b, " (%s not judged: n/a above, measured under other conditions than issue 6 sets)", plural(r.unjudged, "more target"))
	}
	b.WriteString(".\n")
	if len(r.missing) > 0 {
		fmt.Fprintf(&b, "\n**Figures missing: %d** (their rows say %s, and a target they check counts as not met): %s.\n",
			len(r.missing), missingText, strings.Join(r.missing, "; "))
	}
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

// rpsText is a throughput in requests per second.
func rpsText(rps float64) string { return commas(int64(math.Round(rps))) + " req/s" }

// percent writes a ratio as a whole percentage.
func percent(x float64) string { return fmt.Sprintf("%.0f%%", 100*x) }

// loadText is a LOAD line's throughput, latencies and errors.
func loadText(l loadResult) string {
	return fmt.Sprintf("%s, p50 %s, p99 %s, %s errors",
		rpsText(l["rps"]), nsText(l["p50_us"]*1e3), nsText(l["p99_us"]*1e3), commas(int64(l["errors"])))
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
