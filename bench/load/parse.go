package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// benchStat summarises the runs of one benchmark: the median of each
// metric over the runs.
type benchStat struct {
	runs              int
	ns, bytes, allocs float64
	mem               bool // B/op and allocs/op were reported
}

// procsSuffix is the -GOMAXPROCS suffix go test appends to benchmark
// names.
var procsSuffix = regexp.MustCompile(`-[0-9]+$`)

// parseBench reads `go test -bench` output (several runs, several packages
// concatenated) and returns each benchmark's median ns/op, B/op and
// allocs/op, keyed by the last element of its package path and its name
// without "Benchmark" and the GOMAXPROCS suffix:
// "authn/VerifyScaling/params=10/verify". Other lines are ignored.
func parseBench(r io.Reader) (map[string]benchStat, error) {
	type samples struct{ ns, bytes, allocs []float64 }
	all := map[string]*samples{}
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = path.Base(strings.TrimSpace(p))
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue // not a result line
		}
		name := pkg + "/" + procsSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		s := all[name]
		if s == nil {
			s = &samples{}
			all[name] = s
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("load report: %s: value %q: %w", name, f[i], err)
			}
			switch f[i+1] {
			case "ns/op":
				s.ns = append(s.ns, v)
			case "B/op":
				s.bytes = append(s.bytes, v)
			case "allocs/op":
				s.allocs = append(s.allocs, v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load report: %w", err)
	}
	stats := make(map[string]benchStat, len(all))
	for name, s := range all {
		if len(s.ns) == 0 {
			continue
		}
		stats[name] = benchStat{
			runs:   len(s.ns),
			ns:     median(s.ns),
			bytes:  median(s.bytes),
			allocs: median(s.allocs),
			mem:    len(s.allocs) > 0,
		}
	}
	return stats, nil
}

// median returns the median of vs (the mean of the middle two for an even
// count), or 0 for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(vs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// loadResult is one LOAD line's numeric fields, by key.
type loadResult map[string]float64

// loadLine is one LOAD line: the name of the run and its fields.
type loadLine struct {
	name   string
	fields loadResult
}

// parseLoad reads the LOAD lines that gen prints ("LOAD name=N key=value
// ..."), in order; the other lines are ignored.
func parseLoad(r io.Reader) ([]loadLine, error) {
	var out []loadLine
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "LOAD ")
		if !ok {
			continue
		}
		l := loadLine{fields: loadResult{}}
		for _, kv := range strings.Fields(rest) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("load report: LOAD field %q: want key=value", kv)
			}
			if k == "name" {
				l.name = v
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("load report: LOAD field %q: %w", kv, err)
			}
			l.fields[k] = x
		}
		if l.name == "" {
			return nil, fmt.Errorf("load report: LOAD line without a name: %q", sc.Text())
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load report: %w", err)
	}
	return out, nil
}
