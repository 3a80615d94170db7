package agg

import (
	"math"
)

// Order statistics work on integer sort keys: each value maps to a key whose
// unsigned order is slices.Sort's float order (NaN first, then -Inf ... +Inf):
// uint32 keys for float32 columns (ATL06 h_li), uint64 keys otherwise, and
// keys map back to the exact values. The keys stay in cell order; a selector
// picks the ranks a cell needs.

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

// selector finds order statistics of a range of float32 sort keys without
// sorting it: an MSD radix select. One histogram pass per 8-bit digit (a
// digit shared by every candidate costs only that pass), and only the
// buckets holding a wanted rank are copied out and refined, so the cost is
// about one or two passes over the range whatever the number of cells it
// spans. This is what makes exact quantiles affordable at every order.
type selector[K sortKey] struct {
	hist    [8][256]int
	rk      [8][]int
	scratch [8][]K
	small   [32]K
}

// sortKey is a float sort key: uint32 for float32 data, uint64 for float64.
type sortKey interface{ ~uint32 | ~uint64 }

// sel writes to out[x] the key of rank ranks[x] (0-based, ascending, distinct,
// < len(cand)) among cand, whose keys share every digit above shift+8.
func (s *selector[K]) sel(cand []K, shift, depth int, ranks []int, out []K) {
	for {
		if len(cand) <= len(s.small) {
			sm := s.small[:len(cand)]
			copy(sm, cand)
			insertionSort(sm)
			for x, r := range ranks {
				out[x] = sm[r]
			}
			return
		}
		if shift < 0 { // every digit shared: all keys equal
			for x := range ranks {
				out[x] = cand[0]
			}
			return
		}
		h := &s.hist[depth]
		clear(h[:])
		for _, k := range cand {
			h[k>>uint(shift)&0xff]++
		}
		if h[cand[0]>>uint(shift)&0xff] != len(cand) {
			break
		}
		shift -= 8
	}
	h := &s.hist[depth]
	// Exclusive prefix sums: bucket b holds ranks [h[b], h[b+1]).
	sum := 0
	for b := range h {
		c := h[b]
		h[b] = sum
		sum += c
	}
	// Group the ranks by bucket, then copy every wanted bucket out in one
	// branch-free pass (unwanted keys go to a sink slot at the end).
	type group struct{ b, i, j, off int }
	var groups [8]group
	gs := groups[:0]
	total := 0
	for i := 0; i < len(ranks); {
		r := ranks[i]
		lo, hi := 0, 255 // the bucket of rank r: the last b with h[b] <= r
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if h[mid] <= r {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		end := len(cand)
		if lo < 255 {
			end = h[lo+1]
		}
		j := i
		for j < len(ranks) && ranks[j] < end {
			j++
		}
		gs = append(gs, group{b: lo, i: i, j: j, off: total})
		total += end - h[lo]
		i = j
	}
	buf := s.scratch[depth]
	if cap(buf) < total+1 {
		buf = make([]K, total+1, 2*(total+1))
		s.scratch[depth] = buf
	}
	buf = buf[:total+1]
	var pos, inc [256]int
	for b := range pos {
		pos[b] = total
	}
	for _, g := range gs {
		pos[g.b], inc[g.b] = g.off, 1
	}
	for _, k := range cand {
		b := k >> uint(shift) & 0xff
		p := pos[b]
		buf[p] = k
		pos[b] = p + inc[b]
	}
	for _, g := range gs {
		cnt := pos[g.b] - g.off
		if cap(s.rk[depth]) < g.j-g.i {
			s.rk[depth] = make([]int, g.j-g.i, 2*(g.j-g.i))
		}
		adj := s.rk[depth][:g.j-g.i]
		for x := range adj {
			adj[x] = ranks[g.i+x] - h[g.b]
		}
		s.sel(buf[g.off:g.off+cnt], shift-8, depth+1, adj, out[g.i:g.j])
	}
}

func insertionSort[K sortKey](a []K) {
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

// rankPlan returns the ranks an order statistic needs on a cell of n keys of
// which nan are NaN (key 0, ranked first), or ok=false when the result is NaN
// without looking at the data.
func rankPlan(r *reduction, n, nan int) (lo, hi int, ok bool) {
	if nan > 0 && (r.kind == rMedian || r.kind == rQuantile) {
		return 0, 0, false
	}
	m := n - nan
	if m == 0 {
		return 0, 0, false
	}
	switch r.kind {
	case rMedian, rNanMedian:
		if m%2 == 1 {
			return nan + m/2, nan + m/2, true
		}
		return nan + m/2 - 1, nan + m/2, true
	}
	p := float64(m-1) * r.q
	if p >= float64(m-1) {
		return nan + m - 1, nan + m - 1, true
	}
	i := int(math.Floor(p))
	return nan + i, nan + i + 1, true
}

// rankValue finishes an order statistic from the values x ≤ y at the ranks
// of rankPlan: numpy's median mean or its linear interpolation, with the
// difference rounded to float32 for float32 data as numpy does.
func rankValue(r *reduction, n, nan int, x, y float64, f32 bool) float64 {
	switch r.kind {
	case rMedian, rNanMedian:
		if (n-nan)%2 == 1 {
			return x
		}
		return (x + y) / 2
	}
	m := n - nan
	p := float64(m-1) * r.q
	if p >= float64(m-1) {
		return x - (x-x)*(1-float64(m))
	}
	g := p - math.Floor(p)
	d := y - x
	if f32 {
		d = float64(float32(d)) // numpy subtracts in float32
	}
	if g >= 0.5 {
		return y - d*(1-g)
	}
	return x + d*g
}

// key64 is key32 for float64 values.
func key64(f float64) uint64 {
	if f != f {
		return 0
	}
	b := math.Float64bits(f)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// unkey64 is the inverse of key64 (NaN for key 0).
func unkey64(k uint64) float64 {
	if k == 0 {
		return math.NaN()
	}
	if k>>63 != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}
