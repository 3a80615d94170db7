package zarrstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zagg-go/zagg/zarrstore"
)

// day is one day in CF "seconds since" units.
const day = 86400.0

// testAxis returns n windows of 10 days starting at day 0 (CF seconds
// since 2018-01-01), the last days of each window being their midpoints.
func testAxis(n int) *zarrstore.TimeAxis {
	t := &zarrstore.TimeAxis{
		Attributes: map[string]any{"units": "seconds since 2018-01-01 00:00:00", "calendar": "standard",
			"standard_name": "time", "axis": "T"},
		BoundsAttributes: map[string]any{"long_name": "window bounds"},
	}
	for w := range n {
		start := float64(w) * 10 * day
		t.Mid = append(t.Mid, start+5*day)
		t.Bounds = append(t.Bounds, [2]float64{start, start + 10*day})
	}
	return t
}

// timeLayout is testLayout with a time axis of n windows: h_mean, count and
// the sharded h_sigma per window, a trend over all windows, and the coarse
// order 0.
func timeLayout(n int) zarrstore.Layout {
	l := testLayout()
	l.Orders = []int{4, 2, 0}
	for i := range l.Variables {
		l.Variables[i].PerWindow = true
	}
	l.Variables = append(l.Variables, zarrstore.Variable{Name: "h_trend", DataType: zarrstore.Float32})
	l.Time = testAxis(n)
	l.Parents = []uint64{3, 7, 40}
	return l
}

func TestTimeSetupNew(t *testing.T) {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	l := timeLayout(3)
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path         string
		shape, chunk []int64
		dims         []string
	}{
		{"4/h_mean", []int64{3, 192}, []int64{1, 64}, []string{"time", "cells"}},
		{"4/h_sigma", []int64{3, 192}, []int64{1, 64}, []string{"time", "cells"}},
		{"2/count", []int64{3, 12}, []int64{1, 4}, []string{"time", "cells"}},
		{"0/count", []int64{3, 0}, []int64{1, zarrstore.CoarseChunkLen}, []string{"time", "cells"}},
		{"4/h_trend", []int64{192}, []int64{64}, []string{"cells"}},
		{"4/cell_ids", []int64{192}, []int64{64}, []string{"cells"}},
		{"4/time", []int64{3}, []int64{zarrstore.TimeChunkLen}, []string{"time"}},
		{"0/time_bnds", []int64{3, 2}, []int64{zarrstore.TimeChunkLen, 2}, []string{"time", "nv"}},
	} {
		a, err := s.OpenArray(ctx, c.path)
		if err != nil {
			t.Fatal(err)
		}
		m := a.Metadata()
		if !slices.Equal(a.Shape(), c.shape) || !slices.Equal(m.ChunkShape, c.chunk) || !slices.Equal(m.DimensionNames, c.dims) || a.Rank() != len(c.shape) {
			t.Errorf("%s: shape %v chunks %v dims %v, want %v %v %v", c.path, a.Shape(), m.ChunkShape, m.DimensionNames, c.shape, c.chunk, c.dims)
		}
	}
	sigma, _ := s.OpenArray(ctx, "4/h_sigma")
	if codecs := sigma.Metadata().Codecs; len(codecs) != 1 || !strings.Contains(string(codecs[0].Configuration), `"chunk_shape":[1,4]`) {
		t.Errorf("4/h_sigma codecs = %s, want sharding with inner chunks [1,4]", codecs)
	}
	tm, _ := s.OpenArray(ctx, "4/time")
	if attrs := tm.Metadata().Attributes; attrs["bounds"] != "time_bnds" || attrs["units"] != "seconds since 2018-01-01 00:00:00" {
		t.Errorf("time attributes = %v", attrs)
	}
	if tm.Metadata().Codecs[0].Name == "sharding_indexed" {
		t.Errorf("time is sharded: %v", tm.Metadata().Codecs)
	}
	for _, o := range []int{4, 2, 0} {
		got, err := s.TimeAxis(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Mid, l.Time.Mid) || !slices.Equal(got.Bounds, l.Time.Bounds) {
			t.Errorf("order %d: TimeAxis = %v %v, want %v %v", o, got.Mid, got.Bounds, l.Time.Mid, l.Time.Bounds)
		}
		if got.BoundsAttributes["long_name"] != "window bounds" || got.Attributes["calendar"] != "standard" {
			t.Errorf("order %d: TimeAxis attributes %v %v", o, got.Attributes, got.BoundsAttributes)
		}
	}
	// A worker writes chunk (window 2, parent 1).
	mean, _ := s.OpenArray(ctx, "4/h_mean")
	h := mean.FillChunk().([]float32)
	h[5] = 42
	if err := s.WriteChunkAt(ctx, "4/h_mean", []int64{2, 1}, h); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Backend().Exists(ctx, "4/h_mean/c/2/1"); !ok || err != nil {
		t.Errorf("chunk key 4/h_mean/c/2/1 not stored: %v", err)
	}
	g, err := s.OpenOrder(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	if g.Time == nil || g.TimeBounds == nil || g.Windows() != 3 {
		t.Errorf("OpenOrder: Time %v TimeBounds %v Windows %d", g.Time, g.TimeBounds, g.Windows())
	}
	if want := []string{"count", "h_mean", "h_sigma", "h_trend"}; !slices.Equal(g.Names, want) {
		t.Errorf("OpenOrder names = %v, want %v", g.Names, want)
	}
	for name, want := range map[string]bool{"h_mean": true, "count": true, "h_trend": false, "time": false} {
		if g.PerWindow(name) != want {
			t.Errorf("PerWindow(%s) = %v", name, !want)
		}
	}
	v, err := g.Arrays["h_mean"].ReadChunkFloat64At(ctx, []int64{2, 1})
	if err != nil || v[5] != 42 || !math.IsNaN(v[0]) {
		t.Errorf("ReadChunkFloat64At = %v…, %v", v[:6], err)
	}
	if _, err := g.Arrays["h_mean"].ReadChunk(ctx, 1); !errors.Is(err, zarrstore.ErrChunkIndex) {
		t.Errorf("1-D ReadChunk of a per-window array = %v, want ErrChunkIndex", err)
	}
	if ax, err := s.TimeAxis(ctx, 7); err == nil || ax != nil {
		t.Errorf("TimeAxis of a missing group = %v, %v", ax, err)
	}
	// A store without time: no axis.
	plain := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := plain.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	if ax, err := plain.TimeAxis(ctx, 4); ax != nil || err != nil {
		t.Errorf("TimeAxis without time = %v, %v; want nil, nil", ax, err)
	}
	if g, err := plain.OpenOrder(ctx, 4); err != nil || g.Time != nil || g.Windows() != 0 || g.PerWindow("h_mean") {
		t.Errorf("OpenOrder without time = %+v, %v", g, err)
	}
}

// statChunks returns a copy of every stored statistic chunk (keys under
// <order>/<statistic>/c/).
func statChunks(t *testing.T, b zarrstore.Backend, l zarrstore.Layout) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	out := map[string][]byte{}
	for _, o := range l.Orders {
		for _, v := range l.Variables {
			for k, err := range b.List(ctx, fmt.Sprintf("%d/%s/c/", o, v.Name)) {
				if err != nil {
					t.Fatal(err)
				}
				data, err := b.Get(ctx, k)
				if err != nil {
					t.Fatal(err)
				}
				out[k] = bytes.Clone(data)
			}
		}
	}
	return out
}

// putRecorder records the keys of every Put and can fail the Put of one
// key (to interrupt a Setup).
type putRecorder struct {
	zarrstore.Backend
	mu     sync.Mutex
	puts   []string
	failOn string
}

func (r *putRecorder) Put(ctx context.Context, key string, data []byte) error {
	r.mu.Lock()
	r.puts = append(r.puts, key)
	fail := key == r.failOn
	r.mu.Unlock()
	if fail {
		return fmt.Errorf("injected failure of %s", key)
	}
	return r.Backend.Put(ctx, key, data)
}

// TestTimeAppendWindows adds windows and parents in one Setup: shapes grow,
// the time coordinates hold the new windows, and no statistic chunk is
// written, rewritten or moved.
func TestTimeAppendWindows(t *testing.T) {
	ctx := context.Background()
	rec := &putRecorder{Backend: zarrstore.NewMemBackend()}
	s := zarrstore.New(rec)
	l := timeLayout(2)
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	// Finalize sizes the coarse order 0: 5000 cells (two chunks).
	for _, v := range l.Variables {
		if _, err := s.Resize(ctx, "0/"+v.Name, 5000); err != nil {
			t.Fatal(err)
		}
	}
	// Every chunk of every window of every statistic, distinct values.
	for _, o := range l.Orders {
		for _, v := range l.Variables {
			a, err := s.OpenArray(ctx, fmt.Sprintf("%d/%s", o, v.Name))
			if err != nil {
				t.Fatal(err)
			}
			windows := int64(1)
			if v.PerWindow {
				windows = 2
			}
			for w := range windows {
				for i := range a.NumChunks() {
					data := a.FillChunk()
					switch d := data.(type) {
					case []float32:
						d[0] = float32(100*w + i)
					case []float64:
						d[0] = float64(100*w + i)
					case []int32:
						d[0] = int32(100*w + i)
					}
					idx := []int64{w, i}
					if !v.PerWindow {
						idx = []int64{i}
					}
					if err := a.WriteChunkAt(ctx, idx, data); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	before := statChunks(t, s.Backend(), l)
	// Orders 4 and 2: 3 per-window statistics × 2 windows × 3 parents and
	// the trend's 3 chunks; order 0: the same with 2 chunks of cells.
	if want := 2*(3*2*3+3) + 3*2*2 + 2; len(before) != want {
		t.Fatalf("%d statistic chunks before, want %d", len(before), want)
	}
	rec.mu.Lock()
	rec.puts = nil
	rec.mu.Unlock()

	l5 := timeLayout(5)
	l5.Parents = []uint64{3, 7, 40, 1, 2}
	parents, err := s.Setup(ctx, l5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(parents, []uint64{3, 7, 40, 1, 2}) {
		t.Errorf("parents = %v", parents)
	}
	after := statChunks(t, s.Backend(), l5)
	if !maps.EqualFunc(before, after, bytes.Equal) {
		t.Errorf("statistic chunks changed: %d before, %d after", len(before), len(after))
	}
	for _, k := range rec.puts {
		parts := strings.Split(k, "/")
		if k == "zarr.json" || parts[len(parts)-1] == "zarr.json" {
			continue
		}
		if name := parts[1]; name != "cell_ids" && name != "morton" && name != "time" && name != "time_bnds" {
			t.Errorf("extending Setup wrote %s", k)
		}
	}
	for _, c := range []struct {
		path  string
		shape []int64
	}{
		{"4/h_mean", []int64{5, 320}}, {"2/h_sigma", []int64{5, 20}}, {"0/count", []int64{5, 5000}},
		{"4/h_trend", []int64{320}}, {"0/h_trend", []int64{5000}}, {"4/time", []int64{5}}, {"2/time_bnds", []int64{5, 2}},
	} {
		a, err := s.OpenArray(ctx, c.path)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Shape(), c.shape) {
			t.Errorf("%s: shape %v, want %v", c.path, a.Shape(), c.shape)
		}
	}
	for _, o := range l5.Orders {
		ax, err := s.TimeAxis(ctx, o)
		if err != nil || !slices.Equal(ax.Mid, l5.Time.Mid) || !slices.Equal(ax.Bounds, l5.Time.Bounds) {
			t.Errorf("order %d: TimeAxis = %v, %v", o, ax, err)
		}
	}
	// Old chunks read back at their place; new windows read as fill.
	a, _ := s.OpenArray(ctx, "4/count")
	for _, c := range []struct {
		idx  []int64
		want float64
	}{{[]int64{1, 2}, 102}, {[]int64{0, 1}, 1}, {[]int64{4, 2}, math.NaN()}, {[]int64{1, 4}, math.NaN()}} {
		v, err := a.ReadChunkFloat64At(ctx, c.idx)
		if err != nil || !(v[0] == c.want || math.IsNaN(v[0]) && math.IsNaN(c.want)) {
			t.Errorf("4/count %v[0] = %v, %v; want %v", c.idx, v[0], err, c.want)
		}
	}
	// The same layout again changes nothing.
	root, _ := s.Backend().Get(ctx, "zarr.json")
	rec.puts = nil
	if _, err := s.Setup(ctx, l5); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Backend().Get(ctx, "zarr.json"); !bytes.Equal(root, again) || len(rec.puts) != 0 {
		t.Errorf("repeated Setup wrote %v", rec.puts)
	}
	// Resize of a per-window coarse array keeps its windows and drops
	// chunks beyond the new cells of every window.
	r, err := s.Resize(ctx, "0/count", 10)
	if err != nil || !slices.Equal(r.Shape(), []int64{5, 10}) {
		t.Fatalf("Resize = %v, %v", r.Shape(), err)
	}
	if list, err := r.ListChunksAt(ctx); err != nil || !slices.EqualFunc(list, [][]int64{{0, 0}, {1, 0}}, slices.Equal) {
		t.Errorf("chunks after Resize = %v, %v", list, err)
	}
}

// TestTimeAppendManyWindows crosses a time chunk boundary: windows 1000…
// 1099 rewrite time chunk 0 and write chunk 1.
func TestTimeAppendManyWindows(t *testing.T) {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	l := timeLayout(1000)
	l.Orders = []int{2}
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	l.Time = testAxis(1100)
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	ax, err := s.TimeAxis(ctx, 2)
	if err != nil || !slices.Equal(ax.Mid, l.Time.Mid) || !slices.Equal(ax.Bounds, l.Time.Bounds) {
		t.Fatalf("TimeAxis = %d windows, %v", len(ax.Mid), err)
	}
	tm, _ := s.OpenArray(ctx, "2/time")
	last, err := tm.ReadChunkFloat64At(ctx, []int64{1})
	if err != nil || last[1100-1024-1] != l.Time.Mid[1099] || !math.IsNaN(last[1100-1024]) {
		t.Errorf("time chunk 1 = …, %v", err)
	}
}

// TestTimeInterruptedSetup: an extension interrupted before the root
// commit leaves the committed windows in force; the next Setup completes
// it, with the same or another extension.
func TestTimeInterruptedSetup(t *testing.T) {
	ctx := context.Background()
	rec := &putRecorder{Backend: zarrstore.NewMemBackend()}
	s := zarrstore.New(rec)
	if _, err := s.Setup(ctx, timeLayout(2)); err != nil {
		t.Fatal(err)
	}
	rec.failOn = "zarr.json"
	l4 := timeLayout(4)
	l4.Parents = append(l4.Parents, 5)
	if _, err := s.Setup(ctx, l4); err == nil {
		t.Fatal("Setup with a failing root write succeeded")
	}
	rec.failOn = ""
	fresh := zarrstore.New(rec.Backend)
	ax, err := fresh.TimeAxis(ctx, 4)
	if err != nil || len(ax.Mid) != 2 {
		t.Fatalf("TimeAxis after an interrupted Setup = %v, %v; want the 2 committed windows", ax, err)
	}
	// The interrupted Setup grew the arrays; a Setup of the committed
	// windows and parents only puts their shapes back.
	if a, _ := fresh.OpenArray(ctx, "4/h_mean"); !slices.Equal(a.Shape(), []int64{4, 256}) {
		t.Fatalf("4/h_mean after the interrupted Setup: %v, want [4 256]", a.Shape())
	}
	if _, err := fresh.Setup(ctx, timeLayout(2)); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]int64{"4/h_mean": {2, 192}, "4/cell_ids": {192}, "2/time": {2}, "0/time_bnds": {2, 2}, "0/count": {2, 0}, "4/h_trend": {192}} {
		if a, err := zarrstore.New(rec.Backend).OpenArray(ctx, path); err != nil || !slices.Equal(a.Shape(), want) {
			t.Errorf("%s after a Setup of the committed layout: %v, %v; want %v", path, a.Shape(), err, want)
		}
	}
	// Another extension (window 2 differs from the interrupted one).
	other := timeLayout(3)
	other.Time.Mid[2] += day
	if _, err := fresh.Setup(ctx, other); err != nil {
		t.Fatalf("Setup after an interrupted one: %v", err)
	}
	for _, o := range other.Orders {
		ax, err := fresh.TimeAxis(ctx, o)
		if err != nil || !slices.Equal(ax.Mid, other.Time.Mid) {
			t.Errorf("order %d: TimeAxis = %v, %v", o, ax, err)
		}
		a, _ := fresh.OpenArray(ctx, fmt.Sprintf("%d/h_mean", o))
		if a.Shape()[0] != 3 {
			t.Errorf("order %d: h_mean shape %v, want 3 windows", o, a.Shape())
		}
	}
	if _, err := fresh.Setup(ctx, l4); !errors.Is(err, zarrstore.ErrLayoutMismatch) {
		t.Errorf("Setup whose window 2 differs from the committed one = %v, want ErrLayoutMismatch", err)
	}
}

func TestTimeMismatchAndErrors(t *testing.T) {
	ctx := context.Background()
	withTime := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := withTime.Setup(ctx, timeLayout(3)); err != nil {
		t.Fatal(err)
	}
	without := zarrstore.New(zarrstore.NewMemBackend())
	plain := timeLayout(0)
	plain.Time = nil
	for i := range plain.Variables {
		plain.Variables[i].PerWindow = false
	}
	if _, err := without.Setup(ctx, plain); err != nil {
		t.Fatal(err)
	}
	changed := timeLayout(3)
	changed.Time.Bounds[1][1] += 1
	mismatch := []struct {
		name string
		s    *zarrstore.Store
		l    zarrstore.Layout
		msg  string
	}{
		{"time into a store without", without, timeLayout(3), "no time dimension"},
		{"no time into a store with", withTime, plain, "has a time dimension"},
		{"fewer windows", withTime, timeLayout(2), "the store has 3 windows, the layout only 2"},
		{"window 1 bounds differ", withTime, changed, "window 1 differs"},
		{"other time units", withTime, func() zarrstore.Layout {
			l := timeLayout(3)
			l.Time.Attributes["units"] = "seconds since 2019-01-01 00:00:00"
			return l
		}(), "time units"},
		{"a statistic not per window", withTime, func() zarrstore.Layout { l := timeLayout(3); l.Variables[0].PerWindow = false; return l }(), "differs"},
	}
	for _, m := range mismatch {
		_, err := m.s.Setup(ctx, m.l)
		if !errors.Is(err, zarrstore.ErrLayoutMismatch) || !strings.Contains(err.Error(), m.msg) {
			t.Errorf("%s: Setup = %v, want ErrLayoutMismatch saying %q", m.name, err, m.msg)
		}
	}
	invalid := map[string]func(*zarrstore.Layout){
		"per window without time": func(l *zarrstore.Layout) { l.Time = nil },
		"bounds count":            func(l *zarrstore.Layout) { l.Time.Bounds = l.Time.Bounds[:2] },
		"not increasing":          func(l *zarrstore.Layout) { l.Time.Mid[2] = l.Time.Mid[1] },
		"NaN":                     func(l *zarrstore.Layout) { l.Time.Mid[0] = math.NaN() },
		"infinite bound":          func(l *zarrstore.Layout) { l.Time.Bounds[0][1] = math.Inf(1) },
		"empty window":            func(l *zarrstore.Layout) { l.Time.Bounds[1][0] = l.Time.Bounds[1][1] },
		"variable named time":     func(l *zarrstore.Layout) { l.Variables[0].Name = "time" },
		"variable named time_bnds": func(l *zarrstore.Layout) {
			l.Variables[0].Name = zarrstore.TimeBoundsArray
		},
	}
	for name, edit := range invalid {
		l := timeLayout(3)
		edit(&l)
		if _, err := zarrstore.New(zarrstore.NewMemBackend()).Setup(ctx, l); !errors.Is(err, zarrstore.ErrInvalidLayout) {
			t.Errorf("%s: Setup = %v, want ErrInvalidLayout", name, err)
		}
	}
	// Without a time axis a variable may be called "time".
	l := plain
	l.Variables = append(l.Variables, zarrstore.Variable{Name: "time", DataType: zarrstore.Float64})
	named := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := named.Setup(ctx, l); err != nil {
		t.Errorf("a statistic named time without a time axis: %v", err)
	}
	if g, err := named.OpenOrder(ctx, 4); err != nil || g.Time != nil || g.Arrays["time"] == nil {
		t.Errorf("OpenOrder of a store with a statistic named time = %+v, %v", g, err)
	}
	if ax, err := named.TimeAxis(ctx, 4); err != nil || ax != nil {
		t.Errorf("TimeAxis of a store with a statistic named time = %v, %v; want nil, nil", ax, err)
	}
	// A store of zero windows is valid and grows.
	zero := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := zero.Setup(ctx, timeLayout(0)); err != nil {
		t.Fatal(err)
	}
	if ax, err := zero.TimeAxis(ctx, 4); err != nil || ax == nil || len(ax.Mid) != 0 {
		t.Errorf("TimeAxis of 0 windows = %v, %v", ax, err)
	}
	if _, err := zero.Setup(ctx, timeLayout(1)); err != nil {
		t.Errorf("growing from 0 windows: %v", err)
	}
	nodes, err := timeLayout(2).Nodes()
	if err != nil || !bytes.Contains(nodes[""], []byte(`"windows":2`)) || nodes["4/time_bnds"] == nil {
		t.Errorf("Nodes: root %s, %v", nodes[""], err)
	}
}

// TestUpdateChunkAt: a chunk is written when it is missing or differs, and
// left alone (no Put) when it already holds the same bytes.
func TestUpdateChunkAt(t *testing.T) {
	ctx := context.Background()
	mem := zarrstore.NewMemBackend()
	s := zarrstore.New(mem)
	if _, err := s.Setup(ctx, timeLayout(3)); err != nil {
		t.Fatal(err)
	}
	a, err := s.OpenArray(ctx, "4/h_mean")
	if err != nil {
		t.Fatal(err)
	}
	data := make([]float32, a.ChunkElems())
	for i := range data {
		data[i] = float32(i)
	}
	idx := []int64{2, 1}
	version := func() string {
		_, v, err := mem.GetVersion(ctx, a.ChunkKeyAt(idx...))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for step, c := range []struct {
		change bool
		want   bool
	}{{false, true}, {false, false}, {true, true}, {false, false}} {
		if c.change {
			data[0]++
		}
		wrote, err := s.UpdateChunkAt(ctx, "4/h_mean", idx, data)
		if err != nil || wrote != c.want {
			t.Fatalf("step %d: wrote %v, %v; want %v", step, wrote, err, c.want)
		}
		before := version()
		if wrote, _ := a.UpdateChunkAt(ctx, idx, data); wrote || version() != before {
			t.Fatalf("step %d: the same bytes were written again", step)
		}
	}
	got, err := zarrstore.ReadChunkAtAs[float32](ctx, a, idx)
	if err != nil || got[0] != 1 || got[5] != 5 {
		t.Errorf("read back %v…, %v", got[:6], err)
	}
	if _, err := a.UpdateChunkAt(ctx, []int64{3, 0}, data); !errors.Is(err, zarrstore.ErrChunkIndex) {
		t.Errorf("window 3 of 3: %v, want ErrChunkIndex", err)
	}
}
