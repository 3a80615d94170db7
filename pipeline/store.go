package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/retry"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/timewin"
	"github.com/zagg-go/zagg/zarrstore"
)

// Store is the output Zarr v3 store of a run (package zarrstore): one group
// per order from the child order down to the parent order (or the config's
// output.orders), each holding cell_ids, morton and one array per statistic,
// chunked by parent cell.
//
// Orders coarser than the parent order (output.orders below it) have cells
// that span several parent cells, so no worker can compute them. For them
// Write also stores the cell's partial states (agg.Result.Partial) under
// PartialsPrefix, and Finalize, run once after every cell, merges them into
// the coarse orders' single chunk: exact for mergeable statistics (count,
// sum, min, max, mean, weighted mean, variance, and expressions of them);
// medians and quantiles estimated from merged t-digest sketches (exact up
// to 500 points per cell, see agg.Digest); the fill value for the other
// order statistics of expressions (agg.Aggregator.Sketched).
//
// A cell is written only as a whole: Write stores every chunk of the cell,
// finest order first, and the chunk of the finest order's cell_ids array
// last, so that chunk marks a finished cell (Done). A cell interrupted
// half-way is redone by a resumed run, overwriting its partial chunks.
type Store struct {
	z           *zarrstore.Store
	layout      zarrstore.Layout
	parentOrder int
	orders      []int // written by each cell, finest first
	coarse      []int // coarser than the parent: written by Finalize
	vars        []agg.Variable
	conv        healpix.LatitudeConvention
	agg         *agg.Aggregator // the compiled statistics (for Finalize)
	cfg         *config.Config
	cfgDigest   string        // configDigest(cfg), computed once
	windows     int           // time windows (1 without output.time)
	tchunk      int           // windows per chunk along time (output.time.chunk)
	timed       bool          // statistic arrays are [time, cells]
	trend       *config.Trend // output.trend, or nil
	trendVars   []trendVar    // its four arrays

	mu    sync.Mutex
	index map[uint64]int64 // parent NESTED id → chunk, from the store's parent list

	// Now is the clock of claims and leases (time.Now when nil).
	Now func() time.Time
	// ClaimTTL is how long an attempt without a context deadline holds a
	// cell it writes (DefaultClaimTTL when 0).
	ClaimTTL time.Duration
}

// NewStore prepares the store z for cfg's statistics (a's variables) with
// parent cells at parentOrder and the latitude convention conv. It does no
// I/O; call Setup before the first Write.
func NewStore(z *zarrstore.Store, cfg *config.Config, a *Aggregator, parentOrder int, conv healpix.LatitudeConvention) (*Store, error) {
	var orders, coarse []int
	for _, o := range cfg.WriteOrders(parentOrder) {
		if o < parentOrder {
			coarse = append(coarse, o)
		} else {
			orders = append(orders, o)
		}
	}
	if len(orders) == 0 {
		return nil, fmt.Errorf("%w: output.orders lists no order at or above the parent order %d (coarser orders are merged from the parent cells)", ErrStore, parentOrder)
	}
	l := zarrstore.Layout{
		ParentOrder: parentOrder,
		Orders:      append(slices.Clone(orders), coarse...),
		Latitude:    zarrstore.LatitudeOf(conv),
		MortonType:  zarrstore.Int64,
		Project:     map[string]any{"child_order": cfg.Output.Grid.ChildOrder},
	}
	c := a.Compiled()
	if err := cfg.CheckCoordinates(c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	for _, co := range c.Coordinates() {
		if co.Name == "morton" && co.DType == agg.Uint64 {
			l.MortonType = zarrstore.Uint64
		}
	}
	codecs, err := zarrCodecs(cfg, orders[0])
	if err != nil {
		return nil, err
	}
	l.Codecs = codecs
	timed := cfg.Output.Time != nil
	vars := make([]agg.Variable, c.NumVariables())
	for i := range vars {
		v := c.Variable(i)
		vars[i] = v
		zv := zarrstore.Variable{Name: v.Name, DataType: zarrstore.DataType(v.DType.String()), Fill: v.FillValue, PerWindow: timed}
		l.Variables = append(l.Variables, zv)
	}
	s := &Store{z: z, parentOrder: parentOrder, orders: orders, coarse: coarse, vars: vars, conv: conv, agg: c, cfg: cfg, cfgDigest: configDigest(cfg), windows: 1, tchunk: 1}
	if t := cfg.Output.Time; t != nil {
		s.timed, s.windows, s.tchunk = true, len(t.Windows), max(1, t.Chunk)
		l.Time = timeAxis(t.Windows)
		l.Time.Chunk = s.tchunk
	}
	if tr := cfg.Output.Trend; tr != nil && timed {
		s.trend = tr
		s.trendVars = trendVars(tr)
		for _, tv := range s.trendVars {
			l.Variables = append(l.Variables, zarrstore.Variable{Name: tv.name, DataType: tv.dtype, Fill: tv.fill})
		}
	}
	s.layout = l
	s.SetSourceInfo(nil)
	if _, err := s.layout.Nodes(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, err)
	}
	return s, nil
}

// SetSourceInfo sets the units and long_name attributes of every statistic
// array from the config and the source datasets' attributes (Describe; src
// from ReadSourceInfo, or nil). Call it before Setup; a store that exists
// keeps the attributes it was made with.
func (s *Store) SetSourceInfo(src map[string]SourceInfo) {
	for i, v := range s.vars {
		attrs := map[string]any{}
		units, long := Describe(v, src)
		if units != "" {
			attrs["units"] = units
		}
		if long != "" {
			attrs["long_name"] = long
		}
		if len(s.coarse) > 0 {
			// How Finalize fills the orders coarser than the parent.
			how := "fill value (not mergeable)"
			switch {
			case s.agg.Mergeable(i):
				how = "exact (merged partial states)"
			case s.agg.Sketched(i):
				how = fmt.Sprintf("estimated (merged t-digest, compression %d; exact up to %d points per cell)",
					agg.DefaultCompression, agg.DefaultExactPoints)
			}
			attrs["zagg_coarse_orders"] = how
		}
		s.layout.Variables[i].Attributes = attrs
	}
	if s.trend != nil {
		var units string
		for i, v := range s.vars {
			if v.Name == s.trend.Value {
				units, _ = Describe(v, src)
				if u, ok := s.layout.Variables[i].Attributes["units"].(string); ok {
					units = u
				}
			}
		}
		for k, tv := range s.trendVars {
			s.layout.Variables[len(s.vars)+k].Attributes = tv.attributes(s.trend, units)
		}
	}
}

// zarrCodecs turns output.codec and output.inner_chunk_order into the
// codec choice of every array. With sharding, the inner chunk holds the
// cells of one order-inner_chunk_order cell at the finest order written
// (4^(finest − inner) elements), and coarser orders use inner chunks of the
// same length (or none where the whole chunk is no longer).
func zarrCodecs(cfg *config.Config, finest int) (zarrstore.Codecs, error) {
	c := cfg.Output.Codec
	if in := cfg.Output.InnerChunkOrder; in > 0 {
		if in > finest {
			return c, fmt.Errorf("%w: output.inner_chunk_order %d is finer than the finest order written (%d)", ErrStore, in, finest)
		}
		c.ShardInner = int64(1) << (2 * (finest - in))
	}
	return c, nil
}

// OpenStore opens the store at location (a folder, "s3://bucket/prefix" or
// "memory:"; see zarrstore.Open) for cfg. opts pass S3 clients and options.
func OpenStore(location string, cfg *config.Config, a *Aggregator, parentOrder int, conv healpix.LatitudeConvention, opts ...zarrstore.Option) (*Store, error) {
	if location == "" {
		return nil, fmt.Errorf("%w: no store given (pass --store or set output.store in the config)", ErrStore)
	}
	z, err := zarrstore.Open(location, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, err)
	}
	return NewStore(z, cfg, a, parentOrder, conv)
}

// Zarr returns the underlying zarrstore store.
func (s *Store) Zarr() *zarrstore.Store { return s.z }

// Orders returns the orders each cell writes, finest first.
func (s *Store) Orders() []int { return s.orders }

// CoarseOrders returns the orders coarser than the parent order that
// Finalize writes, finest first.
func (s *Store) CoarseOrders() []int { return s.coarse }

// ParentOrder returns the parent order (one chunk per parent cell).
func (s *Store) ParentOrder() int { return s.parentOrder }

// Layout returns the store's layout.
func (s *Store) Layout() zarrstore.Layout { return s.layout }

// Setup creates the store, or extends an existing one, for a run over
// parents, and records prov in the root attributes. Each parent the store
// does not hold yet gets the next chunk of every order at or finer than
// the parent order (zarrstore.Store.Setup), with its coordinates written;
// parents already in the store keep theirs, so a resumed or extending run
// never moves a finished cell. A store made with the other latitude
// convention is refused with an error wrapping ErrConvention; any other
// difference (statistics, dtypes, orders, codecs) wraps
// zarrstore.ErrLayoutMismatch.
func (s *Store) Setup(ctx context.Context, parents []morton.Cell, prov Provenance) error {
	for _, o := range s.layout.Orders {
		g, err := s.z.OpenGroup(ctx, fmt.Sprint(o))
		if errors.Is(err, zarrstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrStore, err)
		}
		grid, err := zarrstore.GridFromAttributes(g.Attributes)
		if err != nil {
			return fmt.Errorf("%w: group %d: %v", ErrStore, o, err)
		}
		if grid.Latitude != s.layout.Latitude {
			return fmt.Errorf("%w: the store was made with %s latitude, this run uses %s", ErrConvention, grid.Latitude, s.layout.Latitude)
		}
	}
	if t := s.cfg.Output.Time; t != nil {
		if err := s.checkWindows(ctx, t.Windows); err != nil {
			return err
		}
	}
	l := s.layout
	l.Parents = make([]uint64, 0, len(parents))
	for _, p := range parents {
		if p.Order() != s.parentOrder {
			return fmt.Errorf("%w: cell %v has order %d, the store's parent order is %d", ErrStore, p, p.Order(), s.parentOrder)
		}
		l.Parents = append(l.Parents, p.Nest())
	}
	l.MergeAttributes = func(old map[string]any) map[string]any {
		return rootAttributes(old, s.cfg, s.parentOrder, prov)
	}
	list, err := s.z.Setup(ctx, l)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	s.setIndex(list)
	return nil
}

// checkWindows refuses windows that do not extend those of an existing
// store (timewin.CheckExtends): a store's windows may only grow at the end.
func (s *Store) checkWindows(ctx context.Context, windows []timewin.Window) error {
	ax, err := s.z.TimeAxis(ctx, s.orders[0])
	if errors.Is(err, zarrstore.ErrNotFound) || err == nil && ax == nil {
		return nil // a new store, or one without time (Setup says so)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	b := make([]float64, 0, 2*len(ax.Bounds))
	for _, x := range ax.Bounds {
		b = append(b, x[0], x[1])
	}
	old, err := timewin.WindowsFromBounds(b, nil)
	if err != nil {
		return fmt.Errorf("%w: the store's time_bnds: %w", ErrStore, err)
	}
	if err := timewin.CheckExtends(old, windows); err != nil {
		return fmt.Errorf("%w: output.time: %w (the store's windows run from %s to %s; a run may only add windows after them)",
			ErrStore, err, old[0].Start.Format(time.RFC3339), old[len(old)-1].End.Format(time.RFC3339))
	}
	return nil
}

// setIndex records the store's parent list.
func (s *Store) setIndex(list []uint64) {
	idx := make(map[uint64]int64, len(list))
	for i, p := range list {
		idx[p] = int64(i)
	}
	s.mu.Lock()
	s.index = idx
	s.mu.Unlock()
}

// Chunk returns the chunk index of parent: its position in the store's
// parent list, read from the store the first time and again when parent is
// not in the list known so far. A parent the store does not hold is an
// error wrapping ErrStore (Setup adds parents).
func (s *Store) Chunk(ctx context.Context, parent morton.Cell) (int64, error) {
	if parent.Order() != s.parentOrder {
		return 0, fmt.Errorf("%w: cell %v has order %d, the store's parent order is %d", ErrStore, parent, parent.Order(), s.parentOrder)
	}
	s.mu.Lock()
	i, ok := s.index[parent.Nest()]
	s.mu.Unlock()
	if ok {
		return i, nil
	}
	list, po, err := s.z.Parents(ctx)
	if err != nil {
		if errors.Is(err, zarrstore.ErrNotFound) {
			return 0, fmt.Errorf("%w: %w (the store has not been set up: call Store.Setup once before writing cells; the runners and the Lambda setup event do)", ErrStore, err)
		}
		return 0, fmt.Errorf("%w: %w", ErrStore, err)
	}
	if po != s.parentOrder {
		return 0, fmt.Errorf("%w: the store's parent order is %d, this run uses %d", ErrStore, po, s.parentOrder)
	}
	s.setIndex(list)
	s.mu.Lock()
	i, ok = s.index[parent.Nest()]
	s.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("%w: cell %v is not in the store's parent list (%d cells): run Setup with it first", ErrStore, parent, len(list))
	}
	return i, nil
}

// MarkersPrefix is the store key prefix of the cell objects
// "zagg-cells/<parent order>/<parent NESTED id>": JSON saying which attempt
// claimed or committed the cell, and from what (the state machine of
// WriteCell). A cell whose object says "done" or "empty" is complete (Done).
// The folder holds no zarr.json, so Zarr readers do not see it.
const MarkersPrefix = "zagg-cells/"

func (s *Store) markerKey(nest uint64) string {
	return fmt.Sprintf("%s%d/%d", MarkersPrefix, s.parentOrder, nest)
}

// Done reports whether parent was committed (with data, or as empty) by an
// earlier attempt. In a store not set up yet no cell is done.
func (s *Store) Done(ctx context.Context, parent morton.Cell) (bool, error) {
	st, err := s.Status(ctx, parent)
	return st.State == cellDone || st.State == cellEmpty, err
}

// WriteConcurrency is how many chunk writes of one cell Store.Write has in
// flight (S3 PUTs are latency-bound).
const WriteConcurrency = 8

// chunkWrite is one chunk to store, or to delete (data nil): chunk
// (window chunk, parent) of a per-window array, chunk parent of the others.
type chunkWrite struct {
	path   string
	window int // the chunk along time (output.time.chunk windows each); −1: a 1-D array
	data   any
}

// timeChunks returns the number of chunks along time of a per-window array.
func (s *Store) timeChunks() int { return (s.windows + s.tchunk - 1) / s.tchunk }

// Write stores the cell's values as a one-off attempt (see WriteCell).
func (s *Store) Write(ctx context.Context, parent morton.Cell, st *CellStats) error {
	return s.WriteCell(ctx, parent, st, CellWrite{})
}

// WriteCell stores the chunks of parent at every order of the store from
// st, fenced: it first claims the cell for w's attempt (a conditional
// write of the cell object under MarkersPrefix, refused with ErrSuperseded
// when a newer attempt of the same run has the cell, and with ErrCellBusy
// while another live attempt writes it), then writes the chunks
// (WriteConcurrency at a time), the partial states (with coarse orders),
// and commits last by replacing its own claim conditionally: a cell whose
// object says "done" is complete, and an attempt that lost its claim (it
// outlived its deadline and was taken over) fails with ErrSuperseded
// instead of committing. The coordinates (cell_ids, morton) were written by
// Setup. A stale attempt therefore never overwrites or deletes what a newer
// attempt committed, as long as attempts stop at their deadline (the
// Lambda runtime enforces it; a local attempt's claim lasts ClaimTTL or
// until its process is gone).
//
// With time windows it writes chunk (k, parent) of every statistic for
// each window k with data, and deletes that chunk for the windows without
// (so that a rerun never leaves an earlier run's window behind), then the
// trend arrays' chunk of the parent.
func (s *Store) WriteCell(ctx context.Context, parent morton.Cell, st *CellStats, w CellWrite) error {
	chunk, err := s.Chunk(ctx, parent)
	if err != nil {
		return err
	}
	v, err := s.versioned()
	if err != nil {
		return err
	}
	if len(st.Windows) != s.windows {
		return fmt.Errorf("pipeline: write: %d windows of statistics, the store has %d", len(st.Windows), s.windows)
	}
	var writes []chunkWrite
	for _, o := range s.orders {
		lvs := make([]*agg.Level, len(st.Windows))
		for k, res := range st.Windows {
			if res != nil {
				if lvs[k] = res.Level(o); lvs[k] == nil {
					return fmt.Errorf("pipeline: write: the aggregation has no order %d", o)
				}
			}
		}
		if !s.timed {
			if lvs[0] == nil {
				return fmt.Errorf("pipeline: write: no statistics")
			}
			for vi, va := range s.vars {
				data, err := castValues(lvs[0].Values[vi], va.DType, va.FillValue)
				if err != nil {
					return fmt.Errorf("pipeline: write %d/%s: %w", o, va.Name, err)
				}
				writes = append(writes, chunkWrite{path: fmt.Sprintf("%d/%s", o, va.Name), window: -1, data: data})
			}
			continue
		}
		// Chunk j along time holds windows j·N … j·N+N−1 (N = tchunk); a
		// window without points, or past the last, is the fill value, and
		// a chunk of windows without any point is deleted.
		ncell := 1 << (2 * uint(o-s.parentOrder))
		for j := range s.timeChunks() {
			win := lvs[j*s.tchunk : min((j+1)*s.tchunk, len(lvs))]
			if !slices.ContainsFunc(win, func(lv *agg.Level) bool { return lv != nil }) {
				for _, va := range s.vars {
					writes = append(writes, chunkWrite{path: fmt.Sprintf("%d/%s", o, va.Name), window: j})
				}
				continue
			}
			for vi, va := range s.vars {
				vals := make([]float64, 0, s.tchunk*ncell)
				for r := range s.tchunk {
					if r < len(win) && win[r] != nil {
						vals = append(vals, win[r].Values[vi]...)
					} else {
						vals = append(vals, nanSlice(ncell)...)
					}
				}
				data, err := castValues(vals, va.DType, va.FillValue)
				if err != nil {
					return fmt.Errorf("pipeline: write %d/%s: %w", o, va.Name, err)
				}
				writes = append(writes, chunkWrite{path: fmt.Sprintf("%d/%s", o, va.Name), window: j, data: data})
			}
		}
	}
	if s.trend != nil {
		tw, err := s.trendWrites(st.Trend)
		if err != nil {
			return err
		}
		writes = append(writes, tw...)
	}
	var partial []byte
	if len(s.coarse) > 0 {
		if partial, err = s.encodePartial(st); err != nil {
			return err
		}
	}
	a := s.attempt(ctx, w)
	defer enter(a.Run)()
	ver, before, err := s.claim(ctx, v, parent, chunk, a, w)
	if err != nil {
		return err
	}
	if !s.now().Before(a.Expires) {
		return fmt.Errorf("cell %v: %w: the attempt's deadline %s passed before it wrote", parent, ErrSuperseded, a.Expires.Format(time.RFC3339))
	}
	if err := s.writeAll(ctx, chunk, writes, before); err != nil {
		s.abandon(ctx, v, parent, chunk, a, w, ver)
		if errors.Is(err, zarrstore.ErrNotFound) {
			return fmt.Errorf("%w: %w (the store has not been set up: call Store.Setup once before writing cells; the runners and the Lambda setup event do)", ErrStore, err)
		}
		return err
	}
	if partial != nil {
		if err := s.z.Backend().Put(ctx, s.partialKey(parent.Nest()), partial); err != nil {
			s.abandon(ctx, v, parent, chunk, a, w, ver)
			return err
		}
	}
	return s.commit(ctx, v, parent, chunk, a, w, cellDone, ver)
}

// encodePartial returns the partial states Finalize merges: the parent's
// agg.Partial, or with time windows every window's (agg.AppendWindowPartials).
func (s *Store) encodePartial(st *CellStats) ([]byte, error) {
	if !s.timed {
		return st.Windows[0].Partial.AppendBinary(nil)
	}
	ps := make([]*agg.Partial, len(st.Windows))
	for k, r := range st.Windows {
		if r != nil {
			ps[k] = &r.Partial
		}
	}
	return agg.AppendWindowPartials(nil, ps)
}

// writeAll stores (or deletes) chunk i of every write, WriteConcurrency at
// a time, and returns the first error (the others stop early). For a cell
// written before (update), a chunk whose stored bytes are already the ones
// to write is left alone (zarrstore.Array.UpdateChunkAt): a run that adds
// time windows does not rewrite the old windows' chunks.
func (s *Store) writeAll(ctx context.Context, i int64, writes []chunkWrite, update bool) error {
	return retry.ForEach(ctx, len(writes), WriteConcurrency, func(ctx context.Context, k int) error {
		cw := writes[k]
		switch {
		case update && cw.data != nil:
			idx := []int64{i}
			if cw.window >= 0 {
				idx = []int64{int64(cw.window), i}
			}
			_, err := s.z.UpdateChunkAt(ctx, cw.path, idx, cw.data)
			return err
		case cw.window < 0 && cw.data != nil:
			return s.z.WriteChunk(ctx, cw.path, i, cw.data)
		case cw.window < 0:
			return s.z.DeleteChunk(ctx, cw.path, i)
		case cw.data != nil:
			return s.z.WriteChunkAt(ctx, cw.path, []int64{int64(cw.window), i}, cw.data)
		}
		return s.z.DeleteChunkAt(ctx, cw.path, []int64{int64(cw.window), i})
	})
}

// Clear empties parent as a one-off attempt (see ClearCell).
func (s *Store) Clear(ctx context.Context, parent morton.Cell) error {
	return s.ClearCell(ctx, parent, CellWrite{})
}

// ClearCell records parent as empty, fenced like WriteCell: it claims the
// cell, deletes the cell's chunk of every statistic of every order at or
// finer than the parent order (WriteConcurrency at a time) and its partial
// states (which Finalize would otherwise still merge into the coarser
// orders), and commits the cell as "empty". The coordinates stay, and
// chunks that are not stored are not an error. Run calls it for a cell that
// turns out empty, so that a rerun after the catalog or the filters changed
// does not leave the cell's old values in the store. A store that was never
// set up, or that does not hold parent, has nothing to clear.
func (s *Store) ClearCell(ctx context.Context, parent morton.Cell, w CellWrite) error {
	if parent.Order() != s.parentOrder {
		return fmt.Errorf("%w: cell %v has order %d, the store's parent order is %d", ErrStore, parent, parent.Order(), s.parentOrder)
	}
	chunk, held, err := s.chunkIfHeld(ctx, parent)
	if err != nil {
		return fmt.Errorf("clear cell %v: %w", parent, err)
	}
	if !held {
		return nil
	}
	v, err := s.versioned()
	if err != nil {
		return err
	}
	a := s.attempt(ctx, w)
	defer enter(a.Run)()
	ver, _, err := s.claim(ctx, v, parent, chunk, a, w)
	if err != nil {
		return err
	}
	var dels []chunkWrite
	nchunk := 1
	if s.timed {
		nchunk = s.timeChunks()
	}
	for k := range nchunk {
		win := k
		if !s.timed {
			win = -1
		}
		for _, o := range s.orders {
			for _, va := range s.vars {
				dels = append(dels, chunkWrite{path: fmt.Sprintf("%d/%s", o, va.Name), window: win})
			}
		}
	}
	for _, o := range s.orders {
		for _, tv := range s.trendVars {
			dels = append(dels, chunkWrite{path: fmt.Sprintf("%d/%s", o, tv.name), window: -1})
		}
	}
	err = s.writeAll(ctx, chunk, dels, false)
	if err == nil && len(s.coarse) > 0 {
		err = s.z.Backend().Delete(ctx, s.partialKey(parent.Nest()))
	}
	if err != nil {
		s.abandon(ctx, v, parent, chunk, a, w, ver)
		return fmt.Errorf("clear cell %v: %w", parent, err)
	}
	return s.commit(ctx, v, parent, chunk, a, w, cellEmpty, ver)
}

// chunkIfHeld returns parent's chunk, and false when the store is not set
// up or does not hold parent.
func (s *Store) chunkIfHeld(ctx context.Context, parent morton.Cell) (int64, bool, error) {
	s.mu.Lock()
	i, ok := s.index[parent.Nest()]
	s.mu.Unlock()
	if ok {
		return i, true, nil
	}
	list, _, err := s.z.Parents(ctx)
	if errors.Is(err, zarrstore.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	s.setIndex(list)
	s.mu.Lock()
	i, ok = s.index[parent.Nest()]
	s.mu.Unlock()
	return i, ok, nil
}

// Consolidate writes the consolidated metadata into the root zarr.json.
func (s *Store) Consolidate(ctx context.Context) error { return s.z.Consolidate(ctx) }

// castValues converts float64 statistics to the slice type of dtype d.
// Integer dtypes truncate toward zero as numpy's astype does, clamp to the
// type's range, and store NaN as the fill value.
func castValues(vals []float64, d agg.DType, fill float64) (any, error) {
	switch d {
	case agg.Float32:
		out := make([]float32, len(vals))
		for i, v := range vals {
			out[i] = float32(v)
		}
		return out, nil
	case agg.Float64:
		return append([]float64(nil), vals...), nil
	case agg.Int8:
		return castInt[int8](vals, d, fill), nil
	case agg.Int16:
		return castInt[int16](vals, d, fill), nil
	case agg.Int32:
		return castInt[int32](vals, d, fill), nil
	case agg.Int64:
		return castInt[int64](vals, d, fill), nil
	case agg.Uint8:
		return castInt[uint8](vals, d, fill), nil
	case agg.Uint16:
		return castInt[uint16](vals, d, fill), nil
	case agg.Uint32:
		return castInt[uint32](vals, d, fill), nil
	case agg.Uint64:
		return castInt[uint64](vals, d, fill), nil
	}
	return nil, fmt.Errorf("unsupported dtype %v", d)
}

func castInt[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](vals []float64, d agg.DType, fill float64) []T {
	lo, hi := d.Range()
	out := make([]T, len(vals))
	for i, v := range vals {
		switch {
		case math.IsNaN(v):
			v = fill
		case v <= lo:
			v = lo
		case v >= hi:
			// The float64 nearest to the top of int64/uint64 is above it;
			// convert the largest value below instead.
			v = math.Nextafter(hi, lo)
			if d.Size() < 8 {
				v = hi
			}
		}
		out[i] = T(math.Trunc(v))
	}
	return out
}

// PartialsPrefix is the store key prefix under which Write keeps each parent
// cell's partial states when the store has orders coarser than the parent
// ("zagg-partials/<parent order>/<parent nested id>"). The folder holds no
// zarr.json, so Zarr readers do not see it.
const PartialsPrefix = "zagg-partials/"

func (s *Store) partialKey(nest uint64) string {
	return fmt.Sprintf("%s%d/%d", PartialsPrefix, s.parentOrder, nest)
}

// nanSlice returns n NaNs.
func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// decodePartials reads the partial states of one parent cell, one entry
// per window (nil for a window without points).
func (s *Store) decodePartials(b []byte) ([]*agg.Partial, error) {
	if !s.timed {
		p, err := decodePartial(b, len(s.vars))
		if err != nil {
			return nil, err
		}
		return []*agg.Partial{p}, nil
	}
	ps, err := agg.DecodeWindowPartials(b, s.windows)
	if err != nil {
		return nil, fmt.Errorf("%w: corrupt partial states: %w", ErrStore, err)
	}
	for k, p := range ps {
		if p != nil && len(p.States) != len(s.vars) {
			return nil, fmt.Errorf("%w: corrupt partial states: window %d has %d variables, the config has %d", ErrStore, k, len(p.States), len(s.vars))
		}
	}
	return ps, nil
}

// decodePartial reads the partial states of one parent cell (written with
// agg.Partial.AppendBinary), checking them against the number of variables
// expected.
func decodePartial(b []byte, nvars int) (*agg.Partial, error) {
	var p agg.Partial
	if err := p.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("%w: corrupt partial states: %w", ErrStore, err)
	}
	if len(p.States) != nvars {
		return nil, fmt.Errorf("%w: corrupt partial states: %d variables, the config has %d", ErrStore, len(p.States), nvars)
	}
	return &p, nil
}

// Finalize writes the orders coarser than the parent order from the partial
// states of every committed parent cell in the store made with the current
// config (its cell object says "done" with this config's digest, by this
// run or earlier ones; the partial of an attempt that did not commit, or of
// a cell another config made, is not merged): each coarse order holds the cells with data, in
// ascending NESTED order, merged in ascending parent order so the result
// does not depend on which run or worker wrote which cell. It returns the
// number of parent cells merged. A store without coarse orders has nothing
// to do.
func (s *Store) Finalize(ctx context.Context) (int, error) {
	if len(s.coarse) == 0 {
		return 0, nil
	}
	// The committed cells: those whose cell object says "done".
	mprefix := fmt.Sprintf("%s%d/", MarkersPrefix, s.parentOrder)
	var cells []uint64
	for k, err := range s.z.Backend().List(ctx, mprefix) {
		if err != nil {
			return 0, fmt.Errorf("%w: list cell objects: %w", ErrStore, err)
		}
		if n, err := strconv.ParseUint(strings.TrimPrefix(k, mprefix), 10, 64); err == nil {
			cells = append(cells, n)
		}
	}
	v, _ := s.z.Backend().(zarrstore.Versioned) // reading needs no versions
	committed := make([]bool, len(cells))
	current := s.cfgDigest
	err := retry.ForEach(ctx, len(cells), WriteConcurrency, func(ctx context.Context, k int) error {
		st, _, err := s.readCell(ctx, v, morton.FromNest(s.parentOrder, cells[k]))
		committed[k] = err == nil && st != nil && st.State == cellDone && (st.ConfigSHA256 == current || st.ConfigSHA256 == "")
		return err
	})
	if err != nil {
		return 0, err
	}
	done := map[uint64]bool{}
	for k, n := range cells {
		if committed[k] {
			done[n] = true
		}
	}
	prefix := fmt.Sprintf("%s%d/", PartialsPrefix, s.parentOrder)
	var nests []uint64
	for k, err := range s.z.Backend().List(ctx, prefix) {
		if err != nil {
			return 0, fmt.Errorf("%w: list partial states: %w", ErrStore, err)
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(k, prefix), 10, 64)
		if err != nil || !done[n] {
			continue // not ours, or not a complete cell
		}
		nests = append(nests, n)
	}
	slices.Sort(nests)
	c := s.agg.Clone()
	// merged[i][cc][k]: window k of coarse cell cc of coarse order i.
	merged := make([]map[uint64][]*agg.Partial, len(s.coarse))
	for i := range merged {
		merged[i] = map[uint64][]*agg.Partial{}
	}
	for _, n := range nests {
		b, err := s.z.Backend().Get(ctx, s.partialKey(n))
		if err != nil {
			return 0, fmt.Errorf("%w: %v", ErrStore, err)
		}
		ps, err := s.decodePartials(b)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", s.partialKey(n), err)
		}
		for _, p := range ps {
			if p == nil {
				continue
			}
			if err := c.CheckPartial(p); err != nil {
				return 0, fmt.Errorf("%s: %w: partial states of another config: %w", s.partialKey(n), ErrStore, err)
			}
		}
		for i, o := range s.coarse {
			cc := n >> (2 * (s.parentOrder - o))
			m := merged[i][cc]
			if m == nil {
				m = make([]*agg.Partial, s.windows)
				merged[i][cc] = m
			}
			for k, p := range ps {
				if p == nil {
					continue
				}
				if m[k] == nil {
					m[k] = &agg.Partial{}
				}
				c.MergePartial(m[k], p)
			}
		}
	}
	var vals []float64
	for i, o := range s.coarse {
		ids := make([]uint64, 0, len(merged[i]))
		for cc := range merged[i] {
			ids = append(ids, cc)
		}
		slices.Sort(ids)
		n := len(ids)
		// cols[k][v][cell]: variable v of window k.
		cols := make([][][]float64, s.windows)
		for k := range cols {
			cols[k] = make([][]float64, len(s.vars))
			for v := range s.vars {
				col := make([]float64, n)
				for j := range col {
					col[j] = math.NaN()
				}
				cols[k][v] = col
			}
		}
		for j, cc := range ids {
			for k, p := range merged[i][cc] {
				if p == nil {
					continue
				}
				vals = c.Finalize(vals, p)
				for v := range s.vars {
					cols[k][v][j] = vals[v]
				}
			}
		}
		// A window without points in a coarse cell holds the fill value,
		// as at the finer orders (count 0 for counts).
		for k := range cols {
			for j, cc := range ids {
				if merged[i][cc][k] != nil {
					continue
				}
				for v := range s.vars {
					if s.agg.IsCount(v) {
						cols[k][v][j] = 0
					}
				}
			}
		}
		var trend [4][]float64
		if s.trend != nil {
			trend = s.coarseTrend(cols, n)
		}
		// The arrays: ids, mortons, the statistics (per window), the trend.
		type arr struct {
			name  string
			a     *zarrstore.Array
			chunk func(k, lo, hi int) (any, error) // k: window
			perW  bool
		}
		arrays := []arr{
			{name: zarrstore.CellIDsArray, chunk: func(_, lo, hi int) (any, error) { return ids[lo:hi], nil }},
			{name: zarrstore.MortonArray, chunk: func(_, lo, hi int) (any, error) {
				return zarrstore.MortonIDs(nil, s.layout.MortonType, o, ids[lo:hi])
			}},
		}
		for v, va := range s.vars {
			arrays = append(arrays, arr{name: va.Name, perW: s.timed, chunk: func(j, lo, hi int) (any, error) {
				if !s.timed {
					return castValues(cols[0][v][lo:hi], va.DType, va.FillValue)
				}
				// Chunk j along time: windows j·N … j·N+N−1, each row
				// padded to the whole chunk with the fill value (Zarr
				// chunks are written whole), as are windows past the last.
				const cl = zarrstore.CoarseChunkLen
				vals := make([]float64, 0, s.tchunk*cl)
				for r := range s.tchunk {
					if k := j*s.tchunk + r; k < s.windows {
						vals = append(vals, cols[k][v][lo:hi]...)
						vals = append(vals, nanSlice(cl-(hi-lo))...)
					} else {
						vals = append(vals, nanSlice(cl)...)
					}
				}
				return castValues(vals, va.DType, va.FillValue)
			}})
		}
		for t, tv := range s.trendVars {
			arrays = append(arrays, arr{name: tv.name, chunk: func(_, lo, hi int) (any, error) {
				return castValues(trend[t][lo:hi], tv.adtype, tv.fillF)
			}})
		}
		var jobs [][3]int // array, window, chunk
		const cl = zarrstore.CoarseChunkLen
		nchunks := (n + cl - 1) / cl
		for a := range arrays {
			za, err := s.z.Resize(ctx, fmt.Sprintf("%d/%s", o, arrays[a].name), int64(n))
			if err != nil {
				return 0, fmt.Errorf("%w: %w", ErrStore, err)
			}
			arrays[a].a = za
			nw := 1
			if arrays[a].perW {
				nw = s.timeChunks()
			}
			for k := range nw {
				for j := range nchunks {
					jobs = append(jobs, [3]int{a, k, j})
				}
			}
		}
		err := retry.ForEach(ctx, len(jobs), WriteConcurrency, func(ctx context.Context, x int) error {
			a, k, j := jobs[x][0], jobs[x][1], jobs[x][2]
			data, err := arrays[a].chunk(k, j*cl, min((j+1)*cl, n))
			if err != nil {
				return err
			}
			if arrays[a].perW {
				// Unchanged windows (a run that added windows) are not
				// rewritten; k is the chunk along time.
				_, err := arrays[a].a.UpdateChunkAt(ctx, []int64{int64(k), int64(j)}, data)
				return err
			}
			return arrays[a].a.WriteChunk(ctx, int64(j), data)
		})
		if err != nil {
			return 0, err
		}
	}
	return len(nests), nil
}
