//go:build !purego

package healpix

import "testing"

// TestVectorKernelDecides checks that the AVX2 kernel leaves few points to
// hashExact: a kernel that gave up on every point would pass the equality
// tests of fastpath_test.go at a fraction of the speed.
func TestVectorKernelDecides(t *testing.T) {
	if !useSIMD {
		t.Skip("this machine has no AVX2")
	}
	const n = 1 << 16
	lat, lon := benchPoints(n)
	for _, o := range []uint{0, 12, MaxOrder} {
		dst := make([]uint64, simdChunk)
		left := 0
		for off := 0; off < n; off += simdChunk {
			hashAVX2(&dst[0], &lat[off], &lon[off], simdChunk, o, &simdConst, &simdOrder[o])
			for _, d := range dst {
				if d == exMarker {
					left++
				}
			}
		}
		// Expected: the points within 0.6° of a pole (5e−5 of the sphere),
		// near the transition latitude (none), and at order 29 about one
		// cap point in a thousand.
		t.Logf("order %d: %d of %d points left to hashExact", o, left, n)
		if left > n/500 {
			t.Errorf("order %d: the vector kernel left %d of %d points to hashExact", o, left, n)
		}
	}
}
