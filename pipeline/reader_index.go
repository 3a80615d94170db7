package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

// IndexSource returns the chunk index of a granule (see package
// chunkindex). Any error — chunkindex.ErrNotFound when none was built, a
// malformed or unreadable index — makes the CellReader read the granule
// without one, as it does when CellReader.Index is nil.
type IndexSource func(ctx context.Context, url string) (*chunkindex.Index, error)

// StoreIndexes returns an IndexSource that reads the sidecar indexes of s
// (chunkindex.Store.Get).
func StoreIndexes(s *chunkindex.Store) IndexSource {
	return s.Get
}

// IndexSpec returns what a chunk index must hold for r to read through it:
// r's groups, coordinates and columns' datasets, hashed at parentOrder
// (the catalog's parent order; an index of another order still serves, less
// sharply) with r's latitude convention.
func (r *CellReader) IndexSpec(parentOrder int) (chunkindex.Spec, error) {
	if r.Source == nil {
		return chunkindex.Spec{}, fmt.Errorf("%w: CellReader needs a Source", ErrDriver)
	}
	plan, err := r.columnPlan()
	if err != nil {
		return chunkindex.Spec{}, err
	}
	s := chunkindex.Spec{Groups: r.Source.Groups, Latitude: r.Source.Latitude, Longitude: r.Source.Longitude,
		ParentOrder: parentOrder, Convention: r.Convention}
	for _, rd := range plan.reads {
		s.Datasets = append(s.Datasets, rd.template)
	}
	return s, s.Validate()
}

// loadIndex returns the index of the granule at url when r has an
// IndexSource and the index fits r (its latitude convention), else nil.
func (g *granuleReader) loadIndex(ctx context.Context, url string, st *ReadStats) *chunkindex.Index {
	if g.r.Index == nil {
		return nil
	}
	t0 := time.Now()
	defer func() { st.Read += time.Since(t0) }()
	ix, err := g.r.Index(ctx, url)
	if err != nil || ix == nil || ix.Convention != g.r.Convention {
		return nil
	}
	return ix
}

// checkIndex returns ix if it describes the open granule f (its identity),
// else nil: the granule is then read whole. When it does, it prefetches
// (prefetchIndexed) what the groups read through it will need.
func (g *granuleReader) checkIndex(ctx context.Context, ix *chunkindex.Index, f *h5read.File, st *ReadStats) *chunkindex.Index {
	if ix == nil || ix.Check(ctx, f) != nil {
		return nil
	}
	g.prefetchIndexed(ctx, f, ix, st)
	return ix
}

// prefetchIndexed fetches, for every group the index serves and that has
// blocks holding points of the parent, the object headers of its datasets
// (one batched round of metadata requests for all the groups) and then the
// chunks of those blocks of every dataset (one round of coalesced
// requests), so that readGroupIndexed, group after group, finds them in the
// caches: about four round trips per granule (index, head, headers,
// chunks) instead of a few per group. The index being exact, every chunk
// fetched is decoded. Failures are ignored: the groups then fetch what they
// need themselves (and meet the failure there). The chunks fetched are
// bounded by the granule's share of the memory budget and by half the
// chunk cache (see defaultReadOptions); beyond, nothing is prefetched.
func (g *granuleReader) prefetchIndexed(ctx context.Context, f *h5read.File, ix *chunkindex.Index, st *ReadStats) {
	t0 := time.Now()
	defer func() { st.Read += time.Since(t0) }()
	type want struct {
		gi    *chunkindex.Group
		runs  []chunkindex.RowRange
		first int // index of its first dataset in paths
		n     int // its datasets
	}
	var (
		wants []want
		paths []string
	)
	for _, group := range g.r.Source.Groups {
		gp := g.groupPaths(group)
		gi := g.indexedGroup(ix, group, gp)
		if gi == nil || gi.Datasets[0].Path != gp[0] || gi.Datasets[1].Path != gp[1] {
			continue
		}
		runs := ix.Runs(nil, gi, g.parent.Order(), g.parent.Nest())
		if len(runs) == 0 {
			continue
		}
		if gi.Locate(f) != nil {
			return
		}
		wants = append(wants, want{gi: gi, runs: runs, first: len(paths), n: len(gp)})
		paths = append(paths, gp...)
	}
	if len(wants) == 0 {
		return
	}
	dsets, err := f.OpenDatasets(ctx, paths...)
	if err != nil {
		return
	}
	var plans []*h5read.Plan
	var stored int64
	for _, w := range wants {
		for _, d := range dsets[w.first : w.first+w.n] {
			if useIndex(w.gi, []*h5read.Dataset{d}) != nil {
				return
			}
			for _, rr := range w.runs {
				p, err := d.PlanRows(ctx, int(rr.Lo), int(rr.Hi-rr.Lo))
				if err != nil {
					return
				}
				plans = append(plans, p)
				stored = satAdd(stored, p.StoredBytes)
			}
		}
	}
	if stored > prefetchLimit || g.fits(stored, dsets[0], 0, "prefetching the chunks of the blocks inside the cell") != nil {
		return
	}
	_ = f.Fetch(ctx, plans...)
}

// prefetchLimit bounds the chunk bytes prefetchIndexed fetches for one
// granule: half the chunk cache of defaultReadOptions, so that what it
// fetches stays cached until the groups read it.
const prefetchLimit = 8 << 20

// groupPaths returns the dataset paths a group reads: latitude, longitude,
// then the columns' datasets (plan.reads order).
func (g *granuleReader) groupPaths(group string) []string {
	out := []string{config.ExpandPath(g.r.Source.Latitude, group), config.ExpandPath(g.r.Source.Longitude, group)}
	for i := range g.plan.reads {
		out = append(out, config.ExpandPath(g.plan.reads[i].template, group))
	}
	return out
}

// indexReadOptions are the h5read options of a granule read through an
// index (after defaultReadOptions, before CellReader.Options): with the
// groups and chunk indexes skipped, the metadata left to read is the
// superblock and the 4 KiB the index's identity hashes, then a few object
// headers of 1–2 KiB each, scattered between the data chunks. So the head
// fetched at open is 64 KiB (not h5read's 2 MiB), and metadata comes in
// 8 KiB blocks instead of 64 KiB (on the dense benchmark cell: 45% fewer
// bytes fetched and a third less CPU). The chunks of every dataset of every
// beam a cell needs are known up front and fetched in one round, so that
// round runs up to 32 requests at once (h5read's default is 8): with 20 ms
// per request, a granule's ~50 small ranges then cost 2 round trips, not 7.
func indexReadOptions(ix *chunkindex.Index) []h5read.Option {
	if ix == nil {
		return nil
	}
	return []h5read.Option{h5read.WithHeadSize(64 << 10), h5read.WithBlockSize(8 << 10), h5read.WithConcurrency(32)}
}

// indexedGroup is the index of one group when it locates every dataset the
// reader needs, else nil.
func (g *granuleReader) indexedGroup(ix *chunkindex.Index, group string, paths []string) *chunkindex.Group {
	gi := ix.Group(group)
	if gi == nil || len(gi.Datasets) < 2 {
		return nil
	}
	for _, p := range paths {
		if gi.Dataset(p) == nil {
			return nil
		}
	}
	return gi
}

// useIndex makes each dataset read through its chunk locations.
func useIndex(gi *chunkindex.Group, ds []*h5read.Dataset) error {
	for _, d := range ds {
		if err := gi.Dataset(d.Path()).Use(d); err != nil {
			return err
		}
	}
	return nil
}

// errIndexUnfit means an index did not fit a group's datasets: the group is
// read without it.
var errIndexUnfit = errors.New("chunk index does not fit")

// readGroupIndexed is readGroup through a chunk index: it fetches and
// decodes only the blocks of the coordinates that hold points of the parent,
// and of the other datasets only the rows of those blocks from the first to
// the last point inside the parent. The points, their order and the counts
// are those readGroup finds: the blocks left out hold no point of the
// parent. It returns errIndexUnfit, having read nothing into pts, when the
// index does not describe the group's datasets.
func (g *granuleReader) readGroupIndexed(ctx context.Context, f *h5read.File, ix *chunkindex.Index, group string, pts *granulePoints, st *ReadStats) error {
	gp := g.groupPaths(group)
	latPath, lonPath, paths := gp[0], gp[1], gp[2:]
	gi := g.indexedGroup(ix, group, gp)
	if gi == nil || gi.Datasets[0].Path != latPath || gi.Datasets[1].Path != lonPath {
		return errIndexUnfit
	}
	g.runs = ix.Runs(g.runs[:0], gi, g.parent.Order(), g.parent.Nest())
	if len(g.runs) == 0 {
		return nil // no point of this beam in the parent
	}
	if err := gi.Locate(f); err != nil {
		return fmt.Errorf("%w: %w", errIndexUnfit, err)
	}

	// Round 1: the coordinates of the blocks that hold points of the parent.
	t0 := time.Now()
	coords, err := f.OpenDatasets(ctx, latPath, lonPath)
	if err != nil {
		return err
	}
	if err := useIndex(gi, coords); err != nil {
		return fmt.Errorf("%w: %w", errIndexUnfit, err)
	}
	m, err := g.fetchCoords(ctx, f, coords, g.runs)
	if err != nil {
		return err
	}
	m64 := int64(m)
	t1 := time.Now()
	st.Read += t1.Sub(t0)
	g.lat = grow(g.lat, m)
	g.lon = grow(g.lon, m)
	off := 0
	for _, rr := range g.runs {
		lo, cnt := int(rr.Lo), int(rr.Hi-rr.Lo)
		if err := coords[0].ReadFloat64(ctx, g.lat[off:off+cnt], lo, cnt); err != nil {
			return err
		}
		if err := coords[1].ReadFloat64(ctx, g.lon[off:off+cnt], lo, cnt); err != nil {
			return err
		}
		off += cnt
	}
	t2 := time.Now()
	st.Decode += t2.Sub(t1)

	// Hash the in-band points, as readGroup does, and find the first and
	// last (in the blocks read) inside the parent.
	g.hashRows(m)
	shift := uint(2 * (healpix.MaxOrder - g.parent.Order()))
	pn := g.parent.Nest()
	first, last := -1, -1
	for i, c := range g.nest[:m] {
		if c>>shift == pn {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	t3 := time.Now()
	st.Bin += t3.Sub(t2)
	if first < 0 {
		return nil
	}
	cnt := last - first + 1
	st.Rows += int64(cnt)

	// The pieces of the runs between first and last: rows of the granule
	// and their offsets in [first, last].
	type piece struct{ row, cnt, at int }
	var pieces []piece
	off = 0
	for _, rr := range g.runs {
		lo, n := int(rr.Lo), int(rr.Hi-rr.Lo)
		a, b := max(off, first), min(off+n, last+1)
		if a < b {
			pieces = append(pieces, piece{row: lo + a - off, cnt: b - a, at: a - first})
		}
		off += n
	}

	// Round 2: those rows of every other dataset.
	dsets, err := f.OpenDatasets(ctx, paths...)
	if err != nil {
		return err
	}
	n := int(gi.Rows)
	need := satMul(m64, 32)
	worst, worstNeed := dsets[0], int64(-1)
	for i, d := range dsets {
		rows, err := rowsOf(d, g.plan.reads[i].column)
		if err != nil {
			return err
		}
		if rows != n {
			if lastRow := pieces[len(pieces)-1]; lastRow.row+lastRow.cnt > rows {
				return fmt.Errorf("%w: %s has %d rows but %s has %d", h5read.ErrSelection, paths[i], rows, latPath, n)
			}
			return fmt.Errorf("%s has %d rows but %s has %d", paths[i], rows, latPath, n)
		}
		dn := readNeed(d, int64(cnt), 8)
		if dn > worstNeed {
			worst, worstNeed = d, dn
		}
		need = satAdd(need, dn)
	}
	if err := g.fits(need, worst, int64(cnt), "reading the rows inside the cell"); err != nil {
		return err
	}
	if err := useIndex(gi, dsets); err != nil {
		return fmt.Errorf("%w: %w", errIndexUnfit, err) // nothing in pts yet
	}
	var plans []*h5read.Plan
	for i, d := range dsets {
		for _, pc := range pieces {
			p, err := planColumn(ctx, d, pc.row, pc.cnt, g.plan.reads[i].column)
			if err != nil {
				return err
			}
			plans = append(plans, p)
			need = satAdd(need, p.StoredBytes)
		}
	}
	if err := g.fits(need, worst, int64(cnt), "fetching the rows inside the cell"); err != nil {
		return err
	}
	if err := f.Fetch(ctx, plans...); err != nil {
		return err
	}
	t4 := time.Now()
	st.Read += t4.Sub(t3)

	cols := g.prepareColumns(dsets, cnt)
	for i, d := range dsets {
		for _, pc := range pieces {
			if cols.keepF32[i] {
				err = readColumn(ctx, d, g.rawF32[i][pc.at:pc.at+pc.cnt], pc.row, pc.cnt, g.plan.reads[i].column)
			} else {
				err = readColumn(ctx, d, g.rawF64[i][pc.at:pc.at+pc.cnt], pc.row, pc.cnt, g.plan.reads[i].column)
			}
			if err != nil {
				return err
			}
		}
	}
	t5 := time.Now()
	st.Decode += t5.Sub(t4)

	return g.gather(pts, st, g.nest[first:first+cnt], shift, pn, dsets, cols, t5)
}

// IndexStore returns the sidecar index store of an output store: the
// indexes live in its backend under chunkindex.Prefix.
func IndexStore(z *zarrstore.Store) *chunkindex.Store {
	return &chunkindex.Store{Backend: z.Backend()}
}

// IndexBuild builds the chunk indexes of the granules of a run — those of
// the cells a Runner with the same Config, Catalog, Cells and MaxCells
// processes — into the sidecar folder of its output store (IndexStore), so
// that CellReaders with Index = StoreIndexes(IndexStore(store)) read
// through them.
type IndexBuild struct {
	Config  *config.Config
	Catalog *cmr.Catalog
	Store   *zarrstore.Store
	Opener  Opener
	// Cells and MaxCells select cells as Runner's do.
	Cells    []string
	MaxCells int
	// Concurrency is how many granules are indexed at once (default 4).
	Concurrency int
	// Overwrite rebuilds the indexes already stored.
	Overwrite bool
	// ReaderOptions are passed to every h5read open, after the reader's
	// defaults.
	ReaderOptions []h5read.Option
}

// Run builds the indexes. Granules that cannot be indexed are listed in
// the report (their cells will be read without an index); the error is
// for a misconfigured build or an ended context.
func (b *IndexBuild) Run(ctx context.Context) (*chunkindex.BuildReport, error) {
	if b.Config == nil || b.Catalog == nil || b.Store == nil || b.Opener == nil {
		return nil, fmt.Errorf("pipeline: IndexBuild needs Config, Catalog, Store and Opener")
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
	spec, err := rd.IndexSpec(po)
	if err != nil {
		return nil, err
	}
	var urls []string
	for _, c := range cells {
		urls = append(urls, c.Granules...)
	}
	bl := &chunkindex.Builder{Spec: spec, Opener: b.Opener, Store: IndexStore(b.Store),
		Concurrency: b.Concurrency, Overwrite: b.Overwrite,
		Options: append(defaultReadOptions(), b.ReaderOptions...)}
	return bl.BuildAll(ctx, urls)
}
