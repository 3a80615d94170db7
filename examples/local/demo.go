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

flags:
`

func runDemo(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("demo", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, demoUsage)
		fl.PrintDefaults()
	}
	store := fl.String("store", "demo.zarr", "output folder: new, empty, or written by an earlier demo (replaced)")
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
	if err != nil {
		return fail(err)
	}
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		return fail(err)
	}
	granules, err := fs.Sub(sampledata.FS(), "granules")
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
		len(sampledata.GranuleNames()), len(cat.Cells), cat.Metadata.ParentOrder, cfg.Name(), cfg.Output.Latitude)
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
	n, worst := 0, 0
	for _, o := range orders {
		table, ok := exp.Orders[strconv.Itoa(o)]
		if !ok {
			continue
		}
		og, err := z.OpenOrder(ctx, o)
		if err != nil {
			return n, worst, err
		}
		chunks, err := og.Chunks(ctx)
		if err != nil {
			return n, worst, err
		}
		// Where each cell is: chunk and offset.
		type at struct{ chunk, k int64 }
		where := map[uint64]at{}
		for _, i := range chunks {
			ids, err := og.ReadCellIDs(ctx, i)
			if err != nil {
				return n, worst, err
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
				return n, worst, fmt.Errorf("order %d: no array %q", o, name)
			}
			data := map[int64]any{}
			for row, id := range table["cell_ids"] {
				cell := uint64(id)
				w, ok := where[cell]
				if !ok {
					return n, worst, fmt.Errorf("order %d: cell %d has data in numpy but is not in the store's cell_ids", o, cell)
				}
				d, ok := data[w.chunk]
				if !ok {
					if d, err = arr.ReadChunk(ctx, w.chunk); err != nil {
						return n, worst, err
					}
					data[w.chunk] = d
				}
				want := col[row]
				switch d := d.(type) {
				case []int32:
					if float64(d[w.k]) != want {
						return n, worst, fmt.Errorf("order %d cell %d: %s = %d, numpy %v", o, cell, name, d[w.k], want)
					}
				case []float32:
					u := ulps(d[w.k], float32(want))
					if u > 2 {
						return n, worst, fmt.Errorf("order %d cell %d: %s = %v, numpy %v", o, cell, name, d[w.k], want)
					}
					worst = max(worst, u)
				default:
					return n, worst, fmt.Errorf("%d/%s: unexpected type %T", o, name, d)
				}
				n++
			}
		}
	}
	return n, worst, nil
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
