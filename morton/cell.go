package morton

import (
	"fmt"
	"iter"

	"github.com/zagg-go/zagg/healpix"
)

// Cell is a mortie packed cell id: one uint64 word that holds a HEALPix
// nested cell at any order 0…29, or an order-29 point. Compare and sort
// Cells as unsigned integers, never as int64: base cells 7…11 set bit 63.
// An unsigned sort is a Z-order walk in which every cell comes before its
// descendants.
//
// Bit layout (bit 63 is the most significant):
//
//	63–60  prefix: base cell + 1 (1…12); 0 is the null word, 13–15 are invalid
//	59–6   27 two-bit quadrants; the level-k quadrant (k = 1…27, coarsest
//	       first) sits in bits 61−2k and 60−2k; unused levels are zero
//	5–0    suffix: 0…27   area cell of that order
//	               28…47  area cell of order 28 or 29: 28 + 5·t28 (order 28)
//	                      or 28 + 5·t28 + t29 + 1 (order 29)
//	               48…63  order-29 point: 48 + 4·t28 + t29
//
// A quadrant is (j_k << 1) | i_k, the level-k bits of the in-face
// coordinates, i.e. the level-k digit of the nested index in base 4.
// Example: nested index 37010 at order 6 (base 9, quadrants 0,0,2,1,0,2) is
// 0xA092000000000006.
//
// The zero Cell is the null word (Null); it is not valid.
type Cell uint64

// Null is the null cell id: the zero word, the result of constructing a
// Cell from input that names no cell (NaN, out-of-range latitude, an index
// out of range).
const Null Cell = 0

// MaxOrder is the finest order a Cell can hold, healpix.MaxOrder.
const MaxOrder = healpix.MaxOrder

const (
	prefixShift = 60
	suffixMask  = 0x3F
	tupleMask   = 0x0FFFFFFFFFFFFFC0 // bits 59–6
	pointSuffix = 48
)

func checkOrder(order int) {
	if order < 0 || order > MaxOrder {
		panic(fmt.Sprintf("morton: order %d out of range [0, %d]", order, MaxOrder))
	}
}

// FromNest returns the area cell with nested index nest at the given order.
// It returns Null if nest is not below healpix.NPix(order) (healpix.Invalid
// included). It panics if order is outside [0, MaxOrder].
func FromNest(order int, nest uint64) Cell {
	checkOrder(order)
	if nest >= healpix.NPix(order) {
		return Null
	}
	return pack(uint(order), nest, false)
}

// PointFromNest returns the order-29 point word for the order-29 nested
// index nest (mortie's bare geo2mort result), or Null if nest is out of
// range.
func PointFromNest(nest uint64) Cell {
	if nest >= healpix.NPix(MaxOrder) {
		return Null
	}
	return pack(MaxOrder, nest, true)
}

// pack builds the word of a validated (order, nest).
func pack(o uint, nest uint64, point bool) Cell {
	base := nest >> (2 * o)
	normed := nest & (1<<(2*o) - 1)
	w := (base + 1) << prefixShift
	switch {
	case o <= 27:
		w |= normed<<(60-2*o) | uint64(o)
	case o == 28:
		w |= (normed>>2)<<6 | (28 + 5*(normed&3))
	case point:
		w |= (normed>>4)<<6 | (pointSuffix + normed&15)
	default:
		w |= (normed>>4)<<6 | (28 + 5*((normed>>2)&3) + normed&3 + 1)
	}
	return Cell(w)
}

// FromLatLon returns the area cell at the given order that contains the
// point (lat, lon): lat is a geodetic latitude in degrees, converted to the
// sphere with conv (healpix.Authalic, the zero value, or healpix.Geodetic
// for zagg 0.1.0 / mortie ≤ 0.9.7 cells); lon is in degrees, any finite
// value. The cell is healpix.LatLonToNest of the converted point, so it is
// bit-identical to healpy (see the package documentation for where this
// differs from mortie). It returns Null for NaN or infinite input or a
// latitude outside [−90, 90]. It panics if order is outside [0, MaxOrder].
func FromLatLon(lat, lon float64, order int, conv healpix.LatitudeConvention) Cell {
	checkOrder(order)
	return FromNest(order, healpix.LatLonToNest(order, conv.ToSphere(lat), lon))
}

// PointFromLatLon returns the order-29 point word of (lat, lon), as
// FromLatLon does at order 29 but marked as a point (suffix 48…63), like
// mortie's geo2mort without an order. It returns Null for bad input.
func PointFromLatLon(lat, lon float64, conv healpix.LatitudeConvention) Cell {
	return PointFromNest(healpix.LatLonToNest(MaxOrder, conv.ToSphere(lat), lon))
}

// decode splits a word into its fields and reports whether it is valid.
// tuples is the 54-bit field (bits 59–6) shifted down to bit 0.
func (c Cell) decode() (base uint64, order int, normed uint64, point, ok bool) {
	w := uint64(c)
	prefix := w >> prefixShift
	if prefix < 1 || prefix > 12 {
		return 0, -1, 0, false, false
	}
	base = prefix - 1
	tuples := (w & tupleMask) >> 6
	s := w & suffixMask
	switch {
	case s <= 27:
		// Unused levels must be zero.
		if tuples&(1<<(54-2*s)-1) != 0 {
			return 0, -1, 0, false, false
		}
		return base, int(s), tuples >> (54 - 2*s), false, true
	case s < pointSuffix:
		t28, r := (s-28)/5, (s-28)%5
		if r == 0 {
			return base, 28, tuples<<2 | t28, false, true
		}
		return base, 29, tuples<<4 | t28<<2 | (r - 1), false, true
	default:
		return base, 29, tuples<<4 | (s - pointSuffix), true, true
	}
}

// IsValid reports whether c is a well-formed word: prefix 1…12 and, for an
// area cell of order below 27, zero quadrants below its order. Null is not
// valid.
func (c Cell) IsValid() bool {
	_, _, _, _, ok := c.decode()
	return ok
}

// IsPoint reports whether c is a valid order-29 point word.
func (c Cell) IsPoint() bool {
	_, _, _, p, ok := c.decode()
	return ok && p
}

// Order returns the order of c (29 for a point word), or −1 if c is not
// valid.
func (c Cell) Order() int {
	_, o, _, _, _ := c.decode()
	return o
}

// Base returns the HEALPix base cell (0…11) of c, or −1 if c is not valid.
func (c Cell) Base() int {
	b, _, _, _, ok := c.decode()
	if !ok {
		return -1
	}
	return int(b)
}

// Nest returns the nested index of c at c.Order(), or healpix.Invalid if c
// is not valid.
func (c Cell) Nest() uint64 {
	b, o, n, _, ok := c.decode()
	if !ok {
		return healpix.Invalid
	}
	return b<<(2*uint(o)) | n
}

// Area returns the area cell of the same order and index as c: c itself
// for an area cell, the order-29 cell for a point word, Null if c is not
// valid.
func (c Cell) Area() Cell {
	b, o, n, _, ok := c.decode()
	if !ok {
		return Null
	}
	return pack(uint(o), b<<(2*uint(o))|n, false)
}

// Parent returns the area cell at the given order that contains c. A cell
// is its own parent at its own order (a point word gives its order-29 area
// cell). It returns Null if c is not valid or order > c.Order(). It panics
// if order is outside [0, MaxOrder].
func (c Cell) Parent(order int) Cell {
	checkOrder(order)
	b, o, n, _, ok := c.decode()
	if !ok || order > o {
		return Null
	}
	d := 2 * uint(o-order)
	return pack(uint(order), b<<(2*uint(order))|n>>d, false)
}

// Children returns the four area cells at c.Order()+1 inside c, in
// ascending nested (and unsigned word) order. It returns four Null cells if
// c is not valid or has order 29.
func (c Cell) Children() [4]Cell {
	var out [4]Cell
	b, o, n, _, ok := c.decode()
	if !ok || o >= MaxOrder {
		return out
	}
	first := (b<<(2*uint(o)) | n) << 2
	for k := range out {
		out[k] = pack(uint(o+1), first+uint64(k), false)
	}
	return out
}

// ChildrenAt returns an iterator over the area cells at the given order
// inside c, in ascending nested order (4^(order − c.Order()) cells). It
// yields nothing if c is not valid or order < c.Order(). It panics if order
// is outside [0, MaxOrder].
func (c Cell) ChildrenAt(order int) iter.Seq[Cell] {
	checkOrder(order)
	return func(yield func(Cell) bool) {
		b, o, n, _, ok := c.decode()
		if !ok || order < o {
			return
		}
		first, last := healpix.ChildRange(o, b<<(2*uint(o))|n, order)
		for k := first; k < last; k++ {
			if !yield(pack(uint(order), k, false)) {
				return
			}
		}
	}
}

// Contains reports whether d lies inside c (or is c): both valid and c is
// d's parent at c's order. A point word contains only itself.
func (c Cell) Contains(d Cell) bool {
	if c.IsPoint() {
		return c == d
	}
	o := c.Order()
	if o < 0 || !d.IsValid() || d.Order() < o {
		return false
	}
	return d.Parent(o) == c
}

// String returns the decimal string form of c: an optional minus sign, the
// lead digit (1…6) and one digit 1…4 per level, then "p" for a point word;
// for area cells of orders 1…18 it is the legacy int64 printed in base 10.
// Base cells 0…5 are positive with lead digit base+1, base cells 6…11
// negative with lead digit base−5 (the sign is not the hemisphere). An
// invalid word prints as "Cell(0x…)".
func (c Cell) String() string {
	if !c.IsValid() {
		return fmt.Sprintf("Cell(%#016x)", uint64(c))
	}
	var buf [32]byte
	return string(c.AppendText(buf[:0]))
}

// Parse parses the decimal string form written by Cell.String:
// -?[1-6][1-4]{0,29}p? where the digit count fixes the order (digits − 1)
// and "p" (a point word) needs exactly 30 digits. Errors wrap ErrSyntax and
// name the offending position.
func Parse(s string) (Cell, error) {
	orig := clip(s)
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	point := false
	if len(s) > 0 && s[len(s)-1] == 'p' {
		point = true
		s = s[:len(s)-1]
	}
	if len(s) == 0 {
		return Null, fmt.Errorf("%w: %q: no digits", ErrSyntax, orig)
	}
	if len(s) > MaxOrder+1 {
		return Null, fmt.Errorf("%w: %q: %d digits, at most %d", ErrSyntax, orig, len(s), MaxOrder+1)
	}
	off := 0
	if neg {
		off = 1
	}
	lead := s[0]
	if lead < '1' || lead > '6' {
		return Null, fmt.Errorf("%w: %q: lead digit %q at offset %d not in 1…6", ErrSyntax, orig, lead, off)
	}
	base := uint64(lead - '1')
	if neg {
		base += 6
	}
	var n uint64
	for k := 1; k < len(s); k++ {
		d := s[k]
		if d < '1' || d > '4' {
			return Null, fmt.Errorf("%w: %q: digit %q at offset %d not in 1…4", ErrSyntax, orig, d, off+k)
		}
		n = n<<2 | uint64(d-'1')
	}
	o := uint(len(s) - 1)
	if point && o != MaxOrder {
		return Null, fmt.Errorf("%w: %q: point suffix needs order %d, have order %d", ErrSyntax, orig, MaxOrder, o)
	}
	return pack(o, base<<(2*o)|n, point), nil
}

// Compile-time check that Cell prints with fmt.
var _ fmt.Stringer = Cell(0)

// clip shortens s for an error message, so that a hostile input of any size
// gives a short error.
func clip(s string) string {
	const max = 48
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// FromNestSlice stores FromNest(order, nest[k]) in dst[k] (Null for an index
// out of range), for filling a store's morton array from its cell ids. It
// panics if order is outside [0, MaxOrder] or the lengths differ.
func FromNestSlice(dst []Cell, order int, nest []uint64) {
	checkOrder(order)
	if len(dst) != len(nest) {
		panic(fmt.Sprintf("morton: slice lengths differ: dst %d, nest %d", len(dst), len(nest)))
	}
	npix := healpix.NPix(order)
	o := uint(order)
	dst = dst[:len(nest)]
	for k, n := range nest {
		if n >= npix {
			dst[k] = Null
			continue
		}
		dst[k] = pack(o, n, false)
	}
}
