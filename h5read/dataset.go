package h5read

import (
	"context"
	"fmt"
	"math"
	"sync"
)

// Layout is a dataset's storage layout.
type Layout int

// Storage layouts.
const (
	Compact    Layout = iota // data inside the object header
	Contiguous               // one block of bytes
	Chunked                  // chunks located through an index
)

// String returns "compact", "contiguous" or "chunked".
func (l Layout) String() string {
	switch l {
	case Compact:
		return "compact"
	case Contiguous:
		return "contiguous"
	case Chunked:
		return "chunked"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// ChunkIndex names how a chunked dataset finds its chunks.
type ChunkIndex int

// Chunk index types: layout version 3 always uses a version 1 B-tree;
// layout version 4 (HDF5 1.10 "latest" format) uses one of the others.
const (
	IndexNone       ChunkIndex = iota - 1 // not chunked
	IndexBTree1                           // version 1 B-tree
	IndexSingle                           // one chunk, no index
	IndexImplicit                         // chunk i at address + i·chunkBytes
	IndexFixedArray                       // fixed array
	IndexExtArray                         // extensible array
	IndexBTree2                           // version 2 B-tree
)

// String returns the index name, e.g. "v1 B-tree".
func (c ChunkIndex) String() string {
	switch c {
	case IndexNone:
		return "none"
	case IndexBTree1:
		return "v1 B-tree"
	case IndexSingle:
		return "single chunk"
	case IndexImplicit:
		return "implicit"
	case IndexFixedArray:
		return "fixed array"
	case IndexExtArray:
		return "extensible array"
	case IndexBTree2:
		return "v2 B-tree"
	}
	return fmt.Sprintf("ChunkIndex(%d)", int(c))
}

// Dataset is an HDF5 dataset. Its metadata is parsed when it is opened;
// reads fetch and decode only the chunks they need. Methods are safe for
// concurrent use.
type Dataset struct {
	f        *File
	path     string
	addr     uint64
	dtype    Dtype
	dtypeErr error
	space    dataspace
	layout   layout
	filters  []Filter
	fillRaw  []byte // little-endian, len == dtype.Size
	fillSet  bool   // the file stores an explicit fill value
	attrs    []Attribute

	chunkBytes int64 // bytes of one full decoded chunk

	idxMu sync.Mutex
	idx   chunkIndex
}

// Dataset opens the dataset at path, e.g. "/gt1l/land_ice_segments/h_li".
func (f *File) Dataset(ctx context.Context, path string) (*Dataset, error) {
	clean, addr, err := f.resolve(ctx, path)
	if err != nil {
		return nil, err
	}
	h, err := f.header(ctx, addr, clean)
	if err != nil {
		return nil, err
	}
	d := &Dataset{f: f, path: clean, addr: addr}
	if err := d.init(ctx, h); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Dataset) init(ctx context.Context, h *objHeader) error {
	f := d.f
	w := d.path
	lm := h.find(msgLayout)
	if lm == nil {
		return fmt.Errorf("%w: %s has no data layout message", ErrNotDataset, w)
	}
	sm, tm := h.find(msgDataspace), h.find(msgDatatype)
	if sm == nil || tm == nil {
		return errf(ErrCorrupt, w, h.addr, "dataset without dataspace or datatype message")
	}
	var err error
	if d.space, err = parseDataspace(sm, w); err != nil {
		return err
	}
	d.dtype, d.dtypeErr = parseDatatype(tm.data, tm.addr, w)
	if d.dtypeErr != nil && d.dtype.Size == 0 {
		return d.dtypeErr
	}
	if d.layout, err = parseLayout(lm, w, f.so, f.sl); err != nil {
		return err
	}
	if m := h.find(msgFilters); m != nil {
		if d.filters, err = parseFilters(m, w); err != nil {
			return err
		}
	}
	// Fill value: the new message if it has a value, else the old one.
	var fill []byte
	if m := h.find(msgFill); m != nil {
		if fill, _, err = parseFill(m, w); err != nil {
			return err
		}
	}
	if len(fill) == 0 {
		if m := h.find(msgFillOld); m != nil {
			if fill, _, err = parseFill(m, w); err != nil {
				return err
			}
		}
	}
	d.fillRaw = make([]byte, d.dtype.Size)
	if len(fill) == d.dtype.Size {
		copy(d.fillRaw, fill)
		d.dtype.toLE(d.fillRaw)
		d.fillSet = true
	} else if len(fill) != 0 {
		return errf(ErrCorrupt, w, -1, "fill value of %d bytes for %d-byte elements", len(fill), d.dtype.Size)
	}
	if d.attrs, err = f.attributes(ctx, h, w); err != nil {
		return err
	}
	if d.layout.class == layoutChunked {
		if len(d.layout.chunk) != len(d.space.dims) {
			return errf(ErrCorrupt, w, lm.addr, "chunk rank %d for a rank-%d dataspace", len(d.layout.chunk), len(d.space.dims))
		}
		n := uint64(d.dtype.Size)
		for _, c := range d.layout.chunk {
			if n > math.MaxInt64/c {
				return errf(ErrTooLarge, w, lm.addr, "chunk of %v elements", d.layout.chunk)
			}
			n *= c
		}
		if n > uint64(f.cfg.maxAlloc) {
			return errf(ErrTooLarge, w, lm.addr, "chunk of %d bytes exceeds the allocation limit", n)
		}
		d.chunkBytes = int64(n)
	}
	if n, ok := d.space.nelems(); !ok || n > math.MaxInt64/uint64(d.dtype.Size) {
		return errf(ErrTooLarge, w, sm.addr, "dataspace %v of %d-byte elements", d.space.dims, d.dtype.Size)
	}
	return nil
}

// Path returns the dataset's absolute path.
func (d *Dataset) Path() string { return d.path }

// Shape returns the current dimensions (nil for a scalar).
func (d *Dataset) Shape() []int { return toInts(d.space.dims) }

// MaxShape returns the maximum dimensions; -1 means unlimited. It equals
// Shape when the file does not store maximum dimensions.
func (d *Dataset) MaxShape() []int {
	if d.space.maxDims == nil {
		return d.Shape()
	}
	out := make([]int, len(d.space.maxDims))
	for i, m := range d.space.maxDims {
		if m == math.MaxUint64 {
			out[i] = -1
		} else {
			out[i] = int(m)
		}
	}
	return out
}

// Len returns the number of elements.
func (d *Dataset) Len() int {
	n, _ := d.space.nelems()
	return int(n)
}

// Dtype returns the element type.
func (d *Dataset) Dtype() Dtype { return d.dtype }

// Layout returns the storage layout.
func (d *Dataset) Layout() Layout { return Layout(d.layout.class) }

// ChunkShape returns the chunk dimensions, or nil if not chunked.
func (d *Dataset) ChunkShape() []int {
	if d.layout.class != layoutChunked {
		return nil
	}
	return toInts(d.layout.chunk)
}

// ChunkIndex returns the chunk index type (IndexNone if not chunked).
func (d *Dataset) ChunkIndex() ChunkIndex {
	if d.layout.class != layoutChunked {
		return IndexNone
	}
	return ChunkIndex(d.layout.indexType)
}

// Filters returns the filter pipeline in the order the writer applied it.
func (d *Dataset) Filters() []Filter { return append([]Filter(nil), d.filters...) }

// FillValue returns the fill value as int64, uint64 or float64 (following
// the Attribute conventions), or nil for non-numeric types. Elements of
// chunks that were never written read as this value. A dataset without a
// defined fill value has fill 0.
func (d *Dataset) FillValue() any {
	if !d.dtype.numeric() {
		return nil
	}
	return d.dtype.scalar(d.fillRaw)
}

// FillDefined reports whether the file stores an explicit (user-defined)
// fill value, as ATL06 does for h_li (FLT_MAX). When it is false the fill
// is the library default, zero, which is also what FillValue returns.
func (d *Dataset) FillDefined() bool { return d.fillSet }

// FillFloat64 returns the fill value converted to float64 (NaN for
// non-numeric types), for comparing with values read as float64.
func (d *Dataset) FillFloat64() float64 {
	if !d.dtype.numeric() {
		return math.NaN()
	}
	return d.dtype.float64At(d.fillRaw, 0)
}

// FillBytes returns the fill value's bytes (little-endian for numeric
// types).
func (d *Dataset) FillBytes() []byte { return append([]byte(nil), d.fillRaw...) }

// Attrs returns the dataset's attributes, in header order (dense attributes
// in name-hash order).
func (d *Dataset) Attrs() []Attribute { return append([]Attribute(nil), d.attrs...) }

// Attr returns the attribute called name.
func (d *Dataset) Attr(name string) (Attribute, bool) {
	for _, a := range d.attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

func toInts(v []uint64) []int {
	if v == nil {
		return nil
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}
