package main

import (
	"strings"
	"testing"
	"time"
)

// The Gatehouse summary of the loopback headline shows the errors of all
// the runs, not the median run's: one pair with errors must not read as
// "0 errors".
func TestLoopbackErrorsSummed(t *testing.T) {
	rep := buildReport(goodStats(), withLoad("gatehouse", 2, "errors", ptr(7.0)), allTheParts, 3)
	got := rowOf(t, rep, "Gatehouse ÷ bare, throughput (median").result
	if !strings.Contains(got, ", 7 errors") {
		t.Errorf("headline result %q, want the 7 errors of pair 2", got)
	}
}

// A cached decision whose allocations were not reported (no -benchmem)
// cannot be shown to meet "≤ 1 alloc".
func TestCachedAllocationsNotReported(t *testing.T) {
	stats := withStat("authz/Decision/rows=10/depth=1/cached", &benchStat{runs: 1, ns: 100})
	rep := buildReport(stats, goodLoads(), allTheParts, 3)
	if got := rowOf(t, rep, "cached, 10 rows, depth 1 (uncached ÷ cached)").met; got != "**no**" {
		t.Errorf("met = %q, want **no**", got)
	}
}

// The loopback headline is the median of the pairs' ratios, not the ratio
// of the medians: two pairs at 50% are a miss even if the medians of the
// throughputs are 91% apart.
func TestHeadlineMedianOfPairRatios(t *testing.T) {
	loads := goodLoads()
	g := map[float64]float64{1: 50, 2: 100, 3: 1000}
	b := map[float64]float64{1: 100, 2: 200, 3: 110}
	for _, l := range loads {
		switch l.name {
		case "gatehouse":
			l.fields["rps"] = g[l.fields["pair"]]
		case "bare":
			l.fields["rps"] = b[l.fields["pair"]]
		}
	}
	rep := buildReport(goodStats(), loads, allTheParts, 3)
	r := rowOf(t, rep, "Gatehouse ÷ bare, throughput (median")
	if r.ratio != "50%" || r.met != "**no**" {
		t.Errorf("headline ratio %q met %q, want 50%% **no**", r.ratio, r.met)
	}
}

// Quantiles are by the nearest rank, rounding the rank up: the p99 of ten
// values is the tenth.
func TestQuantileRoundsRankUp(t *testing.T) {
	for _, tt := range []struct {
		n    int // values 1..n ns
		q    float64
		want time.Duration
	}{
		{10, 0.99, 10}, // rank 9.9
		{3, 0.5, 2},    // rank 1.5
		{7, 0.9, 7},    // rank 6.3: 6 if rounded to the nearest
	} {
		var h histogram
		for v := 1; v <= tt.n; v++ {
			h.record(timeNS(v))
		}
		if got := h.quantile(tt.q); got != tt.want {
			t.Errorf("quantile %v of 1..%d ns = %v, want %v", tt.q, tt.n, got, tt.want)
		}
	}
}

func timeNS(v int) time.Duration { return time.Duration(v) }
