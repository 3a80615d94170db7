package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/progress"
	"github.com/zagg-go/zagg/internal/safefile"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

func init() { commands["demo"] = runDemo }

const demoUsage = `usage: go run ./examples/local demo [flags]

Run the whole pipeline on built-in sample data, with no network: three small
synthetic ATL06-like granules (made by internal/sampledata/mksample.py, not
NASA data), a catalog of eight order-6 parent cells, and zagg's ATL06 config.
The store is written to --store: a new or empty folder, or one an earlier demo
wrote (its files are replaced; files the demo did not write are kept). Every
statistic is checked against the values numpy computed on the same points.

With --trend it runs the multi-window sample instead: the three tracks
repeated in ICESat-2 cycles 19-22 (twelve granules) on a surface falling by
0.8 m a year, with a config (internal/sampledata/cycles/config.yaml) that
computes the statistics per cycle and fits dh/dt (the trend of h_mean) per
cell. Every window's statistics and every trend are checked against numpy,
and the recovered trend against the imposed one.

flags:
`

func runDemo(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("demo", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, demoUsage)
		fl.PrintDefaults()
	}
	store := fl.String("store", "", "output folder: new, empty, or written by an earlier demo (replaced); default demo.zarr, or demo-trend.zarr with --trend")
	trend := fl.Bool("trend", false, "run the multi-window sample (cycles 19-22) and fit dh/dt")
	workers := fl.Int("workers", 4, "cells processed at once")
	quiet := fl.Bool("quiet", false, "no progress display")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "demo: unexpected arguments %q\n", fl.Args())
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "demo: %v\n", err)
		return 1
	}
	if *store == "" {
		*store = "demo.zarr"
		if *trend {
			*store = "demo-trend.zarr"
		}
	}
	ctx, stop := signalContext()
	defer stop()

	before, err := clearStore(*store)
	if err != nil {
		return fail(err)
	}
	// Record what the demo is about to make before making it, so that a
	// demo killed halfway can still be replaced by the next one; the record
	// is made exact once the run ends.
	if err := writeDemoMarker(*store, before, predictedEntries()); err != nil {
		return fail(err)
	}
	defer func() {
		if err := writeDemoMarker(*store, before, nil); err != nil {
			fmt.Fprintf(stderr, "demo: %v\n", err)
		}
	}()
	cfg, err := config.Builtin("atl06")
	catJSON, dir, names := sampledata.Catalog(), "granules", sampledata.GranuleNames()
	if *trend {
		cfg, err = config.Parse("cycles/config.yaml", sampledata.CyclesConfig())
		catJSON, dir, names = sampledata.CyclesCatalog(), "cycles/granules", sampledata.CyclesGranuleNames()
	}
	if err != nil {
		return fail(err)
	}
	cat, err := cmr.ParseCatalog(catJSON)
	if err != nil {
		return fail(err)
	}
	granules, err := fs.Sub(sampledata.FS(), dir)
	if err != nil {
		return fail(err)
	}
	z := zarrstore.New(zarrstore.NewFSBackend(*store, false))
	r := &pipeline.Runner{
		Config: cfg, Catalog: cat, Store: z, Opener: pipeline.FSOpener(granules),
		Workers: *workers, Overwrite: true,
	}
	if !*quiet {
		bar := progress.New(stderr)
		r.OnStart, r.OnRecord = bar.Start, bar.Record
		defer bar.Finish()
	}
	fmt.Fprintf(stdout, "zagg demo: %d sample granules, %d parent cells (order %d), config %s, %s latitude\n",
		len(names), len(cat.Cells), cat.Metadata.ParentOrder, cfg.Name(), cfg.Output.Latitude)
	if t := cfg.Output.Time; t != nil {
		fmt.Fprintf(stdout, "  %d time windows (%s … %s), each granule read once per cell\n", len(t.Windows), t.Windows[0].Label, t.Windows[len(t.Windows)-1].Label)
	}
	rep, err := r.Run(ctx)
	if err != nil {
		if rep != nil {
			printSummary(stdout, rep, *store, "")
		}
		return fail(err)
	}
	printSummary(stdout, rep, *store, "")
	if rep.Summary.CellsError+rep.Summary.CellsTimeout > 0 {
		return 1
	}
	if *trend {
		c, err := checkCycles(ctx, z)
		if err != nil {
			return fail(fmt.Errorf("check against numpy: %w", err))
		}
		fmt.Fprintf(stdout, "Checked %d per-window statistics and %d trends at orders 12, 9, 6 and 4 against numpy (cycles/expected.json): all equal within %d float32 ulp (order 4's quantiles are t-digest estimates, not compared)\n", c.values, c.trends, c.worst)
		fmt.Fprintf(stdout, "Imposed trend %.2f m/yr; recovered dh/dt (mean over cells) and the share within one and two of the fit's standard errors:\n", c.imposed)
		for _, o := range c.orders {
			fmt.Fprintf(stdout, "  order %2d: %4d cells, mean dh/dt %+.3f m/yr, median standard error %.3f m/yr, %3.0f%% within 1 SE, %3.0f%% within 2 SE\n",
				o.order, o.cells, o.mean, o.medianSE, 100*o.within1, 100*o.within2)
		}
		fmt.Fprintf(stdout, `
Next, try:
  go run ./examples/local info --store %[1]s
  go run ./examples/local export --store %[1]s --order 9 --format csv --output trend.csv
  go run ./examples/local render --store %[1]s --order 9 --variable dhdt --output dhdt.png
  go run ./examples/local render --store %[1]s --order 9 --variable h_mean --window 3 --output h_mean_cycle22.png
`, *store)
		return 0
	}
	n, worst, err := checkSample(ctx, z)
	if err != nil {
		return fail(fmt.Errorf("check against numpy: %w", err))
	}
	fmt.Fprintf(stdout, "Checked %d cell statistics at orders 12..6 against numpy (expected.json): all equal within %d float32 ulp\n", n, worst)
	fmt.Fprintf(stdout, `
Next, try:
  go run ./examples/local info --store %[1]s
  go run ./examples/local export --store %[1]s --order 12 --format csv --output demo.csv
  go run ./examples/local export --store %[1]s --order 9 --format geojson --output demo.geojson
  go run ./examples/local render --store %[1]s --order 12 --variable h_mean --output demo.png
`, *store)
	return 0
}

// demoMarker is the file in a demo store that lists what the demo made
// there, so that the next demo deletes exactly that and nothing else.
const demoMarker = ".zagg-demo.json"

// demoRecord is the content of demoMarker.
type demoRecord struct {
	MadeBy  string   `json:"made_by"`
	Entries []string `json:"entries"` // top-level names the demo made
}

// clearStore prepares dir for a demo and returns the names it holds that
// the demo did not make (left alone). A missing or empty folder is used as
// it is; a folder with a demo marker loses the entries the marker lists
// (and the marker); anything else is refused, zarr store or not, so the
// demo never deletes a store or files it did not make.
func clearStore(dir string) (map[string]bool, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, e := range ents {
		names[e.Name()] = true
	}
	if len(names) == 0 {
		return names, nil
	}
	if !names[demoMarker] {
		if names[zarrstore.MetadataKey] {
			return nil, fmt.Errorf("%s holds a zarr store the demo did not make (it has no %s); it is left alone: remove it yourself or choose another --store", dir, demoMarker)
		}
		return nil, fmt.Errorf("%s exists, is not empty and is not a zarr store made by the demo; choose another --store", dir)
	}
	rec, err := readDemoMarker(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range rec.Entries {
		if !names[name] || name == demoMarker {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		delete(names, name)
	}
	if err := os.Remove(filepath.Join(dir, demoMarker)); err != nil {
		return nil, err
	}
	delete(names, demoMarker)
	return names, nil
}

// readDemoMarker reads and checks a demo marker: every entry must be a
// plain name inside the folder.
func readDemoMarker(dir string) (*demoRecord, error) {
	p := filepath.Join(dir, demoMarker)
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
	if err != nil {
		return nil, err
	}
	var rec demoRecord
	if len(data) > 1<<20 || json.Unmarshal(data, &rec) != nil || rec.MadeBy != "zagg demo" {
		return nil, fmt.Errorf("%s is not a demo marker; the folder is left alone: choose another --store", p)
	}
	for _, name := range rec.Entries {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
			return nil, fmt.Errorf("%s lists %q, not a name in the folder; the folder is left alone", p, name)
		}
	}
	return &rec, nil
}

// predictedEntries are the top-level names a demo store can have: its
// metadata and one folder per order.
func predictedEntries() []string {
	names := []string{zarrstore.MetadataKey}
	for o := 0; o <= 29; o++ {
		names = append(names, strconv.Itoa(o))
	}
	return names
}

// writeDemoMarker records in dir the names the demo made: the predicted
// ones, or with predicted nil the entries now in dir, less those that were
// there before (before) and were not made by the demo.
func writeDemoMarker(dir string, before map[string]bool, predicted []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	made := predicted
	if made == nil {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			made = append(made, e.Name())
		}
	}
	rec := demoRecord{MadeBy: "zagg demo", Entries: []string{}}
	for _, name := range made {
		if !before[name] && name != demoMarker {
			rec.Entries = append(rec.Entries, name)
		}
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return safefile.WriteFile(filepath.Join(dir, demoMarker), append(data, '\n'), 0o644)
}

// checkSample compares every statistic of the sample store with
// expected.json (numpy on the same points), at every order of the store that
// the file covers (coarse orders included): counts exactly, the rest to
// float32 rounding. Cells are found through the cell_ids coordinate, as any
// reader does. It returns the number of values compared and the largest
// difference in float32 ulps.
func checkSample(ctx context.Context, z *zarrstore.Store) (int, int, error) {
	exp, err := sampledata.LoadExpected()
	if err != nil {
		return 0, 0, err
	}
	orders, err := z.Orders(ctx)
	if err != nil {
		return 0, 0, err
	}
	var c tableCheck
	for _, o := range orders {
		table, ok := exp.Orders[strconv.Itoa(o)]
		if !ok {
			continue
		}
		og, err := z.OpenOrder(ctx, o)
		if err != nil {
			return c.values, c.worst, err
		}
		if err := c.check(ctx, og, table, -1); err != nil {
			return c.values, c.worst, fmt.Errorf("order %d: %w", o, err)
		}
	}
	return c.values, c.worst, nil
}

// tableCheck compares numpy tables with a store's arrays.
type tableCheck struct {
	values, worst int
	estimated     int // arrays skipped: estimated at coarse orders
}

// check compares one numpy table (cell_ids and a column per array) with
// the arrays of og: window w of per-window arrays (w ≥ 0), or the 1-D
// arrays (w < 0). Integer values must be equal, float32 values within 2
// ulp.
func (c *tableCheck) check(ctx context.Context, og *zarrstore.OrderGroup, table map[string][]float64, w int64) error {
	chunks, err := og.Chunks(ctx)
	if err != nil {
		return err
	}
	// Where each cell is: chunk and offset.
	type at struct{ chunk, k int64 }
	where := map[uint64]at{}
	for _, i := range chunks {
		ids, err := og.ReadCellIDs(ctx, i)
		if err != nil {
			return err
		}
		for k, id := range ids {
			where[id] = at{i, int64(k)}
		}
	}
	for name, col := range table {
		if name == "cell_ids" {
			continue
		}
		arr := og.Arrays[name]
		if arr == nil {
			return fmt.Errorf("no array %q", name)
		}
		if how, _ := arr.Metadata().Attributes["zagg_coarse_orders"].(string); og.Grid.Coarse() && strings.HasPrefix(how, "estimated") {
			c.estimated++ // a t-digest estimate, not numpy's exact value
			continue
		}
		switch dt := arr.DataType(); dt {
		case zarrstore.Int32, zarrstore.Int16, zarrstore.Float32:
		default:
			return fmt.Errorf("%s: unexpected data type %s", name, dt)
		}
		// Window w's row of each chunk (a 1-D array's chunk when w < 0), as
		// float64: the sample's integers are exact in it, and float32
		// values round-trip.
		data := map[int64][]float64{}
		for row, id := range table["cell_ids"] {
			cell := uint64(id)
			p, ok := where[cell]
			if !ok {
				return fmt.Errorf("cell %d has data in numpy but is not in the store's cell_ids", cell)
			}
			d, ok := data[p.chunk]
			if !ok {
				if d, err = arr.ReadWindowFloat64(ctx, max(w, 0), p.chunk); err != nil {
					return err
				}
				data[p.chunk] = d
			}
			got, want := d[p.k], col[row]
			if arr.DataType() == zarrstore.Float32 {
				u := ulps(float32(got), float32(want))
				if u > 2 {
					return fmt.Errorf("window %d cell %d: %s = %v, numpy %v", w, cell, name, float32(got), want)
				}
				c.worst = max(c.worst, u)
			} else if got != want {
				return fmt.Errorf("window %d cell %d: %s = %v, numpy %v", w, cell, name, got, want)
			}
			c.values++
		}
	}
	return nil
}

// cyclesCheck is what checkCycles found.
type cyclesCheck struct {
	values, trends, worst int
	estimated             int // per-window arrays skipped at coarse orders (t-digest estimates)
	imposed               float64
	orders                []trendSummary
}

// trendSummary describes the recovered trends of one order.
type trendSummary struct {
	order, cells     int
	mean, medianSE   float64
	within1, within2 float64 // share of cells within 1 and 2 standard errors of the imposed trend
}

// checkCycles compares the multi-window sample store with
// cycles/expected.json: every window's statistics and every trend at each
// order the file covers, and it summarizes how the recovered trends compare
// with the imposed one. A trend where numpy has none (fewer than three
// windows) must be NaN; no trend may lie more than four of its standard
// errors from the imposed trend, and at an order with 20 cells or more at
// least 90 % must lie within two.
func checkCycles(ctx context.Context, z *zarrstore.Store) (*cyclesCheck, error) {
	exp, err := sampledata.LoadExpectedCycles()
	if err != nil {
		return nil, err
	}
	out := &cyclesCheck{imposed: exp.TrendPerYear}
	var c tableCheck
	var orders []int
	for k := range exp.Orders {
		o, err := strconv.Atoi(k)
		if err != nil {
			return nil, fmt.Errorf("cycles/expected.json: order %q", k)
		}
		orders = append(orders, o)
	}
	slices.Sort(orders)
	slices.Reverse(orders)
	for _, o := range orders {
		tables := exp.Orders[strconv.Itoa(o)]
		og, err := z.OpenOrder(ctx, o)
		if err != nil {
			return nil, err
		}
		if int(og.Windows()) != len(tables.Windows) {
			return nil, fmt.Errorf("order %d: %d windows in the store, numpy has %d", o, og.Windows(), len(tables.Windows))
		}
		for k, table := range tables.Windows {
			if err := c.check(ctx, og, table, int64(k)); err != nil {
				return nil, fmt.Errorf("order %d: %w", o, err)
			}
		}
		n := c.values
		if err := c.check(ctx, og, tables.Trend, -1); err != nil {
			return nil, fmt.Errorf("order %d trend: %w", o, err)
		}
		out.trends += (c.values - n) / 4
		// Every fitted trend of the store is one numpy fitted, and how the
		// trends compare with the imposed one.
		fitted, err := readColumn(ctx, og, "dhdt")
		if err != nil {
			return nil, err
		}
		se, err := readColumn(ctx, og, "dhdt_sigma")
		if err != nil {
			return nil, err
		}
		s := trendSummary{order: o}
		var ses []float64
		for i, v := range fitted {
			if math.IsNaN(v) {
				continue
			}
			s.cells++
			s.mean += v
			ses = append(ses, se[i])
			d := math.Abs(v - exp.TrendPerYear)
			if d <= se[i] {
				s.within1++
			}
			if d <= 2*se[i] {
				s.within2++
			}
			if d > 4*se[i] {
				return nil, fmt.Errorf("order %d: a cell's dh/dt %.4f ± %.4f m/yr is more than four standard errors from the imposed %.2f", o, v, se[i], exp.TrendPerYear)
			}
		}
		if s.cells != len(tables.Trend["cell_ids"]) {
			return nil, fmt.Errorf("order %d: %d cells with a trend, numpy fitted %d", o, s.cells, len(tables.Trend["cell_ids"]))
		}
		if s.cells > 0 {
			slices.Sort(ses)
			s.mean /= float64(s.cells)
			s.medianSE = ses[len(ses)/2]
			s.within1 /= float64(s.cells)
			s.within2 /= float64(s.cells)
		}
		// With calibrated errors about 95 % of the cells lie within two
		// standard errors; a bias (a wrong time, window or fit) would put
		// far fewer there.
		if s.cells >= 20 && s.within2 < 0.9 {
			return nil, fmt.Errorf("order %d: only %.0f%% of %d cells have dh/dt within two standard errors of the imposed %.2f m/yr", o, 100*s.within2, s.cells, exp.TrendPerYear)
		}
		out.orders = append(out.orders, s)
	}
	out.values, out.worst, out.estimated = c.values-4*out.trends, c.worst, c.estimated
	return out, nil
}

// readColumn reads every stored chunk of a 1-D array of og, as float64
// with NaN for fill values.
func readColumn(ctx context.Context, og *zarrstore.OrderGroup, name string) ([]float64, error) {
	a := og.Arrays[name]
	if a == nil {
		return nil, fmt.Errorf("no array %q", name)
	}
	chunks, err := og.Chunks(ctx)
	if err != nil {
		return nil, err
	}
	var out []float64
	for _, i := range chunks {
		v, err := a.ReadChunkFloat64(ctx, i)
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	return out, nil
}

// ulps returns the distance between two float32 values in units in the last
// place (large for NaN against a number).
func ulps(a, b float32) int {
	if a == b || (a != a && b != b) {
		return 0
	}
	if a != a || b != b {
		return math.MaxInt32
	}
	ia, ib := int64(math.Float32bits(a)), int64(math.Float32bits(b))
	if ia < 0x80000000 != (ib < 0x80000000) {
		return math.MaxInt32
	}
	d := ia - ib
	if d < 0 {
		d = -d
	}
	return int(min(d, math.MaxInt32))
}
