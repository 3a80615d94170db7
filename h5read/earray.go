package h5read

import (
	"bytes"
	"context"
	"math"
)

// extArrayIndex (layout v4 type 4): an extensible array over the chunks,
// with the unlimited dimension slowest.
type extArrayIndex struct {
	d        *Dataset
	g        grid
	filtered bool
	esize    int
	nIdx     uint64 // elements in the index block
	minElems uint64
	offSize  int // bytes of block offsets
	pageBits int
	elems    []byte   // index block elements
	dblks    []uint64 // data block addresses in the index block
	sblks    []uint64 // super block addresses in the index block
	ibNsblks int
	sblk     []eaSuper
	unlim    int
}

type eaSuper struct {
	ndblks, dblkElems, startIdx, startDblk uint64
}

func (f *File) openExtArray(ctx context.Context, d *Dataset, g grid) (chunkIndex, error) {
	w := d.path + ": extensible array header"
	a := int64(d.layout.addr)
	n := int64(4 + 1 + 1 + 6 + 6*f.sl + f.so + 4)
	b, err := f.st.meta(ctx, a, n)
	if err != nil {
		return nil, wrapObj(w, err)
	}
	c := newCursor(b, a, w, f.so, f.sl)
	c.sig("EAHD")
	c.u8()
	client := c.u8()
	x := &extArrayIndex{d: d, g: g, filtered: client == 1}
	x.esize = int(c.u8())
	maxBits := int(c.u8())
	x.nIdx = uint64(c.u8())
	x.minElems = uint64(c.u8())
	minPtrs := uint64(c.u8())
	x.pageBits = int(c.u8())
	for range 6 {
		c.length()
	}
	ib := c.addr()
	if c.err != nil {
		return nil, c.err
	}
	if f.cfg.verify {
		if err := checkSum(b, c.pos, w, a); err != nil {
			return nil, err
		}
	}
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	if x.esize < f.so || (x.filtered && x.esize < f.so+5) || x.esize > f.so+12 || maxBits < 1 || maxBits > 64 ||
		!pow2(x.minElems) || !pow2(minPtrs) || log2(x.minElems) > maxBits || x.pageBits > 32 {
		return nil, errf(ErrCorrupt, w, a, "element size %d, max bits %d, min elements %d, min pointers %d",
			x.esize, maxBits, x.minElems, minPtrs)
	}
	x.offSize = (maxBits + 7) / 8
	// Super block table (H5EA__hdr_init).
	nsblks := 1 + maxBits - log2(x.minElems)
	var startIdx, startDblk uint64
	for s := range nsblks {
		sb := eaSuper{ndblks: 1 << (s / 2), dblkElems: x.minElems << ((s + 1) / 2), startIdx: startIdx, startDblk: startDblk}
		x.sblk = append(x.sblk, sb)
		if sb.dblkElems != 0 && sb.ndblks > (math.MaxUint64-startIdx)/sb.dblkElems {
			break
		}
		startIdx += sb.ndblks * sb.dblkElems
		startDblk += sb.ndblks
	}
	x.ibNsblks = 2 * log2(minPtrs)
	ndblkAddrs := 2 * (minPtrs - 1)
	nsblkAddrs := max(len(x.sblk)-x.ibNsblks, 0)
	// The unlimited dimension.
	x.unlim = -1
	for i, m := range d.space.maxDims {
		if m == math.MaxUint64 {
			x.unlim = i
			break
		}
	}
	if x.unlim < 0 {
		return nil, errf(ErrCorrupt, w, a, "extensible array index without an unlimited dimension")
	}
	if undef(ib, f.so) {
		return emptyIndex{}, nil
	}
	iw := d.path + ": extensible array index block"
	size := int64(4+1+1+f.so) + int64(x.nIdx)*int64(x.esize) + int64(ndblkAddrs+uint64(nsblkAddrs))*int64(f.so) + 4
	if size > f.size {
		return nil, errf(ErrCorrupt, iw, int64(ib), "%d-byte index block", size)
	}
	b, err = f.st.meta(ctx, int64(ib), size)
	if err != nil {
		return nil, wrapObj(iw, err)
	}
	c = newCursor(b, int64(ib), iw, f.so, f.sl)
	c.sig("EAIB")
	c.skip(2 + f.so)
	x.elems = bytes.Clone(c.take(int(x.nIdx) * x.esize)) // not pinning the cache block
	x.dblks = make([]uint64, ndblkAddrs)
	for i := range x.dblks {
		x.dblks[i] = c.addr()
	}
	x.sblks = make([]uint64, nsblkAddrs)
	for i := range x.sblks {
		x.sblks[i] = c.addr()
	}
	if c.err != nil {
		return nil, c.err
	}
	if f.cfg.verify {
		if err := checkSum(b, c.pos, iw, int64(ib)); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// elem returns element i, or nil if its block was never allocated.
func (x *extArrayIndex) elem(ctx context.Context, i uint64) ([]byte, error) {
	f := x.d.f
	if i < x.nIdx {
		return x.elems[int(i)*x.esize : int(i+1)*x.esize], nil
	}
	j := i - x.nIdx
	s := log2(j/x.minElems + 1)
	if s >= len(x.sblk) {
		return nil, errf(ErrCorrupt, x.d.path+": extensible array", -1, "chunk %d beyond the array", i)
	}
	sb := x.sblk[s]
	rel := j - sb.startIdx
	var dblk uint64
	if s < x.ibNsblks {
		k := sb.startDblk + rel/sb.dblkElems
		if k >= uint64(len(x.dblks)) {
			return nil, errf(ErrCorrupt, x.d.path+": extensible array", -1, "data block %d missing from the index block", k)
		}
		dblk = x.dblks[k]
	} else {
		sa := x.sblks[s-x.ibNsblks]
		if undef(sa, f.so) {
			return nil, nil
		}
		sw := x.d.path + ": extensible array super block"
		if sb.dblkElems > uint64(1)<<x.pageBits {
			return nil, errf(ErrUnsupported, sw, int64(sa), "paged data blocks")
		}
		n := int64(4+1+1+f.so+x.offSize) + int64(sb.ndblks)*int64(f.so) + 4
		b, err := f.st.meta(ctx, int64(sa), n)
		if err != nil {
			return nil, wrapObj(sw, err)
		}
		c := newCursor(b, int64(sa), sw, f.so, f.sl)
		c.sig("EASB")
		c.skip(2 + f.so + x.offSize)
		k := rel / sb.dblkElems
		c.skip(int(k) * f.so)
		dblk = c.addr()
		if c.err != nil {
			return nil, c.err
		}
		if f.cfg.verify && int64(len(b)) == n {
			if err := checkSum(b, int(n-4), sw, int64(sa)); err != nil {
				return nil, err
			}
		}
	}
	if undef(dblk, f.so) {
		return nil, nil
	}
	dw := x.d.path + ": extensible array data block"
	if sb.dblkElems > uint64(1)<<x.pageBits {
		return nil, errf(ErrUnsupported, dw, int64(dblk), "paged data blocks")
	}
	pre := int64(4 + 1 + 1 + f.so + x.offSize)
	n := pre + int64(sb.dblkElems)*int64(x.esize) + 4
	b, err := f.st.meta(ctx, int64(dblk), n)
	if err != nil {
		return nil, wrapObj(dw, err)
	}
	if int64(len(b)) < n || string(b[:4]) != "EADB" {
		return nil, errf(ErrCorrupt, dw, int64(dblk), "bad or truncated data block")
	}
	if f.cfg.verify {
		if err := checkSum(b, int(n-4), dw, int64(dblk)); err != nil {
			return nil, err
		}
	}
	k := int64(rel % sb.dblkElems)
	return b[pre+k*int64(x.esize) : pre+(k+1)*int64(x.esize)], nil
}

func (x *extArrayIndex) chunks(ctx context.Context, lo, hi []uint64) ([]chunkRef, error) {
	// Swizzle: the unlimited dimension becomes the slowest.
	n := len(x.g.chunk)
	perm := make([]int, 0, n)
	perm = append(perm, x.unlim)
	for i := range n {
		if i != x.unlim {
			perm = append(perm, i)
		}
	}
	sg := grid{dims: make([]uint64, n), chunk: make([]uint64, n), max: make([]uint64, n)}
	for k, i := range perm {
		sg.dims[k], sg.chunk[k] = x.g.dims[i], x.g.chunk[i]
		sg.max[k] = x.d.space.maxDims[i]
	}
	down := sg.down(true)
	so := x.d.f.so
	var out []chunkRef
	sw := make([]uint64, n)
	err := x.g.each(lo, hi, func(s []uint64) error {
		for k, i := range perm {
			sw[k] = s[i]
		}
		e, err := x.elem(ctx, linear(sw, down))
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
