package healpix

import (
	"fmt"
	"math"
)

// MaxOrder is the finest supported order (depth). At order 29 nside = 2^29,
// a cell is about 1.2 cm across on the Earth, and every nested or ring index
// is below 12·4^29 < 2^63.
const MaxOrder = 29

// Invalid is the index returned for input that names no cell: a NaN or
// infinite coordinate, a latitude outside [−90°, 90°], or an index that is
// not below NPix(order). It is never a valid index at any order, and every
// function of this package maps Invalid input to Invalid output (or NaN for
// coordinates), so it propagates like a NaN.
const Invalid uint64 = math.MaxUint64

// checkOrder panics when order is outside [0, MaxOrder]. An order is chosen
// by the program, not read from data, so a bad one is a programming error.
func checkOrder(order int) {
	if order < 0 || order > MaxOrder {
		panic(fmt.Sprintf("healpix: order %d out of range [0, %d]", order, MaxOrder))
	}
}

// Nside returns the number of cells along a side of a base cell at the
// given order: 2^order. It panics if order is outside [0, MaxOrder].
func Nside(order int) uint64 {
	checkOrder(order)
	return 1 << uint(order)
}

// NPix returns the number of cells covering the sphere at the given order:
// 12·4^order. Valid nested and ring indices are the integers in
// [0, NPix(order)). It panics if order is outside [0, MaxOrder].
func NPix(order int) uint64 {
	checkOrder(order)
	return 12 << (2 * uint(order))
}

// OrderOfNside returns the order whose nside is the given value, or −1 if
// nside is not a power of two in [1, 2^MaxOrder].
func OrderOfNside(nside uint64) int {
	if nside == 0 || nside&(nside-1) != 0 || nside > 1<<MaxOrder {
		return -1
	}
	o := 0
	for nside > 1 {
		nside >>= 1
		o++
	}
	return o
}

// IsValid reports whether index is a valid nested or ring index at the given
// order, that is index < NPix(order). It panics if order is outside
// [0, MaxOrder].
func IsValid(order int, index uint64) bool {
	return index < NPix(order)
}

// PixelArea returns the area of one cell at the given order in steradians,
// 4π/NPix(order). All HEALPix cells of an order have the same area. Multiply
// by R² for an area on a sphere of radius R. It panics if order is outside
// [0, MaxOrder].
func PixelArea(order int) float64 {
	return 4 * math.Pi / float64(NPix(order))
}

// Resolution returns the mean spacing of cells at the given order in
// radians, the square root of PixelArea: √(π/3)/nside. Multiply by the
// Earth's mean radius (6,371,008.8 m) for metres: order 6 ≈ 101.9 km,
// order 12 ≈ 1.59 km, order 18 ≈ 24.9 m, order 29 ≈ 1.2 cm. It panics if
// order is outside [0, MaxOrder].
func Resolution(order int) float64 {
	return math.Sqrt(math.Pi/3) / float64(Nside(order))
}

// OrderForResolution returns the coarsest order whose Resolution is at most
// res radians, clamped to [0, MaxOrder]. A NaN or non-positive res gives
// MaxOrder.
func OrderForResolution(res float64) int {
	for o := 0; o <= MaxOrder; o++ {
		if Resolution(o) <= res {
			return o
		}
	}
	return MaxOrder
}

// Parent returns the nested index of the cell at parentOrder that contains
// cell nest of the given order: nest >> 2·(order − parentOrder). It returns
// Invalid if nest is not a valid index at order. It panics if an order is
// outside [0, MaxOrder] or parentOrder > order.
func Parent(order int, nest uint64, parentOrder int) uint64 {
	checkOrder(order)
	checkOrder(parentOrder)
	if parentOrder > order {
		panic(fmt.Sprintf("healpix: parent order %d finer than order %d", parentOrder, order))
	}
	if nest >= NPix(order) {
		return Invalid
	}
	return nest >> (2 * uint(order-parentOrder))
}

// ChildRange returns the nested indices at childOrder of the descendants of
// cell nest at the given order, as the half-open range [first, last): the
// children of a cell are contiguous in nested numbering,
// first = nest·4^d and last = (nest+1)·4^d with d = childOrder − order.
// It returns (Invalid, Invalid), an empty range, if nest is not a valid
// index at order. It panics if an order is outside [0, MaxOrder] or
// childOrder < order.
func ChildRange(order int, nest uint64, childOrder int) (first, last uint64) {
	checkOrder(order)
	checkOrder(childOrder)
	if childOrder < order {
		panic(fmt.Sprintf("healpix: child order %d coarser than order %d", childOrder, order))
	}
	if nest >= NPix(order) {
		return Invalid, Invalid
	}
	d := 2 * uint(childOrder-order)
	return nest << d, (nest + 1) << d
}

// Children returns the four nested indices at order+1 of the children of
// cell nest at the given order, in ascending order. It returns four Invalid
// values if nest is not a valid index at order. It panics if order is
// outside [0, MaxOrder−1].
func Children(order int, nest uint64) [4]uint64 {
	checkOrder(order)
	if order == MaxOrder {
		panic(fmt.Sprintf("healpix: order %d cells have no children", MaxOrder))
	}
	if nest >= NPix(order) {
		return [4]uint64{Invalid, Invalid, Invalid, Invalid}
	}
	c := nest << 2
	return [4]uint64{c, c + 1, c + 2, c + 3}
}

// Base returns the base cell (0…11) of cell nest at the given order,
// nest >> 2·order, or −1 if nest is not a valid index at order. Base cells
// 0–3 are the north polar cap (centred on longitudes 45°, 135°, 225°,
// 315°), 4–7 the equatorial belt (centred on the equator at 0°, 90°, 180°,
// 270°) and 8–11 the south polar cap. It panics if order is outside
// [0, MaxOrder].
func Base(order int, nest uint64) int {
	if nest >= NPix(order) {
		return -1
	}
	return int(nest >> (2 * uint(order)))
}

// ToUniq returns the NUNIQ index of cell nest at the given order,
// 4·4^order + nest, which encodes order and index in one integer (used by
// IVOA MOCs). It returns Invalid if nest is not valid at order. It panics if
// order is outside [0, MaxOrder].
func ToUniq(order int, nest uint64) uint64 {
	if nest >= NPix(order) {
		return Invalid
	}
	return 4<<(2*uint(order)) + nest
}

// FromUniq decodes a NUNIQ index into order and nested index. It returns
// (−1, Invalid) if uniq is not the NUNIQ index of a cell at order 0…29.
func FromUniq(uniq uint64) (order int, nest uint64) {
	if uniq < 4 || uniq == Invalid {
		return -1, Invalid
	}
	// The order is half the position of the leading bit above the 4·4^o term.
	for o := MaxOrder; o >= 0; o-- {
		lo := uint64(4) << (2 * uint(o))
		if uniq >= lo {
			n := uniq - lo
			if n >= NPix(o) {
				return -1, Invalid
			}
			return o, n
		}
	}
	return -1, Invalid
}
