package healpix

import "math"

// Per base cell f: the ring number of its southern corner in units of nside
// (ringBase[f]·nside − 1 is the ring through the corner) and the position of
// its centre along a ring, in units of half a cell at the ring's resolution.
var (
	ringBase = [12]int64{2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4}
	ringPhi  = [12]int64{1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7}
)

// NestToRing converts a nested index to the ring index of the same cell at
// the given order. It returns Invalid if nest is not below NPix(order). It
// panics if order is outside [0, MaxOrder].
func NestToRing(order int, nest uint64) uint64 {
	checkOrder(order)
	if nest >= NPix(order) {
		return Invalid
	}
	o := uint(order)
	f, ix, iy := decompose(o, nest)
	nside := int64(1) << o
	npix := 12 * nside * nside
	ncap := 2 * nside * (nside - 1)

	// Ring number counted from the north pole, 1…4·nside−1.
	r := ringBase[f]*nside - int64(ix) - int64(iy) - 1
	var nr, start, s int64
	switch {
	case r < nside: // north cap
		nr = r
		start = 2 * r * (r - 1)
	case r > 3*nside: // south cap
		nr = 4*nside - r
		start = npix - 2*nr*(nr+1)
	default: // belt
		nr = nside
		start = ncap + (r-nside)*4*nside
		s = (r - nside) & 1
	}
	p := (ringPhi[f]*nr + int64(ix) - int64(iy) + 1 + s) / 2
	if p > 4*nside {
		p -= 4 * nside
	} else if p < 1 {
		p += 4 * nside
	}
	return uint64(start + p - 1)
}

// RingToNest converts a ring index to the nested index of the same cell at
// the given order. It returns Invalid if ring is not below NPix(order). It
// panics if order is outside [0, MaxOrder].
func RingToNest(order int, ring uint64) uint64 {
	checkOrder(order)
	if ring >= NPix(order) {
		return Invalid
	}
	o := uint(order)
	nside := int64(1) << o
	npix := 12 * nside * nside
	ncap := 2 * nside * (nside - 1)
	rg := int64(ring)

	var r, p, nr, s, f int64
	switch {
	case rg < ncap: // north cap
		r = (1 + isqrt(1+2*rg)) / 2
		p = rg + 1 - 2*r*(r-1)
		nr = r
		f = (p - 1) / nr
	case rg >= npix-ncap: // south cap
		q := npix - rg
		rr := (1 + isqrt(2*q-1)) / 2
		p = 4*rr + 1 - (q - 2*rr*(rr-1))
		nr = rr
		r = 4*nside - rr
		f = 8 + (p-1)/nr
	default: // belt
		t := (rg - ncap) / (4 * nside)
		r = nside + t
		p = (rg-ncap)%(4*nside) + 1
		nr = nside
		s = (r + nside) & 1
		a := r - nside + 1
		b := 2*nside + 2 - a
		m := (p - a/2 + nside - 1) / nside
		k := (p - b/2 + nside - 1) / nside
		switch {
		case k == m:
			f = 4 + k&3
		case k < m:
			f = k
		default:
			f = m + 8
		}
	}
	u := r - ringBase[f]*nside + 1
	v := 2*p - ringPhi[f]*nr - s - 1
	if v >= 2*nside {
		v -= 8 * nside
	}
	ix := (v - u) >> 1
	iy := (-v - u) >> 1
	return uint64(f)<<(2*o) | interleave(uint64(ix), uint64(iy))
}

// isqrt returns ⌊√n⌋ for 0 ≤ n < 2^63, exactly.
func isqrt(n int64) int64 {
	r := int64(math.Sqrt(float64(n)))
	for r*r > n {
		r--
	}
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}
