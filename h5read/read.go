package h5read

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"

	"github.com/zagg-go/zagg/internal/retry"
)

// Number is the set of Go element types reads can fill.
type Number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// ChunkPlan is one chunk a read needs.
type ChunkPlan struct {
	Coord      []int  // element coordinates of the chunk's first element
	Addr       int64  // file offset of the stored chunk (0 if Missing)
	Size       int64  // stored (filtered) bytes (0 if Missing)
	FilterMask uint32 // bit i set: filter i was not applied to this chunk
	Missing    bool   // never written: its elements read as the fill value
}

// ByteRange is a span of the file.
type ByteRange struct {
	Off, Len int64
}

// Plan lists what a hyperslab read needs: the chunks that intersect it and
// the coalesced byte ranges that fetch them (see [WithCoalesce]). Chunks
// already in the head or the chunk cache need no range.
type Plan struct {
	Dataset     string      // dataset path
	Start       []int       // selection start, one entry per dimension
	Count       []int       // selection count, one entry per dimension
	Chunks      []ChunkPlan // every chunk the selection touches, never-written ones included (Missing)
	Ranges      []ByteRange // requests that fetch the stored chunks not yet cached, sorted by offset
	StoredBytes int64       // sum of the stored sizes of the chunks

	d    *Dataset
	refs []chunkRef
}

// selection validates start/count against the shape.
func (d *Dataset) selection(start, count []int) (lo, hi []uint64, n uint64, err error) {
	dims := d.space.dims
	if len(start) != len(dims) || len(count) != len(dims) {
		return nil, nil, 0, fmt.Errorf("%w: %s: start %v count %v for shape %v", ErrSelection, d.path, start, count, dims)
	}
	lo = make([]uint64, len(dims))
	hi = make([]uint64, len(dims))
	n = 1
	for i := range dims {
		if start[i] < 0 || count[i] < 0 || uint64(start[i]) > dims[i] || uint64(count[i]) > dims[i]-uint64(start[i]) {
			return nil, nil, 0, fmt.Errorf("%w: %s: start %v count %v outside shape %v", ErrSelection, d.path, start, count, dims)
		}
		lo[i], hi[i] = uint64(start[i]), uint64(start[i]+count[i])
		n *= uint64(count[i])
	}
	if n > uint64(d.f.cfg.maxAlloc)/uint64(d.dtype.Size) {
		return nil, nil, 0, fmt.Errorf("%w: %s: selection of %d elements exceeds the allocation limit", ErrTooLarge, d.path, n)
	}
	return lo, hi, n, nil
}

// Plan returns the read plan for the hyperslab start/count without reading
// chunk data (it may read chunk index metadata).
func (d *Dataset) Plan(ctx context.Context, start, count []int) (*Plan, error) {
	lo, hi, n, err := d.selection(start, count)
	if err != nil {
		return nil, err
	}
	p := &Plan{Dataset: d.path, Start: slices.Clone(start), Count: slices.Clone(count), d: d}
	if n == 0 {
		return p, nil
	}
	switch d.layout.class {
	case layoutCompact:
		return p, nil
	case layoutContiguous:
		if undef(d.layout.addr, d.f.so) {
			p.Chunks = []ChunkPlan{{Coord: make([]int, len(lo)), Missing: true}}
			return p, nil
		}
		off, ln := d.contigSpan(lo, hi)
		// The selection's bytes must lie inside the file (overflow-safe:
		// the address comes from the file and may be anything).
		fs := uint64(d.f.size)
		if off < 0 || ln <= 0 || d.layout.addr > fs || uint64(off) > fs-d.layout.addr || uint64(ln) > fs-d.layout.addr-uint64(off) {
			return nil, errf(ErrCorrupt, d.path+": contiguous data", int64(d.layout.addr), "data runs past the end of the file")
		}
		p.refs = []chunkRef{{coord: make([]uint64, len(lo)), addr: d.layout.addr + uint64(off), size: uint64(ln)}}
		p.Chunks = []ChunkPlan{{Coord: make([]int, len(lo)), Addr: int64(p.refs[0].addr), Size: ln}}
		p.StoredBytes = ln
		p.Ranges = d.f.coalesce(p.refs)
		return p, nil
	}
	if err := checkFilters(d.filters, d.path); err != nil {
		return nil, err
	}
	// A plan keeps a few words per chunk, written or not: bound them like
	// any other allocation, before the chunk index is walked (a tiny file
	// may declare a huge dataset of tiny, never-written chunks).
	if nc := chunksTouched(lo, hi, d.layout.chunk); nc > uint64(d.f.cfg.maxAlloc)/planBytesPerChunk {
		return nil, fmt.Errorf("%w: %s: selection start %v count %v touches %d chunks of %v elements; planning it needs more than the allocation limit of %d bytes",
			ErrTooLarge, d.path, start, count, nc, d.layout.chunk, d.f.cfg.maxAlloc)
	}
	idx, err := d.index(ctx)
	if err != nil {
		return nil, err
	}
	refs, err := idx.chunks(ctx, lo, hi)
	if err != nil {
		return nil, err
	}
	g := grid{dims: d.space.dims, chunk: d.layout.chunk}
	down := g.down(false)
	have := make(map[uint64]bool, len(refs))
	for i := range refs {
		r := &refs[i]
		if r.size == 0 || r.size > uint64(d.f.size) || r.addr > uint64(d.f.size)-r.size {
			return nil, errf(ErrCorrupt, d.path+": chunk", int64(r.addr), "chunk at %v of %d bytes outside the file", r.coord, r.size)
		}
		if r.size > uint64(d.f.cfg.maxAlloc) {
			return nil, errf(ErrTooLarge, d.path+": chunk", int64(r.addr), "chunk of %d bytes", r.size)
		}
		if d.layout.version >= 4 && d.layout.flags&1 != 0 && d.isEdge(r.coord) {
			r.raw = true // partial edge chunks are stored unfiltered
		}
		if lim := d.maxDecoded(r); uint64(d.chunkBytes) > lim {
			return nil, errf(ErrCorrupt, d.path+": chunk", int64(r.addr),
				"%d stored bytes cannot decode to a %d-byte chunk", r.size, d.chunkBytes)
		}
		have[linear(scaledOf(r.coord, d.layout.chunk), down)] = true
		p.Chunks = append(p.Chunks, ChunkPlan{Coord: toInts(r.coord), Addr: int64(r.addr), Size: int64(r.size), FilterMask: r.mask})
		p.StoredBytes += int64(r.size)
	}
	if err := g.each(lo, hi, func(s []uint64) error {
		if !have[linear(s, down)] {
			p.Chunks = append(p.Chunks, ChunkPlan{Coord: toInts(g.coord(s)), Missing: true})
		}
		return nil
	}); err != nil {
		return nil, err
	}
	p.refs = refs
	p.Ranges = d.f.coalesce(refs)
	return p, nil
}

// planBytesPerChunk bounds the memory a plan and a read keep per chunk
// (ChunkPlan, its coordinates, the chunk reference, the index map entry).
const planBytesPerChunk = 160

// chunksTouched counts the chunks of the chunk shape that intersect the
// selection [lo, hi), saturating at math.MaxUint64.
func chunksTouched(lo, hi, chunk []uint64) uint64 {
	n := uint64(1)
	for i := range lo {
		if hi[i] <= lo[i] || i >= len(chunk) || chunk[i] == 0 {
			return 0
		}
		c := (hi[i]-1)/chunk[i] - lo[i]/chunk[i] + 1
		if n > math.MaxUint64/c {
			return math.MaxUint64
		}
		n *= c
	}
	return n
}

// maxDecoded bounds the decoded size of a stored chunk, so a hostile chunk
// index cannot make a small chunk claim a huge decode buffer: DEFLATE
// expands at most 1032:1; the other filters do not expand.
func (d *Dataset) maxDecoded(r *chunkRef) uint64 {
	mask := r.effectiveMask()
	for i, f := range d.filters {
		if f.ID == filterDeflate && (i >= 32 || mask&(1<<i) == 0) {
			return r.size*1032 + 1024
		}
	}
	return r.size
}

func scaledOf(c, chunk []uint64) []uint64 {
	s := make([]uint64, len(c))
	for i := range c {
		s[i] = c[i] / chunk[i]
	}
	return s
}

func (d *Dataset) isEdge(c []uint64) bool {
	for i := range c {
		if c[i]+d.layout.chunk[i] > d.space.dims[i] {
			return true
		}
	}
	return false
}

// contigSpan returns the byte span of a contiguous dataset covering the
// selection: from its first to its last element.
func (d *Dataset) contigSpan(lo, hi []uint64) (int64, int64) {
	dims := d.space.dims
	var first, last uint64
	stride := uint64(1)
	for i := len(dims) - 1; i >= 0; i-- {
		first += lo[i] * stride
		last += (hi[i] - 1) * stride
		stride *= dims[i]
	}
	es := uint64(d.dtype.Size)
	return int64(first * es), int64((last - first + 1) * es)
}

// coalesce merges the byte ranges of chunks not already cached.
func (f *File) coalesce(refs []chunkRef) []ByteRange {
	var rs []ByteRange
	for _, r := range refs {
		if _, ok := f.st.cachedChunkPeek(int64(r.addr), int64(r.size)); ok {
			continue
		}
		rs = append(rs, ByteRange{int64(r.addr), int64(r.size)})
	}
	return mergeRanges(rs, f.cfg.coalesceGap, f.cfg.maxRequest)
}

func mergeRanges(rs []ByteRange, gap, maxReq int64) []ByteRange {
	if len(rs) == 0 {
		return nil
	}
	slices.SortFunc(rs, func(a, b ByteRange) int {
		switch {
		case a.Off < b.Off:
			return -1
		case a.Off > b.Off:
			return 1
		}
		return 0
	})
	out := []ByteRange{rs[0]}
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		end := last.Off + last.Len
		if r.Off+r.Len <= end {
			continue // contained
		}
		if gap >= 0 && r.Off-end <= gap && r.Off+r.Len-last.Off <= maxReq {
			last.Len = r.Off + r.Len - last.Off
			continue
		}
		out = append(out, r)
	}
	return out
}

// Fetch reads the byte ranges of several plans (made by this File),
// coalesced across plans and so across datasets, with bounded concurrency,
// and keeps the chunk bytes in the chunk cache so the reads that follow need
// no further requests (as long as the cache, [WithCacheSize], holds them).
func (f *File) Fetch(ctx context.Context, plans ...*Plan) error {
	var refs []chunkRef
	for _, p := range plans {
		refs = append(refs, p.refs...)
	}
	_, _, err := f.fetchChunks(ctx, refs, true)
	return err
}

// fetchChunks returns the raw bytes of each chunk, fetching the missing ones
// in coalesced ranges in parallel. With keep, fetched chunks go to the chunk
// cache; without, the request buffers come from a pool and release must be
// called once the bytes are no longer used.
func (f *File) fetchChunks(ctx context.Context, refs []chunkRef, keep bool) (raw [][]byte, release func(), err error) {
	out := make([][]byte, len(refs))
	release = func() {}
	var need []ByteRange
	for i, r := range refs {
		if b, ok := f.st.cachedChunk(int64(r.addr), int64(r.size)); ok {
			out[i] = b
			f.st.f.used.Add(f.st.used.add(int64(r.addr), int64(r.size)))
			continue
		}
		f.st.f.misses.Add(1)
		need = append(need, ByteRange{int64(r.addr), int64(r.size)})
	}
	if len(need) == 0 {
		return out, release, nil
	}
	spans := mergeRanges(need, f.cfg.coalesceGap, f.cfg.maxRequest)
	data := make([][]byte, len(spans))
	var bufs []*[]byte
	if !keep {
		bufs = make([]*[]byte, len(spans))
		release = func() {
			for _, b := range bufs {
				if b != nil {
					spanPool.Put(b)
				}
			}
		}
	}
	err = retry.ForEach(ctx, len(spans), f.cfg.concurrency, func(_ context.Context, i int) error {
		var buf []byte
		if !keep {
			bp, _ := spanPool.Get().(*[]byte)
			if bp == nil || int64(cap(*bp)) < spans[i].Len {
				b := make([]byte, spans[i].Len)
				bp = &b
			}
			bufs[i] = bp
			buf = (*bp)[:spans[i].Len]
		}
		b, err := f.st.f.fetchInto(ctx, buf, spans[i].Off, spans[i].Len)
		data[i] = b
		return err
	})
	if err != nil {
		release()
		return nil, func() {}, err
	}
	spanOf := make([]int, len(refs)) // -1: not fetched here (head or cache)
	usedIn := make([]int64, len(spans))
	for i := range spanOf {
		spanOf[i] = -1
	}
	for i, r := range refs {
		if out[i] != nil {
			continue
		}
		a, n := int64(r.addr), int64(r.size)
		k, _ := slices.BinarySearchFunc(spans, a, func(s ByteRange, a int64) int {
			switch {
			case s.Off+s.Len <= a:
				return -1
			case s.Off > a:
				return 1
			}
			return 0
		})
		s := spans[k]
		out[i] = data[k][a-s.Off : a-s.Off+n : a-s.Off+n]
		spanOf[i] = k
		usedIn[k] += n
		f.st.f.used.Add(f.st.used.add(a, n))
	}
	if keep {
		for i, r := range refs {
			k := spanOf[i]
			if k < 0 || f.st.chunks.has(int64(r.addr)) {
				continue
			}
			b := out[i]
			if spans[k].Len > usedIn[k]+usedIn[k]/4 {
				// Most of the request was gap: copy, so the cache (which
				// counts chunk bytes) does not pin the whole request.
				b = bytes.Clone(b)
			}
			f.st.chunks.put(int64(r.addr), b)
		}
	}
	return out, release, nil
}

var spanPool sync.Pool

var chunkPool sync.Pool

// readRaw reads the hyperslab into little-endian element bytes.
func (d *Dataset) readRaw(ctx context.Context, start, count []int, out []byte) error {
	if !d.dtype.numeric() && d.dtype.Class != ClassString {
		if d.dtypeErr != nil {
			return d.dtypeErr
		}
		return errf(ErrUnsupported, d.path, -1, "reading %s data", d.dtype.Class)
	}
	lo, hi, n, err := d.selection(start, count)
	if err != nil {
		return err
	}
	es := d.dtype.Size
	if uint64(len(out)) != n*uint64(es) {
		return fmt.Errorf("%w: %s: buffer of %d bytes for %d elements", ErrSelection, d.path, len(out), n)
	}
	if n == 0 {
		return nil
	}
	dims := d.space.dims
	switch d.layout.class {
	case layoutCompact:
		need := uint64(es)
		for _, x := range dims {
			need *= x
		}
		if uint64(len(d.layout.compact)) < need {
			return errf(ErrCorrupt, d.path+": compact data", -1, "%d bytes for %d", len(d.layout.compact), need)
		}
		copyBox(out, lo, hi, d.layout.compact, make([]uint64, len(dims)), dims, 0, lo, hi, es)
		d.dtype.toLE(out)
		return nil
	case layoutContiguous:
		if undef(d.layout.addr, d.f.so) {
			fillBytes(out, d.fillRaw)
			return nil
		}
		need := uint64(es)
		for _, x := range dims {
			need *= x
		}
		if d.layout.size != math.MaxUint64 && d.layout.size < need {
			return errf(ErrCorrupt, d.path+": contiguous data", int64(d.layout.addr), "%d bytes for %d", d.layout.size, need)
		}
		off, ln := d.contigSpan(lo, hi)
		if d.layout.addr > uint64(d.f.size) || uint64(off+ln) > uint64(d.f.size)-d.layout.addr {
			return errf(ErrCorrupt, d.path+": contiguous data", int64(d.layout.addr), "data runs past the end of the file")
		}
		raw, release, err := d.f.fetchChunks(ctx, []chunkRef{{addr: d.layout.addr + uint64(off), size: uint64(ln)}}, false)
		if err != nil {
			return wrapObj(d.path, err)
		}
		defer release()
		copyBox(out, lo, hi, raw[0], make([]uint64, len(dims)), dims, off/int64(es), lo, hi, es)
		d.dtype.toLE(out)
		return nil
	}
	p, err := d.Plan(ctx, start, count)
	if err != nil {
		return err
	}
	if len(p.refs) < len(p.Chunks) {
		fillBytes(out, d.fillRaw)
	}
	raws, release, err := d.f.fetchChunks(ctx, p.refs, false)
	if err != nil {
		return wrapObj(d.path, err)
	}
	defer release()
	cb := int(d.chunkBytes)
	conc := d.f.cfg.concurrency
	return retry.ForEach(ctx, len(p.refs), conc, func(_ context.Context, i int) error {
		r := p.refs[i]
		if len(lo) == 1 && r.coord[0] >= lo[0] && r.coord[0]+d.layout.chunk[0] <= hi[0] {
			// A whole 1-D chunk inside the selection decodes in place.
			o := int(r.coord[0]-lo[0]) * es
			dst := out[o : o+cb]
			if err := decodeChunk(d.filters, r.effectiveMask(), raws[i], dst, es, d.path+": chunk "+fmtDims(r.coord), int64(r.addr)); err != nil {
				return err
			}
			d.dtype.toLE(dst)
			return nil
		}
		bp, _ := chunkPool.Get().(*[]byte)
		if bp == nil || cap(*bp) < cb {
			b := make([]byte, cb)
			bp = &b
		}
		buf := (*bp)[:cb]
		defer chunkPool.Put(bp)
		if err := decodeChunk(d.filters, r.effectiveMask(), raws[i], buf, es, d.path+": chunk "+fmtDims(r.coord), int64(r.addr)); err != nil {
			return err
		}
		clo, chi := make([]uint64, len(lo)), make([]uint64, len(lo))
		for k := range lo {
			clo[k] = max(lo[k], r.coord[k])
			chi[k] = min(hi[k], r.coord[k]+d.layout.chunk[k])
		}
		d.dtype.toLE(buf)
		copyBox(out, lo, hi, buf, r.coord, d.layout.chunk, 0, clo, chi, es)
		return nil
	})
}

func fillBytes(out, fill []byte) {
	if len(fill) == 0 {
		return
	}
	allZero := true
	for _, b := range fill {
		if b != 0 {
			allZero = false
			break
		}
	}
	if allZero {
		clear(out)
		return
	}
	copy(out, fill)
	for n := len(fill); n < len(out); n *= 2 {
		copy(out[n:], out[:n])
	}
}

// copyBox copies the elements of box [blo, bhi) from src (an array with
// origin srcOrigin and dims srcDims, whose first element has linear index
// srcBase) into out (the selection [outLo, outHi)).
func copyBox(out []byte, outLo, outHi []uint64, src []byte, srcOrigin, srcDims []uint64, srcBase int64, blo, bhi []uint64, es int) {
	n := len(blo)
	if n == 0 {
		copy(out, src[:es])
		return
	}
	outStride := make([]int64, n)
	srcStride := make([]int64, n)
	os, ss := int64(1), int64(1)
	for i := n - 1; i >= 0; i-- {
		outStride[i], srcStride[i] = os, ss
		os *= int64(outHi[i] - outLo[i])
		ss *= int64(srcDims[i])
	}
	run := int64(bhi[n-1]-blo[n-1]) * int64(es)
	cur := slices.Clone(blo)
	for {
		var oi, si int64
		for k := range n {
			oi += int64(cur[k]-outLo[k]) * outStride[k]
			si += int64(cur[k]-srcOrigin[k]) * srcStride[k]
		}
		si -= srcBase
		copy(out[oi*int64(es):oi*int64(es)+run], src[si*int64(es):si*int64(es)+run])
		k := n - 2
		for k >= 0 {
			cur[k]++
			if cur[k] < bhi[k] {
				break
			}
			cur[k] = blo[k]
			k--
		}
		if k < 0 {
			return
		}
	}
}

// ReadRaw reads the hyperslab start/count and returns its elements as
// little-endian bytes in row-major order (strings: the fixed-size bytes).
func (d *Dataset) ReadRaw(ctx context.Context, start, count []int) ([]byte, error) {
	_, _, n, err := d.selection(start, count)
	if err != nil {
		return nil, err
	}
	out := make([]byte, n*uint64(d.dtype.Size))
	if err := d.readRaw(ctx, start, count, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Read reads the hyperslab start/count (one entry per dimension) of d into
// dst, in row-major order; len(dst) must equal the product of count.
// Integers convert to any integer type that holds their whole range and to
// floats; floats convert to float32 or float64. Anything else is ErrType.
func Read[T Number](ctx context.Context, d *Dataset, dst []T, start, count []int) error {
	if err := checkConvert[T](d); err != nil {
		return err
	}
	_, _, n, err := d.selection(start, count)
	if err != nil {
		return err
	}
	if uint64(len(dst)) != n {
		return fmt.Errorf("%w: %s: dst has %d elements, selection %d", ErrSelection, d.path, len(dst), n)
	}
	need := int(n) * d.dtype.Size
	bp, _ := rawPool.Get().(*[]byte)
	if bp == nil || cap(*bp) < need {
		b := make([]byte, need)
		bp = &b
	}
	raw := (*bp)[:need]
	defer rawPool.Put(bp)
	if err := d.readRaw(ctx, start, count, raw); err != nil {
		return err
	}
	convert(dst, raw, d.dtype)
	return nil
}

// rawPool recycles the byte buffers typed reads decode into.
var rawPool sync.Pool

// ReadRows reads rows [start, start+count) along the first dimension (all
// of the other dimensions) into dst.
func ReadRows[T Number](ctx context.Context, d *Dataset, dst []T, start, count int) error {
	st, ct := d.rows(start, count)
	return Read(ctx, d, dst, st, ct)
}

func (d *Dataset) rows(start, count int) ([]int, []int) {
	dims := d.Shape()
	st := make([]int, len(dims))
	ct := slices.Clone(dims)
	if len(dims) > 0 {
		st[0], ct[0] = start, count
	}
	return st, ct
}

// ReadFloat64 reads rows [start, start+count) into dst (see [ReadRows]).
func (d *Dataset) ReadFloat64(ctx context.Context, dst []float64, start, count int) error {
	return ReadRows(ctx, d, dst, start, count)
}

// ReadFloat32 reads rows [start, start+count) into dst (see [ReadRows]).
func (d *Dataset) ReadFloat32(ctx context.Context, dst []float32, start, count int) error {
	return ReadRows(ctx, d, dst, start, count)
}

// ReadInt64 reads rows [start, start+count) into dst (see [ReadRows]).
func (d *Dataset) ReadInt64(ctx context.Context, dst []int64, start, count int) error {
	return ReadRows(ctx, d, dst, start, count)
}

// PlanRows returns the plan for rows [start, start+count).
func (d *Dataset) PlanRows(ctx context.Context, start, count int) (*Plan, error) {
	st, ct := d.rows(start, count)
	return d.Plan(ctx, st, ct)
}

func checkConvert[T Number](d *Dataset) error {
	dt := d.dtype
	if !dt.numeric() {
		return fmt.Errorf("%w: %s: %s is not numeric", ErrType, d.path, dt)
	}
	t := reflect.TypeFor[T]()
	k := t.Kind()
	size := int(t.Size())
	ok := false
	switch k {
	case reflect.Float32, reflect.Float64:
		ok = true
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		ok = dt.Class == ClassFixed && (size > dt.Size || (size == dt.Size && dt.Signed))
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		ok = dt.Class == ClassFixed && !dt.Signed && size >= dt.Size
	}
	if !ok {
		return fmt.Errorf("%w: %s: %s into %s", ErrType, d.path, dt, t)
	}
	return nil
}

func convert[T Number](dst []T, b []byte, dt Dtype) {
	le := binary.LittleEndian
	switch {
	case dt.Class == ClassFloat && dt.Size == 8:
		for i := range dst {
			dst[i] = T(math.Float64frombits(le.Uint64(b[8*i:])))
		}
	case dt.Class == ClassFloat && dt.Size == 4:
		for i := range dst {
			dst[i] = T(math.Float32frombits(le.Uint32(b[4*i:])))
		}
	case dt.Signed && dt.Size == 1:
		for i := range dst {
			dst[i] = T(int8(b[i]))
		}
	case dt.Signed && dt.Size == 2:
		for i := range dst {
			dst[i] = T(int16(le.Uint16(b[2*i:])))
		}
	case dt.Signed && dt.Size == 4:
		for i := range dst {
			dst[i] = T(int32(le.Uint32(b[4*i:])))
		}
	case dt.Signed && dt.Size == 8:
		for i := range dst {
			dst[i] = T(int64(le.Uint64(b[8*i:])))
		}
	case dt.Size == 1:
		for i := range dst {
			dst[i] = T(b[i])
		}
	case dt.Size == 2:
		for i := range dst {
			dst[i] = T(le.Uint16(b[2*i:]))
		}
	case dt.Size == 4:
		for i := range dst {
			dst[i] = T(le.Uint32(b[4*i:]))
		}
	case dt.Size == 8:
		for i := range dst {
			dst[i] = T(le.Uint64(b[8*i:]))
		}
	}
}
