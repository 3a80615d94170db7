package healpix

import (
	"math"
	"testing"
)

// FuzzNestRing checks NestToRing and RingToNest are inverse bijections on
// any (order, index) and reject indices out of range.
func FuzzNestRing(f *testing.F) {
	f.Add(uint8(0), uint64(0))
	f.Add(uint8(6), uint64(37010))
	f.Add(uint8(29), uint64(12<<58-1))
	f.Add(uint8(29), uint64(1)<<62)
	f.Fuzz(func(t *testing.T, ob uint8, n uint64) {
		o := int(ob % (MaxOrder + 1))
		r := NestToRing(o, n)
		back := RingToNest(o, n)
		if n >= NPix(o) {
			if r != Invalid || back != Invalid {
				t.Fatalf("order %d: out-of-range %d gave %d, %d", o, n, r, back)
			}
			return
		}
		if r >= NPix(o) || back >= NPix(o) {
			t.Fatalf("order %d: %d gave %d, %d", o, n, r, back)
		}
		if got := RingToNest(o, r); got != n {
			t.Fatalf("order %d: RingToNest(NestToRing(%d) = %d) = %d", o, n, r, got)
		}
		if got := NestToRing(o, back); got != n {
			t.Fatalf("order %d: NestToRing(RingToNest(%d) = %d) = %d", o, n, back, got)
		}
	})
}

// FuzzLatLonToNest checks that any input gives Invalid or a valid index,
// that the scalar, batch and two-step forms agree, that the cell hierarchy
// is consistent (hashing at a coarser order is the parent), and that the
// centre of the cell hashes back to it.
func FuzzLatLonToNest(f *testing.F) {
	f.Add(uint8(29), 0.0, 0.0)
	f.Add(uint8(18), -80.0, 120.0)
	f.Add(uint8(29), 90.0, math.Copysign(0, -1))
	f.Add(uint8(12), -41.810314895778596, 45.0)
	f.Add(uint8(29), math.NaN(), 1.0)
	f.Add(uint8(3), 10.0, math.Inf(-1))
	f.Add(uint8(29), -89.99999, -180.0)
	f.Fuzz(func(t *testing.T, ob uint8, lat, lon float64) {
		o := int(ob % (MaxOrder + 1))
		n := LatLonToNest(o, lat, lon)
		bad := !(lat >= -90 && lat <= 90) || math.IsNaN(lon) || math.IsInf(lon, 0)
		if bad != (n == Invalid) {
			t.Fatalf("LatLonToNest(%d, %v, %v) = %d", o, lat, lon, n)
		}
		if bad {
			return
		}
		if n >= NPix(o) {
			t.Fatalf("LatLonToNest(%d, %v, %v) = %d out of range", o, lat, lon, n)
		}
		var p locPoint
		p.set(uint(o), lat, lon)
		if two := p.nest(uint(o)); two != n {
			t.Fatalf("LatLonToNest(%d, %v, %v) = %d, two-step %d", o, lat, lon, n, two)
		}
		// A batch long enough for the vector kernel, and its tail.
		la, lo, dst := make([]float64, hashTail+5), make([]float64, hashTail+5), make([]uint64, hashTail+5)
		for k := range la {
			la[k], lo[k] = lat, lon
		}
		LatLonToNestSlice(dst, o, la, lo)
		for k, d := range dst {
			if d != n {
				t.Fatalf("batch point %d: %d, scalar %d", k, d, n)
			}
		}
		for q := 0; q < o; q++ {
			if got := LatLonToNest(q, lat, lon); got != Parent(o, n, q) {
				t.Fatalf("(%v, %v): order %d cell %d, parent of order-%d cell %d is %d", lat, lon, q, got, o, n, Parent(o, n, q))
			}
		}
		r := LatLonToRing(o, lat, lon)
		if r >= NPix(o) {
			t.Fatalf("LatLonToRing(%d, %v, %v) = %d", o, lat, lon, r)
		}
		clat, clon := NestCenter(o, n)
		if got := LatLonToNest(o, clat, clon); got != n {
			t.Fatalf("centre (%v, %v) of %d@%d hashes to %d", clat, clon, n, o, got)
		}
	})
}

// FuzzNeighbours checks neighbour symmetry on arbitrary cells.
func FuzzNeighbours(f *testing.F) {
	f.Add(uint8(1), uint64(19))
	f.Add(uint8(29), uint64(0))
	f.Add(uint8(10), uint64(12<<20-1))
	f.Fuzz(func(t *testing.T, ob uint8, n uint64) {
		o := int(ob % (MaxOrder + 1))
		nb := NestNeighbours(o, n)
		if n >= NPix(o) {
			if nb[0] != Invalid {
				t.Fatalf("neighbours of invalid %d@%d: %v", n, o, nb)
			}
			return
		}
		for _, m := range nb {
			if m == Invalid {
				continue
			}
			found := false
			for _, x := range NestNeighbours(o, m) {
				found = found || x == n
			}
			if !found {
				t.Fatalf("order %d: %d → %d is not symmetric", o, n, m)
			}
		}
	})
}
