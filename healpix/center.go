package healpix

import (
	"fmt"
	"math"
)

// projCenter returns the projected coordinates (X, Y) of the centre of cell
// (f, i, j) at order o, in the HEALPix projection plane where X ∈ [0, 8)
// spans the longitudes in units of 45° and Y ∈ [−2, 2] is 2 at the north
// pole; a base cell is a diamond of half-diagonal 1.
func projCenter(o uint, f, i, j uint64) (x, y float64) {
	inv := math.Ldexp(1, -int(o)) // 1/nside, exact
	oy := 1 - int64(f>>2)         // 1, 0, −1 for north, belt, south
	ox := 2 * int64(f&3)
	if oy != 0 {
		ox++
	}
	x = float64(float64(int64(i)-int64(j))*inv) + float64(ox)
	y = float64(float64(int64(i)+int64(j)-(int64(1)<<o)+1)*inv) + float64(oy)
	if x < 0 {
		x += 8
	}
	return x, y
}

// unproject maps projected (x, y) to (lat, lon) in degrees on the sphere,
// lon in [0, 360). It is the inverse of the projection used by hash.
func unproject(x, y float64) (lat, lon float64) {
	x = math.Mod(x, 8)
	if x < 0 {
		x += 8
	}
	ay := math.Abs(y)
	if ay <= 1 {
		// Equatorial belt: cylindrical equal-area.
		lat = math.Asin(float64(y*2)/3) * radToDeg
		lon = x * 45
	} else {
		// Polar caps: Collignon. t = √(3(1 − |sin φ|)) shrinks to 0 at the pole.
		t := 2 - ay
		odd := float64(uint64(x) | 1)
		off := x - odd
		if t > 1e-13 {
			off /= t
		}
		off = math.Max(-1, math.Min(1, off))
		lat = (float64(2*math.Acos(t/sqrt6)) - math.Pi/2) * radToDeg
		if y < 0 {
			lat = -lat
		}
		lon = (odd + off) * 45
	}
	if lon >= 360 {
		lon -= 360
	} else if lon < 0 {
		lon += 360
	}
	if lat > 90 {
		lat = 90
	} else if lat < -90 {
		lat = -90
	}
	return lat, lon
}

// NestCenter returns the centre of cell nest at the given order as
// spherical (lat, lon) in degrees, lon in [0, 360). The centre is the image
// of the centre of the cell in the HEALPix projection, the same point healpy
// pix2ang returns (within a few ulp). It returns (NaN, NaN) if nest is not
// below NPix(order). It panics if order is outside [0, MaxOrder].
func NestCenter(order int, nest uint64) (lat, lon float64) {
	checkOrder(order)
	if nest >= NPix(order) {
		return math.NaN(), math.NaN()
	}
	o := uint(order)
	f, i, j := decompose(o, nest)
	return unproject(projCenter(o, f, i, j))
}

// NestCorners returns the four corners of cell nest at the given order as
// spherical (lat, lon) in degrees, lon in [0, 360), in the order north,
// west, south, east (healpy's boundaries order). The north corner of a
// north-cap cell touching the pole, and the south corner of a south-cap one,
// is the pole itself, returned with the longitude of the cell's centre
// meridian. It returns four (NaN, NaN) points if nest is not below
// NPix(order). It panics if order is outside [0, MaxOrder].
func NestCorners(order int, nest uint64) [4][2]float64 {
	var c [4][2]float64
	checkOrder(order)
	if nest >= NPix(order) {
		for k := range c {
			c[k] = [2]float64{math.NaN(), math.NaN()}
		}
		return c
	}
	o := uint(order)
	f, i, j := decompose(o, nest)
	x, y := projCenter(o, f, i, j)
	d := math.Ldexp(1, -int(o))
	c[0][0], c[0][1] = unproject(x, y+d)
	c[1][0], c[1][1] = unproject(x-d, y)
	c[2][0], c[2][1] = unproject(x, y-d)
	c[3][0], c[3][1] = unproject(x+d, y)
	return c
}

// NestBoundary appends to dst 4·step points (lat, lon) in degrees that
// trace the boundary of cell nest at the given order and returns the
// extended slice. The points start at the north corner and run through the
// west, south and east corners (healpy's boundaries order), with step − 1
// points between consecutive corners, sampled evenly in the HEALPix
// projection, so they lie on the true cell edges (which are not great
// circles). Longitudes are in [0, 360) and are not unwrapped: a cell that
// straddles the 0° meridian has points near 0 and near 360. If nest is not
// below NPix(order) it appends nothing. It panics if order is outside
// [0, MaxOrder] or step < 1.
func NestBoundary(dst [][2]float64, order int, nest uint64, step int) [][2]float64 {
	checkOrder(order)
	if step < 1 {
		panic(fmt.Sprintf("healpix: boundary step %d < 1", step))
	}
	if nest >= NPix(order) {
		return dst
	}
	o := uint(order)
	f, i, j := decompose(o, nest)
	x, y := projCenter(o, f, i, j)
	d := math.Ldexp(1, -int(o))
	// Corners N, W, S, E and the direction to the next one.
	corners := [5][2]float64{{x, y + d}, {x - d, y}, {x, y - d}, {x + d, y}, {x, y + d}}
	for c := 0; c < 4; c++ {
		x0, y0 := corners[c][0], corners[c][1]
		dx, dy := corners[c+1][0]-x0, corners[c+1][1]-y0
		for k := 0; k < step; k++ {
			t := float64(k) / float64(step)
			lat, lon := unproject(x0+float64(t*dx), y0+float64(t*dy))
			dst = append(dst, [2]float64{lat, lon})
		}
	}
	return dst
}
