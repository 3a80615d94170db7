package healpix

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Constants of the projection, all rounded once from their exact values.
const (
	sqrt6     = 2.449489742783178 // == math.Sqrt(6), asserted in tests
	degToRad  = math.Pi / 180
	radToDeg  = 180 / math.Pi
	halfPi    = math.Pi / 2
	invHalfPi = 2 / math.Pi
	twoThird  = 2.0 / 3.0
)

// LatLonToNest returns the nested index at the given order of the cell that
// contains the point (lat, lon), in degrees on the sphere. No latitude
// conversion is applied: pass LatitudeConvention.ToSphere(lat) for geodetic
// input.
//
// The result is bit-identical to healpy's ang2pix(nside, lon, lat,
// nest=True, lonlat=True), including the points that lie exactly on a cell
// edge (see the package documentation for the tie rule and for how this
// differs from mortie). Any finite longitude is accepted (it is taken
// modulo 360°; −0.0 is 0). The poles belong to a corner cell of a polar base
// cell.
//
// It returns Invalid if lat or lon is NaN or infinite, or lat is outside
// [−90, 90]. It panics if order is outside [0, MaxOrder].
func LatLonToNest(order int, lat, lon float64) uint64 {
	checkOrder(order)
	return hashNest(uint(order), lat, lon)
}

// LatLonToNestSlice stores in dst[k] the nested index at the given order of
// the point (lat[k], lon[k]), exactly as LatLonToNest does for each point
// (Invalid for a bad point; the other points are unaffected). It does not
// allocate. It panics if order is outside [0, MaxOrder] or the three slices
// differ in length.
func LatLonToNestSlice(dst []uint64, order int, lat, lon []float64) {
	checkOrder(order)
	if len(dst) != len(lat) || len(lat) != len(lon) {
		panic(fmt.Sprintf("healpix: slice lengths differ: dst %d, lat %d, lon %d", len(dst), len(lat), len(lon)))
	}
	hashSlice(dst, uint(order), lat, lon)
}

// LatLonToRing returns the ring index at the given order of the cell that
// contains (lat, lon), in degrees on the sphere. It is bit-identical to
// healpy's ang2pix(nside, lon, lat, nest=False, lonlat=True). Away from
// cell edges it equals NestToRing(order, LatLonToNest(order, lat, lon)); a
// point exactly on an edge can land in a different (adjacent) cell, because
// healpy's ring and nested hashes break ties differently. It returns
// Invalid for the input LatLonToNest rejects and panics like it.
func LatLonToRing(order int, lat, lon float64) uint64 {
	checkOrder(order)
	var p locPoint
	if !p.set(uint(order), lat, lon) {
		return Invalid
	}
	return p.ring(uint(order))
}

// locPoint is a point prepared for hashing, in the quantities of the
// classic HEALPix formulation (Górski et al. 2005, ApJ 622:759, §4): z =
// cos θ = sin(lat), tt = φ/(π/2) mod 4 ∈ [0, 4), and for the polar caps
// σ = nside·√(3(1−|z|)), the distance from the pole in units of a cell.
type locPoint struct {
	z, za, tt float64
	sigma     float64 // only set for za > 2/3
}

// set prepares (lat, lon) at order o and reports whether it names a point.
// The arithmetic follows healpy's path step by step: θ = π/2 − lat·π/180,
// z = cos θ (with sinCos, not math.Cos: see trig.go), and √(3(1−|z|))
// replaced by sin θ/√((1+|z|)/3) within 0.01 rad of a pole to avoid
// cancellation, so that points on cell edges round to the same side as in
// healpy. Every product feeding a sum is wrapped in float64(), which the Go
// specification says forces rounding, so that no architecture fuses it
// into a multiply-add.
func (p *locPoint) set(o uint, lat, lon float64) bool {
	if !(lat >= -90 && lat <= 90) || math.IsNaN(lon) || math.IsInf(lon, 0) {
		return false
	}
	theta := halfPi - float64(lat*degToRad)
	phi := lon * degToRad
	nearPole := theta < 0.01 || theta > 3.14159-0.01
	sth, z := sinCos(theta) // θ ∈ [0, π]; see trig.go
	p.z = z
	p.za = math.Abs(p.z)

	p.tt = turnQuarters(phi)

	if p.za > twoThird {
		fn := float64(uint64(1) << o)
		if p.za < 0.99 || !nearPole {
			p.sigma = fn * math.Sqrt(3*(1-p.za))
		} else {
			p.sigma = fn * sth / math.Sqrt((1+p.za)/3)
		}
	}
	return true
}

// nest returns the nested index of the prepared point at order o.
func (p *locPoint) nest(o uint) uint64 {
	nside := int64(1) << o
	fn := float64(nside)
	var face, ix, iy int64
	if p.za <= twoThird {
		// Equatorial belt: jp and jm count the ascending and descending
		// edge lines crossed since φ = −π/4 on the equator.
		t1 := float64(fn * (0.5 + p.tt))
		t2 := float64(fn * float64(p.z*0.75))
		jp := int64(t1 - t2)
		jm := int64(t1 + t2)
		ifp, ifm := jp>>o, jm>>o
		switch {
		case ifp == ifm:
			face = ifp | 4
		case ifp < ifm:
			face = ifp
		default:
			face = ifm + 8
		}
		ix = jm & (nside - 1)
		iy = nside - (jp & (nside - 1)) - 1
	} else {
		// Polar caps: the quarter ntt and the position tp ∈ [0, 1) in it.
		ntt := int64(p.tt)
		if ntt > 3 {
			ntt = 3
		}
		tp := p.tt - float64(ntt)
		jp := min(int64(float64(tp*p.sigma)), nside-1)
		jm := min(int64(float64((1-tp)*p.sigma)), nside-1)
		if p.z > 0 {
			face, ix, iy = ntt, nside-jm-1, nside-jp-1
		} else {
			face, ix, iy = ntt+8, jp, jm
		}
	}
	return uint64(face)<<(2*o) | interleave(uint64(ix), uint64(iy))
}

// ring returns the ring index of the prepared point at order o.
func (p *locPoint) ring(o uint) uint64 {
	nside := int64(1) << o
	fn := float64(nside)
	nl4 := 4 * nside
	ncap := 2 * nside * (nside - 1)
	npix := 12 * nside * nside
	if p.za <= twoThird {
		t1 := float64(fn * (0.5 + p.tt))
		t2 := float64(fn * float64(p.z*0.75))
		jp := int64(t1 - t2)
		jm := int64(t1 + t2)
		ir := nside + 1 + jp - jm // ring number counted from z = 2/3, 1…2·nside+1
		kshift := 1 - ir&1
		ip := ((jp + jm - nside + kshift + 1 + 2*nl4) >> 1) % nl4
		return uint64(ncap + (ir-1)*nl4 + ip)
	}
	tp := p.tt - float64(int64(p.tt))
	jp := int64(float64(tp * p.sigma))
	jm := int64(float64((1 - tp) * p.sigma))
	ir := jp + jm + 1 // ring number counted from the closest pole
	ip := min(int64(float64(p.tt*float64(ir))), 4*ir-1)
	if p.z > 0 {
		return uint64(2*ir*(ir-1) + ip)
	}
	return uint64(npix - 2*ir*(ir+1) + ip)
}

// turnQuarters returns φ/(π/2) reduced to [0, 4) exactly as healpy's
// fmodulo does: values in (−4, 0) get 4 added (one rounding) and a result
// that rounds to 4 becomes 0. It is branch-free for |φ| < 2π, where random
// signs would otherwise cost a mispredicted branch per point.
func turnQuarters(phi float64) float64 {
	tt := phi * invHalfPi
	if !(tt > -4 && tt < 4) {
		tt = math.Mod(tt, 4) // exact
	}
	tt += float64(4 * float64(math.Float64bits(tt)>>63))
	if tt == 4 {
		tt = 0
	}
	return tt
}

// hashNest is LatLonToNest for a validated order: the belt and cap passes
// of hashBlockFast for one point, with branches, falling back to hashExact
// like them.
func hashNest(o uint, la, lo float64) uint64 {
	a := math.Abs(la)
	if !(math.Abs(lo) < fastLon) || !(a < beltLat || a > capLat && a <= fastLat) {
		return hashExact(o, la, lo)
	}
	nside := int64(1) << o
	mask := nside - 1
	fn := float64(nside)
	tt := turnsFast(lo)
	if a < beltLat {
		d := float64(fn * beltTol)
		z := sinSmall(float64(la * degToRad))
		t1 := float64(fn * (0.5 + tt))
		t2 := float64(fn * float64(z*0.75))
		a, b := t1-t2, t1+t2
		jp, jm := int64(a-d), int64(b-d)
		if (jp^int64(a+d))|(jm^int64(b+d)) != 0 {
			return hashExact(o, la, lo)
		}
		ifp, ifm := jp>>o, jm>>o
		face := ifm + 8
		if ifp == ifm {
			face = ifp | 4
		}
		if ifp < ifm {
			face = ifp
		}
		return uint64(face)<<(2*o&63) | interleave(uint64(jm&mask), uint64(mask-jp&mask))
	}
	d := float64(fn * capTol)
	w := pi4 - float64(a*(0.5*degToRad))
	sigma := float64(fn * float64(sqrt6*sinCap(w)))
	ntt := min(int64(tt), 3)
	tp := tt - float64(ntt)
	pa := float64(tp * sigma)
	pb := sigma - pa
	jp, jm := int64(pa-d), int64(pb-d)
	if (jp^int64(pa+d))|(jm^int64(pb+d)) != 0 {
		return hashExact(o, la, lo)
	}
	if la > 0 {
		return uint64(ntt)<<(2*o&63) | interleave(uint64(mask-jm), uint64(mask-jp))
	}
	return uint64(ntt+8)<<(2*o&63) | interleave(uint64(jp), uint64(jm))
}

// hashSlice is LatLonToNestSlice for a validated order and equal lengths.
// With a vector kernel (hash_amd64.s, on CPUs with AVX2) it hands every
// batch of at least hashTail points to that; otherwise it hashes blocks of
// hashBlock points with hashBlockFast. Fewer than hashTail points are
// hashed one at a time with hashNest.
func hashSlice(dst []uint64, o uint, lat, lon []float64) {
	lon = lon[:len(lat)]
	dst = dst[:len(lat)]
	if len(lat) >= hashTail && hashSliceSIMD(dst, o, lat, lon) {
		return
	}
	if len(lat) < hashTail {
		for k, la := range lat {
			dst[k] = hashNest(o, la, lon[k])
		}
		return
	}
	var sc hashScratch
	for len(lat) >= hashBlock {
		hashBlockFast((*[hashBlock]uint64)(dst), o, (*[hashBlock]float64)(lat), (*[hashBlock]float64)(lon), hashBlock, &sc)
		dst, lat, lon = dst[hashBlock:], lat[hashBlock:], lon[hashBlock:]
	}
	if len(lat) < hashTail {
		for k, la := range lat {
			dst[k] = hashNest(o, la, lon[k])
		}
		return
	}
	// The tail, padded to a block; the padding is not hashed.
	var d [hashBlock]uint64
	var la, lo [hashBlock]float64
	copy(la[:], lat)
	copy(lo[:], lon)
	hashBlockFast(&d, o, &la, &lo, len(lat), &sc)
	copy(dst, d[:])
}

// hashBlock is the number of points hashBlockFast hashes at once; indices
// into a block fit a uint8. A tail of fewer than hashTail points is hashed
// one point at a time (hashNest) rather than padded to a block.
const (
	hashBlock = 256
	hashTail  = 32
)

// hashScratch holds hashBlockFast's per-block lists.
type hashScratch struct {
	hi, xy        [hashBlock]uint64    // face<<2o and ix | iy<<32 for the interleave pass
	belt, cap, ex [hashBlock + 8]uint8 // indices of the belt, cap and other points
}

// packIndex[m] lists the positions of the set bits of m in its bytes, from
// the lowest: packIndex[0b1010] = 0x0301.
var packIndex = func() (t [256]uint64) {
	for m := range t {
		n := 0
		for i := range 8 {
			if m>>i&1 != 0 {
				t[m] |= uint64(i) << (8 * n)
				n++
			}
		}
	}
	return t
}()

// hashBlockFast stores in dst[:n] the nested indices of the first n points
// of a block, the same as hashExact gives, mostly without hashExact's exact
// cosine.
//
// A first pass sorts the points into three lists: the equatorial belt
// (|lat| below the transition latitude asin(2/3) minus a margin), the polar
// caps (above it plus a margin, up to fastLat) and the rest (the margin, the
// points beyond fastLat where hashExact switches to healpy's polar form of
// σ, |lon| ≥ fastLon, bad input). The belt and cap passes then run without
// data-dependent branches, and a last pass interleaves the bits of every
// point; the rest go to hashExact.
//
// The belt pass takes z = sin(lat) from a polynomial (sinSmall) and the cap
// pass takes σ/nside = √(3(1 − |z|)) = √6·sin(π/4 − |lat|/2) from another
// (sinCap), instead of from z through a square root. Both differ from
// hashExact's values by at most a proven bound (beltTol, capTol, in cells
// per nside, see their derivation), so a projected coordinate v that floors
// to the same integer at v − d and v + d floors to it in hashExact too. The
// few points that fail this test (about one in a thousand in the caps at
// order 29, far fewer in the belt) go to hashExact.
// TestHashNestMatchesLocPointFastPath checks the two agree, including on
// cell edges, and TestTrigFastPathBounds checks the bounds.
func hashBlockFast(dst *[hashBlock]uint64, o uint, lat, lon *[hashBlock]float64, n int, sc *hashScratch) {
	// Each pass is a function of its own, so that the register allocator
	// sees only that pass's values (within one function it spilled loop
	// counters, which put a store-to-load round trip on the critical path).
	nb, nc, ne := hashLists(lat, lon, n, sc)
	ne = hashBelt(o, lat, lon, sc, sc.belt[:nb], ne)
	ne = hashCap(o, lat, lon, sc, sc.cap[:nc], ne)
	hashInterleave(dst, n, sc)
	for _, k := range sc.ex[:ne] {
		dst[k] = hashExact(o, lat[k], lon[k])
	}
}

// hashLists is hashBlockFast's first pass: it sorts the first n points into
// the belt, cap and other lists and returns their lengths. It compares the bits
// of |lat| and |lon| as integers (for non-negative floats the order is the
// same, and NaN sorts above +Inf), without a branch. For each group of 8
// points it makes a bit mask per list and appends the group's members to
// the list with one 8-byte store from packIndex, which is much faster than a
// store per point at a data-dependent address.
func hashLists(lat, lon *[hashBlock]float64, n int, sc *hashScratch) (nb, nc, ne int) {
	const sign = 1 << 63
	belt := math.Float64bits(beltLat)
	capLo := math.Float64bits(capLat)
	capHi := math.Float64bits(fastLat) + 1
	lonHi := math.Float64bits(fastLon)
	for g := 0; g < n; g += 8 {
		var mb, mc uint64
		for k := g + 7; k >= g; k-- {
			a := math.Float64bits(lat[k]) &^ sign
			ok := (math.Float64bits(lon[k])&^sign - lonHi) >> 63 // 1 if |lon| < fastLon
			mb = mb<<1 | (a-belt)>>63&ok                         // |lat| < beltLat
			mc = mc<<1 | (capLo-a)>>63&((a-capHi)>>63)&ok        // capLat < |lat| ≤ fastLat
		}
		valid := uint64(0xFF) // the points of the group below n
		if g+8 > n {
			valid = 1<<(n-g) - 1
		}
		mb &= valid
		mc &= valid
		me := ^(mb | mc) & valid
		base := uint64(g) * 0x0101010101010101
		binary.LittleEndian.PutUint64(sc.belt[nb:], packIndex[mb]+base)
		binary.LittleEndian.PutUint64(sc.cap[nc:], packIndex[mc]+base)
		binary.LittleEndian.PutUint64(sc.ex[ne:], packIndex[me]+base)
		nb += bits.OnesCount8(uint8(mb))
		nc += bits.OnesCount8(uint8(mc))
		ne += bits.OnesCount8(uint8(me))
	}
	return nb, nc, ne
}

// turnsFast is turnQuarters for |lon| < fastLon, where φ/(π/2) is in
// (−4, 4) and needs no math.Mod: the same bits, without a branch on the
// sign.
func turnsFast(lon float64) float64 {
	tt := float64(lon * degToRad * invHalfPi)
	tt += float64(4 * float64(math.Float64bits(tt)>>63))
	if tt == 4 {
		tt = 0
	}
	return tt
}

// hashBelt is hashBlockFast's pass over the belt points ks: it stores each
// point's face<<2o and ix | iy<<32 in sc.hi and sc.xy, or, for a point too
// close to a cell edge, appends it to the ne points of sc.ex for hashExact
// (calling hashExact here would make the register allocator spill the loop's
// values on every iteration). It returns the new length of sc.ex.
func hashBelt(o uint, lat, lon *[hashBlock]float64, sc *hashScratch, ks []uint8, ne int) int {
	nside := int64(1) << o
	mask := nside - 1
	fn := float64(nside)
	dBelt := float64(fn * beltTol)
	for _, k := range ks {
		tt := turnsFast(lon[k])
		z := sinSmall(float64(lat[k] * degToRad))
		t1 := float64(fn * (0.5 + tt))
		t2 := float64(fn * float64(z*0.75))
		a, b := t1-t2, t1+t2
		jp, jm := int64(a-dBelt), int64(b-dBelt)
		if (jp^int64(a+dBelt))|(jm^int64(b+dBelt)) != 0 {
			sc.ex[uint8(ne)] = k // ne < hashBlock: k is not in sc.ex yet
			ne++
			continue
		}
		ifp, ifm := jp>>o, jm>>o
		face := ifm + 8
		if ifp == ifm {
			face = ifp | 4
		}
		if ifp < ifm {
			face = ifp
		}
		sc.hi[k] = uint64(face) << (2 * o & 63)
		sc.xy[k] = uint64(jm&mask) | uint64(mask-jp&mask)<<32
	}
	return ne
}

// hashCap is hashBelt for the cap points ks.
func hashCap(o uint, lat, lon *[hashBlock]float64, sc *hashScratch, ks []uint8, ne int) int {
	nside := int64(1) << o
	mask := nside - 1
	fn := float64(nside)
	dCap := float64(fn * capTol)
	for _, k := range ks {
		tt := turnsFast(lon[k])
		la := lat[k]
		w := pi4 - float64(math.Abs(la)*(0.5*degToRad))
		sigma := float64(fn * float64(sqrt6*sinCap(w)))
		ntt := min(int64(tt), 3)
		tp := tt - float64(ntt)
		a := float64(tp * sigma)
		b := sigma - a
		jp, jm := int64(a-dCap), int64(b-dCap)
		if (jp^int64(a+dCap))|(jm^int64(b+dCap)) != 0 {
			sc.ex[uint8(ne)] = k
			ne++
			continue
		}
		// No clamp to mask as in hashExact: a < σ and b ≤ σ, and σ is at
		// most nside·(1 − 1e−9) above capLat, so a + d and b + d stay
		// below nside.
		// South (la < 0): face ntt+8, (ix, iy) = (jp, jm). North: face
		// ntt, (ix, iy) = (mask−jm, mask−jp) = (jm^mask, jp^mask).
		north := int64(math.Float64bits(la)>>63) - 1 // −1 north, 0 south
		sw := (jp ^ jm) & north
		flip := mask & north
		face := ntt + 8&^north
		sc.hi[k] = uint64(face) << (2 * o & 63)
		sc.xy[k] = uint64(jp^sw^flip) | uint64(jm^sw^flip)<<32
	}
	return ne
}

// hashInterleave is hashBlockFast's last pass: dst[k] = sc.hi[k] |
// interleave(ix, iy) for sc.xy[k] = ix | iy<<32 and k < n, by table lookups of 11, 11
// and 10 bits (iy, ix < 2²⁹), which measured 40 % faster than the shift
// and mask form.
func hashInterleave(dst *[hashBlock]uint64, n int, sc *hashScratch) {
	t := &spread11
	for k, v := range sc.xy[:n] {
		x := uint64(t[v&0x7FF]) | uint64(t[v>>11&0x7FF])<<22 | uint64(t[v>>22&0x3FF])<<44
		y := uint64(t[v>>32&0x7FF]) | uint64(t[v>>43&0x7FF])<<22 | uint64(t[v>>54&0x3FF])<<44
		dst[k] = sc.hi[k] | x | y<<1
	}
}

// spread11[i] is spread(i): bit k of i moved to bit 2k.
var spread11 = func() (t [2048]uint32) {
	for i := range t {
		t[i] = uint32(spread(uint64(i)))
	}
	return t
}()

// Bounds of hashBlockFast's fast passes. Let x = fl(lat·π/180), the
// radians both paths start from. hashExact's z = cosPos(fl(π/2 − x)) is
// within E = 4e−16 of sin x: 6.1e−17 for rounding π/2, at most 2.2e−16 for
// rounding π/2 − x < π, and cosPos's own error, under an ulp of z (1.1e−16).
// sinSmall is within 1e−15 of sin x, so the two z differ by at most
// 1.4e−15 (TestTrigFastPathBounds measures 1.2e−15 at worst).
const (
	pi4 = math.Pi / 4
	// beltLat and capLat bracket the transition latitude
	// asin(2/3) = 41.81031489577862° with a margin of 1e−7°, worth 1.3e−9
	// in z, far more than E: below beltLat hashExact's |z| < 2/3 (belt),
	// above capLat it is > 2/3 (cap).
	beltLat = 41.8103148
	capLat  = 41.8103150
	// fastLat is the largest |lat| of the cap pass; hashExact switches to
	// healpy's polar form of σ only beyond 89.42°.
	fastLat = 89.4
	// fastLon bounds |lon| for both fast passes, where tt needs no
	// math.Mod.
	fastLon = 359.9
	// beltTol bounds the difference of t1 ∓ t2 between the belt pass and
	// hashExact, in cells per nside, plus the rounding of v ± d: with z
	// differing by at most 1.4e−15, t2/nside differs by 0.75·1.4e−15 +
	// 2⁻⁵³; t1 ∓ t2 < 5·nside rounds by at most 5·2⁻⁵³ per nside in each
	// path, and v ± d by as much again: 1.05e−15 + 1.1e−16 + 3·5.6e−16 <
	// 2.9e−15. beltTol is more than 3× that.
	beltTol = 1e-14
	// capTol is the same for tp·σ and σ − tp·σ in the caps. With
	// X = 3(1 − |z|) = 6·sin²(π/4 − |x|/2): hashExact's σ/nside = √X
	// computed from its z is off by at most 3E/(2√X) (plus an ulp), and
	// √X ≥ √(3(1 − sin 89.4°)) = 0.01282 for |lat| ≤ fastLat, so by
	// 4.7e−14; the cap pass's √6·sinCap(w) is within √6·(2.7e−15 + 1.2e−16
	// for rounding w) + 2.2e−16 < 7.2e−15 of √X, so the two σ/nside differ
	// by at most 5.4e−14 (TestTrigFastPathBounds measures up to 1.3e−14).
	// tp·σ and σ − tp·σ add at most four roundings of values ≤ nside
	// (2.2e−16 each per nside), and v ± d two more: below 5.6e−14 in all.
	// capTol is 7× that.
	capTol = 4e-13
)

// sinSmall returns sin x for |x| ≤ 0.7298 within 1e−15 (9.0e−16 from the
// polynomial, measured on 20,001 points against mpmath, plus 1e−16 of
// rounding): x + x³·P(x²) with P of degree 4 fitted by least squares on
// Chebyshev nodes (bench/healpix/sinfit.py). It is not correctly rounded;
// the belt pass and hashNest use it only through beltTol.
func sinSmall(x float64) float64 {
	t := float64(x * x)
	p := float64(sinSmall4*t) + sinSmall3
	p = float64(p*t) + sinSmall2
	p = float64(p*t) + sinSmall1
	p = float64(p*t) + sinSmall0
	return x + float64(float64(x*t)*p)
}

// sinCap returns sin x for |x| ≤ 0.4206 (the range of π/4 − |lat|/2 in
// the caps) within 2.7e−15 (2.55e−15 from the polynomial, measured on
// 20,001 points against mpmath, plus rounding), with one term fewer than
// sinSmall (bench/healpix/sinfit.py). The cap pass and hashNest use it only
// through capTol.
func sinCap(x float64) float64 {
	t := float64(x * x)
	p := float64(sinCap3*t) + sinCap2
	p = float64(p*t) + sinCap1
	p = float64(p*t) + sinCap0
	return x + float64(float64(x*t)*p)
}

// Coefficients of sinCap.
const (
	sinCap0 = -0x1.555555553eb93p-3
	sinCap1 = 0x1.111110cf906d8p-7
	sinCap2 = -0x1.a01906a51b22ap-13
	sinCap3 = 0x1.70568407e907fp-19
)

// Coefficients of sinSmall.
const (
	sinSmall0 = -0x1.5555555552df2p-3
	sinSmall1 = 0x1.1111110dab1b1p-7
	sinSmall2 = -0x1.a019fb1e34f6bp-13
	sinSmall3 = 0x1.71d8978bccc10p-19
	sinSmall4 = -0x1.a9dc39014be50p-26
)

// hashExact is the reference hash of one point, for a validated order: it
// computes what locPoint.set and locPoint.nest compute, with z = cos θ from
// cosPos, in one function (TestHashNestMatchesLocPoint checks they agree).
// hashSlice calls it for the points its fast path cannot decide.
func hashExact(o uint, la, lo float64) uint64 {
	nside := int64(1) << o
	mask := nside - 1
	fn := float64(nside)
	if !(la >= -90 && la <= 90) || math.IsNaN(lo) || math.IsInf(lo, 0) {
		return Invalid
	}
	theta := halfPi - float64(la*degToRad)
	if theta < 0.01 || theta > 3.14159-0.01 {
		// Within 0.57° of a pole: healpy's sin θ form of σ.
		var p locPoint
		p.set(o, la, lo)
		return p.nest(o)
	}
	z := cosPos(theta)
	za := math.Abs(z)
	tt := lo * degToRad * invHalfPi
	if !(tt > -4 && tt < 4) {
		tt = math.Mod(tt, 4)
	}
	tt += float64(4 * float64(math.Float64bits(tt)>>63))
	if tt == 4 {
		tt = 0
	}

	var face, ix, iy int64
	if za <= twoThird {
		t1 := float64(fn * (0.5 + tt))
		t2 := float64(fn * float64(z*0.75))
		jp := int64(t1 - t2)
		jm := int64(t1 + t2)
		ifp, ifm := jp>>o, jm>>o
		face = ifm + 8
		if ifp == ifm {
			face = ifp | 4
		}
		if ifp < ifm {
			face = ifp
		}
		ix = jm & mask
		iy = mask - jp&mask
	} else {
		ntt := min(int64(tt), 3)
		tp := tt - float64(ntt)
		sigma := fn * math.Sqrt(3*(1-za))
		jp := min(int64(float64(tp*sigma)), mask)
		jm := min(int64(float64((1-tp)*sigma)), mask)
		face, ix, iy = ntt+8, jp, jm
		if z > 0 {
			face, ix, iy = ntt, mask-jm, mask-jp
		}
	}
	return uint64(face)<<(2*o) | interleave(uint64(ix), uint64(iy))
}
