//go:build !purego

package healpix

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useSIMD reports whether LatLonToNestSlice uses the AVX2 kernel of
// hash_amd64.s (tests switch it off to exercise the portable passes). Build
// with the purego tag to leave the kernel out.
var useSIMD = cpu.X86.HasAVX2

// hashAVX2 is hashBlockFast for n points (a multiple of 4), four at a
// time in AVX2 registers: the belt and cap passes of hashNest computed for
// every point with the same operations in the same order (so the same bits),
// selected per lane, and the bits interleaved by shifts and masks. A point
// that neither pass decides (the other list of hashLists, or a floor that
// its error bound leaves open) gets exMarker in dst, and the result is
// non-zero if any point did. c is &simdConst and k is &simdOrder[o].
//
//go:noescape
func hashAVX2(dst *uint64, lat, lon *float64, n int, o uint, c *[nSimdConst][4]uint64, k *[4][4]uint64) int

// exMarker is what hashAVX2 stores for a point it leaves to hashExact. No
// nested index at any order has all bits set (that is Invalid, which the
// kernel never produces itself).
const exMarker = math.MaxUint64

// simdChunk is the number of points per hashAVX2 call: small enough that a
// chunk's dst is still in the L1 cache when hashSliceSIMD scans it for
// exMarker.
const simdChunk = 512

// hashSliceSIMD is hashSlice with the AVX2 kernel, for len(lat) ≥ 4; it
// reports false (and does nothing) when the kernel is not in use.
func hashSliceSIMD(dst []uint64, o uint, lat, lon []float64) bool {
	if !useSIMD {
		return false
	}
	n := len(lat) &^ 3
	for off := 0; off < n; off += simdChunk {
		m := min(simdChunk, n-off)
		if hashAVX2(&dst[off], &lat[off], &lon[off], m, o, &simdConst, &simdOrder[o]) != 0 {
			for k := off; k < off+m; k++ {
				if dst[k] == exMarker {
					dst[k] = hashExact(o, lat[k], lon[k])
				}
			}
		}
	}
	for k := n; k < len(lat); k++ {
		dst[k] = hashNest(o, lat[k], lon[k])
	}
	return true
}

// Indices into simdConst, whose entries hash_amd64.s reads at offset
// 32·index; keep the two lists in the same order.
const (
	kAbs       = iota // |x| mask
	kDegToRad         // π/180
	kInvHalfPi        // 2/π
	kFour             // 4.0
	kHalf             // 0.5
	kThreeQ           // 0.75
	kBeltLat
	kCapLat
	kFastLat
	kFastLon
	kSinSmall4
	kSinSmall3
	kSinSmall2
	kSinSmall1
	kSinSmall0
	kSinCap3
	kSinCap2
	kSinCap1
	kSinCap0
	kPi4
	kHalfDeg // 0.5·π/180
	kSqrt6
	kThree // 3.0
	kMagic // 2⁵²: adding it to an integral x in [0, 2⁵²) leaves x in the low bits
	kInt4  // integer 4
	kInt8  // integer 8
	kSpread16
	kSpread8
	kSpread4
	kSpread2
	kSpread1
	kOnes // all bits set
	nSimdConst
)

// simdConst holds the constants of hashAVX2, each repeated in four lanes,
// rounded exactly as the Go expressions of hashNest round them.
var simdConst = func() (t [nSimdConst][4]uint64) {
	f := func(x float64) uint64 { return math.Float64bits(x) }
	v := [nSimdConst]uint64{
		kAbs:       math.MaxInt64,
		kDegToRad:  f(degToRad),
		kInvHalfPi: f(invHalfPi),
		kFour:      f(4),
		kHalf:      f(0.5),
		kThreeQ:    f(0.75),
		kBeltLat:   f(beltLat),
		kCapLat:    f(capLat),
		kFastLat:   f(fastLat),
		kFastLon:   f(fastLon),
		kSinSmall4: f(sinSmall4),
		kSinSmall3: f(sinSmall3),
		kSinSmall2: f(sinSmall2),
		kSinSmall1: f(sinSmall1),
		kSinSmall0: f(sinSmall0),
		kSinCap3:   f(sinCap3),
		kSinCap2:   f(sinCap2),
		kSinCap1:   f(sinCap1),
		kSinCap0:   f(sinCap0),
		kPi4:       f(pi4),
		kHalfDeg:   f(0.5 * degToRad),
		kSqrt6:     f(sqrt6),
		kThree:     f(3),
		kMagic:     f(1 << 52),
		kInt4:      4,
		kInt8:      8,
		kSpread16:  0x0000FFFF0000FFFF,
		kSpread8:   0x00FF00FF00FF00FF,
		kSpread4:   0x0F0F0F0F0F0F0F0F,
		kSpread2:   0x3333333333333333,
		kSpread1:   0x5555555555555555,
		kOnes:      math.MaxUint64,
	}
	for i, x := range v {
		t[i] = [4]uint64{x, x, x, x}
	}
	return t
}()

// simdOrder[o] holds hashAVX2's per-order constants in four lanes: nside
// as a float64, the error bounds nside·beltTol and nside·capTol (rounded
// as in hashNest), and nside−1.
var simdOrder = func() (t [MaxOrder + 1][4][4]uint64) {
	for o := range t {
		fn := float64(uint64(1) << o)
		v := [4]uint64{
			math.Float64bits(fn),
			math.Float64bits(float64(fn * beltTol)),
			math.Float64bits(float64(fn * capTol)),
			uint64(1)<<o - 1,
		}
		for i, x := range v {
			t[o][i] = [4]uint64{x, x, x, x}
		}
	}
	return t
}()
