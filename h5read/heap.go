package h5read

import (
	"context"
)

// localHeap reads the data segment of a local heap (symbol-table group names).
func (f *File) localHeap(ctx context.Context, addr uint64, what string) ([]byte, error) {
	w := what + ": local heap"
	b, err := f.st.meta(ctx, int64(addr), int64(8+2*f.sl+f.so))
	if err != nil {
		return nil, wrapObj(w, err)
	}
	c := newCursor(b, int64(addr), w, f.so, f.sl)
	c.sig("HEAP")
	if v := c.u8(); v != 0 && c.err == nil {
		return nil, errf(ErrCorrupt, w, int64(addr), "version %d", v)
	}
	c.skip(3)
	size := c.length()
	c.length()
	data := c.addr()
	if c.err != nil {
		return nil, c.err
	}
	if size > uint64(f.size) || data > uint64(f.size) {
		return nil, errf(ErrCorrupt, w, int64(addr), "data segment %d bytes at %d outside the file", size, data)
	}
	return f.st.meta(ctx, int64(data), int64(size))
}

// fractalHeap is a parsed fractal heap header (dense links and attributes).
type fractalHeap struct {
	addr         int64
	idLen        int
	filtered     bool
	checksummed  bool
	width        uint64
	startBlock   uint64
	maxDirect    uint64
	maxHeapBits  int
	rootAddr     uint64
	rootRows     int
	maxDirectRow int
	maxManaged   uint32
	hugeBTree    uint64
	what         string
}

func (f *File) openHeap(ctx context.Context, addr uint64, what string) (*fractalHeap, error) {
	w := what + ": fractal heap header"
	n := int64(4 + 1 + 2 + 2 + 1 + 4 + 12*f.sl + 2 + 2*f.sl + 2 + 2 + f.so + 2 + 4)
	b, err := f.st.meta(ctx, int64(addr), n+int64(f.sl+4))
	if err != nil {
		return nil, wrapObj(w, err)
	}
	c := newCursor(b, int64(addr), w, f.so, f.sl)
	c.sig("FRHP")
	if v := c.u8(); v != 0 && c.err == nil {
		return nil, errf(ErrCorrupt, w, int64(addr), "version %d", v)
	}
	h := &fractalHeap{addr: int64(addr), what: what}
	h.idLen = int(c.u16())
	filterLen := int(c.u16())
	flags := c.u8()
	h.checksummed = flags&2 != 0
	h.maxManaged = c.u32()
	c.length() // next huge object ID
	h.hugeBTree = c.addr()
	c.length() // free space in managed blocks
	c.addr()   // managed block free-space manager
	for range 8 {
		c.length() // managed space, allocated, iterator, counts and sizes
	}
	h.width = uint64(c.u16())
	h.startBlock = c.length()
	h.maxDirect = c.length()
	h.maxHeapBits = int(c.u16())
	c.u16() // starting rows
	h.rootAddr = c.addr()
	h.rootRows = int(c.u16())
	if filterLen > 0 {
		h.filtered = true
		c.length()
		c.u32()
		c.skip(filterLen)
	}
	if c.err != nil {
		return nil, c.err
	}
	if f.cfg.verify {
		if err := checkSum(b, c.pos, w, int64(addr)); err != nil {
			return nil, err
		}
	}
	if h.filtered {
		return nil, errf(ErrUnsupported, w, int64(addr), "fractal heap with I/O filters")
	}
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	if !pow2(h.width) || !pow2(h.startBlock) || !pow2(h.maxDirect) || h.maxDirect < h.startBlock ||
		h.maxHeapBits < 1 || h.maxHeapBits > 64 || h.idLen < 1 || h.idLen > 64 || h.maxDirect > 1<<30 {
		return nil, errf(ErrCorrupt, w, int64(addr), "heap geometry width %d start %d max direct %d bits %d",
			h.width, h.startBlock, h.maxDirect, h.maxHeapBits)
	}
	h.maxDirectRow = log2(h.maxDirect) - log2(h.startBlock) + 2
	if h.rootRows > 64 {
		return nil, errf(ErrCorrupt, w, int64(addr), "%d rows in the root indirect block", h.rootRows)
	}
	return h, nil
}

func (h *fractalHeap) rowBlockSize(r int) uint64 {
	if r == 0 {
		return h.startBlock
	}
	return h.startBlock << (r - 1)
}

// object returns the bytes of the managed object identified by heap ID id.
func (f *File) heapObject(ctx context.Context, h *fractalHeap, id []byte) ([]byte, error) {
	w := h.what + ": fractal heap object"
	if len(id) < 1 {
		return nil, errf(ErrCorrupt, w, h.addr, "empty heap ID")
	}
	typ := (id[0] >> 4) & 3
	if id[0]>>6 != 0 {
		return nil, errf(ErrCorrupt, w, h.addr, "heap ID version %d", id[0]>>6)
	}
	switch typ {
	case 2: // tiny: length in the low 4 bits (+1), data follows
		n := int(id[0]&0x0f) + 1
		if 1+n > len(id) {
			return nil, errf(ErrCorrupt, w, h.addr, "tiny object of %d bytes in a %d-byte ID", n, len(id))
		}
		return id[1 : 1+n], nil
	case 0:
	case 1:
		return f.hugeObject(ctx, h, id)
	default:
		return nil, errf(ErrCorrupt, w, h.addr, "heap ID type 3")
	}
	offBytes := (h.maxHeapBits + 7) / 8
	lenBytes := min((log2(h.maxDirect)+7)/8, bytesFor(uint64(h.maxManaged)))
	if lenBytes < 1 || 1+offBytes+lenBytes > len(id) {
		return nil, errf(ErrCorrupt, w, h.addr, "heap ID of %d bytes", len(id))
	}
	off := leUint(id[1 : 1+offBytes])
	n := leUint(id[1+offBytes : 1+offBytes+lenBytes])
	if n > h.maxDirect {
		return nil, errf(ErrCorrupt, w, h.addr, "object of %d bytes larger than a direct block", n)
	}
	blockAddr, blockOff, blockSize, err := f.heapLocate(ctx, h, off)
	if err != nil {
		return nil, err
	}
	rel := off - blockOff
	if rel+n > blockSize {
		return nil, errf(ErrCorrupt, w, int64(blockAddr), "object at heap offset %d length %d crosses its block", off, n)
	}
	b, err := f.st.meta(ctx, int64(blockAddr), int64(blockSize))
	if err != nil {
		return nil, wrapObj(w, err)
	}
	if uint64(len(b)) < blockSize {
		return nil, errf(ErrCorrupt, w, int64(blockAddr), "direct block truncated")
	}
	if string(b[:4]) != "FHDB" {
		return nil, errf(ErrCorrupt, w, int64(blockAddr), "bad direct block signature %q", b[:4])
	}
	if h.checksummed && f.cfg.verify {
		ck := 4 + 1 + f.so + offBytes
		if err := f.checkDirectBlock(b, ck, w, int64(blockAddr)); err != nil {
			return nil, err
		}
	}
	return b[rel : rel+n], nil
}

func (f *File) checkDirectBlock(b []byte, ck int, w string, addr int64) error {
	// The checksum is computed over the whole block with the field zeroed.
	if ck+4 > len(b) {
		return errf(ErrCorrupt, w, addr, "direct block too small")
	}
	tmp := make([]byte, len(b))
	copy(tmp, b)
	stored := uint32(leUint(tmp[ck : ck+4]))
	tmp[ck], tmp[ck+1], tmp[ck+2], tmp[ck+3] = 0, 0, 0, 0
	if got := lookup3(tmp, 0); got != stored {
		return errf(ErrChecksum, w, addr, "direct block lookup3 %#08x, stored %#08x", got, stored)
	}
	return nil
}

// heapLocate finds the direct block holding heap offset off.
func (f *File) heapLocate(ctx context.Context, h *fractalHeap, off uint64) (addr, blockOff, size uint64, err error) {
	w := h.what + ": fractal heap"
	if h.rootRows == 0 {
		if off >= h.startBlock {
			return 0, 0, 0, errf(ErrCorrupt, w, h.addr, "heap offset %d beyond the root direct block", off)
		}
		return h.rootAddr, 0, h.startBlock, nil
	}
	iaddr, rows, base := h.rootAddr, h.rootRows, uint64(0)
	for depth := 0; depth < 16; depth++ {
		ndirect := min(rows, h.maxDirectRow)
		nindirect := rows - ndirect
		offBytes := (h.maxHeapBits + 7) / 8
		n := int64(4+1+f.so+offBytes) + int64(ndirect)*int64(h.width)*int64(f.so) + int64(nindirect)*int64(h.width)*int64(f.so) + 4
		b, err := f.st.meta(ctx, int64(iaddr), n)
		if err != nil {
			return 0, 0, 0, wrapObj(w, err)
		}
		c := newCursor(b, int64(iaddr), w+" indirect block", f.so, f.sl)
		c.sig("FHIB")
		c.skip(1 + f.so + offBytes)
		if c.err != nil {
			return 0, 0, 0, c.err
		}
		if h.checksummed && f.cfg.verify && int64(len(b)) == n {
			if err := checkSum(b, int(n-4), w+" indirect block", int64(iaddr)); err != nil {
				return 0, 0, 0, err
			}
		}
		pos := base
		next := uint64(0)
		found := false
		for r := 0; r < rows && !found; r++ {
			bs := h.rowBlockSize(r)
			for k := uint64(0); k < h.width; k++ {
				a := c.addr()
				if c.err != nil {
					return 0, 0, 0, c.err
				}
				if off >= pos && off < pos+bs {
					if undef(a, f.so) {
						return 0, 0, 0, errf(ErrCorrupt, w, int64(iaddr), "heap offset %d in an unallocated block", off)
					}
					if r < h.maxDirectRow {
						return a, pos, bs, nil
					}
					// Child indirect block covering bs bytes.
					next, base = a, pos
					rows = log2(bs) - log2(h.startBlock*h.width) + 1
					found = true
					break
				}
				pos += bs
			}
		}
		if !found {
			return 0, 0, 0, errf(ErrCorrupt, w, int64(iaddr), "heap offset %d not covered by the indirect block", off)
		}
		if rows < 1 || rows > 64 {
			return 0, 0, 0, errf(ErrCorrupt, w, int64(iaddr), "child indirect block with %d rows", rows)
		}
		iaddr = next
	}
	return 0, 0, 0, errf(ErrCorrupt, w, h.addr, "indirect blocks nested too deep")
}

// hugeObject returns an object too large for the heap's blocks, stored on
// its own: either addressed directly from the heap ID (when the ID has room
// for an address and a length) or found in the heap's v2 B-tree of huge
// objects (record type 1: address, length, ID).
func (f *File) hugeObject(ctx context.Context, h *fractalHeap, id []byte) ([]byte, error) {
	w := h.what + ": fractal heap huge object"
	if h.filtered {
		return nil, errf(ErrUnsupported, w, h.addr, "filtered huge objects")
	}
	var addr, n uint64
	if len(id) >= 1+f.so+f.sl {
		addr, n = leUint(id[1:1+f.so]), leUint(id[1+f.so:1+f.so+f.sl])
	} else {
		key := leUint(id[1:min(len(id), 9)])
		bt, err := f.openBTree2(ctx, h.hugeBTree, w)
		if err != nil {
			return nil, err
		}
		if bt.typ != 1 || bt.recSize < f.so+2*f.sl {
			return nil, errf(ErrUnsupported, w, bt.addr, "huge object index with record type %d", bt.typ)
		}
		found := false
		cmp := func(rec []byte) int {
			k := leUint(rec[f.so+f.sl : f.so+2*f.sl])
			switch {
			case key < k:
				return -1
			case key > k:
				return 1
			}
			return 0
		}
		err = f.walkBTree2(ctx, bt, cmp, func(rec []byte) (bool, error) {
			addr, n = leUint(rec[:f.so]), leUint(rec[f.so:f.so+f.sl])
			found = true
			return true, nil
		})
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, errf(ErrCorrupt, w, bt.addr, "huge object %d not in the index", key)
		}
	}
	if addr >= uint64(f.size) || n > uint64(f.size)-addr {
		return nil, errf(ErrCorrupt, w, int64(addr), "%d bytes outside the file", n)
	}
	if n > uint64(f.cfg.maxAlloc) {
		return nil, errf(ErrTooLarge, w, int64(addr), "%d-byte object", n)
	}
	return f.st.meta(ctx, int64(addr), int64(n))
}
