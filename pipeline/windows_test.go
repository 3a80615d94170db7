package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/timewin"
	"github.com/zagg-go/zagg/zarrstore"
)

// cyclesConfig returns the multi-window sample's config, with its cycles
// replaced when cycles is not empty.
func cyclesConfig(t testing.TB, cycles string) *config.Config {
	t.Helper()
	y := sampledata.CyclesConfig()
	if cycles != "" {
		y = bytes.Replace(y, []byte("cycles: 19-22"), []byte("cycles: "+cycles), 1)
	}
	cfg, err := config.Parse("cycles.yaml", y)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// cyclesRunner returns a Runner of cfg over the multi-window sample's
// catalog and granules, writing z.
func cyclesRunner(t testing.TB, cfg *config.Config, z *zarrstore.Store) *pipeline.Runner {
	t.Helper()
	cat, err := cmr.ParseCatalog(sampledata.CyclesCatalog())
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(sampledata.FS(), "cycles/granules")
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Runner{Config: cfg, Catalog: cat, Store: z, Opener: pipeline.FSOpener(sub), Workers: 2}
}

// TestAggregateWindows: a multi-window Aggregate gives, for each window,
// exactly what a one-window aggregation of that window's points gives, and
// counts the points outside every window.
func TestAggregateWindows(t *testing.T) {
	cfg := cyclesConfig(t, "20-21") // two of the sample's four cycles
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.NumWindows() != 2 || a.Columns()[len(a.Columns())-1] != "t" {
		t.Fatalf("windows %d, columns %v", a.NumWindows(), a.Columns())
	}
	sample := cyclesRunner(t, cfg, nil) // its catalog and granules
	rd := pipeline.NewCellReader(cfg, a.Columns(), sample.Opener)
	cc := sample.Catalog.Cells[0]
	pts, _, err := rd.ReadCell(context.Background(), cc.Cell, cc.Granules)
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.Aggregate(cc.Cell, pts)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Windows) != 2 || st.Windows[0] == nil || st.Windows[1] == nil || st.OutsideTime == 0 {
		t.Fatalf("windows %v, outside time %d", st.Windows, st.OutsideTime)
	}
	// The reference: the statistics of each window's points alone.
	tcol := pts.Columns[len(pts.Columns)-1].F64
	binner, _ := cfg.Output.Time.Epoch.Binner(cfg.Output.Time.Windows)
	win := make([]int32, len(tcol))
	binner.Index(win, tcol)
	compiled, _ := cfg.CompileAggregation()
	total := 0
	for k := range 2 {
		var in agg.Input
		in.ParentOrder, in.Parent, in.ChildOrder = cc.Cell.Order(), cc.Cell.Nest(), cfg.Output.Grid.ChildOrder
		in.Columns = make([]agg.Column, len(compiled.Columns()))
		for i, w := range win {
			if int(w) != k {
				continue
			}
			in.Cells = append(in.Cells, pts.Cells[i])
			for j := range in.Columns {
				c := pts.Columns[j]
				if c.F64 != nil {
					in.Columns[j].F64 = append(in.Columns[j].F64, c.F64[i])
				} else {
					in.Columns[j].F32 = append(in.Columns[j].F32, c.F32[i])
				}
			}
		}
		var want agg.Result
		if err := compiled.Aggregate(&want, in); err != nil {
			t.Fatal(err)
		}
		total += len(in.Cells)
		for o := cfg.Output.Grid.ChildOrder; o >= cc.Cell.Order(); o-- {
			got, ref := st.Windows[k].Level(o), want.Level(o)
			if !slices.Equal(got.Counts, ref.Counts) {
				t.Fatalf("window %d order %d: counts differ", k, o)
			}
			for v := range ref.Values {
				for c := range ref.Values[v] {
					g, r := got.Values[v][c], ref.Values[v][c]
					if g != r && !(math.IsNaN(g) && math.IsNaN(r)) {
						t.Fatalf("window %d order %d variable %d cell %d: %v, alone %v", k, o, v, c, g, r)
					}
				}
			}
		}
	}
	if total+st.OutsideTime+st.Outside != len(pts.Cells) {
		t.Errorf("%d in windows + %d outside time + %d outside the cell != %d points", total, st.OutsideTime, st.Outside, len(pts.Cells))
	}
	// Trends need three windows: with two every fit is NaN, the windows
	// still counted.
	lv := st.Trend[0]
	for _, f := range lv.Fits {
		if !math.IsNaN(f.Slope) || f.Windows > 2 {
			t.Fatalf("a trend over two windows with min_windows 3: %+v", f)
		}
	}
}

// TestWindowsExtend: a store made with cycles 19–21 is extended to 19–22
// by a later run: the time dimension grows, nothing moves, and the result
// equals a store made with 19–22 at once. A run with windows that do not
// extend the store's is refused.
func TestWindowsExtend(t *testing.T) {
	ctx := context.Background()
	mem := zarrstore.NewMemBackend()
	grown := zarrstore.New(mem)
	if _, err := cyclesRunner(t, cyclesConfig(t, "19-21"), grown).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if ax, err := grown.TimeAxis(ctx, 12); err != nil || len(ax.Mid) != 3 {
		t.Fatalf("three windows: %+v, %v", ax, err)
	}
	// The extending run, through a backend that records what it writes.
	rec := &putRecorder{MemBackend: mem}
	grown = zarrstore.New(rec)
	rep, err := cyclesRunner(t, cyclesConfig(t, "19-22"), grown).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.CellsError != 0 {
		t.Fatalf("extending run: %+v", rep.Summary)
	}
	// It wrote window 3 of every statistic, and no chunk of windows 0-2
	// (their values are the same), at any order.
	newWindow, oldWindows := 0, 0
	for _, k := range rec.keys {
		parts := strings.Split(k, "/")
		if len(parts) != 5 || parts[2] != "c" || parts[1] == "time" || parts[1] == "time_bnds" {
			continue // not a [time, cells] chunk
		}
		if parts[3] == "3" {
			newWindow++
		} else {
			oldWindows++
		}
	}
	if newWindow == 0 || oldWindows != 0 {
		t.Errorf("the extending run wrote %d chunks of the new window and %d of the old ones; want some and none", newWindow, oldWindows)
	}
	once := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := cyclesRunner(t, cyclesConfig(t, "19-22"), once).Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, o := range []int{12, 6, 4} {
		a, _ := grown.TimeAxis(ctx, o)
		b, _ := once.TimeAxis(ctx, o)
		if !slices.Equal(a.Mid, b.Mid) || len(a.Mid) != 4 {
			t.Fatalf("order %d: time %v, at once %v", o, a.Mid, b.Mid)
		}
		ga, _ := grown.OpenOrder(ctx, o)
		gb, _ := once.OpenOrder(ctx, o)
		chunks, _ := gb.Chunks(ctx)
		for _, name := range []string{"count", "h_mean", "dhdt", "dhdt_sigma"} {
			for _, i := range chunks {
				for k := range int64(4) {
					idx := []int64{k, i}
					if !ga.PerWindow(name) {
						if k > 0 {
							continue
						}
						idx = []int64{i}
					}
					x, err1 := ga.Arrays[name].ReadWindowFloat64(ctx, idx[0], idx[len(idx)-1])
					y, err2 := gb.Arrays[name].ReadWindowFloat64(ctx, idx[0], idx[len(idx)-1])
					if err1 != nil || err2 != nil {
						t.Fatal(err1, err2)
					}
					for j := range x {
						if x[j] != y[j] && !(math.IsNaN(x[j]) && math.IsNaN(y[j])) {
							t.Fatalf("order %d %s chunk %v element %d: extended %v, at once %v", o, name, idx, j, x[j], y[j])
						}
					}
				}
			}
		}
	}
	// Windows that do not extend the store's: refused before any cell.
	_, err = cyclesRunner(t, cyclesConfig(t, "20-22"), grown).Run(ctx)
	if !errors.Is(err, timewin.ErrWindowExtend) || !errors.Is(err, pipeline.ErrStore) {
		t.Errorf("run with windows 20-22 on a 19-22 store: %v", err)
	}
}

// putRecorder records the keys written to a memory backend.
type putRecorder struct {
	*zarrstore.MemBackend
	mu   sync.Mutex
	keys []string
}

func (r *putRecorder) Put(ctx context.Context, key string, data []byte) error {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.mu.Unlock()
	return r.MemBackend.Put(ctx, key, data)
}

// TestWindowsChunk: output.time.chunk 3 stores three windows per chunk
// (the fourth alone in a partial chunk, padded): every value equals the
// one-window-per-chunk store's at every order, coarse ones included, also
// with each chunk a shard (inner_chunk_order), with fewer objects.
func TestWindowsChunk(t *testing.T) {
	ctx := context.Background()
	one := zarrstore.NewMemBackend()
	if _, err := cyclesRunner(t, cyclesConfig(t, ""), zarrstore.New(one)).Run(ctx); err != nil {
		t.Fatal(err)
	}
	var three *zarrstore.MemBackend
	for _, sharded := range []bool{false, true} {
		y := bytes.Replace(sampledata.CyclesConfig(), []byte("cycles: 19-22 "), []byte("cycles: 19-22\n    chunk: 3 "), 1)
		if sharded {
			// Each chunk a shard of [1, 64]-cell inner chunks.
			y = bytes.Replace(y, []byte("  orders: ["), []byte("  inner_chunk_order: 9\n  orders: ["), 1)
		}
		cfg, err := config.Parse("chunk3.yaml", y)
		if err != nil || cfg.Output.Time.Chunk != 3 || sharded != (cfg.Output.InnerChunkOrder == 9) {
			t.Fatalf("chunk 3 config (sharded %v): %v", sharded, err)
		}
		mem := zarrstore.NewMemBackend()
		if _, err := cyclesRunner(t, cfg, zarrstore.New(mem)).Run(ctx); err != nil {
			t.Fatal(err)
		}
		if !sharded {
			three = mem
		}
		a, b := zarrstore.New(one), zarrstore.New(mem)
		for _, o := range []int{12, 9, 6, 4} {
			ga, _ := a.OpenOrder(ctx, o)
			gb, err := b.OpenOrder(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if cs := gb.Arrays["h_mean"].ChunkShape(); cs[0] != 3 {
				t.Fatalf("order %d: chunk shape %v", o, cs)
			}
			chunks, _ := ga.Chunks(ctx)
			for _, name := range ga.Names {
				for _, i := range chunks {
					for k := range ga.Windows() {
						x, err1 := ga.Arrays[name].ReadWindowFloat64(ctx, k, i)
						y, err2 := gb.Arrays[name].ReadWindowFloat64(ctx, k, i)
						if err1 != nil || err2 != nil {
							t.Fatal(err1, err2)
						}
						for j := range x {
							if x[j] != y[j] && !(math.IsNaN(x[j]) && math.IsNaN(y[j])) {
								t.Fatalf("sharded %v order %d %s window %d chunk %d element %d: one per chunk %v, three %v", sharded, o, name, k, i, j, x[j], y[j])
							}
						}
					}
				}
			}
		}
	}
	count := func(m *zarrstore.MemBackend) int {
		n := 0
		for k, err := range m.List(ctx, "12/h_mean/c/") {
			if err == nil && k != "" {
				n++
			}
		}
		return n
	}
	if n1, n3 := count(one), count(three); n3 >= n1 || n3 == 0 {
		t.Errorf("12/h_mean: %d chunk objects with three windows per chunk, %d with one", n3, n1)
	}
}
