package main

import (
	"os"
	"path/filepath"
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

func TestReportTargets(t *testing.T) {
	ns := func(v, allocs float64) benchStat { return benchStat{runs: 5, ns: v, allocs: allocs, mem: true} }
	// good meets every target, by a little.
	good := map[string]benchStat{
		"authn/HMACFloor":                            ns(400, 0),
		"authn/Verify":                               ns(600, 2),
		"twiliogo/HMACFloor":                         ns(400, 0),
		"twiliogo/GatehouseVerify":                   ns(600, 2),
		"twiliogo/TwilioGoValidate":                  ns(12000, 156),
		"authn/VerifyScaling/params=100/verify":      ns(2000, 2),
		"authn/VerifyScaling/params=100/floor":       ns(1500, 0),
		"authn/VerifyScaling/params=1000/verify":     ns(24000, 2),
		"authn/VerifyScaling/params=1000/floor":      ns(15000, 0),
		"authz/Decision/rows=10/depth=1/cached":      ns(100, 1),
		"authz/Decision/rows=10/depth=1/uncached":    ns(3000, 27),
		"authz/Decision/rows=10000/depth=1/cached":   ns(150, 1),
		"authz/Decision/rows=10000/depth=1/uncached": ns(3500, 27),
		"app/Chain/secured":                          ns(5000, 40),
		"app/Chain/unsecured":                        ns(2000, 20),
	}
	goodLoad := map[string]loadResult{
		"gatehouse": {"conns": 64, "rps": 8500, "vmhwm_kb": 39000, "requests": 170000, "seconds": 20, "server_cpu_s": 30, "gen_cpu_s": 9},
		"bare":      {"conns": 64, "rps": 10000, "vmhwm_kb": 12000, "requests": 200000, "seconds": 20, "server_cpu_s": 28, "gen_cpu_s": 10},
	}
	// with returns good with one benchmark replaced.
	with := func(name string, s benchStat) map[string]benchStat {
		m := map[string]benchStat{}
		for k, v := range good {
			m[k] = v
		}
		m[name] = s
		return m
	}
	withLoad := func(name, key string, v float64) map[string]loadResult {
		m := map[string]loadResult{}
		for k, l := range goodLoad {
			c := loadResult{}
			for kk, vv := range l {
				c[kk] = vv
			}
			m[k] = c
		}
		m[name][key] = v
		return m
	}
	for _, tt := range []struct {
		name  string
		stats map[string]benchStat
		loads map[string]loadResult
		row   string // the row that checks the target
		want  string // its verdict
	}{
		{"verify within 1.5× the floor", good, goodLoad, "`authn` Verify ÷ floor", "yes"},
		{"verify above 1.5× the floor", with("authn/Verify", ns(601, 2)), goodLoad, "`authn` Verify ÷ floor", "**no**"},
		{"2 allocations", good, goodLoad, "`authn` Verify allocations", "yes"},
		{"3 allocations", with("authn/Verify", ns(500, 3)), goodLoad, "`authn` Verify allocations", "**no**"},
		{"allocations not reported", with("authn/Verify", benchStat{runs: 1, ns: 500}), goodLoad, "`authn` Verify allocations", "**no**"},
		{"twilio-go 20× slower", good, goodLoad, "twilio-go `Validate`", "yes"},
		{"twilio-go less than 20× slower", with("twiliogo/TwilioGoValidate", ns(11999, 156)), goodLoad, "twilio-go `Validate`", "**no**"},
		{"linear growth", good, goodLoad, "Verify growth", "yes"},
		{"superlinear growth", with("authn/VerifyScaling/params=1000/verify", ns(24001, 2)), goodLoad, "Verify growth", "**no**"},
		{"cached decision", good, goodLoad, "cached, 10 rows, depth 1 (uncached ÷ cached)", "yes"},
		{"slow cached decision", with("authz/Decision/rows=10/depth=1/cached", ns(251, 1)), goodLoad, "cached, 10 rows, depth 1 (uncached ÷ cached)", "**no**"},
		{"cached decision allocating twice", with("authz/Decision/rows=10/depth=1/cached", ns(100, 2)), goodLoad, "cached, 10 rows, depth 1 (uncached ÷ cached)", "**no**"},
		{"flat in rows", good, goodLoad, "cached, 10,000 rows ÷ 10 rows, depth 1", "yes"},
		{"not flat in rows", with("authz/Decision/rows=10000/depth=1/cached", ns(151, 1)), goodLoad, "cached, 10,000 rows ÷ 10 rows, depth 1", "**no**"},
		{"chain within 3 µs", good, goodLoad, "secured (request log at info)", "yes"},
		{"chain beyond 3 µs", with("app/Chain/secured", ns(5001, 40)), goodLoad, "secured (request log at info)", "**no**"},
		{"85% of bare", good, goodLoad, "Gatehouse ÷ bare, throughput", "yes"},
		{"under 85% of bare", good, withLoad("gatehouse", "rps", 8499), "Gatehouse ÷ bare, throughput", "**no**"},
		{"RSS within 40 MB", good, goodLoad, "Gatehouse peak RSS", "yes"},
		{"RSS beyond 40 MB", good, withLoad("gatehouse", "vmhwm_kb", 39063), "Gatehouse peak RSS", "**no**"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := buildReport(tt.stats, tt.loads)
			if got := rowOf(t, rep, tt.row).met; got != tt.want {
				t.Errorf("row %q met = %q, want %q", tt.row, got, tt.want)
			}
		})
	}
	rep := buildReport(good, goodLoad)
	if rep.met != rep.all || rep.all != 10 {
		t.Errorf("good: %d of %d targets met, want 10 of 10", rep.met, rep.all)
	}
}

func TestReportRows(t *testing.T) {
	stats := map[string]benchStat{
		"app/Chain/secured":       {runs: 3, ns: 4200, bytes: 3000, allocs: 30, mem: true},
		"app/Chain/secured-nolog": {runs: 3, ns: 3600, bytes: 2900, allocs: 28, mem: true},
		"app/Chain/unsecured":     {runs: 3, ns: 2100, bytes: 1000, allocs: 12, mem: true},
	}
	loads := map[string]loadResult{
		"gatehouse-pinned": {"conns": 64, "rps": 9000, "p50_us": 1800, "p99_us": 6100, "errors": 0, "requests": 180000, "seconds": 20, "server_cpu_s": 18, "gen_cpu_s": 10},
		"bare-pinned":      {"conns": 64, "rps": 10000, "p50_us": 1500, "p99_us": 5000, "errors": 0, "requests": 200000, "seconds": 20, "server_cpu_s": 16, "gen_cpu_s": 10},
	}
	got := buildReport(stats, loads).markdown(runsLabel(stats))
	for _, want := range []string{
		"| measurement | result (median of 3) | baseline (same run) | ratio | target | met |\n",
		"| **Full chain in-process (signed form POST to the IVR)** |  |  |  |  |  |\n",
		"| secured (request log at info) − unsecured | 4.20 µs, 3,000 B, 30 allocs | unsecured 2.10 µs, 1,000 B, 12 allocs | +2.10 µs (2.00×) | ≤ +3 µs | yes |\n",
		"| secured, no request log − unsecured | 3.60 µs, 2,900 B, 28 allocs | unsecured 2.10 µs, 1,000 B, 12 allocs | +1.50 µs (1.71×) |  |  |\n",
		"| **Loopback HTTP, 64 connections (pinned: server on CPU 0, generator on CPU 1)** |",
		"| bare Echo route, the same view | 10,000 req/s, p50 1.50 ms, p99 5.00 ms, 0 errors |",
		"| Gatehouse ÷ bare, throughput | 9,000 req/s, p50 1.80 ms, p99 6.10 ms, 0 errors | bare 10,000 req/s | 90% | ≥ 85% | yes |\n",
		"| server CPU per request, Gatehouse − bare | 100 µs | bare 80.0 µs | +20.0 µs (1.25×) |  |  |\n",
		"Targets met: 2 of 2.\n",
		"against Gatehouse, the generator used 0.50 CPUs and the server 0.90",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	for _, absent := range []string{"Verification", "Authorization", "peak RSS"} {
		if strings.Contains(got, absent) {
			t.Errorf("the report has %q, for which there are no results:\n%s", absent, got)
		}
	}
}

func TestReportCmd(t *testing.T) {
	dir := t.TempDir()
	bench := filepath.Join(dir, "bench.txt")
	load := filepath.Join(dir, "load.txt")
	if err := os.WriteFile(bench, []byte(benchOutput), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(load, []byte("LOAD name=bare conns=64 rps=10000 p50_us=1 p99_us=2 errors=0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if got := run([]string{"report", bench, load}, &stdout, &stderr, nil); got != 0 {
		t.Fatalf("run = %d, want 0; stderr %q", got, stderr.String())
	}
	for _, want := range []string{"result (median of 1–3)", "| bare Echo route, the same view | 10,000 req/s"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, stdout.String())
		}
	}
	if got := run([]string{"report", filepath.Join(dir, "missing.txt")}, &stdout, &stderr, nil); got != 1 {
		t.Errorf("run(report missing.txt) = %d, want 1", got)
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
