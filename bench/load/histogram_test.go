package main

import (
	"math"
	"testing"
	"time"
)

func TestBucketBounds(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 255, 256, 257, 511, 512, 1000, 1 << 20, 123456789, 1<<40 + 12345, math.MaxUint64} {
		i := bucketOf(v)
		if i < 0 || i >= bucketCount {
			t.Fatalf("bucketOf(%d) = %d, want in [0, %d)", v, i, bucketCount)
		}
		low, high := bucketBounds(i)
		if v < low || v > high {
			t.Errorf("bucketBounds(bucketOf(%d)) = [%d, %d], want it to hold %d", v, low, high, v)
		}
		// The bucket is at most 1/128 of the value wide.
		if width := high - low; width > v/subCount {
			t.Errorf("bucket of %d is %d wide, want at most %d", v, width, v/subCount)
		}
	}
}

func TestBucketsAreContiguous(t *testing.T) {
	_, prevHigh := bucketBounds(0)
	for i := 1; i < bucketCount; i++ {
		low, high := bucketBounds(i)
		if low != prevHigh+1 || high < low {
			t.Fatalf("bucket %d = [%d, %d], want it to start at %d", i, low, high, prevHigh+1)
		}
		prevHigh = high
	}
	if prevHigh != math.MaxUint64 {
		t.Errorf("the last bucket ends at %d, want %d", prevHigh, uint64(math.MaxUint64))
	}
}

func TestQuantile(t *testing.T) {
	// seq returns the durations from..to nanoseconds, step apart.
	seq := func(from, to, step time.Duration) []time.Duration {
		var ds []time.Duration
		for d := from; d <= to; d += step {
			ds = append(ds, d)
		}
		return ds
	}
	for _, tt := range []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
		within float64 // the relative error allowed
	}{
		{"empty", nil, 0.5, 0, 0},
		{"one value", []time.Duration{100}, 0.5, 100, 0},
		{"one value, p99.9", []time.Duration{100}, 0.999, 100, 0},
		{"exact range, median", seq(1, 100, 1), 0.5, 50, 0},
		{"exact range, p99", seq(1, 100, 1), 0.99, 99, 0},
		{"exact range, max", seq(1, 100, 1), 1, 100, 0},
		{"negative counts as zero", []time.Duration{-5}, 0.5, 0, 0},
		{"microseconds, median", seq(time.Microsecond, time.Millisecond, time.Microsecond), 0.5, 500 * time.Microsecond, 1.0 / subCount},
		{"microseconds, p99", seq(time.Microsecond, time.Millisecond, time.Microsecond), 0.99, 990 * time.Microsecond, 1.0 / subCount},
		{"microseconds, p99.9", seq(time.Microsecond, time.Millisecond, time.Microsecond), 0.999, 999 * time.Microsecond, 1.0 / subCount},
		{"never above the maximum", []time.Duration{1000, 1001, 1003}, 1, 1003, 0},
		{"never below the minimum", []time.Duration{1_000_001, 1_000_002}, 0.01, 1_000_001, 1.0 / subCount},
		{"outlier", append(seq(time.Millisecond, time.Millisecond, 1), 20*time.Second), 1, 20 * time.Second, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var h histogram
			for _, v := range tt.values {
				h.record(v)
			}
			got := h.quantile(tt.q)
			if diff := math.Abs(float64(got - tt.want)); diff > tt.within*float64(tt.want) {
				t.Errorf("quantile(%v) = %v, want %v (within %.2f%%)", tt.q, got, tt.want, 100*tt.within)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	var whole, a, b, empty histogram
	for i := range 1000 {
		d := time.Duration(i*i) * time.Nanosecond
		whole.record(d)
		if i%2 == 0 {
			a.record(d)
		} else {
			b.record(d)
		}
	}
	var merged histogram
	merged.merge(&empty)
	merged.merge(&b)
	merged.merge(&a)
	merged.merge(&empty)
	if merged.n != whole.n || merged.min != whole.min || merged.max != whole.max {
		t.Errorf("merged n, min, max = %d, %d, %d; want %d, %d, %d", merged.n, merged.min, merged.max, whole.n, whole.min, whole.max)
	}
	for _, q := range []float64{0.001, 0.5, 0.9, 0.99, 0.999, 1} {
		if got, want := merged.quantile(q), whole.quantile(q); got != want {
			t.Errorf("merged quantile(%v) = %v, want %v", q, got, want)
		}
	}
}
