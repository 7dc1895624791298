package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rowOf returns the row of rep whose measurement starts with prefix.
func rowOf(t *testing.T, rep *report, prefix string) row {
	t.Helper()
	for _, r := range rep.rows {
		if strings.HasPrefix(r.measure, prefix) {
			return r
		}
	}
	t.Fatalf("no row %q in %+v", prefix, rep.rows)
	return row{}
}

// ns is a benchmark's median time and allocations, with its memory
// reported.
func ns(v, allocs float64) benchStat { return benchStat{runs: 5, ns: v, allocs: allocs, mem: true} }

// goodStats returns a figure for every benchmark of every part, each
// meeting its target exactly.
func goodStats() map[string]benchStat {
	m := map[string]benchStat{
		"authn/HMACFloor":               ns(400, 0),
		"authn/Verify":                  ns(600, 2),
		"twiliogo/HMACFloor":            ns(400, 0),
		"twiliogo/GatehouseVerify":      ns(600, 2),
		"twiliogo/TwilioGoValidate":     ns(12000, 156),
		"twiliogo/TwilioGoValidateBody": ns(20000, 200),
		"app/Chain/secured":             ns(5000, 40),
		"app/Chain/secured-nolog":       ns(4000, 35),
		"app/Chain/unsecured":           ns(2000, 20),
		"app/Chain/bare":                ns(1000, 10),
	}
	perParam := map[int]float64{1: 100, 10: 30, 100: 20, 1000: 24}
	for _, n := range scalingSizes {
		m[fmt.Sprintf("authn/VerifyScaling/params=%d/verify", n)] = ns(perParam[n]*float64(n), 2)
		m[fmt.Sprintf("authn/VerifyScaling/params=%d/floor", n)] = ns(15*float64(n), 0)
	}
	for _, rows := range decisionRows {
		for _, depth := range decisionDepths {
			key := fmt.Sprintf("authz/Decision/rows=%d/depth=%d/", rows, depth)
			m[key+"cached"] = ns(100, 1)
			if rows == 10000 {
				m[key+"cached"] = ns(150, 1)
			}
			m[key+"uncached"] = ns(3000, 27)
			m[key+"casbin"] = ns(50000, 500)
		}
	}
	return m
}

// goodLoads returns the LOAD lines of three loopback pairs, in the order
// bench/run runs them, meeting the targets exactly: throughput ratios
// 85%, 80% and 90% (median 85%), and 39,000 kB at the highest; against
// the same view, 100%, 100% and 94.7%; the signature check alone against
// the bare route, 90%, 92% and 94%.
func goodLoads() []loadLine {
	line := func(name string, pair, rps, kB float64) loadLine {
		return loadLine{name, loadResult{"pair": pair, "conns": 64, "seconds": 20, "requests": rps * 20, "errors": 0, "rps": rps,
			"p50_us": 1e6 * 64 / rps, "p99_us": 4e6 * 64 / rps, "gen_cpu_s": 10, "server_cpu_s": 28, "vmhwm_kb": kB}}
	}
	return []loadLine{
		line("gatehouse", 1, 8500, 39000), line("bare", 1, 10000, 12000), line("view", 1, 8500, 15000), line("signed", 1, 9000, 13000),
		line("bare", 2, 10000, 12500), line("view", 2, 8000, 15000), line("gatehouse", 2, 8000, 30000), line("signed", 2, 9200, 13000),
		line("view", 3, 9500, 15000), line("gatehouse", 3, 9000, 20000), line("bare", 3, 10000, 11000), line("signed", 3, 9400, 13000),
	}
}

// allTheParts are the parts bench/run runs by default.
var allTheParts = strings.Split(defaultParts, ",")

// withStat returns goodStats with benchmark name set to st, or deleted if
// st is nil.
func withStat(name string, st *benchStat) map[string]benchStat {
	m := goodStats()
	if st == nil {
		delete(m, name)
	} else {
		m[name] = *st
	}
	return m
}

// withLoad returns goodLoads with field key of the line of name and pair
// set to v, or deleted if v is nil; with key "" the whole line is
// dropped.
func withLoad(name string, pair float64, key string, v *float64) []loadLine {
	var out []loadLine
	for _, l := range goodLoads() {
		if l.name == name && l.fields["pair"] == pair {
			if key == "" {
				continue
			}
			l.fields = maps.Clone(l.fields)
			if v == nil {
				delete(l.fields, key)
			} else {
				l.fields[key] = *v
			}
		}
		out = append(out, l)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestReportTargets(t *testing.T) {
	for _, tt := range []struct {
		name  string
		stats map[string]benchStat
		loads []loadLine
		row   string // the row that checks the target
		want  string // its verdict
	}{
		{"verify within 1.5× the floor", goodStats(), goodLoads(), "`authn` Verify ÷ floor", "yes"},
		{"verify above 1.5× the floor", withStat("authn/Verify", ptr(ns(601, 2))), goodLoads(), "`authn` Verify ÷ floor", "**no**"},
		{"2 allocations", goodStats(), goodLoads(), "`authn` Verify allocations", "yes"},
		{"3 allocations", withStat("authn/Verify", ptr(ns(500, 3))), goodLoads(), "`authn` Verify allocations", "**no**"},
		{"allocations not reported", withStat("authn/Verify", &benchStat{runs: 1, ns: 500}), goodLoads(), "`authn` Verify allocations", "**no**"},
		{"twilio-go 20× slower", goodStats(), goodLoads(), "twilio-go `Validate`", "yes"},
		{"twilio-go less than 20× slower", withStat("twiliogo/TwilioGoValidate", ptr(ns(11999, 156))), goodLoads(), "twilio-go `Validate`", "**no**"},
		{"linear growth", goodStats(), goodLoads(), "Verify growth", "yes"},
		{"superlinear growth", withStat("authn/VerifyScaling/params=1000/verify", ptr(ns(24001, 2))), goodLoads(), "Verify growth", "**no**"},
		{"cached decision", goodStats(), goodLoads(), "cached, 10 rows, depth 1 (uncached ÷ cached)", "yes"},
		{"slow cached decision", withStat("authz/Decision/rows=10/depth=1/cached", ptr(ns(251, 1))), goodLoads(), "cached, 10 rows, depth 1 (uncached ÷ cached)", "**no**"},
		{"cached decision allocating twice", withStat("authz/Decision/rows=10/depth=1/cached", ptr(ns(100, 2))), goodLoads(), "cached, 10 rows, depth 1 (uncached ÷ cached)", "**no**"},
		{"flat in rows", goodStats(), goodLoads(), "cached, 10,000 rows ÷ 10 rows, depth 1", "yes"},
		{"not flat in rows", withStat("authz/Decision/rows=10000/depth=1/cached", ptr(ns(151, 1))), goodLoads(), "cached, 10,000 rows ÷ 10 rows, depth 1", "**no**"},
		{"chain within 3 µs", goodStats(), goodLoads(), "secured (request log at info)", "yes"},
		{"chain beyond 3 µs", withStat("app/Chain/secured", ptr(ns(5001, 40))), goodLoads(), "secured (request log at info)", "**no**"},
		{"median pair at 85% of bare", goodStats(), goodLoads(), "Gatehouse ÷ bare, throughput (median", "yes"},
		{"median pair under 85% of bare", goodStats(), withLoad("gatehouse", 1, "rps", ptr(8499.0)), "Gatehouse ÷ bare, throughput (median", "**no**"},
		{"one bad pair is not the median", goodStats(), withLoad("gatehouse", 2, "rps", ptr(1000.0)), "Gatehouse ÷ bare, throughput (median", "yes"},
		{"RSS within 40 MB in every run", goodStats(), goodLoads(), "Gatehouse peak RSS", "yes"},
		{"the same view has no target", goodStats(), goodLoads(), "Gatehouse ÷ the same view on a bare route", ""},
		{"the signature check alone has no target", goodStats(), goodLoads(), "the signature check alone ÷ bare", ""},
		{"RSS beyond 40 MB in one run", goodStats(), withLoad("gatehouse", 3, "vmhwm_kb", ptr(39063.0)), "Gatehouse peak RSS", "**no**"},
		// Issue 6's conditions: 64 connections, at least 20 s per run.
		{"one connection: no loopback verdict", goodStats(), withLoad("bare", 2, "conns", ptr(1.0)), "Gatehouse ÷ bare, throughput (median", notApplicable},
		{"a short run: no loopback verdict", goodStats(), withLoad("gatehouse", 1, "seconds", ptr(2.0)), "Gatehouse ÷ bare, throughput (median", notApplicable},
		{"a short run: no RSS verdict", goodStats(), withLoad("gatehouse", 1, "seconds", ptr(2.0)), "Gatehouse peak RSS", notApplicable},
		{"the references' conditions do not count", goodStats(), withLoad("view", 1, "conns", ptr(1.0)), "Gatehouse ÷ bare, throughput (median", "yes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := buildReport(tt.stats, tt.loads, allTheParts, 3)
			if got := rowOf(t, rep, tt.row).met; got != tt.want {
				t.Errorf("row %q met = %q, want %q", tt.row, got, tt.want)
			}
			if len(rep.missing) > 0 {
				t.Errorf("figures missing: %q, want none", rep.missing)
			}
		})
	}
	rep := buildReport(goodStats(), goodLoads(), allTheParts, 3)
	if rep.met != rep.all || rep.all != 15 {
		t.Errorf("good: %d of %d targets met, want 15 of 15", rep.met, rep.all)
	}
	// Without a verdict, the two loopback targets are not counted.
	rep = buildReport(goodStats(), withLoad("bare", 1, "conns", ptr(1.0)), allTheParts, 3)
	if rep.met != 13 || rep.all != 13 || rep.unjudged != 2 {
		t.Errorf("one connection: %d of %d targets met, %d not judged; want 13 of 13, 2", rep.met, rep.all, rep.unjudged)
	}
	if md := rep.markdown("result"); !strings.Contains(md, "Targets met: 13 of 13 (2 more targets not judged") {
		t.Errorf("the count does not say that two targets were not judged:\n%s", md)
	}
}

// A figure that misses its target by less than the table's rounding shows
// its exact value too: it would read as the target's own figure.
func TestReportEdgeShowsExactFigure(t *testing.T) {
	for _, tt := range []struct {
		name           string
		stats          map[string]benchStat
		loads          []loadLine
		row, col, want string
	}{
		{"cached decision at 250.4 ns", withStat("authz/Decision/rows=10/depth=1/cached", ptr(ns(250.4, 1))), goodLoads(),
			"cached, 10 rows, depth 1 (uncached ÷ cached)", "result", "250 ns, 0 B, 1 alloc (exactly 250.4 ns)"},
		{"cached decision at 250 ns meets it", withStat("authz/Decision/rows=10/depth=1/cached", ptr(ns(250, 1))), goodLoads(),
			"cached, 10 rows, depth 1 (uncached ÷ cached)", "result", "250 ns, 0 B, 1 alloc"},
		{"loopback at 84.96%", goodStats(), withLoad("gatehouse", 1, "rps", ptr(8496.0)),
			"Gatehouse ÷ bare, throughput (median", "ratio", "85% (exactly 84.96%)"},
		{"loopback a hair under 85%", goodStats(), withLoad("gatehouse", 1, "rps", ptr(8499.997)),
			"Gatehouse ÷ bare, throughput (median", "ratio", "85% (exactly 84.99997%)"},
		{"RSS at 40.0 MB but over", goodStats(), withLoad("gatehouse", 3, "vmhwm_kb", ptr(39063.0)),
			"Gatehouse peak RSS", "result", "40.0 MB (exactly 40.001 MB)"},
	} {
		rep := buildReport(tt.stats, tt.loads, allTheParts, 3)
		r := rowOf(t, rep, tt.row)
		got := map[string]string{"result": r.result, "ratio": r.ratio}[tt.col]
		if got != tt.want {
			t.Errorf("%s: %s %q, want %q", tt.name, tt.col, got, tt.want)
		}
	}
}

// TestReportMissing: a figure the selected parts need and the results
// lack shows as missing, a target it checks counts as not met, and it is
// listed under the table; no row vanishes.
func TestReportMissing(t *testing.T) {
	renamed := goodStats()
	renamed["authz/Decision/rows=1000/depth=4/cache"] = renamed["authz/Decision/rows=1000/depth=4/cached"]
	delete(renamed, "authz/Decision/rows=1000/depth=4/cached")
	noScaling := goodStats()
	maps.DeleteFunc(noScaling, func(k string, _ benchStat) bool { return strings.HasPrefix(k, "authn/VerifyScaling/") })

	for _, tt := range []struct {
		name        string
		stats       map[string]benchStat
		loads       []loadLine
		parts       []string
		row         string // a row that must say missing
		wantMet     string // its met column
		wantMissing string // an entry of the list of figures missing
	}{
		{"a benchmark that did not run", withStat("authn/Verify", nil), goodLoads(), allTheParts,
			"`authn` Verify ÷ floor", missingText, "benchmark authn/Verify"},
		{"a sub-benchmark renamed", renamed, goodLoads(), allTheParts,
			"cached, 1,000 rows, depth 4 (uncached ÷ cached)", missingText, "benchmark authz/Decision/rows=1000/depth=4/cached"},
		{"a -bench pattern that matched nothing", noScaling, goodLoads(), allTheParts,
			"Verify growth", missingText, "benchmark authn/VerifyScaling/params=1000/verify"},
		{"a baseline that did not run", withStat("app/Chain/unsecured", nil), goodLoads(), allTheParts,
			"secured (request log at info)", missingText, "benchmark app/Chain/unsecured"},
		{"a LOAD field missing", goodStats(), withLoad("gatehouse", 2, "rps", nil), allTheParts,
			"Gatehouse ÷ bare, throughput (median", missingText, "LOAD gatehouse pair 2: rps"},
		{"a LOAD field missing, shown per pair", goodStats(), withLoad("bare", 2, "rps", nil), allTheParts,
			"pair 2 (bare first)", "", "LOAD bare pair 2: rps"},
		{"vmhwm missing", goodStats(), withLoad("gatehouse", 3, "vmhwm_kb", nil), allTheParts,
			"Gatehouse peak RSS", missingText, "LOAD gatehouse pair 3: vmhwm_kb"},
		{"server CPU missing", goodStats(), withLoad("bare", 1, "server_cpu_s", nil), allTheParts,
			"server CPU per request", "", "LOAD bare pair 1: server_cpu_s"},
		{"a LOAD line missing", goodStats(), withLoad("bare", 3, "", nil), allTheParts,
			"Gatehouse ÷ bare, throughput (median", missingText, "LOAD bare pair 3"},
		{"the same-view server missing", goodStats(), withLoad("view", 2, "", nil), allTheParts,
			"Gatehouse ÷ the same view on a bare route", "", "LOAD view pair 2"},
		{"the same-view server's CPU missing", goodStats(), withLoad("view", 1, "server_cpu_s", nil), allTheParts,
			"server CPU per request, Gatehouse − the same view", "", "LOAD view pair 1: server_cpu_s"},
		{"the signature-check server missing", goodStats(), withLoad("signed", 2, "", nil), allTheParts,
			"the signature check alone ÷ bare", "", "LOAD signed pair 2"},
		{"the bare route's latency missing, for the signature check's ratio", goodStats(), withLoad("bare", 2, "p50_us", nil), allTheParts,
			"the signature check alone ÷ bare", "", "LOAD bare pair 2: p50_us"},
		{"the signature-check server's CPU missing", goodStats(), withLoad("signed", 3, "server_cpu_s", nil), allTheParts,
			"server CPU per request, the signature check alone − bare", "", "LOAD signed pair 3: server_cpu_s"},
		{"no loopback at all", goodStats(), nil, allTheParts,
			"Gatehouse peak RSS", missingText, "LOAD gatehouse pair 1"},
		{"the pinned pair missing", goodStats(), goodLoads(), append(slices.Clone(allTheParts), "pinned"),
			"Gatehouse ÷ bare, throughput (median of 1 pair)", missingText, "LOAD gatehouse-pinned pair 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := buildReport(tt.stats, tt.loads, tt.parts, 3)
			var got row
			for _, r := range rep.rows {
				if strings.HasPrefix(r.measure, tt.row) && r.result == missingText {
					got = r
				}
			}
			if got.result != missingText || got.met != tt.wantMet {
				t.Errorf("no row %q with result %q and met %q in %+v", tt.row, missingText, tt.wantMet, rep.rows)
			}
			if !slices.Contains(rep.missing, tt.wantMissing) {
				t.Errorf("missing = %q, want it to hold %q", rep.missing, tt.wantMissing)
			}
			if tt.wantMet == missingText && rep.met == rep.all {
				t.Errorf("%d of %d targets met, want fewer: a target whose figure is missing is not met", rep.met, rep.all)
			}
			md := rep.markdown("result")
			if want := fmt.Sprintf("**Figures missing: %d**", len(rep.missing)); !strings.Contains(md, want) {
				t.Errorf("the report lacks %q:\n%s", want, md)
			}
		})
	}

	// Parts not asked for are not expected.
	rep := buildReport(map[string]benchStat{"app/Chain/secured": ns(5000, 40), "app/Chain/secured-nolog": ns(4000, 35), "app/Chain/unsecured": ns(2000, 20), "app/Chain/bare": ns(1000, 10)},
		nil, []string{"chain"}, 3)
	if len(rep.missing) != 0 || rep.met != 1 || rep.all != 1 {
		t.Errorf("chain only: missing %q, %d of %d targets met; want none missing, 1 of 1", rep.missing, rep.met, rep.all)
	}
}

func TestReportRows(t *testing.T) {
	stats := map[string]benchStat{
		"app/Chain/secured":       {runs: 3, ns: 4200, bytes: 3000, allocs: 30, mem: true},
		"app/Chain/secured-nolog": {runs: 3, ns: 3600, bytes: 2900, allocs: 28, mem: true},
		"app/Chain/unsecured":     {runs: 3, ns: 2100, bytes: 1000, allocs: 12, mem: true},
		"app/Chain/bare":          {runs: 3, ns: 1100, bytes: 500, allocs: 6, mem: true},
	}
	// Pinned lines without a pair field, as gen prints them without
	// -pair, and the three pairs.
	loads := append(goodLoads(),
		loadLine{"gatehouse-pinned", loadResult{"conns": 64, "rps": 9000, "p50_us": 1800, "p99_us": 6100, "errors": 0, "requests": 180000, "seconds": 20, "server_cpu_s": 18, "gen_cpu_s": 10, "vmhwm_kb": 30000}},
		loadLine{"bare-pinned", loadResult{"conns": 64, "rps": 10000, "p50_us": 1500, "p99_us": 5000, "errors": 0, "requests": 200000, "seconds": 20, "server_cpu_s": 16, "gen_cpu_s": 10, "vmhwm_kb": 12000}},
	)
	rep := buildReport(stats, loads, []string{"chain", "loopback", "pinned"}, 3)
	got := rep.markdown(runsLabel(stats))
	for _, want := range []string{
		"| measurement | result (median of 3) | baseline (same run) | ratio | target | met |\n",
		"| **Full chain in-process (signed form POST to the IVR)** |  |  |  |  |  |\n",
		"| secured (request log at info) − unsecured | 4.20 µs, 3,000 B, 30 allocs | unsecured 2.10 µs, 1,000 B, 12 allocs | +2.10 µs (2.00×) | ≤ +3 µs | yes |\n",
		"| secured, no request log − unsecured | 3.60 µs, 2,900 B, 28 allocs | unsecured 2.10 µs, 1,000 B, 12 allocs | +1.50 µs (1.71×) |  |  |\n",
		"| **Loopback HTTP, 64 connections, 3 pairs** |",
		"| bare Echo route, the same TwiML bytes (median of 3 runs) | 10,000 req/s, p50 6.40 ms, p99 25.6 ms, 0 errors |",
		"| pair 1 (Gatehouse first): Gatehouse ÷ bare, throughput | 8,500 req/s | bare 10,000 req/s | 85% |  |  |\n",
		"| pair 2 (bare first): Gatehouse ÷ bare, throughput | 8,000 req/s | bare 10,000 req/s | 80% |  |  |\n",
		"| pair 3 (view first): Gatehouse ÷ bare, throughput | 9,000 req/s | bare 10,000 req/s | 90% |  |  |\n",
		"| Gatehouse ÷ bare, throughput (median of 3 pairs) | 8,500 req/s, p50 7.53 ms, p99 30.1 ms, 0 errors | bare 10,000 req/s | 85% | ≥ 85% | yes |\n",
		"| Gatehouse peak RSS (VmHWM, the highest of 3 runs) | 39.9 MB | bare 12.8 MB | 3.12× | ≤ 40 MB | yes |\n",
		"| server CPU per request, Gatehouse − bare (median of 3 runs) | 165 µs | bare 140 µs | +24.7 µs (1.18×) |  |  |\n",
		"| bare Echo route behind the signature check alone, the same bytes (median of 3 runs) | 9,200 req/s, p50 6.96 ms, p99 27.8 ms, 0 errors |  |  |  |  |\n",
		"| the signature check alone ÷ bare, throughput (median of 3 pairs) | 9,200 req/s, p50 6.96 ms, p99 27.8 ms, 0 errors | bare 10,000 req/s | 92% |  |  |\n",
		"| server CPU per request, the signature check alone − bare (median of 3 runs) | 152 µs | bare 140 µs | +12.2 µs (1.09×) |  |  |\n",
		"| **Loopback HTTP, 64 connections, 1 pair (pinned: server on CPU 0, generator on CPU 1)** |",
		"| Gatehouse ÷ bare, throughput (median of 1 pair) | 9,000 req/s, p50 1.80 ms, p99 6.10 ms, 0 errors | bare 10,000 req/s | 90% | ≥ 85% | yes |\n",
		"| server CPU per request, Gatehouse − bare (median of 1 run) | 100 µs | bare 80.0 µs | +20.0 µs (1.25×) |  |  |\n",
		"Targets met: 5 of 5.\n",
		"CPU while measuring loopback (medians of the runs): against Gatehouse, the generator used 0.50 CPUs and the server 1.40",
		"CPU while measuring loopback (pinned: server on CPU 0, generator on CPU 1) (medians of the runs): against Gatehouse, the generator used 0.50 CPUs and the server 0.90",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	for _, absent := range []string{"Verification", "Authorization", "missing"} {
		if strings.Contains(got, absent) {
			t.Errorf("the report has %q, for which no figures were expected:\n%s", absent, got)
		}
	}
}

// TestReportCmd runs the report on files: it prints the table even when
// figures are missing, and then fails, naming them.
func TestReportCmd(t *testing.T) {
	dir := t.TempDir()
	bench := filepath.Join(dir, "bench.txt")
	load := filepath.Join(dir, "load.txt")
	chain := "pkg: github.com/gatehouse/gatehouse/app\n" +
		"BenchmarkChain/secured-2 1000 4200 ns/op 3000 B/op 30 allocs/op\n" +
		"BenchmarkChain/secured-nolog-2 1000 3600 ns/op 2900 B/op 28 allocs/op\n" +
		"BenchmarkChain/unsecured-2 1000 2100 ns/op 1000 B/op 12 allocs/op\n" +
		"BenchmarkChain/bare-2 1000 1100 ns/op 500 B/op 6 allocs/op\n"
	if err := os.WriteFile(bench, []byte(benchOutput+chain), 0o600); err != nil {
		t.Fatal(err)
	}
	var lines strings.Builder
	for _, l := range goodLoads() {
		fmt.Fprintf(&lines, "LOAD name=%s", l.name)
		for _, k := range slices.Sorted(maps.Keys(l.fields)) {
			fmt.Fprintf(&lines, " %s=%g", k, l.fields[k])
		}
		lines.WriteString("\n")
	}
	if err := os.WriteFile(load, []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name        string
		args        []string
		want        int
		wantStdout  []string
		wantMissing bool
	}{
		{"every figure of the parts asked for", []string{"report", "-parts", "chain,loopback", "-pairs", "3", bench, load}, 0,
			[]string{"result (median of 1–3)", "| Gatehouse ÷ bare, throughput (median of 3 pairs) | 8,500 req/s", "Targets met: 3 of 3."}, false},
		{"a pair missing", []string{"report", "-parts", "chain,loopback", "-pairs", "4", bench, load}, 1,
			[]string{"| pair 4 (not run): Gatehouse ÷ bare, throughput | **missing** |", "Targets met: 1 of 3."}, true},
		{"every part, by default", []string{"report", bench, load}, 1,
			[]string{"| `authn` Verify ÷ floor | **missing** |  |  | ≤ 1.5× | **missing** |", "**Figures missing: "}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			if got := run(tt.args, &stdout, &stderr, nil); got != tt.want {
				t.Fatalf("run = %d, want %d; stderr %q", got, tt.want, stderr.String())
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("the report lacks %q:\n%s", want, stdout.String())
				}
			}
			if got := strings.Contains(stderr.String(), errMissing.Error()); got != tt.wantMissing {
				t.Errorf("stderr %q: says figures are missing %v, want %v", stderr.String(), got, tt.wantMissing)
			}
		})
	}
	var stdout, stderr strings.Builder
	if got := run([]string{"report", filepath.Join(dir, "missing.txt")}, &stdout, &stderr, nil); got != 1 {
		t.Errorf("run(report missing.txt) = %d, want 1", got)
	}
	err := reportCmd([]string{"-parts", "chain", "-pairs", "3", load}, &stdout, &stderr)
	if !errors.Is(err, errMissing) {
		t.Errorf("reportCmd without the chain's benchmarks = %v, want an error wrapping errMissing", err)
	}
}

func TestFormatting(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{nsText(0), "0 ns"},
		{nsText(69.4), "69.4 ns"},
		{nsText(357), "357 ns"},
		{nsText(1175), "1.18 µs"},
		{nsText(12031), "12.0 µs"},
		{nsText(601e3), "601 µs"},
		{nsText(40.3e6), "40.3 ms"},
		{nsText(2.5e9), "2.50 s"},
		{nsText(7200e9), "7,200 s"},
		{signed(-1500), "−1.50 µs"},
		{signed(1500), "+1.50 µs"},
		{times(3.2914), "3.29×"},
		{times(13400), "13,400×"},
		{commas(0), "0"},
		{commas(999), "999"},
		{commas(1000), "1,000"},
		{commas(-1234567), "-1,234,567"},
		{mbText(39062), "40.0 MB"},
		{allocsText(1), "1 alloc"},
		{allocsText(12082), "12,082 allocs"},
		{plural(1, "parameter"), "1 parameter"},
		{plural(1000, "parameter"), "1,000 parameters"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
