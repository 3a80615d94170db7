package agg

import (
	"math"
	"slices"
)

// Order statistics of float32 columns (ATL06 h_li) work on uint32 sort keys:
// each value maps to a key whose unsigned order is slices.Sort's float order
// (NaN first, then -Inf ... +Inf), the runs of a child cell are sorted with an
// LSD radix sort (four 8-bit digits, digits shared by the whole run skipped),
// and coarser cells merge their children's sorted runs with branch-free
// two-way merges. Keys map back to the exact float32 values.

// key32 returns the sort key of f: all NaNs map to 0, below every number.
func key32(f float32) uint32 {
	if f != f {
		return 0
	}
	b := math.Float32bits(f)
	if b>>31 != 0 {
		return ^b
	}
	return b | 1<<31
}

// unkey32 is the inverse of key32 (NaN for key 0), widened to float64.
func unkey32(k uint32) float64 {
	if k == 0 {
		return math.NaN()
	}
	if k>>31 != 0 {
		return float64(math.Float32frombits(k &^ (1 << 31)))
	}
	return float64(math.Float32frombits(^k))
}

// radixSort32 sorts keys in place, using tmp (len(tmp) ≥ len(keys)).
func radixSort32(keys, tmp []uint32) {
	n := len(keys)
	if n < 48 {
		insertion32(keys)
		return
	}
	var c [4][256]int
	for _, k := range keys {
		c[0][k&0xff]++
		c[1][k>>8&0xff]++
		c[2][k>>16&0xff]++
		c[3][k>>24]++
	}
	src, dst := keys, tmp[:n]
	for d := range 4 {
		shift := uint(8 * d)
		h := &c[d]
		if h[src[0]>>shift&0xff] == n {
			continue // every key has this digit
		}
		sum := 0
		for i := range h {
			v := h[i]
			h[i] = sum
			sum += v
		}
		for _, k := range src {
			b := k >> shift & 0xff
			dst[h[b]] = k
			h[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

func insertion32(a []uint32) {
	for i := 1; i < len(a); i++ {
		x := a[i]
		j := i
		for j > 0 && a[j-1] > x {
			a[j] = a[j-1]
			j--
		}
		a[j] = x
	}
}

// merge32 merges the sorted runs a and b into dst (len(a)+len(b)).
func merge32(dst, a, b []uint32) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		x, y := a[i], b[j]
		t := 0
		if x <= y {
			t = 1
		}
		dst[k] = min(x, y)
		i += t
		j += 1 - t
		k++
	}
	k += copy(dst[k:], a[i:])
	copy(dst[k:], b[j:])
}

// quantile32 is numpy's quantile of a run of sorted float32 keys; nan selects
// the nan-variant (skip NaNs) instead of NaN propagation.
func quantile32(r *reduction, s []uint32) float64 {
	nanFirst := len(s) > 0 && s[0] == 0
	if nanFirst {
		if r.kind == rMedian || r.kind == rQuantile {
			return math.NaN()
		}
		i, _ := slices.BinarySearch(s, 1)
		s = s[i:]
	}
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if r.kind == rMedian || r.kind == rNanMedian {
		if n%2 == 1 {
			return unkey32(s[n/2])
		}
		return (unkey32(s[n/2-1]) + unkey32(s[n/2])) / 2
	}
	p := float64(n-1) * r.q
	if p >= float64(n-1) {
		b := unkey32(s[n-1])
		return b - (b-b)*(1-float64(n))
	}
	lo := math.Floor(p)
	i := int(lo)
	g := p - lo
	a, b := unkey32(s[i]), unkey32(s[i+1])
	d := float64(float32(b - a)) // numpy subtracts in float32
	if g >= 0.5 {
		return b - d*(1-g)
	}
	return a + d*g
}
