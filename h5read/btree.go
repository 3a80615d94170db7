package h5read

import (
	"context"
)

// v1 B-tree node (groups: type 0, chunks: type 1).
type btree1Node struct {
	level    int
	keys     [][]byte
	children []uint64
}

func (f *File) readBTree1(ctx context.Context, addr uint64, typ uint8, keySize int, what string) (*btree1Node, error) {
	w := what + ": v1 B-tree node"
	if undef(addr, f.so) || addr >= uint64(f.size) {
		return nil, errf(ErrCorrupt, w, int64(addr), "address outside the file")
	}
	hdr := int64(4 + 1 + 1 + 2 + 2*f.so)
	b, err := f.st.meta(ctx, int64(addr), hdr)
	if err != nil {
		return nil, wrapObj(w, err)
	}
	c := newCursor(b, int64(addr), w, f.so, f.sl)
	c.sig("TREE")
	t := c.u8()
	level := int(c.u8())
	n := int(c.u16())
	if c.err != nil {
		return nil, c.err
	}
	if t != typ {
		return nil, errf(ErrCorrupt, w, int64(addr), "node type %d, want %d", t, typ)
	}
	if level > 64 {
		return nil, errf(ErrCorrupt, w, int64(addr), "level %d", level)
	}
	total := hdr + int64(n+1)*int64(keySize) + int64(n)*int64(f.so)
	if total > f.size-int64(addr) {
		return nil, errf(ErrCorrupt, w, int64(addr), "%d entries run past the end of the file", n)
	}
	b, err = f.st.meta(ctx, int64(addr), total)
	if err != nil {
		return nil, wrapObj(w, err)
	}
	c = newCursor(b, int64(addr), w, f.so, f.sl)
	c.skip(int(hdr))
	nd := &btree1Node{level: level, keys: make([][]byte, n+1), children: make([]uint64, n)}
	for i := 0; i < n; i++ {
		nd.keys[i] = c.take(keySize)
		nd.children[i] = c.addr()
	}
	nd.keys[n] = c.take(keySize)
	return nd, c.err
}

// btree2 is a version 2 B-tree header.
type btree2 struct {
	addr      int64
	typ       uint8
	nodeSize  int
	recSize   int
	depth     int
	root      uint64
	rootN     int
	nrecBytes int
	totBytes  []int // per level
	what      string
}

func (f *File) openBTree2(ctx context.Context, addr uint64, what string) (*btree2, error) {
	w := what + ": v2 B-tree header"
	n := int64(4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + f.so + 2 + f.sl + 4)
	b, err := f.st.meta(ctx, int64(addr), n)
	if err != nil {
		return nil, wrapObj(w, err)
	}
	c := newCursor(b, int64(addr), w, f.so, f.sl)
	c.sig("BTHD")
	if v := c.u8(); v != 0 && c.err == nil {
		return nil, errf(ErrCorrupt, w, int64(addr), "version %d", v)
	}
	t := &btree2{addr: int64(addr), what: what}
	t.typ = c.u8()
	t.nodeSize = int(c.u32())
	t.recSize = int(c.u16())
	t.depth = int(c.u16())
	c.skip(2)
	t.root = c.addr()
	t.rootN = int(c.u16())
	c.length()
	if c.err != nil {
		return nil, c.err
	}
	if f.cfg.verify {
		if err := checkSum(b, c.pos, w, int64(addr)); err != nil {
			return nil, err
		}
	}
	if t.nodeSize < 16 || t.nodeSize > 1<<24 || t.recSize < 1 || t.recSize > t.nodeSize || t.depth > 32 {
		return nil, errf(ErrCorrupt, w, int64(addr), "node size %d, record size %d, depth %d", t.nodeSize, t.recSize, t.depth)
	}
	// Node geometry (H5B2__hdr_init).
	const prefix = 10
	maxLeaf := uint64((t.nodeSize - prefix) / t.recSize)
	t.nrecBytes = bytesFor(maxLeaf)
	t.totBytes = make([]int, t.depth+1)
	cum := maxLeaf
	for d := 1; d <= t.depth; d++ {
		ptr := f.so + t.nrecBytes
		if d > 1 {
			ptr += t.totBytes[d-1]
		}
		maxN := uint64(0)
		if t.nodeSize-prefix-ptr > 0 {
			maxN = uint64((t.nodeSize - prefix - ptr) / (t.recSize + ptr))
		}
		if cum > 1<<56 {
			cum = 1 << 56
		}
		cum = (maxN+1)*cum + maxN
		t.totBytes[d] = bytesFor(cum)
	}
	return t, nil
}

// walk visits records in key order. cmp, if not nil, prunes the search: it
// returns <0 if the wanted key is before rec, >0 if after, 0 if equal; only
// subtrees that can hold equal records are visited. visit returns true to
// stop.
func (f *File) walkBTree2(ctx context.Context, t *btree2, cmp func(rec []byte) int, visit func(rec []byte) (bool, error)) error {
	if undef(t.root, f.so) || t.rootN == 0 {
		return nil
	}
	budget := maxTreeNodes
	_, err := f.walkNode2(ctx, t, t.root, t.rootN, t.depth, cmp, visit, &budget)
	return err
}

func (f *File) walkNode2(ctx context.Context, t *btree2, addr uint64, n, depth int, cmp func([]byte) int,
	visit func([]byte) (bool, error), budget *int) (bool, error) {
	w := t.what + ": v2 B-tree node"
	*budget--
	if *budget < 0 {
		return true, errf(ErrCorrupt, w, int64(addr), "more than %d nodes visited", maxTreeNodes)
	}
	if err := ctx.Err(); err != nil {
		return true, err
	}
	if undef(addr, f.so) || addr >= uint64(f.size) {
		return true, errf(ErrCorrupt, w, int64(addr), "address outside the file")
	}
	b, err := f.st.meta(ctx, int64(addr), int64(t.nodeSize))
	if err != nil {
		return true, wrapObj(w, err)
	}
	c := newCursor(b, int64(addr), w, f.so, f.sl)
	if depth == 0 {
		c.sig("BTLF")
	} else {
		c.sig("BTIN")
	}
	c.u8()
	if ty := c.u8(); ty != t.typ && c.err == nil {
		return true, errf(ErrCorrupt, w, int64(addr), "record type %d, want %d", ty, t.typ)
	}
	if n > (len(b)-10)/t.recSize {
		return true, errf(ErrCorrupt, w, int64(addr), "%d records do not fit a %d-byte node", n, t.nodeSize)
	}
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = c.take(t.recSize)
	}
	type child struct {
		addr uint64
		n    int
	}
	var kids []child
	if depth > 0 {
		kids = make([]child, n+1)
		for i := range kids {
			kids[i].addr = c.addr()
			kids[i].n = int(c.uvar(t.nrecBytes))
			if depth > 1 {
				c.uvar(t.totBytes[depth-1])
			}
		}
	}
	if c.err != nil {
		return true, c.err
	}
	if f.cfg.verify {
		if err := checkSum(b, c.pos, w, int64(addr)); err != nil {
			return true, err
		}
	}
	for i := 0; i <= n; i++ {
		if depth > 0 {
			want := cmp == nil || ((i == 0 || cmp(recs[i-1]) >= 0) && (i == n || cmp(recs[i]) <= 0))
			if want {
				stop, err := f.walkNode2(ctx, t, kids[i].addr, kids[i].n, depth-1, cmp, visit, budget)
				if stop || err != nil {
					return true, err
				}
			}
		}
		if i < n && (cmp == nil || cmp(recs[i]) == 0) {
			stop, err := visit(recs[i])
			if stop || err != nil {
				return true, err
			}
		}
	}
	return false, nil
}
