package h5read

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
)

// chunkRef locates one stored chunk.
type chunkRef struct {
	coord []uint64 // element coordinates of the chunk origin
	addr  uint64
	size  uint64 // stored (filtered) bytes
	mask  uint32 // filters skipped for this chunk
	raw   bool   // stored without any filter (unfiltered partial edge chunk)
}

// effectiveMask is the mask decoding must use.
func (r *chunkRef) effectiveMask() uint32 {
	if r.raw {
		return math.MaxUint32
	}
	return r.mask
}

// chunkIndex finds the stored chunks that intersect a box of elements.
type chunkIndex interface {
	chunks(ctx context.Context, lo, hi []uint64) ([]chunkRef, error)
}

// maxGridChunks bounds the chunks one selection may touch.
const maxGridChunks = 1 << 18

// index opens the chunk index once; failures are not cached, so a read
// that failed on a transient error (or a pending batched read) can retry.
func (d *Dataset) index(ctx context.Context) (chunkIndex, error) {
	d.idxMu.Lock()
	defer d.idxMu.Unlock()
	if d.idx != nil {
		return d.idx, nil
	}
	idx, err := d.openIndex(ctx)
	if err != nil {
		return nil, err
	}
	d.idx = idx
	return idx, nil
}

func (d *Dataset) openIndex(ctx context.Context) (chunkIndex, error) {
	l := &d.layout
	f := d.f
	g := grid{dims: d.space.dims, chunk: l.chunk, max: d.space.maxDims}
	if undef(l.addr, f.so) {
		return emptyIndex{}, nil
	}
	if l.addr >= uint64(f.size) {
		return nil, errf(ErrCorrupt, d.path+": chunk index", int64(l.addr), "address outside the %d-byte file", f.size)
	}
	switch l.indexType {
	case idxBTree1:
		return &btree1Index{d: d}, nil
	case idxSingle:
		size, mask := uint64(d.chunkBytes), uint32(0)
		if l.flags&2 != 0 {
			size, mask = l.singleSize, l.singleMask
		}
		return &singleIndex{ref: chunkRef{coord: make([]uint64, len(l.chunk)), addr: l.addr, size: size, mask: mask}}, nil
	case idxImplicit:
		return &implicitIndex{d: d, g: g}, nil
	case idxFixedArray:
		return f.openFixedArray(ctx, d, g)
	case idxExtArray:
		return f.openExtArray(ctx, d, g)
	case idxBTree2:
		return &btree2Index{d: d}, nil
	}
	return nil, errf(ErrUnsupported, d.path, -1, "chunk index type %d", l.indexType)
}

type emptyIndex struct{}

func (emptyIndex) chunks(context.Context, []uint64, []uint64) ([]chunkRef, error) { return nil, nil }

type singleIndex struct{ ref chunkRef }

func (s *singleIndex) chunks(context.Context, []uint64, []uint64) ([]chunkRef, error) {
	return []chunkRef{s.ref}, nil
}

// grid is the chunk grid of a dataset.
type grid struct {
	dims, chunk, max []uint64
}

// down returns row-major strides over chunk counts computed from the
// maximum dimensions where they are finite (HDF5's max_down_chunks).
func (g grid) down(useMax bool) []uint64 {
	n := len(g.chunk)
	out := make([]uint64, n)
	acc := uint64(1)
	for i := n - 1; i >= 0; i-- {
		out[i] = acc
		ext := g.dims[i]
		if useMax && g.max != nil && g.max[i] != math.MaxUint64 {
			ext = g.max[i]
		}
		cnt := (ext + g.chunk[i] - 1) / g.chunk[i]
		if cnt != 0 && acc > math.MaxUint64/cnt {
			acc = math.MaxUint64
		} else {
			acc *= cnt
		}
	}
	return out
}

// each calls fn with the chunk-grid coordinates (scaled) of every chunk
// intersecting [lo, hi).
func (g grid) each(lo, hi []uint64, fn func(scaled []uint64) error) error {
	n := len(g.chunk)
	first := make([]uint64, n)
	last := make([]uint64, n)
	total := uint64(1)
	for i := range n {
		if hi[i] <= lo[i] {
			return nil
		}
		first[i] = lo[i] / g.chunk[i]
		last[i] = (hi[i] - 1) / g.chunk[i]
		k := last[i] - first[i] + 1
		if k > maxGridChunks/total {
			return errf(ErrTooLarge, "selection", -1, "touches more than %d chunks", maxGridChunks)
		}
		total *= k
	}
	cur := append([]uint64(nil), first...)
	for {
		if err := fn(cur); err != nil {
			return err
		}
		k := n - 1
		for k >= 0 {
			cur[k]++
			if cur[k] <= last[k] {
				break
			}
			cur[k] = first[k]
			k--
		}
		if k < 0 {
			return nil
		}
	}
}

func (g grid) coord(scaled []uint64) []uint64 {
	c := make([]uint64, len(scaled))
	for i, s := range scaled {
		c[i] = s * g.chunk[i]
	}
	return c
}

func linear(scaled, down []uint64) uint64 {
	var idx uint64
	for i, s := range scaled {
		idx += s * down[i]
	}
	return idx
}

// intersects reports whether chunk [c, c+chunk) meets [lo, hi).
func intersects(c, chunk, lo, hi []uint64) bool {
	for i := range c {
		if c[i] >= hi[i] || c[i]+chunk[i] <= lo[i] {
			return false
		}
	}
	return true
}

// btree1Index walks a version 1 B-tree of chunks (layout ≤ 3).
type btree1Index struct{ d *Dataset }

func (x *btree1Index) chunks(ctx context.Context, lo, hi []uint64) ([]chunkRef, error) {
	d := x.d
	f := d.f
	rank := len(d.layout.chunk)
	keySize := 8 + 8*(rank+1)
	var out []chunkRef
	budget := maxTreeNodes
	w := d.path + ": chunk index"
	decodeKey := func(k []byte) (size uint32, mask uint32, coord []uint64) {
		size = binary.LittleEndian.Uint32(k)
		mask = binary.LittleEndian.Uint32(k[4:])
		coord = make([]uint64, rank)
		for i := range coord {
			coord[i] = binary.LittleEndian.Uint64(k[8+8*i:])
		}
		return
	}
	var walk func(addr uint64, wantLevel int) error
	walk = func(addr uint64, wantLevel int) error {
		budget--
		if budget < 0 {
			return errf(ErrCorrupt, w, int64(addr), "more than %d B-tree nodes", maxTreeNodes)
		}
		nd, err := f.readBTree1(ctx, addr, 1, keySize, w)
		if err != nil {
			return err
		}
		if wantLevel >= 0 && nd.level != wantLevel {
			return errf(ErrCorrupt, w, int64(addr), "node level %d, want %d", nd.level, wantLevel)
		}
		for i, ch := range nd.children {
			size, mask, coord := decodeKey(nd.keys[i])
			if nd.level > 0 {
				// Child i holds chunks with key_i ≤ offset < key_{i+1}.
				_, _, next := decodeKey(nd.keys[i+1])
				if coord[0] >= hi[0] || (i+1 < len(nd.children) && next[0]+d.layout.chunk[0] <= lo[0]) {
					continue
				}
				if err := walk(ch, nd.level-1); err != nil {
					return err
				}
				continue
			}
			if intersects(coord, d.layout.chunk, lo, hi) {
				for j := range coord {
					if coord[j]%d.layout.chunk[j] != 0 {
						return errf(ErrCorrupt, w, int64(addr), "chunk offset %v not on the chunk grid", coord)
					}
				}
				out = append(out, chunkRef{coord: coord, addr: ch, size: uint64(size), mask: mask})
			}
		}
		return nil
	}
	if err := walk(d.layout.addr, -1); err != nil {
		return nil, err
	}
	return out, nil
}

// implicitIndex: chunk i at addr + i·chunkBytes (unfiltered, early allocation).
type implicitIndex struct {
	d *Dataset
	g grid
}

func (x *implicitIndex) chunks(_ context.Context, lo, hi []uint64) ([]chunkRef, error) {
	down := x.g.down(true)
	var out []chunkRef
	err := x.g.each(lo, hi, func(s []uint64) error {
		i := linear(s, down)
		cb := uint64(x.d.chunkBytes)
		if cb != 0 && i > (math.MaxUint64-x.d.layout.addr)/cb {
			return errf(ErrCorrupt, x.d.path, -1, "implicit chunk %d overflows", i)
		}
		out = append(out, chunkRef{coord: x.g.coord(s), addr: x.d.layout.addr + i*cb, size: cb})
		return nil
	})
	return out, err
}

// arrayElem decodes one fixed/extensible array element.
func decodeElem(e []byte, filtered bool, so int) (addr, size uint64, mask uint32) {
	addr = leUint(e[:so])
	if filtered {
		n := len(e) - so - 4
		size = leUint(e[so : so+n])
		mask = binary.LittleEndian.Uint32(e[so+n:])
	}
	return
}

// fixedArrayIndex (layout v4 type 3).
type fixedArrayIndex struct {
	d        *Dataset
	g        grid
	filtered bool
	esize    int
	n        uint64
	data     []byte // unpaged elements
	// paging
	paged     bool
	pageElems uint64
	dblkAddr  uint64
	prefix    int64
	bitmap    []byte
}

func (f *File) openFixedArray(ctx context.Context, d *Dataset, g grid) (chunkIndex, error) {
	w := d.path + ": fixed array header"
	a := int64(d.layout.addr)
	n := int64(4 + 1 + 1 + 1 + 1 + f.sl + f.so + 4)
	b, err := f.st.meta(ctx, a, n)
	if err != nil {
		return nil, wrapObj(w, err)
	}
	c := newCursor(b, a, w, f.so, f.sl)
	c.sig("FAHD")
	c.u8()
	client := c.u8()
	esize := int(c.u8())
	pageBits := int(c.u8())
	nel := c.length()
	dblk := c.addr()
	if c.err != nil {
		return nil, c.err
	}
	if f.cfg.verify {
		if err := checkSum(b, c.pos, w, a); err != nil {
			return nil, err
		}
	}
	x := &fixedArrayIndex{d: d, g: g, filtered: client == 1, esize: esize, n: nel, dblkAddr: dblk}
	if esize < f.so || (x.filtered && esize < f.so+5) || esize > f.so+12 || pageBits > 32 {
		return nil, errf(ErrCorrupt, w, a, "element size %d, page bits %d", esize, pageBits)
	}
	if nel > uint64(f.size) {
		return nil, errf(ErrCorrupt, w, a, "%d elements in a %d-byte file", nel, f.size)
	}
	if undef(dblk, f.so) {
		return emptyIndex{}, nil
	}
	dw := d.path + ": fixed array data block"
	x.prefix = int64(4 + 1 + 1 + f.so)
	x.pageElems = uint64(1) << pageBits
	if nel > x.pageElems {
		x.paged = true
		npages := (nel + x.pageElems - 1) / x.pageElems
		bm := int64((npages + 7) / 8)
		b, err := f.st.meta(ctx, int64(dblk), x.prefix+bm+4)
		if err != nil {
			return nil, wrapObj(dw, err)
		}
		c := newCursor(b, int64(dblk), dw, f.so, f.sl)
		c.sig("FADB")
		c.skip(int(x.prefix) - 4)
		x.bitmap = bytes.Clone(c.take(int(bm)))
		if c.err != nil {
			return nil, c.err
		}
		if f.cfg.verify {
			if err := checkSum(b, c.pos, dw, int64(dblk)); err != nil {
				return nil, err
			}
		}
		x.prefix += bm + 4
		return x, nil
	}
	total := x.prefix + int64(nel)*int64(esize) + 4
	b, err = f.st.meta(ctx, int64(dblk), total)
	if err != nil {
		return nil, wrapObj(dw, err)
	}
	if int64(len(b)) < total {
		return nil, errf(ErrCorrupt, dw, int64(dblk), "data block truncated")
	}
	if string(b[:4]) != "FADB" {
		return nil, errf(ErrCorrupt, dw, int64(dblk), "bad signature %q", b[:4])
	}
	if f.cfg.verify {
		if err := checkSum(b, int(total-4), dw, int64(dblk)); err != nil {
			return nil, err
		}
	}
	x.data = bytes.Clone(b[x.prefix : total-4]) // not pinning the cache block
	return x, nil
}

func (x *fixedArrayIndex) elem(ctx context.Context, i uint64) ([]byte, error) {
	f := x.d.f
	w := x.d.path + ": fixed array data block"
	if i >= x.n {
		return nil, errf(ErrCorrupt, w, int64(x.dblkAddr), "chunk %d beyond the %d elements", i, x.n)
	}
	if !x.paged {
		return x.data[int(i)*x.esize : int(i+1)*x.esize], nil
	}
	p := i / x.pageElems
	if x.bitmap[p/8]&(0x80>>(p%8)) == 0 {
		return nil, nil // page never written
	}
	pageBytes := int64(x.pageElems)*int64(x.esize) + 4
	off := int64(x.dblkAddr) + x.prefix + int64(p)*pageBytes
	nIn := min(x.pageElems, x.n-p*x.pageElems)
	b, err := f.st.meta(ctx, off, int64(nIn)*int64(x.esize)+4)
	if err != nil {
		return nil, wrapObj(w, err)
	}
	if int64(len(b)) < int64(nIn)*int64(x.esize)+4 {
		return nil, errf(ErrCorrupt, w, off, "page truncated")
	}
	if f.cfg.verify {
		if err := checkSum(b, len(b)-4, w+" page", off); err != nil {
			return nil, err
		}
	}
	k := int(i - p*x.pageElems)
	return b[k*x.esize : (k+1)*x.esize], nil
}

func (x *fixedArrayIndex) chunks(ctx context.Context, lo, hi []uint64) ([]chunkRef, error) {
	down := x.g.down(true)
	so := x.d.f.so
	var out []chunkRef
	err := x.g.each(lo, hi, func(s []uint64) error {
		e, err := x.elem(ctx, linear(s, down))
		if err != nil || e == nil {
			return err
		}
		addr, size, mask := decodeElem(e, x.filtered, so)
		if undef(addr, so) {
			return nil
		}
		if !x.filtered {
			size = uint64(x.d.chunkBytes)
		}
		out = append(out, chunkRef{coord: x.g.coord(s), addr: addr, size: size, mask: mask})
		return nil
	})
	return out, err
}

// btree2Index (layout v4 type 5): records of type 10 (unfiltered) or 11.
type btree2Index struct{ d *Dataset }

func (x *btree2Index) chunks(ctx context.Context, lo, hi []uint64) ([]chunkRef, error) {
	d := x.d
	f := d.f
	w := d.path + ": chunk index"
	t, err := f.openBTree2(ctx, d.layout.addr, w)
	if err != nil {
		return nil, err
	}
	rank := len(d.layout.chunk)
	filtered := t.typ == 11
	if t.typ != 10 && t.typ != 11 {
		return nil, errf(ErrCorrupt, w, int64(d.layout.addr), "record type %d", t.typ)
	}
	sizeLen := t.recSize - f.so - 8*rank
	if filtered {
		sizeLen -= 4
	}
	if sizeLen < 0 || (filtered && sizeLen < 1) || sizeLen > 8 || (!filtered && sizeLen != 0) {
		return nil, errf(ErrCorrupt, w, int64(d.layout.addr), "record size %d for rank %d", t.recSize, rank)
	}
	var out []chunkRef
	err = f.walkBTree2(ctx, t, nil, func(rec []byte) (bool, error) {
		c := newCursor(rec, t.addr, w, f.so, f.sl)
		r := chunkRef{addr: c.addr(), size: uint64(d.chunkBytes)}
		if filtered {
			r.size = c.uvar(sizeLen)
			r.mask = c.u32()
		}
		r.coord = make([]uint64, rank)
		for i := range r.coord {
			s := c.u64()
			if s > math.MaxUint64/d.layout.chunk[i] {
				return true, errf(ErrCorrupt, w, t.addr, "scaled offset %d overflows", s)
			}
			r.coord[i] = s * d.layout.chunk[i]
		}
		if c.err != nil {
			return true, c.err
		}
		if !undef(r.addr, f.so) && intersects(r.coord, d.layout.chunk, lo, hi) {
			out = append(out, r)
		}
		return false, nil
	})
	return out, err
}
