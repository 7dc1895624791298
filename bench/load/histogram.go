package main

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: each power of two is split into
// 1<<subBits buckets, so a recorded value is known to within 1/128 of
// itself (values below 256 ns exactly).
const subBits = 7

// subCount is the number of buckets per power of two.
const subCount = 1 << subBits

// bucketCount is the number of buckets that cover every uint64.
const bucketCount = (64 - subBits + 1) * subCount

// histogram counts durations in logarithmic buckets, in the manner of
// HdrHistogram: exact below 2*subCount nanoseconds, then 128 buckets per
// power of two. The zero value is empty and ready to use. A histogram is
// not safe for concurrent use: each generator connection records into its
// own, and they are merged at the end.
type histogram struct {
	counts   [bucketCount]uint64
	n        uint64
	min, max uint64
}

// bucketOf returns the index of the bucket that holds v nanoseconds.
func bucketOf(v uint64) int {
	if v < 2*subCount {
		return int(v)
	}
	e := bits.Len64(v) - (subBits + 1)
	return e*subCount + int(v>>e)
}

// bucketBounds returns the smallest and the largest value that bucket i
// holds.
func bucketBounds(i int) (low, high uint64) {
	if i < 2*subCount {
		return uint64(i), uint64(i)
	}
	e := i/subCount - 1
	top := uint64(i - e*subCount)
	low = top << e
	return low, low + (uint64(1) << e) - 1
}

// record adds one duration; a negative one counts as zero.
func (h *histogram) record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	h.max = max(h.max, v)
	h.n++
}

// merge adds every value recorded in o to h.
func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
}

// quantile returns the value at quantile q (0 < q <= 1) by the nearest
// rank: the smallest recorded value that at least q of all values do not
// exceed, as the upper bound of its bucket (never above the largest value
// recorded, never below the smallest). An empty histogram returns 0.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			_, high := bucketBounds(i)
			return time.Duration(min(max(high, h.min), h.max))
		}
	}
	return time.Duration(h.max)
}
