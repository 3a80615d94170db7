package h5read

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
)

// File is an open HDF5 file. Its methods are safe for concurrent use.
type File struct {
	st   *store
	cfg  config
	size int64
	so   int // size of offsets
	sl   int // size of lengths
	sb   superblock

	closer io.Closer

	mu      sync.Mutex
	headers map[uint64]*objHeader
	paths   map[string]uint64
	closed  bool
}

// Open reads the superblock of the HDF5 file in src (size bytes long) and
// returns a File. It prefetches the head of the file (see [WithHeadSize]) in
// one request; everything else is read lazily. If src implements
// [ReaderAtContext], ctx and the contexts of later calls reach it.
func Open(ctx context.Context, src io.ReaderAt, size int64, opts ...Option) (*File, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if size < 8 {
		return nil, fmt.Errorf("%w: %d-byte file", ErrNotHDF5, size)
	}
	f := &File{cfg: cfg, size: size, headers: map[uint64]*objHeader{}, paths: map[string]uint64{}}
	st, err := newStore(ctx, src, size, &f.cfg)
	if err != nil {
		return nil, err
	}
	f.st = st
	if err := f.readSuperblock(ctx); err != nil {
		return nil, err
	}
	f.paths["/"] = f.sb.rootAddr
	return f, nil
}

// OpenFile opens a local HDF5 file; Close closes it. Local reads are cheap,
// so the defaults are a 256 KiB head and 32 KiB metadata blocks (the
// options given override them).
func OpenFile(ctx context.Context, name string, opts ...Option) (*File, error) {
	opts = append([]Option{WithHeadSize(256 << 10), WithBlockSize(32 << 10)}, opts...)
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	f, err := Open(ctx, fh, fi.Size(), opts...)
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f.closer = fh
	return f, nil
}

// Close releases the caches and closes the source if the File opened it.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	f.headers = nil
	f.st.blocks.reset()
	f.st.chunks.reset()
	if f.closer != nil {
		return f.closer.Close()
	}
	return nil
}

// Size returns the file size given to Open.
func (f *File) Size() int64 { return f.size }

// SuperblockVersion returns the superblock version (0–3).
func (f *File) SuperblockVersion() int { return f.sb.version }

// Stats returns the I/O counters.
func (f *File) Stats() Stats {
	x := f.st.f
	return Stats{
		Requests: x.requests.Load(), Retries: x.retries.Load(), BytesFetched: x.fetched.Load(),
		BytesUsed: x.used.Load(), CacheHits: x.hits.Load(), CacheMisses: x.misses.Load(),
		CachedBytes: f.st.blocks.len() + f.st.chunks.len(),
	}
}

func (f *File) header(ctx context.Context, addr uint64, name string) (*objHeader, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	if h, ok := f.headers[addr]; ok {
		f.mu.Unlock()
		return h, nil
	}
	f.mu.Unlock()
	h, err := f.readObjHeader(ctx, addr, name)
	if err != nil {
		return nil, err
	}
	h.detach()
	f.mu.Lock()
	if f.headers != nil {
		f.headers[addr] = h
	}
	f.mu.Unlock()
	return h, nil
}

func cleanPath(p string) (string, []string, error) {
	if p == "" {
		return "", nil, fmt.Errorf("%w: empty path", ErrNotFound)
	}
	var parts []string
	for _, s := range strings.Split(p, "/") {
		switch s {
		case "", ".":
			continue
		case "..":
			return "", nil, fmt.Errorf("%w: %q: '..' not supported", ErrNotFound, p)
		}
		parts = append(parts, s)
	}
	return "/" + strings.Join(parts, "/"), parts, nil
}

// resolve returns the object header address of a path.
func (f *File) resolve(ctx context.Context, p string) (string, uint64, error) {
	clean, parts, err := cleanPath(p)
	if err != nil {
		return "", 0, err
	}
	f.mu.Lock()
	if a, ok := f.paths[clean]; ok {
		f.mu.Unlock()
		return clean, a, nil
	}
	f.mu.Unlock()
	addr := f.sb.rootAddr
	cur := ""
	for i, name := range parts {
		parent := cur
		if parent == "" {
			parent = "/"
		}
		cur += "/" + name
		f.mu.Lock()
		a, ok := f.paths[cur]
		f.mu.Unlock()
		if ok {
			addr = a
			continue
		}
		a, err := f.lookup(ctx, addr, parent, name, i == 0)
		if err != nil {
			return "", 0, err
		}
		addr = a
		f.mu.Lock()
		f.paths[cur] = a
		f.mu.Unlock()
	}
	return clean, addr, nil
}

// lookup finds the link called name in the group at addr.
func (f *File) lookup(ctx context.Context, addr uint64, gpath, name string, isRoot bool) (uint64, error) {
	var found uint64
	ok := false
	err := f.members(ctx, addr, gpath, isRoot, name, func(l link) bool {
		if l.name != name {
			return false
		}
		found, ok = l.addr, true
		return true
	})
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("%w: %q has no member %q", ErrNotFound, gpath, name)
	}
	return found, nil
}

// members calls fn for the links of the group at addr until fn returns true.
// If name is not empty, a dense group is searched through its name index and
// fn sees only candidates with the same hash.
func (f *File) members(ctx context.Context, addr uint64, gpath string, isRoot bool, name string, fn func(link) bool) error {
	h, err := f.header(ctx, addr, gpath)
	if err != nil {
		return err
	}
	what := gpath
	checkLink := func(l link) error {
		if l.typ != 0 {
			return errf(ErrUnsupported, what, -1, "link %q is a soft or external link to %q", l.name, l.target)
		}
		return nil
	}
	var stab *message
	if st := h.find(msgSymbolTable); st != nil {
		stab = st
	}
	if stab != nil || (isRoot && f.sb.rootCached && h.find(msgLinkInfo) == nil && h.find(msgLink) == nil) {
		var bt, hp uint64
		if stab != nil {
			c := newCursor(stab.data, stab.addr, what+": symbol table message", f.so, f.sl)
			bt, hp = c.addr(), c.addr()
			if c.err != nil {
				return c.err
			}
		} else {
			bt, hp = f.sb.rootBTree, f.sb.rootHeap
		}
		return f.symbolTable(ctx, bt, hp, what, fn)
	}
	for i := range h.msgs {
		m := &h.msgs[i]
		if m.typ != msgLink {
			continue
		}
		l, err := parseLink(m.data, m.addr, what, f.so)
		if err != nil {
			return err
		}
		if name != "" && l.name == name {
			if err := checkLink(l); err != nil {
				return err
			}
		}
		if l.typ == 0 && fn(l) {
			return nil
		}
	}
	li := h.find(msgLinkInfo)
	if li == nil {
		return nil
	}
	info, err := parseLinkInfo(li, what, f.so)
	if err != nil {
		return err
	}
	if undef(info.heap, f.so) {
		return nil
	}
	heap, err := f.openHeap(ctx, info.heap, what)
	if err != nil {
		return err
	}
	bt, err := f.openBTree2(ctx, info.nameIdx, what+": link name index")
	if err != nil {
		return err
	}
	if bt.typ != 5 {
		return errf(ErrCorrupt, what, int64(info.nameIdx), "link name index has record type %d", bt.typ)
	}
	var cmp func([]byte) int
	if name != "" {
		hash := lookup3([]byte(name), 0)
		cmp = func(rec []byte) int {
			rh := binary.LittleEndian.Uint32(rec)
			switch {
			case hash < rh:
				return -1
			case hash > rh:
				return 1
			}
			return 0
		}
	}
	return f.walkBTree2(ctx, bt, cmp, func(rec []byte) (bool, error) {
		if len(rec) < 4+heap.idLen {
			return true, errf(ErrCorrupt, what, bt.addr, "link name record of %d bytes", len(rec))
		}
		obj, err := f.heapObject(ctx, heap, rec[4:4+heap.idLen])
		if err != nil {
			return true, err
		}
		l, err := parseLink(obj, heap.addr, what+": dense link", f.so)
		if err != nil {
			return true, err
		}
		if l.name == name {
			if err := checkLink(l); err != nil {
				return true, err
			}
		}
		if l.typ != 0 {
			return false, nil
		}
		return fn(l), nil
	})
}

func (f *File) symbolTable(ctx context.Context, btAddr, heapAddr uint64, what string, fn func(link) bool) error {
	names, err := f.localHeap(ctx, heapAddr, what)
	if err != nil {
		return err
	}
	budget := maxTreeNodes
	var walk func(addr uint64, depth int) (bool, error)
	walk = func(addr uint64, depth int) (bool, error) {
		budget--
		if budget < 0 || depth > 64 {
			return true, errf(ErrCorrupt, what, int64(addr), "group B-tree too large or cyclic")
		}
		nd, err := f.readBTree1(ctx, addr, 0, f.sl, what)
		if err != nil {
			return true, err
		}
		for _, ch := range nd.children {
			if nd.level > 0 {
				if nd.level >= depth+64 {
					return true, errf(ErrCorrupt, what, int64(addr), "bad B-tree level")
				}
				stop, err := walk(ch, depth+1)
				if stop || err != nil {
					return stop, err
				}
				continue
			}
			stop, err := f.symbolNode(ctx, ch, names, what, fn)
			if stop || err != nil {
				return stop, err
			}
		}
		return false, nil
	}
	_, err = walk(btAddr, 0)
	return err
}

func (f *File) symbolNode(ctx context.Context, addr uint64, names []byte, what string, fn func(link) bool) (bool, error) {
	w := what + ": symbol table node"
	b, err := f.st.meta(ctx, int64(addr), 8)
	if err != nil {
		return true, wrapObj(w, err)
	}
	c := newCursor(b, int64(addr), w, f.so, f.sl)
	c.sig("SNOD")
	c.skip(2)
	n := int(c.u16())
	if c.err != nil {
		return true, c.err
	}
	esize := 2*f.so + 24
	b, err = f.st.meta(ctx, int64(addr)+8, int64(n*esize))
	if err != nil {
		return true, wrapObj(w, err)
	}
	c = newCursor(b, int64(addr)+8, w, f.so, f.sl)
	for i := 0; i < n; i++ {
		noff := c.addr()
		oaddr := c.addr()
		c.skip(24)
		if c.err != nil {
			return true, c.err
		}
		if noff >= uint64(len(names)) {
			return true, errf(ErrCorrupt, w, c.off(), "name offset %d outside the %d-byte local heap", noff, len(names))
		}
		if fn(link{name: cstring(names[noff:]), addr: oaddr}) {
			return true, nil
		}
	}
	return false, nil
}

// Group is an HDF5 group.
type Group struct {
	f    *File
	path string
	addr uint64
	hdr  *objHeader
}

// Group opens the group at path ("/" is the root).
func (f *File) Group(ctx context.Context, path string) (*Group, error) {
	clean, addr, err := f.resolve(ctx, path)
	if err != nil {
		return nil, err
	}
	h, err := f.header(ctx, addr, clean)
	if err != nil {
		return nil, err
	}
	if h.find(msgLayout) != nil {
		return nil, fmt.Errorf("%w: %s is a dataset", ErrNotDataset, clean)
	}
	return &Group{f: f, path: clean, addr: addr, hdr: h}, nil
}

// Path returns the group's absolute path.
func (g *Group) Path() string { return g.path }

// Members returns the names of the group's hard links, sorted.
func (g *Group) Members(ctx context.Context) ([]string, error) {
	var names []string
	err := g.f.members(ctx, g.addr, g.path, g.path == "/", "", func(l link) bool {
		names = append(names, l.name)
		return len(names) > 1<<20
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// Attrs returns the group's attributes.
func (g *Group) Attrs(ctx context.Context) ([]Attribute, error) {
	return g.f.attributes(ctx, g.hdr, g.path)
}
