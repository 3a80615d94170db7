package healpix

// Directions of NestNeighbours, in healpy's get_all_neighbours order. In a
// base cell's own coordinates i grows to the north-east and j to the
// north-west, so north is (+1, +1) and east is (+1, −1).
const (
	SW = iota
	W
	NW
	N
	NE
	E
	SE
	S
)

// neighbourStep is the (di, dj) step of each direction.
var neighbourStep = [8][2]int64{
	SW: {-1, 0}, W: {-1, 1}, NW: {0, 1}, N: {1, 1},
	NE: {1, 0}, E: {1, -1}, SE: {0, -1}, S: {-1, -1},
}

// NestNeighbours returns the nested indices at the given order of the eight
// cells around cell nest, indexed by direction (SW, W, NW, N, NE, E, SE, S,
// healpy's get_all_neighbours order). Where only three base cells meet (the
// north and south corners of the equatorial base cells and the east and west
// corners of the polar ones) a corner cell has seven neighbours and the
// missing direction is Invalid. All eight are Invalid if nest is not below
// NPix(order). It panics if order is outside [0, MaxOrder].
func NestNeighbours(order int, nest uint64) [8]uint64 {
	var out [8]uint64
	checkOrder(order)
	if nest >= NPix(order) {
		for k := range out {
			out[k] = Invalid
		}
		return out
	}
	o := uint(order)
	f, i, j := decompose(o, nest)
	for d, st := range neighbourStep {
		nf, ni, nj, ok := step(o, int64(f), int64(i)+st[0], int64(j)+st[1])
		if !ok {
			out[d] = Invalid
			continue
		}
		out[d] = uint64(nf)<<(2*o) | interleave(uint64(ni), uint64(nj))
	}
	return out
}

// step maps in-face coordinates (i, j) of base cell f, possibly one step
// outside [0, nside) on either axis, to the base cell and coordinates of the
// cell they name. Across an edge between a polar and an equatorial base
// cell the axes continue unchanged; across an edge between two polar base
// cells (a meridian through the pole) the axes rotate by 90°. ok is false
// where the step leaves through a corner at which only three base cells
// meet.
func step(o uint, f, i, j int64) (nf, ni, nj int64, ok bool) {
	n := int64(1) << o
	q := f & 3
	iLo, iHi, jLo, jHi := i < 0, i >= n, j < 0, j >= n
	if !(iLo || iHi || jLo || jHi) {
		return f, i, j, true
	}
	switch f >> 2 {
	case 0: // north polar base cell q
		switch {
		case iHi && jHi: // over the pole
			return (q + 2) & 3, 2*n - 1 - i, 2*n - 1 - j, true
		case iLo && jLo: // through the south corner
			return 8 + q, i + n, j + n, true
		case (iHi || iLo) && (jHi || jLo):
			return 0, 0, 0, false
		case iHi:
			return (q + 1) & 3, j, 2*n - 1 - i, true
		case jHi:
			return (q + 3) & 3, 2*n - 1 - j, i, true
		case iLo:
			return 4 + q, i + n, j, true
		default: // jLo
			return 4 + (q+1)&3, i, j + n, true
		}
	case 1: // equatorial base cell 4+q
		switch {
		case iHi && jLo: // through the east corner
			return 4 + (q+1)&3, i - n, j + n, true
		case iLo && jHi: // through the west corner
			return 4 + (q+3)&3, i + n, j - n, true
		case (iHi || iLo) && (jHi || jLo):
			return 0, 0, 0, false
		case iHi:
			return q, i - n, j, true
		case jHi:
			return (q + 3) & 3, i, j - n, true
		case iLo:
			return 8 + (q+3)&3, i + n, j, true
		default: // jLo
			return 8 + q, i, j + n, true
		}
	default: // south polar base cell 8+q
		switch {
		case iLo && jLo: // over the pole
			return 8 + (q+2)&3, -1 - i, -1 - j, true
		case iHi && jHi: // through the north corner
			return q, i - n, j - n, true
		case (iHi || iLo) && (jHi || jLo):
			return 0, 0, 0, false
		case iHi:
			return 4 + (q+1)&3, i - n, j, true
		case jHi:
			return 4 + q, i, j - n, true
		case iLo:
			return 8 + (q+3)&3, j, -1 - i, true
		default: // jLo
			return 8 + (q+1)&3, -1 - j, i, true
		}
	}
}
