package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/redact"
	"github.com/zagg-go/zagg/pipeline/cellmap"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

// The one-pass map step (package cellmap, issue #19): MapGranule reads a
// granule once, with the reader's own code (readCoords, hashRows,
// prepareColumns, readColumn, isFill), and routes every point to its parent
// cell; a CellReader with CellMap set then reads, for each granule of its
// cell, only that cell's fragment of the granule's object (one range read
// after the footer, which is cached), instead of decoding the granule's
// coordinates again.

// CellMaps gives CellReaders the cell maps of granules: the objects of a
// cellmap.Store, and which of them were checked against their granule in
// this process. Create one with NewCellMaps and share it between the
// readers of a run.
type CellMaps struct {
	store    *cellmap.Store
	verified sync.Map // *cellmap.Footer → struct{}: identity checked
}

// NewCellMaps returns the cell maps of s.
func NewCellMaps(s *cellmap.Store) *CellMaps { return &CellMaps{store: s} }

// CellMapStore returns the sidecar cell-map store of an output store: the
// objects live in its backend under cellmap.Prefix.
func CellMapStore(z *zarrstore.Store) *cellmap.Store {
	return &cellmap.Store{Backend: z.Backend()}
}

// mapSpec is the digest of what determines the points a reader keeps from
// a granule, apart from the parent: its groups, coordinates, datasets (with
// their column selectors and whether rows equal to their fill are dropped)
// and latitude convention, and the parent order. A cell map built with
// another digest is not used.
func (r *CellReader) mapSpec(plan *columnPlan, parentOrder int) [32]byte {
	h := sha256.New()
	put := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put("zagg cellmap spec 1")
	put(fmt.Sprint(parentOrder, r.Convention))
	for _, g := range r.Source.Groups {
		put(g)
	}
	put(r.Source.Latitude)
	put(r.Source.Longitude)
	for _, rd := range plan.reads {
		put(fmt.Sprintf("%s|%v|%d", rd.template, rd.variable, rd.column))
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// mapBucket gathers the points of one parent cell of the granule mapped.
type mapBucket struct {
	frag        cellmap.Fragment
	id          int32
	group       int // the group first, last and adding refer to
	first, last int
	adding      int // points the group adds
}

// MapGranule reads the granule at url once and returns its cell map
// (cellmap.Encode with codec): every point of every group, hashed with r's
// latitude convention and kept or dropped exactly as ReadCell keeps or drops
// it (coordinates outside [−90°, 90°] or NaN, a checked variable equal to
// its fill value), grouped by its parent cell at parentOrder, in ReadCell's
// order. The granule's memory need (its kept points, one group's columns)
// is checked against r.MemoryBudget (DefaultMemoryBudget when 0) before it
// is allocated.
func (r *CellReader) MapGranule(ctx context.Context, url string, parentOrder int, codec cellmap.Codec) (obj []byte, bs cellmap.BuildStats, err error) {
	if r.Opener == nil || r.Source == nil {
		return nil, bs, fmt.Errorf("%w: CellReader needs a Source and an Opener", ErrDriver)
	}
	if parentOrder < 0 || parentOrder > healpix.MaxOrder {
		return nil, bs, fmt.Errorf("%w: parent order %d", config.ErrInvalid, parentOrder)
	}
	if err := checkBudget("CellReader.MemoryBudget", r.MemoryBudget); err != nil {
		return nil, bs, err
	}
	plan, err := r.columnPlan()
	if err != nil {
		return nil, bs, err
	}
	budget := r.MemoryBudget
	if budget == 0 {
		budget = DefaultMemoryBudget()
	}
	defer func() {
		if p := recover(); p != nil {
			obj, err = nil, fmt.Errorf("the HDF5 reader panicked (a bug; please report it with the file): %v", p)
		}
	}()
	f, err := r.Opener.Open(ctx, url, append(defaultReadOptions(), r.Options...)...)
	if err != nil {
		return nil, bs, redact.Error(err)
	}
	defer func() {
		s := f.Stats()
		bs.Requests, bs.BytesFetched, bs.BytesUsed = s.Requests, s.BytesFetched, s.BytesUsed
		f.Close()
	}()
	meta := &cellmap.Meta{Size: f.Size(), Spec: r.mapSpec(plan, parentOrder), ParentOrder: parentOrder}
	if meta.Digest, err = f.HeadDigest(ctx); err != nil {
		return nil, bs, err
	}
	g := &granuleReader{r: r, plan: plan, budget: budget, share: 1, kept: &atomic.Int64{}, latLo: -90, latHi: 90}
	shift := uint(2 * (healpix.MaxOrder - parentOrder))
	buckets := map[uint64]*mapBucket{}
	var (
		order []*mapBucket // buckets[...] by id
		idx   []int32      // a group's rows: the bucket each keeps, or -1
		st    ReadStats
	)
	var kept int64 // points kept so far
	for gi, group := range r.Source.Groups {
		_, n, err := g.readCoords(ctx, f, group, &st)
		if err != nil {
			return nil, bs, fmt.Errorf("group %s: %w", group, err)
		}
		if n == 0 {
			continue
		}
		g.hashRows(n)
		gp := g.groupPaths(group)
		dsets, err := f.OpenDatasets(ctx, gp[2:]...)
		if err != nil {
			return nil, bs, fmt.Errorf("group %s: %w", group, err)
		}
		// The points kept so far and this group's, and its columns whole.
		need := satAdd(satMul(kept+int64(n), g.plan.pointBytes()), satMul(int64(n), 32))
		worst, worstNeed := dsets[0], int64(-1)
		for i, d := range dsets {
			m, err := rowsOf(d, plan.reads[i].column)
			if err != nil {
				return nil, bs, fmt.Errorf("group %s: %w", group, err)
			}
			if m != n {
				return nil, bs, fmt.Errorf("group %s: %s has %d rows but %s has %d", group, gp[2+i], m, gp[0], n)
			}
			dn := readNeed(d, int64(n), 8)
			if dn > worstNeed {
				worst, worstNeed = d, dn
			}
			need = satAdd(need, dn)
		}
		if err := g.fits(need, worst, int64(n), "mapping the granule's rows to their cells"); err != nil {
			return nil, bs, err
		}
		plans, err := g.planRows(ctx, f, dsets, gp[2:], 0, n)
		if err != nil {
			return nil, bs, fmt.Errorf("group %s: %w", group, err)
		}
		if err := f.Fetch(ctx, plans...); err != nil {
			return nil, bs, fmt.Errorf("group %s: %w", group, err)
		}
		cols := g.prepareColumns(dsets, n)
		for i, d := range dsets {
			if cols.keepF32[i] {
				err = readColumn(ctx, d, g.rawF32[i], 0, n, plan.reads[i].column)
			} else {
				err = readColumn(ctx, d, g.rawF64[i], 0, n, plan.reads[i].column)
			}
			if err != nil {
				return nil, bs, fmt.Errorf("group %s: %w", group, err)
			}
		}
		// Route each point to its parent, as gather keeps it: first
		// count what each cell keeps (idx: the row's bucket, or -1), then
		// copy the rows into slices of the right size.
		idx = slices.Grow(idx[:0], n)[:n]
		var cur *mapBucket
		curP := ^uint64(0)
		for k, c := range g.nest[:n] {
			idx[k] = -1
			if c == healpix.Invalid {
				continue
			}
			if p := c >> shift; p != curP {
				cur, curP = buckets[p], p
				if cur == nil {
					cur = &mapBucket{frag: cellmap.Fragment{Nest: p, F32: make([][]float32, len(dsets)), F64: make([][]float64, len(dsets))}, group: -1, id: int32(len(order))}
					buckets[p] = cur
					order = append(order, cur)
				}
			}
			b := cur
			if b.group != gi {
				if b.group >= 0 {
					b.frag.Rows += int64(b.last - b.first + 1)
				}
				b.group, b.first, b.adding = gi, k, 0
			}
			b.last = k
			b.frag.Inside++
			if g.isFill(&cols, k) {
				b.frag.FillDropped++
				continue
			}
			b.adding++
			idx[k] = b.id
		}
		for _, b := range order {
			if b.group != gi || b.adding == 0 {
				continue
			}
			kept += int64(b.adding)
			b.frag.Cells = slices.Grow(b.frag.Cells, b.adding)
			for i := range dsets {
				if cols.keepF32[i] {
					b.frag.F32[i] = slices.Grow(b.frag.F32[i], b.adding)
				} else {
					b.frag.F64[i] = slices.Grow(b.frag.F64[i], b.adding)
				}
			}
		}
		for k, id := range idx {
			if id < 0 {
				continue
			}
			b := order[id]
			b.frag.Cells = append(b.frag.Cells, g.nest[k])
			for i := range dsets {
				if cols.keepF32[i] {
					b.frag.F32[i] = append(b.frag.F32[i], g.rawF32[i][k])
				} else {
					b.frag.F64[i] = append(b.frag.F64[i], g.rawF64[i][k])
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, bs, err
		}
	}
	for i, rd := range plan.reads {
		meta.Columns = append(meta.Columns, cellmap.Column{Name: rd.template, F32: plan.kind[i] == kindF32})
	}
	frags := make([]*cellmap.Fragment, 0, len(order))
	for _, b := range order {
		if b.group >= 0 {
			b.frag.Rows += int64(b.last - b.first + 1)
		}
		// Columns of a type never met in this granule's groups are
		// empty; the encoder wants one slice per column of its type.
		for i, c := range meta.Columns {
			if c.F32 && b.frag.F32[i] == nil {
				b.frag.F32[i] = []float32{}
			} else if !c.F32 && b.frag.F64[i] == nil {
				b.frag.F64[i] = []float64{}
			}
		}
		frags = append(frags, &b.frag)
		bs.Points += int64(len(b.frag.Cells))
	}
	slices.SortFunc(frags, func(a, b *cellmap.Fragment) int { return cmpU64(a.Nest, b.Nest) })
	bs.Cells = int64(len(frags))
	obj, err = cellmap.Encode(nil, meta, codec, frags)
	return obj, bs, err
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readMapped reads the points of g's parent in the granule at url from its
// cell map. It returns false, having changed nothing but st's counters,
// when the granule has no usable map — none stored, unreadable, built for
// other reader settings or another parent order, columns of other types
// than this cell's, not describing the granule (size and head digest), or
// a fragment beyond the cell's budget — and the granule is then read from
// the file.
func (g *granuleReader) readMapped(ctx context.Context, url string, st *ReadStats) (*granulePoints, bool) {
	cm := g.r.CellMap
	t0 := time.Now()
	var cs cellmap.Stats
	defer func() {
		st.Requests += cs.Requests
		st.BytesFetched += cs.Bytes
		st.BytesUsed += cs.Used
		st.Read += time.Since(t0) - cs.Decode
		st.Decode += cs.Decode
	}()
	f, err := cm.store.Footer(ctx, url, &cs)
	if err != nil || f.ParentOrder != g.parent.Order() || f.Spec != g.r.mapSpec(g.plan, g.parent.Order()) || len(f.Columns) != len(g.plan.reads) {
		return nil, false
	}
	if !cm.check(ctx, g.r, url, f, st) {
		return nil, false
	}
	pts := &granulePoints{f32: make([][]float32, len(g.plan.reads)), f64: make([][]float64, len(g.plan.reads))}
	c := f.Cell(g.parent.Nest())
	if c == nil {
		st.Mapped = 1
		return pts, true // no point of the granule in the parent
	}
	if !g.mapKinds(f) {
		return nil, false
	}
	maxPoints := (g.budget/2 - g.kept.Load()) / g.plan.pointBytes()
	fr, err := cm.store.ReadCell(ctx, url, f, c, maxPoints, &cs)
	if err != nil {
		return nil, false
	}
	pts.cells = fr.Cells
	for i := range g.plan.reads {
		pts.f32[i], pts.f64[i] = fr.F32[i], fr.F64[i]
	}
	st.Rows += c.Rows
	st.Inside += c.Inside
	st.FillDropped += c.FillDropped
	st.Mapped = 1
	g.kept.Add(satMul(int64(len(fr.Cells)), g.plan.pointBytes()))
	return pts, true
}

// mapKinds reports whether the columns of a cell map have the types this
// cell keeps them in, fixing the undecided ones from the map (as isF32
// fixes them from the first dataset met).
func (g *granuleReader) mapKinds(f *cellmap.Footer) bool {
	g.plan.mu.Lock()
	defer g.plan.mu.Unlock()
	for i, c := range f.Columns {
		want := kindF64
		if c.F32 {
			want = kindF32
		}
		if g.plan.kind[i] == kindUndecided {
			g.plan.kind[i] = want
		}
		if g.plan.kind[i] != want {
			return false
		}
	}
	return true
}

// check reports whether the cell map f describes the granule at url: its
// size and the SHA-256 of its first 4 KiB (one small read of the granule,
// once per map and process).
func (cm *CellMaps) check(ctx context.Context, r *CellReader, url string, f *cellmap.Footer, st *ReadStats) bool {
	if _, ok := cm.verified.Load(f); ok {
		return true
	}
	hf, err := r.Opener.Open(ctx, url, append(slices.Clone(r.Options), h5read.WithHeadSize(h5read.HeadDigestBytes))...)
	if err != nil {
		return false
	}
	defer func() {
		s := hf.Stats()
		st.Requests += s.Requests
		st.BytesFetched += s.BytesFetched
		st.BytesUsed += s.BytesUsed
		hf.Close()
	}()
	if hf.Size() != f.Meta.Size {
		return false
	}
	d, err := hf.HeadDigest(ctx)
	if err != nil || d != f.Digest {
		return false
	}
	cm.verified.Store(f, struct{}{})
	return true
}

// MapBuild writes the cell maps of the granules of a run — those of the
// cells a Runner with the same Config, Catalog, Cells and MaxCells
// processes — into the sidecar folder of its output store (CellMapStore),
// so that a Runner with UseCellMap reads its cells from them.
type MapBuild struct {
	Config  *config.Config
	Catalog *cmr.Catalog
	Store   *zarrstore.Store
	Opener  Opener
	// Cells and MaxCells select cells as Runner's do.
	Cells    []string
	MaxCells int
	// Concurrency is how many granules are mapped at once (default 4).
	Concurrency int
	// Overwrite remaps the granules whose map is stored.
	Overwrite bool
	// Codec is how the objects' blocks are stored (cellmap.None, the
	// default, or cellmap.Zstd).
	Codec cellmap.Codec
	// ReaderOptions are passed to every h5read open, after the reader's
	// defaults.
	ReaderOptions []h5read.Option
	// MemoryBudget bounds what mapping one granule allocates (see
	// CellReader.MemoryBudget); 0 means DefaultMemoryBudget / Concurrency,
	// at least MinMemoryBudget.
	MemoryBudget int64
}

// Run maps the granules. Granules that cannot be mapped are listed in the
// report (their cells read them from the file); the error is for a
// misconfigured build or an ended context.
func (b *MapBuild) Run(ctx context.Context) (*cellmap.BuildReport, error) {
	if b.Config == nil || b.Catalog == nil || b.Store == nil || b.Opener == nil {
		return nil, errors.New("pipeline: MapBuild needs Config, Catalog, Store and Opener")
	}
	po, conv, cells, err := SelectCells(b.Config, b.Catalog, b.Cells, b.MaxCells)
	if err != nil {
		return nil, err
	}
	cfg := b.Config.WithLatitude(conv)
	a, err := NewAggregator(cfg)
	if err != nil {
		return nil, err
	}
	rd := NewCellReader(cfg, a.Columns(), b.Opener)
	rd.Convention = conv
	rd.Options = b.ReaderOptions
	conc := b.Concurrency
	if conc <= 0 {
		conc = 4
	}
	rd.MemoryBudget = b.MemoryBudget
	if rd.MemoryBudget == 0 {
		rd.MemoryBudget = max(DefaultMemoryBudget()/int64(conc), MinMemoryBudget)
	}
	var urls []string
	for _, c := range cells {
		urls = append(urls, c.Granules...)
	}
	bl := &cellmap.Builder{Store: CellMapStore(b.Store), Concurrency: conc, Overwrite: b.Overwrite,
		Map: func(ctx context.Context, url string) ([]byte, cellmap.BuildStats, error) {
			return rd.MapGranule(ctx, url, po, b.Codec)
		}}
	return bl.BuildAll(ctx, urls)
}
