package main

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// benchOutput is `go test -bench` output of two packages, three runs
// each, with the lines around the results that the parser must skip.
const benchOutput = `goos: linux
goarch: amd64
pkg: github.com/gatehouse/gatehouse/authn
cpu: AMD EPYC
BenchmarkHMACFloor-2   	 3000000	       360 ns/op	1261.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkHMACFloor-2   	 3000000	       350 ns/op	1261.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkHMACFloor-2   	 3000000	       900 ns/op	1261.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkVerifyScaling/params=10/verify-2         	  500000	      2000 ns/op	     560 B/op	       2 allocs/op
PASS
ok  	github.com/gatehouse/gatehouse/authn	12.345s
goos: linux
pkg: github.com/gatehouse/gatehouse/bench/twiliogo
BenchmarkHMACFloor     	 3000000	       400 ns/op
BenchmarkHMACFloor     	 3000000	       500 ns/op
BenchmarkTwilioGoValidate-16	  100000	     12000 ns/op	   20746 B/op	     156 allocs/op
BenchmarkTwilioGoValidate-16	  100000	     13000 ns/op	   20746 B/op	     158 allocs/op
BenchmarkBroken-2   	--- FAIL: BenchmarkBroken
    bench_test.go:10: not valid
BenchmarkParent
PASS
`

func TestParseBench(t *testing.T) {
	stats, err := parseBench(strings.NewReader(benchOutput))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		want benchStat
	}{
		{"authn/HMACFloor", benchStat{runs: 3, ns: 360, mem: true}},
		{"authn/VerifyScaling/params=10/verify", benchStat{runs: 1, ns: 2000, bytes: 560, allocs: 2, mem: true}},
		{"twiliogo/HMACFloor", benchStat{runs: 2, ns: 450}},
		{"twiliogo/TwilioGoValidate", benchStat{runs: 2, ns: 12500, bytes: 20746, allocs: 157, mem: true}},
	} {
		if got, ok := stats[tt.name]; !ok || got != tt.want {
			t.Errorf("stats[%q] = %+v, %v; want %+v, true", tt.name, got, ok, tt.want)
		}
	}
	if got, want := len(stats), 4; got != want {
		t.Errorf("got %d benchmarks, want %d: %v", got, want, stats)
	}
}

func TestParseBenchBadValue(t *testing.T) {
	_, err := parseBench(strings.NewReader("pkg: x\nBenchmarkA-2 10 1.2.3 ns/op\n"))
	if !errors.Is(err, strconv.ErrSyntax) {
		t.Errorf("parseBench error = %v, want one wrapping strconv.ErrSyntax", err)
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{5, 5, 100, 1, 5}, 5},
	} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseLoad(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []loadLine
		wantErr  bool
	}{
		{"two lines among others", "== building\nLOAD name=gatehouse pair=1 rps=100.5 errors=0\nPASS\nLOAD name=bare rps=120\n",
			[]loadLine{{"gatehouse", loadResult{"pair": 1, "rps": 100.5, "errors": 0}}, {"bare", loadResult{"rps": 120}}}, false},
		{"lines of the same name, in order", "LOAD name=bare rps=1\nLOAD name=bare rps=2\n",
			[]loadLine{{"bare", loadResult{"rps": 1}}, {"bare", loadResult{"rps": 2}}}, false},
		{"no LOAD line", "PASS\n", nil, false},
		{"no name", "LOAD rps=1\n", nil, true},
		{"not key=value", "LOAD name=bare rps\n", nil, true},
		{"not a number", "LOAD name=bare rps=fast\n", nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseLoad(strings.NewReader(tt.in))
			if tt.wantErr {
				if err == nil {
					t.Errorf("parseLoad = %v, want an error", got)
				}
				return
			}
			if err != nil || !slices.EqualFunc(got, tt.want, func(a, b loadLine) bool { return a.name == b.name && maps.Equal(a.fields, b.fields) }) {
				t.Errorf("parseLoad = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
