package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/humanize"
	"github.com/zagg-go/zagg/internal/redact"
	"github.com/zagg-go/zagg/internal/retry"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// CellReader reads the points of one parent cell from its granules, as the
// config's data_source describes them. For every granule and every group
// (ATL06 beam) it reads the whole latitude and longitude datasets, hashes the
// points to order 29 with the latitude convention, finds the row range
// [first, last] of the points inside the parent cell, and then reads only
// that row range of the other datasets (the variables and the filter
// datasets), fetched in a few coalesced requests through h5read's read
// plans. Points outside the parent and rows where a variable equals its
// dataset's fill value are dropped; the config's filters are left to the
// Aggregator, which counts what they remove.
//
// Granules are read concurrently (Concurrency), but their points are
// concatenated in the order given, beams in config order, so the result, and
// every statistic computed from it, does not depend on timing.
//
// A CellReader is safe for concurrent use once configured.
type CellReader struct {
	// Source is the data_source section.
	Source *config.DataSource
	// Columns are the columns to read, as Aggregator.Columns lists them.
	Columns []string
	// Opener opens a granule URL. Required.
	Opener Opener
	// Convention is the latitude convention points are hashed with.
	Convention healpix.LatitudeConvention
	// Concurrency is how many granules of a cell are read at once. Default 4.
	Concurrency int
	// Attempts is how many times a granule is tried when it fails
	// transiently (HTTP 5xx or 429, connection resets, short reads). Default
	// 1: h5read already retries each request, and the retry policy
	// (internal/retry, docs/lambda.md) retries a failure at one layer only.
	Attempts int
	// Backoff is the wait before the second attempt; it doubles after each
	// one. Default 500 ms.
	Backoff time.Duration
	// Options are passed to every h5read open, after the CellReader's
	// defaults (see defaultReadOptions), which they override.
	Options []h5read.Option
	// MemoryBudget bounds the bytes the reads of one cell allocate at once,
	// as estimated from the sizes the granules declare (rows, element and
	// chunk sizes, stored chunk bytes) before anything is allocated. It is
	// split equally over the granules read at once; a granule that needs
	// more than its share fails with a *BudgetError (ErrMemoryBudget, never
	// retried) naming it, the dataset and the declared size, and the points
	// a cell keeps may take at most half of it. 0 means DefaultMemoryBudget;
	// otherwise at least MinMemoryBudget.
	MemoryBudget int64
	// Index, when set, returns the chunk index of a granule, through which
	// only the blocks that can hold points of the parent are read (see
	// reader_index.go); a granule without a fitting index is read whole.
	Index IndexSource
	// CellMap, when set, supplies the cell maps of granules (package
	// cellmap, reader_cellmap.go): a granule with a fitting map is read
	// from its parent cell's fragment alone; one without is read from the
	// file (through Index when set).
	CellMap *CellMaps
}

// NewCellReader returns a reader for cfg's data source that reads the given
// columns (Aggregator.Columns) with opener and hashes points with cfg's
// latitude convention.
func NewCellReader(cfg *config.Config, columns []string, opener Opener) *CellReader {
	return &CellReader{Source: &cfg.DataSource, Columns: columns, Opener: opener, Convention: cfg.Output.Latitude}
}

// Points are the points of one parent cell: the order-29 NESTED cell of
// each, and one column per CellReader.Columns entry.
type Points struct {
	Cells   []uint64
	Columns []agg.Column
}

// Len returns the number of points.
func (p *Points) Len() int { return len(p.Cells) }

// ReadStats counts what reading a cell cost.
type ReadStats struct {
	// GranulesRead counts the granules opened and read to the end.
	GranulesRead int
	// Requests, BytesFetched and BytesUsed are h5read's counters summed over
	// the granules (retries included).
	Requests, BytesFetched, BytesUsed int64
	// Rows counts the rows read from inside the parent cell's row ranges;
	// Inside the points inside the parent; FillDropped the points dropped for
	// a fill value.
	Rows, Inside, FillDropped int64
	// Read, Decode and Bin are the time spent fetching bytes, decoding chunks
	// into values, and hashing and gathering points, summed over the
	// goroutines that read granules.
	Read, Decode, Bin time.Duration
	// Errors lists the granules skipped under on_granule_error: skip.
	Errors []dispatch.GranuleError
	// Indexed counts the granules read through their chunk index.
	Indexed int
	// Mapped counts the granules read from their cell map; MapMissed
	// those read from the file because CellMap had no usable map of them.
	Mapped, MapMissed int

	transient int // how many of Errors may pass on retry
}

// GranuleReadError is the error of a granule that could not be read. It
// matches ErrGranule, and the error underneath (h5read's sentinels, context
// errors, network errors) through errors.Is and errors.As.
type GranuleReadError struct {
	URL       string // as given, credentials included (Error redacts them)
	Err       error
	Transient bool // the failure may pass on a later attempt
}

// Error names the granule and the failure. Credentials in URLs (userinfo,
// signature query values) are redacted, in the URL and in the failure.
func (e *GranuleReadError) Error() string {
	return "granule " + redact.URL(e.URL) + ": " + redact.Text(e.Err.Error())
}

// Unwrap returns the underlying error.
func (e *GranuleReadError) Unwrap() error { return e.Err }

// Is makes every GranuleReadError match ErrGranule, and ErrTransient when it
// is transient.
func (e *GranuleReadError) Is(target error) bool {
	return target == ErrGranule || (e.Transient && target == dispatch.ErrTransient)
}

func (r *CellReader) defaults() (conc, attempts int, backoff time.Duration) {
	conc, attempts, backoff = r.Concurrency, r.Attempts, r.Backoff
	if conc <= 0 {
		conc = 4
	}
	if attempts <= 0 {
		attempts = retry.GranuleTries
	}
	if backoff <= 0 {
		backoff = 500 * time.Millisecond
	}
	return
}

// ReadCell reads the points of parent from granules. With on_granule_error:
// fail (the default) the first granule that cannot be read fails the cell
// with a *GranuleReadError; with skip it is listed in ReadStats.Errors and
// the cell goes on with the other granules. A granule that lacks a group
// (beam) entirely is not an error: the beam is skipped, as zagg 0.1.0 does.
func (r *CellReader) ReadCell(ctx context.Context, parent morton.Cell, granules []string) (*Points, *ReadStats, error) {
	if r.Opener == nil || r.Source == nil {
		return nil, nil, fmt.Errorf("%w: CellReader needs a Source and an Opener", ErrDriver)
	}
	if !parent.IsValid() {
		return nil, nil, fmt.Errorf("pipeline: invalid parent cell %v", parent)
	}
	if err := checkBudget("CellReader.MemoryBudget", r.MemoryBudget); err != nil {
		return nil, nil, err
	}
	plan, err := r.columnPlan()
	if err != nil {
		return nil, nil, err
	}
	conc, _, _ := r.defaults()
	conc = min(conc, max(len(granules), 1))
	budget := r.MemoryBudget
	if budget == 0 {
		budget = DefaultMemoryBudget()
	}
	kept := &atomic.Int64{} // bytes of points the cell keeps

	parentCtx := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := make([]*granulePoints, len(granules))
	errs := make([]error, len(granules))
	stats := make([]ReadStats, len(granules))
	skip := r.Source.OnGranuleError == config.SkipGranuleError
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := &granuleReader{r: r, plan: plan, parent: parent, budget: budget, share: conc, kept: kept}
			g.latLo, g.latHi = latBand(parent, r.Convention)
			for i := range next {
				parts[i], errs[i] = g.readWithRetry(ctx, granules[i], &stats[i])
				if errs[i] != nil && !skip {
					cancel()
				}
			}
		}()
	}
feed:
	for i := range granules {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	total := &ReadStats{}
	for i := range granules {
		s := &stats[i]
		total.Requests += s.Requests
		total.BytesFetched += s.BytesFetched
		total.BytesUsed += s.BytesUsed
		total.Rows += s.Rows
		total.Inside += s.Inside
		total.FillDropped += s.FillDropped
		total.Read += s.Read
		total.Decode += s.Decode
		total.Bin += s.Bin
		total.GranulesRead += s.GranulesRead
		total.Indexed += s.Indexed
		total.Mapped += s.Mapped
		total.MapMissed += s.MapMissed
	}
	// Report the first real failure in granule order (a granule cancelled
	// because another one failed is not one).
	if err := parentCtx.Err(); err != nil {
		return nil, total, err
	}
	for i, err := range errs {
		if err == nil || errors.Is(err, context.Canceled) {
			continue
		}
		if !skip {
			return nil, total, err
		}
		total.Errors = append(total.Errors, dispatch.GranuleError{URL: redact.URL(granules[i]), Error: redact.Text(err.Error())})
		if errors.Is(err, dispatch.ErrTransient) {
			total.transient++
		}
	}

	// Concatenate in granule order.
	n := 0
	for _, p := range parts {
		if p != nil {
			n += len(p.cells)
		}
	}
	if need := satMul(int64(n), plan.pointBytes()); need > budget/2 {
		return nil, total, fmt.Errorf("%w: cell %v keeps %d points of %d bytes (%s), more than half of its memory budget of %s; raise the budget (Runner.MemoryBudget, --memory-budget)",
			ErrMemoryBudget, parent, n, plan.pointBytes(), humanize.Bytes(need), humanize.Bytes(budget))
	}
	pts := &Points{Cells: make([]uint64, 0, n), Columns: make([]agg.Column, len(r.Columns))}
	for c, src := range plan.colSource {
		if plan.kind[src] == kindF32 {
			pts.Columns[c].F32 = make([]float32, 0, n)
		} else {
			pts.Columns[c].F64 = make([]float64, 0, n)
		}
	}
	for _, p := range parts {
		if p == nil {
			continue
		}
		pts.Cells = append(pts.Cells, p.cells...)
		for c, src := range plan.colSource {
			if plan.kind[src] == kindF32 {
				pts.Columns[c].F32 = append(pts.Columns[c].F32, p.f32[src]...)
			} else {
				pts.Columns[c].F64 = append(pts.Columns[c].F64, p.f64[src]...)
			}
		}
	}
	return pts, total, nil
}

// columnPlan maps the columns to the datasets to read: each distinct path
// template is read once.
type columnPlan struct {
	reads     []datasetRead // distinct dataset path templates
	colSource []int         // column -> index into reads

	mu   sync.Mutex // guards kind
	kind []colKind  // per read: float32 or float64 (see granuleReader.isF32)
}

type datasetRead struct {
	template string
	variable bool // a data_source variable: rows equal to its fill are dropped
	column   int  // the column of a 2-D dataset its selector picks, or -1 (see config.ParseColumn)
}

// colKind is the Go type a column is kept in.
type colKind uint8

const (
	kindUndecided colKind = iota
	kindF32
	kindF64
)

func (r *CellReader) columnPlan() (*columnPlan, error) {
	p := &columnPlan{colSource: make([]int, len(r.Columns))}
	byPath := map[string]int{}
	for c, col := range r.Columns {
		tmpl, ok := r.Source.PathOf(col)
		if !ok {
			return nil, fmt.Errorf("%w: column %q is neither a data_source variable nor a dataset path", config.ErrInvalid, col)
		}
		i, ok := byPath[tmpl]
		if !ok {
			path, column, err := config.ParseColumn(tmpl)
			if err != nil {
				return nil, fmt.Errorf("%w: column %q: %w", config.ErrInvalid, col, err)
			}
			i = len(p.reads)
			byPath[tmpl] = i
			p.reads = append(p.reads, datasetRead{template: path, column: column})
		}
		if !strings.HasPrefix(col, "/") {
			p.reads[i].variable = true
		}
		p.colSource[c] = i
	}
	p.kind = make([]colKind, len(p.reads))
	return p, nil
}

// pointBytes is the size of one point kept: its cell and its columns, at
// most 8 bytes each.
func (p *columnPlan) pointBytes() int64 {
	return 8 * int64(1+len(p.colSource))
}

// granulePoints are the points one granule contributes.
type granulePoints struct {
	cells []uint64
	f32   [][]float32 // per read, for float32 columns
	f64   [][]float64 // per read otherwise
}

// granuleReader reads granules one at a time, reusing its buffers.
type granuleReader struct {
	r            *CellReader
	plan         *columnPlan
	parent       morton.Cell
	latLo, latHi float64 // geodetic latitude band holding the parent (see latBand)

	budget int64         // the cell's memory budget
	share  int           // granules read at once: each may use budget/share
	kept   *atomic.Int64 // bytes of points kept by the cell's granules

	lat, lon []float64
	slat     []float64 // lat on the HEALPix sphere (conv.ToSphere)
	nest     []uint64
	rawF32   [][]float32
	rawF64   [][]float64
	runs     []chunkindex.RowRange // blocks read through a chunk index
}

func (g *granuleReader) readWithRetry(ctx context.Context, url string, st *ReadStats) (*granulePoints, error) {
	_, attempts, backoff := g.r.defaults()
	var err error
	for a := 1; ; a++ {
		var pts *granulePoints
		pts, err = g.readGranule(ctx, url, st)
		if err == nil {
			st.GranulesRead++
			return pts, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		transient := isTransientRead(err)
		if !transient || a >= attempts {
			return nil, &GranuleReadError{URL: url, Err: err, Transient: transient}
		}
		if err := retry.Sleep(ctx, retry.Backoff{Base: backoff, Max: 30 * time.Second}.Delay(a)); err != nil {
			return nil, err
		}
	}
}

// defaultReadOptions are the h5read options of every granule open. The
// caches are bounded at 8 MiB of metadata and 16 MiB of chunks per open
// granule (a beam's coordinates fit; a miss only costs a second fetch), so a
// cell needs about 30 MiB per granule read at once. Metadata outside the
// file's head is fetched in 64 KiB blocks, merged only when at most 256 KiB
// apart: in granules whose object headers sit between the data chunks (h5py
// writes them so), h5read's defaults (256 KiB blocks, 1 MiB gaps) fetch most
// of the file; these fetch 43% fewer bytes for 22% more requests on the dense
// benchmark cell.
func defaultReadOptions() []h5read.Option {
	return []h5read.Option{
		h5read.WithCacheSize(8<<20, 16<<20),
		h5read.WithBlockSize(64 << 10),
		h5read.WithMetadataGap(256 << 10),
	}
}

// isTransientRead reports whether a granule read error may pass on retry:
// network failures, HTTP 5xx and 429 (from S3 or HTTPS), and short reads.
func isTransientRead(err error) bool {
	if dispatch.IsTransient(err) {
		return true
	}
	var sc interface{ HTTPStatusCode() int }
	if errors.As(err, &sc) {
		code := sc.HTTPStatusCode()
		return code >= 500 || code == 429
	}
	var ne net.Error
	return errors.As(err, &ne)
}

func (g *granuleReader) readGranule(ctx context.Context, url string, st *ReadStats) (pts *granulePoints, err error) {
	// A reader bug on a malformed file must cost one granule, not the
	// process running many cells: a panic below becomes this granule's
	// (deterministic) error, with its value, for a bug report.
	defer func() {
		if p := recover(); p != nil {
			pts, err = nil, fmt.Errorf("%w: the HDF5 reader panicked (a bug; please report it with the file): %v", dispatch.ErrDeterministic, p)
		}
	}()
	r := g.r
	if r.CellMap != nil {
		if pts, ok := g.readMapped(ctx, url, st); ok {
			return pts, nil
		}
		st.MapMissed = 1
	}
	ix := g.loadIndex(ctx, url, st)
	opts := append(append(defaultReadOptions(), indexReadOptions(ix)...), r.Options...)
	t0 := time.Now()
	f, err := r.Opener.Open(ctx, url, opts...)
	st.Read += time.Since(t0)
	if err != nil {
		return nil, redact.Error(err)
	}
	defer func() {
		s := f.Stats()
		st.Requests += s.Requests
		st.BytesFetched += s.BytesFetched
		st.BytesUsed += s.BytesUsed
		f.Close()
	}()
	pts = &granulePoints{f32: make([][]float32, len(g.plan.reads)), f64: make([][]float64, len(g.plan.reads))}
	if ix = g.checkIndex(ctx, ix, f, st); ix != nil {
		st.Indexed = 1
	}
	for _, group := range r.Source.Groups {
		err := errIndexUnfit
		if ix != nil {
			err = g.readGroupIndexed(ctx, f, ix, group, pts, st)
		}
		if errors.Is(err, errIndexUnfit) {
			err = g.readGroup(ctx, f, group, pts, st)
		}
		if err != nil {
			// The points of a failed attempt are dropped: so is their
			// share of the cell's budget.
			g.kept.Add(-satMul(int64(len(pts.cells)), g.plan.pointBytes()))
			return nil, fmt.Errorf("group %s: %w", group, err)
		}
	}
	return pts, nil
}

// readGroup reads one group (beam) of an open granule into pts.
func (g *granuleReader) readGroup(ctx context.Context, f *h5read.File, group string, pts *granulePoints, st *ReadStats) error {
	latPath, n, err := g.readCoords(ctx, f, group, st)
	if err != nil || n == 0 {
		return err
	}

	// Hash and find the row range inside the parent.
	t2 := time.Now()
	g.hashRows(n)
	shift := uint(2 * (healpix.MaxOrder - g.parent.Order()))
	pn := g.parent.Nest()
	first, last := -1, -1
	for i, c := range g.nest {
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
	lo, cnt := first, last-first+1
	st.Rows += int64(cnt)

	// Round 2: only that row range of every other dataset.
	paths := make([]string, len(g.plan.reads))
	for i := range g.plan.reads {
		// Index, do not copy: isF32 updates other fields of reads[i] under
		// plan.mu from concurrent granule readers.
		paths[i] = config.ExpandPath(g.plan.reads[i].template, group)
	}
	// Open them first, to check what their reads need before planning.
	dsets, err := f.OpenDatasets(ctx, paths...)
	if err != nil {
		return err
	}
	need := satMul(int64(n), 32) // lat, lon, cells and sphere latitudes are held
	worst, worstNeed := dsets[0], int64(-1)
	for i, d := range dsets {
		m, err := rowsOf(d, g.plan.reads[i].column)
		if err != nil {
			return err
		}
		if m != n {
			if lo+cnt > m { // the rows inside the cell are not all there
				return fmt.Errorf("%w: %s has %d rows but %s has %d", h5read.ErrSelection, paths[i], m, latPath, n)
			}
			return fmt.Errorf("%s has %d rows but %s has %d", paths[i], m, latPath, n)
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
	plans, err := g.planRows(ctx, f, dsets, paths, lo, cnt)
	if err != nil {
		return err
	}
	for _, p := range plans {
		need = satAdd(need, p.StoredBytes)
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
		if cols.keepF32[i] {
			err = readColumn(ctx, d, g.rawF32[i], lo, cnt, g.plan.reads[i].column)
		} else {
			err = readColumn(ctx, d, g.rawF64[i], lo, cnt, g.plan.reads[i].column)
		}
		if err != nil {
			return err
		}
	}
	t5 := time.Now()
	st.Decode += t5.Sub(t4)

	return g.gather(pts, st, g.nest[lo:lo+cnt], shift, pn, dsets, cols, t5)
}

// readCoords reads the whole latitude and longitude of a group into g.lat
// and g.lon and returns the latitude's path and the number of rows: 0 when
// the group (beam) is absent from the granule or empty.
func (g *granuleReader) readCoords(ctx context.Context, f *h5read.File, group string, st *ReadStats) (string, int, error) {
	r := g.r
	latPath := config.ExpandPath(r.Source.Latitude, group)
	lonPath := config.ExpandPath(r.Source.Longitude, group)

	// Round 1: the coordinates, whole.
	t0 := time.Now()
	coords, err := f.OpenDatasets(ctx, latPath, lonPath)
	if errors.Is(err, h5read.ErrNotFound) {
		st.Read += time.Since(t0)
		return latPath, 0, nil // the beam is absent from this granule
	}
	if err != nil {
		return latPath, 0, err
	}
	n, err := rows1D(coords[0])
	if err != nil {
		return latPath, 0, err
	}
	if m, err := rows1D(coords[1]); err != nil {
		return latPath, 0, err
	} else if m != n {
		return latPath, 0, fmt.Errorf("%s has %d rows but %s has %d", latPath, n, lonPath, m)
	}
	if n == 0 {
		st.Read += time.Since(t0)
		return latPath, 0, nil
	}
	// The coordinates (float64 each), their cells and sphere latitudes.
	if _, err := g.fetchCoords(ctx, f, coords, []chunkindex.RowRange{{Lo: 0, Hi: int64(n)}}); err != nil {
		return latPath, 0, err
	}
	t1 := time.Now()
	st.Read += t1.Sub(t0)
	g.lat = grow(g.lat, n)
	g.lon = grow(g.lon, n)
	if err := coords[0].ReadFloat64(ctx, g.lat, 0, n); err != nil {
		return latPath, 0, err
	}
	if err := coords[1].ReadFloat64(ctx, g.lon, 0, n); err != nil {
		return latPath, 0, err
	}
	st.Decode += time.Since(t1)
	return latPath, n, nil
}

// hashRows hashes the first m rows of g.lat and g.lon into g.nest (order
// 29, with the latitude convention). Only points in the latitude band
// [g.latLo, g.latHi] can be inside the parent: the others (NaN included)
// are not hashed but marked healpix.Invalid (a track crossing a cell spends
// most of its rows outside the band). In-band rows come in runs along the
// track; each run is converted and hashed as a batch
// (LatLonToNestSlice's vector kernel).
func (g *granuleReader) hashRows(m int) {
	conv := g.r.Convention
	g.nest = growU(g.nest, m)
	g.slat = grow(g.slat, m)
	inBand := func(la float64) bool { return la >= g.latLo && la <= g.latHi } // NaN fails
	for i := 0; i < m; {
		if !inBand(g.lat[i]) {
			g.nest[i] = healpix.Invalid
			i++
			continue
		}
		j := i + 1
		for j < m && inBand(g.lat[j]) {
			j++
		}
		conv.ToSphereSlice(g.slat[i:j], g.lat[i:j])
		healpix.LatLonToNestSlice(g.nest[i:j], healpix.MaxOrder, g.slat[i:j], g.lon[i:j])
		i = j
	}
}

// columns are the per-dataset settings of one group read: whether a
// dataset's values are kept as float32, and whether (and against which fill
// value) its rows are checked.
type columns struct {
	keepF32, check []bool
	fill32         []float32
	fill64         []float64
}

// prepareColumns returns the settings of dsets and sizes g's value buffers
// for cnt rows of each.
func (g *granuleReader) prepareColumns(dsets []*h5read.Dataset, cnt int) columns {
	if len(g.rawF32) < len(dsets) {
		g.rawF32 = make([][]float32, len(dsets))
		g.rawF64 = make([][]float64, len(dsets))
	}
	c := columns{keepF32: make([]bool, len(dsets)), check: make([]bool, len(dsets)),
		fill32: make([]float32, len(dsets)), fill64: make([]float64, len(dsets))}
	for i, d := range dsets {
		c.keepF32[i] = g.isF32(i, d)
		fv, ok := fillOf(d)
		c.check[i] = ok && g.plan.reads[i].variable
		c.fill64[i], c.fill32[i] = fv, float32(fv)
		if c.keepF32[i] {
			g.rawF32[i] = grow32(g.rawF32[i], cnt)
		} else {
			g.rawF64[i] = grow(g.rawF64[i], cnt)
		}
	}
	return c
}

// gather appends to pts the points of the rows just decoded (nest holds
// their cells at order 29, g.rawF32/g.rawF64 their values, row k at k)
// that lie inside the parent pn (the cells' top bits at shift) and whose
// checked variables are not the dataset's fill value, and charges them to
// the cell's memory budget. t5 starts the bin phase.
func (g *granuleReader) gather(pts *granulePoints, st *ReadStats, nest []uint64, shift uint, pn uint64, dsets []*h5read.Dataset,
	cols columns, t5 time.Time) error {
	keepF32 := cols.keepF32
	// Gather the points inside the parent whose variables are not fill.
	before := len(pts.cells)
	defer func() {
		if k := satMul(int64(len(pts.cells)-before), g.plan.pointBytes()); k > 0 {
			g.kept.Add(k)
		}
	}()
	if kept := g.kept.Load(); kept > g.budget/2 {
		return fmt.Errorf("%w: the cell's points already take %s, more than half of its memory budget of %s; raise the budget (Runner.MemoryBudget, --memory-budget)",
			ErrMemoryBudget, humanize.Bytes(kept), humanize.Bytes(g.budget))
	}
	for k := range nest {
		c := nest[k]
		if c>>shift != pn {
			continue
		}
		st.Inside++
		if g.isFill(&cols, k) {
			st.FillDropped++
			continue
		}
		pts.cells = append(pts.cells, c)
		for i := range dsets {
			if keepF32[i] {
				pts.f32[i] = append(pts.f32[i], g.rawF32[i][k])
			} else {
				pts.f64[i] = append(pts.f64[i], g.rawF64[i][k])
			}
		}
	}
	st.Bin += time.Since(t5)
	return nil
}

// isFill reports whether row k of the values just decoded (g.rawF32,
// g.rawF64) holds the fill value of one of the variables cols checks.
func (g *granuleReader) isFill(cols *columns, k int) bool {
	for i, chk := range cols.check {
		if !chk {
			continue
		}
		if cols.keepF32[i] {
			if v, fv := g.rawF32[i][k], cols.fill32[i]; v == fv || (fv != fv && v != v) {
				return true
			}
		} else if v, fv := g.rawF64[i][k], cols.fill64[i]; v == fv || (fv != fv && v != v) {
			return true
		}
	}
	return false
}

// fetchCoords checks reading the coordinates' rows in runs (the rows, their
// cells and sphere latitudes: 32 bytes a row, plus what decoding takes)
// against the granule's share of the budget, then fetches their chunks in
// one round. It returns the number of rows.
func (g *granuleReader) fetchCoords(ctx context.Context, f *h5read.File, coords []*h5read.Dataset, runs []chunkindex.RowRange) (int, error) {
	rows := 0
	for _, rr := range runs {
		rows += int(rr.Hi - rr.Lo)
	}
	r64 := int64(rows)
	need := satAdd(satAdd(readNeed(coords[0], r64, 8), readNeed(coords[1], r64, 8)), satMul(r64, 16))
	if err := g.fits(need, coords[0], r64, "reading the coordinates"); err != nil {
		return 0, err
	}
	var plans []*h5read.Plan
	for _, rr := range runs {
		for _, d := range coords {
			p, err := d.PlanRows(ctx, int(rr.Lo), int(rr.Hi-rr.Lo))
			if err != nil {
				return 0, err
			}
			plans = append(plans, p)
			need = satAdd(need, p.StoredBytes)
		}
	}
	if err := g.fits(need, coords[0], r64, "fetching the coordinates"); err != nil {
		return 0, err
	}
	return rows, f.Fetch(ctx, plans...)
}

// fits checks an estimate of what the next step of a group read allocates
// against this granule's share of the cell's memory budget.
func (g *granuleReader) fits(need int64, d *h5read.Dataset, rows int64, step string) error {
	allowed := g.budget / int64(max(g.share, 1))
	if need <= allowed {
		return nil
	}
	return &BudgetError{Dataset: d.Path(), Rows: rows, ElemSize: d.Dtype().Size, Step: step,
		Need: need, Allowed: allowed, Budget: g.budget, Share: g.share}
}

// latBand returns a geodetic latitude interval that holds every point of
// the cell: the extreme latitudes of its boundary (HEALPix cells reach their
// extreme latitudes at their north and south corners; the boundary is
// sampled densely anyway), widened by a tenth of the cell's span and clamped
// to [−90°, 90°].
func latBand(c morton.Cell, conv healpix.LatitudeConvention) (lo, hi float64) {
	lo, hi = 90.0, -90.0
	for _, p := range healpix.NestBoundary(nil, c.Order(), c.Nest(), 16) {
		lo, hi = min(lo, p[0]), max(hi, p[0])
	}
	m := (hi-lo)/10 + 1e-9
	lo, hi = max(lo-m, -90), min(hi+m, 90)
	return conv.FromSphere(lo), conv.FromSphere(hi)
}

// isF32 fixes, the first time a dataset is met, whether its column is kept
// as float32 (a float32 dataset, such as ATL06 h_li) or float64 (everything
// else), so that every granule of the cell yields the same column types.
func (g *granuleReader) isF32(i int, d *h5read.Dataset) bool {
	g.plan.mu.Lock()
	defer g.plan.mu.Unlock()
	if g.plan.kind[i] == kindUndecided {
		g.plan.kind[i] = kindF64
		if dt := d.Dtype(); dt.Class == h5read.ClassFloat && dt.Size == 4 {
			g.plan.kind[i] = kindF32
		}
	}
	return g.plan.kind[i] == kindF32
}

// fillOf returns a dataset's HDF5 fill value as float64 and whether rows
// equal to it are to be dropped: only when the file defines the fill value
// (h5read.Dataset.FillDefined), so that the library's default fill of zero —
// ATL06's coordinates and quality flags have it — never drops real zeros,
// while a user-defined fill, zero included, always marks missing data.
func fillOf(d *h5read.Dataset) (float64, bool) {
	if !d.FillDefined() {
		return 0, false
	}
	switch v := d.FillValue().(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}

// rows1D returns the length of a one-dimensional dataset.
func rows1D(d *h5read.Dataset) (int, error) {
	sh := d.Shape()
	if len(sh) != 1 {
		return 0, fmt.Errorf("%s: %d-dimensional dataset (shape %v), want one dimension (rows); a column of a 2-D dataset is read with a selector, path[:, k]", d.Path(), len(sh), sh)
	}
	return sh[0], nil
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

func grow32(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

func growU(b []uint64, n int) []uint64 {
	if cap(b) < n {
		return make([]uint64, n)
	}
	return b[:n]
}
