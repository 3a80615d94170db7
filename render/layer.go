package render

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"sync"

	"github.com/zagg-go/zagg/healpix"
)

// Block layout: a layer keeps its values in blocks of up to 4^blockDepth
// consecutive NESTED cells (the descendants of one cell blockDepth orders
// coarser), allocated only where some cell holds a value. Block indices are
// dense (a slice) up to maxDenseBlocks and sparse (a map) above.
const (
	blockDepth     = 6
	maxDenseBlocks = 1 << 20
)

// Layer is one variable on the HEALPix grid at one order: a value for some
// cells, none (NaN) for the others. It also carries what the title and
// colorbar show. Build one with FromCells or ReadLayer. A Layer is immutable
// once built and safe for concurrent use; values are held as float32, ample
// for colouring.
type Layer struct {
	// Name is the variable name, e.g. "h_mean".
	Name string
	// LongName is a descriptive name (the CF attribute long_name), or "".
	LongName string
	// Units is the unit shown under the colorbar (the CF attribute units),
	// or "".
	Units string
	// Time is the time window shown in the title, e.g. "2024-01-06 –
	// 2024-04-06", or "".
	Time string

	order  int
	conv   healpix.LatitudeConvention
	shift  uint   // 2·(order − block order): cells per block = 1 << shift
	mask   uint64 // (1 << shift) − 1
	dense  [][]float32
	sparse map[uint64][]float32
	count  int

	pmu    sync.Mutex
	pcache map[[2]float64][2]float64

	outlineOnce sync.Once
	outline     [][2]float64 // see dataOutline
}

// newLayer returns an empty layer at order with latitude convention conv.
func newLayer(order int, conv healpix.LatitudeConvention) (*Layer, error) {
	if order < 0 || order > healpix.MaxOrder {
		return nil, fmt.Errorf("%w: order %d outside 0…%d", ErrInvalidOptions, order, healpix.MaxOrder)
	}
	if conv != healpix.Authalic && conv != healpix.Geodetic {
		return nil, fmt.Errorf("%w: latitude convention %v", ErrInvalidOptions, conv)
	}
	depth := min(order, blockDepth)
	l := &Layer{order: order, conv: conv, shift: uint(2 * depth)}
	l.mask = 1<<l.shift - 1
	if n := healpix.NPix(order) >> l.shift; n <= maxDenseBlocks {
		l.dense = make([][]float32, n)
	} else {
		l.sparse = make(map[uint64][]float32)
	}
	return l, nil
}

// FromCells returns a layer at the given order holding values[k] in the
// cell with NESTED index cells[k]. NaN values are allowed and mean "no
// value". lat is the latitude convention the cells were computed with
// (healpix.Authalic for zagg's default). A cell index not below NPix(order)
// or given twice is an error wrapping ErrInvalidCell; slices of different
// lengths wrap ErrInvalidOptions.
func FromCells(order int, lat healpix.LatitudeConvention, cells []uint64, values []float64) (*Layer, error) {
	if len(cells) != len(values) {
		return nil, fmt.Errorf("%w: %d cells but %d values", ErrInvalidOptions, len(cells), len(values))
	}
	l, err := newLayer(order, lat)
	if err != nil {
		return nil, err
	}
	npix := healpix.NPix(order)
	for k, c := range cells {
		if c >= npix {
			return nil, fmt.Errorf("%w: cells[%d] = %d is not a cell at order %d (want < %d)", ErrInvalidCell, k, c, order, npix)
		}
		b := l.block(c, true)
		// A fresh slot holds the canonical NaN; a NaN input is stored as
		// seenNaN, so both kinds of repeat are caught without a set.
		if math.Float32bits(b[c&l.mask]) != emptyBits {
			return nil, fmt.Errorf("%w: cells[%d] = %d given twice", ErrInvalidCell, k, c)
		}
		v := values[k]
		if math.IsNaN(v) {
			b[c&l.mask] = seenNaN
			continue
		}
		b[c&l.mask] = float32(v)
		l.count++
	}
	l.dropEmpty()
	return l, nil
}

// emptyBits is the bit pattern of an empty slot; seenNaN is another NaN
// that FromCells stores for a NaN input value.
var (
	emptyBits = math.Float32bits(float32(math.NaN()))
	seenNaN   = math.Float32frombits(emptyBits | 1)
)

// block returns the block holding cell c, allocating it (all NaN) if create
// is set; otherwise nil when absent.
func (l *Layer) block(c uint64, create bool) []float32 {
	i := c >> l.shift
	var b []float32
	if l.dense != nil {
		b = l.dense[i]
	} else {
		b = l.sparse[i]
	}
	if b != nil || !create {
		return b
	}
	b = make([]float32, 1<<l.shift)
	nan := math.Float32frombits(emptyBits)
	for j := range b {
		b[j] = nan
	}
	if l.dense != nil {
		l.dense[i] = b
	} else {
		l.sparse[i] = b
	}
	return b
}

// setCells stores vals[k] in cell ids[k], skipping NaN; blocks are
// allocated only where a value lands. Cells already holding a value are
// overwritten.
func (l *Layer) setCells(ids []uint64, vals []float32) {
	for k, v := range vals {
		if v != v {
			continue
		}
		c := ids[k]
		b := l.block(c, true)
		if b[c&l.mask] != b[c&l.mask] {
			l.count++
		}
		b[c&l.mask] = v
	}
}

// dropEmpty releases blocks that hold no value (possible after NaN-only
// input to FromCells).
func (l *Layer) dropEmpty() {
	empty := func(b []float32) bool {
		for _, v := range b {
			if v == v {
				return false
			}
		}
		return true
	}
	for i, b := range l.dense {
		if b != nil && empty(b) {
			l.dense[i] = nil
		}
	}
	for i, b := range l.sparse {
		if empty(b) {
			delete(l.sparse, i)
		}
	}
}

// Order returns the HEALPix order of the layer's cells.
func (l *Layer) Order() int { return l.order }

// Latitude returns the latitude convention the cells were computed with.
func (l *Layer) Latitude() healpix.LatitudeConvention { return l.conv }

// Len returns the number of cells holding a value.
func (l *Layer) Len() int { return l.count }

// Value returns the value of cell nest, or NaN if it has none or is not a
// cell at the layer's order.
func (l *Layer) Value(nest uint64) float64 {
	if nest >= healpix.NPix(l.order) {
		return math.NaN()
	}
	b := l.block(nest, false)
	if b == nil {
		return math.NaN()
	}
	return float64(b[nest&l.mask])
}

// ValueAt returns the value of the cell containing the geodetic point (lat,
// lon) in degrees, hashed exactly as the pipeline bins points: the latitude
// is converted with the layer's convention, then hashed at the layer's
// order. It returns NaN where there is no value.
func (l *Layer) ValueAt(lat, lon float64) float64 {
	c := healpix.LatLonToNest(l.order, l.conv.ToSphere(lat), lon)
	if c == healpix.Invalid {
		return math.NaN()
	}
	return l.Value(c)
}

// blockIndices returns the indices of the allocated blocks, ascending.
func (l *Layer) blockIndices() []uint64 {
	var idx []uint64
	if l.dense != nil {
		for i, b := range l.dense {
			if b != nil {
				idx = append(idx, uint64(i))
			}
		}
		return idx
	}
	for i := range l.sparse {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	return idx
}

func (l *Layer) blockAt(i uint64) []float32 {
	if l.dense != nil {
		return l.dense[i]
	}
	return l.sparse[i]
}

// All yields every cell holding a value and its value, in ascending NESTED
// order.
func (l *Layer) All() iter.Seq2[uint64, float64] {
	return func(yield func(uint64, float64) bool) {
		for _, i := range l.blockIndices() {
			base := i << l.shift
			for j, v := range l.blockAt(i) {
				if v == v && !yield(base+uint64(j), float64(v)) {
					return
				}
			}
		}
	}
}

// Range returns the smallest and largest value, or NaN, NaN for an empty
// layer.
func (l *Layer) Range() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, i := range l.blockIndices() {
		for _, v := range l.blockAt(i) {
			if v == v {
				lo = math.Min(lo, float64(v))
				hi = math.Max(hi, float64(v))
			}
		}
	}
	if l.count == 0 {
		return math.NaN(), math.NaN()
	}
	return lo, hi
}

// Percentiles returns the p-th and q-th percentiles (0…100) of the layer's
// values with numpy's default "linear" method: for n sorted values v, the
// p-th percentile is v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋]) with
// h = (n − 1)·p/100. It runs in linear time (selection, not a sort) and
// caches its result. An empty layer gives NaN, NaN; p or q outside [0, 100]
// is an error wrapping ErrInvalidOptions.
func (l *Layer) Percentiles(p, q float64) (float64, float64, error) {
	if !(p >= 0 && p <= 100 && q >= 0 && q <= 100) {
		return 0, 0, fmt.Errorf("%w: percentiles %g, %g outside [0, 100]", ErrInvalidOptions, p, q)
	}
	if l.count == 0 {
		return math.NaN(), math.NaN(), nil
	}
	key := [2]float64{p, q}
	l.pmu.Lock()
	defer l.pmu.Unlock()
	if r, ok := l.pcache[key]; ok {
		return r[0], r[1], nil
	}
	vals := make([]float32, 0, l.count)
	for _, i := range l.blockIndices() {
		for _, v := range l.blockAt(i) {
			if v == v {
				vals = append(vals, v)
			}
		}
	}
	r := [2]float64{percentile(vals, p), percentile(vals, q)}
	if l.pcache == nil {
		l.pcache = make(map[[2]float64][2]float64)
	}
	l.pcache[key] = r
	return r[0], r[1], nil
}

// percentile returns numpy's linear-method percentile p of vals (no NaN,
// non-empty), reordering vals.
func percentile(vals []float32, p float64) float64 {
	h := float64(len(vals)-1) * p / 100
	k := int(math.Floor(h))
	lo := float64(selectKth(vals, k))
	if k+1 >= len(vals) || h == float64(k) {
		return lo
	}
	// After selection vals[k+1:] holds the values ≥ vals[k]; the next order
	// statistic is their minimum.
	hi := float64(slices.Min(vals[k+1:]))
	return lo + (h-float64(k))*(hi-lo)
}

// selectKth reorders a so that a[k] is the k-th smallest value, everything
// before it ≤ a[k] and everything after ≥ a[k], and returns a[k]
// (Hoare's quickselect with a median-of-three pivot; after 64 rounds without
// convergence it sorts the remaining range, bounding the worst case).
func selectKth(a []float32, k int) float32 {
	lo, hi := 0, len(a)-1
	for round := 0; lo < hi; round++ {
		if round == 64 {
			slices.Sort(a[lo : hi+1])
			break
		}
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for a[j] > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}

// coarseCells returns the distinct cells at order eo (≤ the layer's order)
// that contain a value, ascending.
func (l *Layer) coarseCells(eo int) []uint64 {
	sh := uint(2 * (l.order - eo))
	var out []uint64
	for _, i := range l.blockIndices() {
		base := i << l.shift
		for j, v := range l.blockAt(i) {
			if v != v {
				continue
			}
			c := (base + uint64(j)) >> sh
			if n := len(out); n == 0 || out[n-1] != c {
				out = append(out, c)
			}
		}
	}
	return out
}
