package healpix

import (
	"fmt"
	"math"
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

// hashNest is LatLonToNest for a validated order.
func hashNest(o uint, lat, lon float64) uint64 {
	var d [1]uint64
	la, lo := [1]float64{lat}, [1]float64{lon}
	hashSlice(d[:], o, la[:], lo[:])
	return d[0]
}

// hashSlice is LatLonToNestSlice for a validated order and equal lengths.
// It computes what locPoint.set and locPoint.nest compute, in one loop body
// with nothing called per point (the bit interleave is written out), because
// this is the hot path: at order 29 it runs about 1.7 times as fast as the
// two-step form. TestHashNestMatchesLocPoint checks they agree.
func hashSlice(dst []uint64, o uint, lat, lon []float64) {
	lon = lon[:len(lat)]
	dst = dst[:len(lat)]
	nside := int64(1) << o
	mask := nside - 1
	fn := float64(nside)
	for k, la := range lat {
		lo := lon[k]
		if !(la >= -90 && la <= 90) || math.IsNaN(lo) || math.IsInf(lo, 0) {
			dst[k] = Invalid
			continue
		}
		theta := halfPi - float64(la*degToRad)
		if theta < 0.01 || theta > 3.14159-0.01 {
			// Within 0.57° of a pole: healpy's sin θ form of σ.
			var p locPoint
			p.set(o, la, lo)
			dst[k] = p.nest(o)
			continue
		}
		z := cosPos(theta)
		za := math.Abs(z)

		// tt = φ/(π/2) in [0, 4) as in turnQuarters, without a branch on
		// the sign (random signs would mispredict).
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
			// Separate ifs compile to conditional moves; the face is random
			// for scattered points and a mispredicted branch costs more.
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
		// interleave(ix, iy) as an outer perfect shuffle of iy:ix.
		v := uint64(ix) | uint64(iy)<<32
		v = v&0xFFFF00000000FFFF | v>>16&0x00000000FFFF0000 | v<<16&0x0000FFFF00000000
		v = v&0xFF0000FFFF0000FF | v>>8&0x0000FF000000FF00 | v<<8&0x00FF000000FF0000
		v = v&0xF00FF00FF00FF00F | v>>4&0x00F000F000F000F0 | v<<4&0x0F000F000F000F00
		v = v&0xC3C3C3C3C3C3C3C3 | v>>2&0x0C0C0C0C0C0C0C0C | v<<2&0x3030303030303030
		v = v&0x9999999999999999 | v>>1&0x2222222222222222 | v<<1&0x4444444444444444
		dst[k] = uint64(face)<<(2*o) | v
	}
}
