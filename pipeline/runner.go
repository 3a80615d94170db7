package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/pipeline/timewin"
	"github.com/zagg-go/zagg/zarrstore"
)

// Runner processes the cells of a catalog into a store with a pool of
// goroutines: the local runner of examples/local. It sets the store up once,
// runs every selected cell with Run on a Dispatcher (bounded concurrency,
// retries of transient failures), skips cells an earlier run finished unless
// Overwrite is set (so an interrupted run resumes where it stopped), and
// consolidates the store's metadata at the end, also after an interruption.
// Orders coarser than the parent (output.orders) are merged from every
// written cell's partial states (Store.Finalize) after a run that was not
// interrupted.
//
// Memory is bounded by Workers × the need of one cell: the cell's points
// (24–32 bytes per point) plus, per granule read at once (GranuleConcurrency),
// one beam's coordinates and h5read's bounded caches (40 MiB by default).
type Runner struct {
	// Config is the pipeline config. Required.
	Config *config.Config
	// Catalog lists the cells and their granules. Required.
	Catalog *cmr.Catalog
	// Store is the output store. Required.
	Store *zarrstore.Store
	// Opener reads granules (S3Opener, HTTPSOpener, DirOpener, FSOpener).
	// Required.
	Opener Opener

	// Workers is the number of cells processed at once. Default 4.
	Workers int
	// GranuleConcurrency is the number of granules of one cell read at once.
	// Default 4.
	GranuleConcurrency int
	// Cells, if set, restricts the run to these catalog keys.
	Cells []string
	// MaxCells, if > 0, processes only the first MaxCells cells selected.
	MaxCells int
	// Overwrite processes cells whose chunks already exist (by default they
	// are skipped, which resumes an interrupted run).
	Overwrite bool
	// OnStart, if set, is called with the number of selected cells before
	// the first starts (with OnRecord, what a progress display needs).
	OnStart func(total int)
	// OnRecord, if set, is called as each cell ends (concurrently).
	OnRecord func(dispatch.CellRecord)
	// ReaderOptions are passed to every h5read open.
	ReaderOptions []h5read.Option
	// UseIndexes reads granules through the chunk indexes in the store's
	// sidecar folder (IndexStore; built with IndexBuild or the index
	// command): each cell then decodes only the blocks of rows that can
	// touch it. A granule without a valid index is read whole, as without.
	UseIndexes bool
	// UseCellMap reads granules from the cell maps in the store's sidecar
	// folder (CellMapStore; written with MapBuild or the map command):
	// each cell then reads only its own points of each granule, one range
	// read per granule after the map's footer. A granule without a valid
	// map is read from the file (through its index with UseIndexes).
	UseCellMap bool
	// GranuleSize, if set, returns a granule's size in bytes for the dry-run
	// estimate (a HEAD request, a stat).
	GranuleSize func(ctx context.Context, url string) (int64, error)
	// LeaseTTL is how long the run's lease on the store lasts between
	// renewals (DefaultLeaseTTL when 0; renewed every third of it).
	LeaseTTL time.Duration
	// Dispatcher, if set, supplies the retry policy (its Executor, Workers,
	// Skip, OnStart and OnRecord are replaced by the Runner's).
	Dispatcher *dispatch.Dispatcher
	// MemoryBudget bounds the bytes the cells in flight may allocate to read
	// their granules, split equally over Workers (see
	// CellReader.MemoryBudget, which each cell's share must satisfy: at
	// least MinMemoryBudget). 0 means DefaultMemoryBudget: three quarters of
	// a Lambda function's memory, else half of the machine's.
	MemoryBudget int64
}

// setup is what a run needs, built from the Runner's fields.
type setup struct {
	exec  *LocalExecutor
	cells []cmr.CatalogCell
}

// SelectCells is the part of a run's preparation every runner shares (the
// local Runner and the Lambda runner): it returns the parent order (the
// config may not re-grid the catalog: config.ErrInvalid), the latitude
// convention (catalog and config must agree: ErrConvention) and the cells
// selected by keys and maxCells (cmr.Catalog.Select), at least one
// (ErrEmptyCatalog).
func SelectCells(cfg *config.Config, cat *cmr.Catalog, keys []string, maxCells int) (int, healpix.LatitudeConvention, []cmr.CatalogCell, error) {
	conv, err := Convention(cat, cfg)
	if err != nil {
		return 0, 0, nil, err
	}
	po, err := cfg.ParentOrder(cat.Metadata.ParentOrder)
	if err != nil {
		return 0, 0, nil, err
	}
	if po != cat.Metadata.ParentOrder {
		return 0, 0, nil, fmt.Errorf("%w: output.grid.parent_order %d differs from the catalog's parent_order %d; build the catalog at order %d",
			config.ErrInvalid, po, cat.Metadata.ParentOrder, po)
	}
	cells, err := cat.Select(keys, maxCells)
	if err != nil {
		return 0, 0, nil, err
	}
	if len(cells) == 0 {
		return 0, 0, nil, fmt.Errorf("%w: the catalog lists no cell", ErrEmptyCatalog)
	}
	return po, conv, cells, nil
}

func (r *Runner) prepare(needOpener bool) (*setup, error) {
	if r.Config == nil || r.Catalog == nil || r.Store == nil || (needOpener && r.Opener == nil) {
		return nil, fmt.Errorf("pipeline: Runner needs Config, Catalog, Store and Opener")
	}
	po, conv, cells, err := SelectCells(r.Config, r.Catalog, r.Cells, r.MaxCells)
	if err != nil {
		return nil, err
	}
	cfg := r.Config.WithLatitude(conv)
	a, err := NewAggregator(cfg)
	if err != nil {
		return nil, err
	}
	s, err := NewStore(r.Store, cfg, a, po, conv)
	if err != nil {
		return nil, err
	}
	rd := NewCellReader(cfg, a.Columns(), r.Opener)
	rd.Convention = conv
	rd.Concurrency = r.GranuleConcurrency
	rd.Options = r.ReaderOptions
	if r.UseIndexes {
		rd.Index = StoreIndexes(IndexStore(r.Store))
	}
	if r.UseCellMap {
		rd.CellMap = NewCellMaps(CellMapStore(r.Store))
	}
	budget := r.MemoryBudget
	if budget < 0 {
		return nil, fmt.Errorf("%w: Runner.MemoryBudget %d is negative", config.ErrInvalid, budget)
	}
	if budget == 0 {
		budget = DefaultMemoryBudget()
	}
	workers := r.Workers
	if workers <= 0 {
		workers = 4 // the dispatch.Dispatcher's default
	}
	rd.MemoryBudget = budget / int64(workers)
	if r.MemoryBudget == 0 {
		// The default never fails a run for being small: each cell gets
		// at least the minimum.
		rd.MemoryBudget = max(rd.MemoryBudget, MinMemoryBudget)
	}
	if err := checkBudget(fmt.Sprintf("Runner.MemoryBudget / %d workers =", workers), rd.MemoryBudget); err != nil {
		return nil, err
	}
	return &setup{exec: &LocalExecutor{Reader: rd, Aggregator: a, Store: s}, cells: cells}, nil
}

// Run processes the selected cells and returns the report (one record per
// cell, in catalog order, and totals). Setup errors (config, catalog,
// conventions, store layout) are returned before anything is written. When
// ctx is cancelled (Ctrl-C) the cells in flight stop, finished cells stay
// written, the metadata is consolidated, and Run returns the report so far
// with ctx's error; running again resumes. When cells failed or timed out,
// Run returns the whole report with a *CellsFailedError (ErrCellsFailed).
// Credentials in URLs (userinfo, signatures) are redacted from every record
// of the report and from what OnRecord sees. In a local folder store, the
// temporary files of writes an earlier, killed run left behind are removed
// first (those older than zarrstore.TempGrace).
func (r *Runner) Run(ctx context.Context) (*dispatch.Report, error) {
	su, err := r.prepare(true)
	if err != nil {
		return nil, err
	}
	st := su.exec.Store
	// One run at a time per store: take its lease (refused while another
	// run holds it) and keep it while the run lasts.
	runID := NewRunID()
	lease, err := st.AcquireLease(ctx, runID, r.LeaseTTL)
	if err != nil {
		return nil, err
	}
	ctx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	go lease.Hold(ctx, lost)
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = lease.Release(rctx)
	}()
	// Temporary files of writes a killed run left behind (kill -9) are
	// removed once they are older than zarrstore.TempGrace.
	if c, ok := r.Store.Backend().(tempCleaner); ok {
		if _, err := c.CleanTemp(ctx, time.Now().Add(-zarrstore.TempGrace)); err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	// Describe the arrays from the source datasets' attributes (units,
	// long_name) of the first granule; without it they say what the config
	// says.
	if g := FirstGranule(su.cells); g != "" {
		st.DescribeFrom(ctx, r.Opener, g)
	}
	if err := st.Setup(ctx, ParentCells(su.cells), NewProvenance(r.Catalog.Metadata, su.cells)); err != nil {
		return nil, err
	}
	d := dispatch.Dispatcher{}
	if r.Dispatcher != nil {
		d = *r.Dispatcher
	}
	d.Executor = su.exec
	d.Workers = r.Workers
	d.OnStart = r.OnStart
	d.OnRecord = dispatch.RedactedOnRecord(r.OnRecord)
	d.Skip = nil
	if !r.Overwrite {
		d.Skip = st.Skipper()
	}
	rep, runErr := d.Run(ctx, Jobs(su.cells, runID, lease.Generation()))
	if cause := context.Cause(ctx); runErr == nil && errors.Is(cause, ErrStoreBusy) {
		runErr = cause
	}
	// Orders coarser than the parent need every cell: merge them once the
	// run went through (a resumed run merges the earlier runs' cells too).
	if runErr == nil && len(st.CoarseOrders()) > 0 {
		if _, err := st.Finalize(ctx); err != nil {
			runErr = fmt.Errorf("finalize orders %v: %w", st.CoarseOrders(), err)
		}
	}
	// Consolidate even after an interruption so the store opens as it is.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := st.Consolidate(cctx); err != nil && runErr == nil {
		runErr = fmt.Errorf("%w: consolidate: %w", ErrStore, err)
	}
	return dispatch.Finish(rep, runErr)
}

// tempCleaner is a backend that can remove the temporary files of
// interrupted writes (zarrstore.FSBackend).
type tempCleaner interface {
	CleanTemp(ctx context.Context, before time.Time) (int, error)
}

// Plan is what a run would do (--dry-run).
type Plan struct {
	ParentOrder int    `json:"parent_order"`
	ChildOrder  int    `json:"child_order"`
	Orders      []int  `json:"orders"`
	Latitude    string `json:"latitude"`
	// Cells are the selected cells; Done of them are already written and
	// would be skipped (unless Overwrite).
	Cells int `json:"total_cells"`
	Done  int `json:"cells_done"`
	// DoneError, if set, is why the store could not be checked for
	// finished cells (Done is then a lower bound).
	DoneError string `json:"cells_done_error,omitempty"`
	// Granules counts distinct granules; Pairs the (cell, granule) reads.
	Granules int `json:"granules"`
	Pairs    int `json:"cell_granule_pairs"`
	// GranulesPerCell: min, max, mean.
	GranulesMin  int     `json:"granules_per_cell_min"`
	GranulesMax  int     `json:"granules_per_cell_max"`
	GranulesMean float64 `json:"granules_per_cell_avg"`
	// SizesKnown counts the granules whose size GranuleSize returned;
	// GranuleBytes is their total, and MaxBytes an upper bound of the bytes
	// the run fetches: the size of every granule of every cell still to do
	// (each cell reads only the coordinates and the rows inside it, usually
	// a small fraction).
	SizesKnown   int   `json:"sizes_known"`
	GranuleBytes int64 `json:"granule_bytes"`
	MaxBytes     int64 `json:"max_bytes_fetched"`
	// Keys are the selected cells' catalog keys, in run order.
	Keys []string `json:"cells"`
	// Windows are output.time's windows ("label [start, end)"), and
	// EmptyWindows those that do not overlap the catalog's dates: they will
	// hold no data.
	Windows      []string `json:"windows,omitempty"`
	EmptyWindows []string `json:"empty_windows,omitempty"`
}

// WindowsOutside returns output.time's windows that do not overlap the
// catalog's dates (metadata start_date … end_date, the end day included):
// a run over that catalog leaves them empty. It returns nil without
// output.time or when the catalog records no dates.
func WindowsOutside(cfg *config.Config, cat *cmr.Catalog) []timewin.Window {
	if cfg.Output.Time == nil || cat == nil {
		return nil
	}
	start, err1 := time.Parse("2006-01-02", cat.Metadata.StartDate)
	end, err2 := time.Parse("2006-01-02", cat.Metadata.EndDate)
	if err1 != nil || err2 != nil {
		return nil
	}
	end = end.AddDate(0, 0, 1)
	var out []timewin.Window
	for _, w := range cfg.Output.Time.Windows {
		if !w.End.After(start) || !w.Start.Before(end) {
			out = append(out, w)
		}
	}
	return out
}

// Plan returns what Run would do without writing anything: the cells, their
// granules, the cells already done, and the byte estimate. It needs no
// Opener.
func (r *Runner) Plan(ctx context.Context) (*Plan, error) {
	su, err := r.prepare(false)
	if err != nil {
		return nil, err
	}
	st := su.exec.Store
	p := &Plan{
		ParentOrder: st.ParentOrder(), ChildOrder: r.Config.Output.Grid.ChildOrder,
		Orders: st.Orders(), Latitude: su.exec.Reader.Convention.String(),
		Cells: len(su.cells), GranulesMin: -1,
	}
	if t := r.Config.Output.Time; t != nil {
		for _, w := range t.Windows {
			p.Windows = append(p.Windows, w.String())
		}
		for _, w := range WindowsOutside(r.Config, r.Catalog) {
			p.EmptyWindows = append(p.EmptyWindows, w.String())
		}
	}
	sizes := map[string]int64{}
	var mu sync.Mutex
	done := make([]bool, len(su.cells))
	for i, c := range su.cells {
		p.Keys = append(p.Keys, c.Key())
		n := len(c.Granules)
		p.Pairs += n
		if p.GranulesMin < 0 || n < p.GranulesMin {
			p.GranulesMin = n
		}
		p.GranulesMax = max(p.GranulesMax, n)
		for _, u := range c.Granules {
			sizes[u] = -1
		}
		if !r.Overwrite && p.DoneError == "" {
			ok, err := st.Done(ctx, c.Cell)
			if err != nil {
				// A dry run needs no store credentials: say what is
				// unknown and go on.
				p.DoneError = err.Error()
				continue
			}
			done[i] = ok
			if ok {
				p.Done++
			}
		}
	}
	p.Granules = len(sizes)
	p.GranulesMean = float64(p.Pairs) / float64(len(su.cells))
	if r.GranuleSize != nil {
		urls := make([]string, 0, len(sizes))
		for u := range sizes {
			urls = append(urls, u)
		}
		slices.Sort(urls)
		var wg sync.WaitGroup
		next := make(chan string)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for u := range next {
					n, err := r.GranuleSize(ctx, u)
					if err != nil {
						continue
					}
					mu.Lock()
					sizes[u] = n
					mu.Unlock()
				}
			}()
		}
		for _, u := range urls {
			next <- u
		}
		close(next)
		wg.Wait()
		for _, n := range sizes {
			if n >= 0 {
				p.SizesKnown++
				p.GranuleBytes += n
			}
		}
		for i, c := range su.cells {
			if done[i] {
				continue
			}
			for _, u := range c.Granules {
				p.MaxBytes += max(sizes[u], 0)
			}
		}
	}
	return p, nil
}

// ResultsPath returns the default results file of a run started at t on
// the store at location: zagg-results-<UTC time>.json beside a local store,
// or in the current folder for a remote one (s3://...). Both commands
// write their report there unless told otherwise.
func ResultsPath(location string, t time.Time) string {
	name := "zagg-results-" + t.UTC().Format("20060102T150405Z") + ".json"
	if strings.Contains(location, "://") || location == "" {
		return name
	}
	return filepath.Join(filepath.Dir(filepath.Clean(location)), name)
}
