package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/zarrstore"
)

func init() { commands["demo"] = runDemo }

const demoUsage = `usage: go run ./examples/local demo [flags]

Run the whole pipeline on built-in sample data, with no network: three small
synthetic ATL06-like granules (made by internal/sampledata/mksample.py, not
NASA data), a catalog of eight order-6 parent cells, and zagg's ATL06 config.
The store is written to --store (replaced if it is an earlier zagg store), and
every statistic is checked against the values numpy computed on the same
points.

flags:
`

func runDemo(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("demo", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, demoUsage)
		fl.PrintDefaults()
	}
	store := fl.String("store", "demo.zarr", "output folder (replaced if it holds a zarr store)")
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

	if err := clearStore(*store); err != nil {
		return fail(err)
	}
	cfg, err := pipeline.DefaultConfig("atl06")
	if err != nil {
		return fail(err)
	}
	cat, err := pipeline.ParseCatalog(sampledata.Catalog())
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
		r.Progress = stderr
	}
	fmt.Fprintf(stdout, "zagg demo: %d sample granules, %d parent cells (order %d), config %s, %s latitude\n",
		len(sampledata.GranuleNames()), len(cat.Cells), cat.ParentOrder(), cfg.Name(), cfg.Output.Latitude)
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

// clearStore removes dir if it is a zarr store (it holds a root zarr.json)
// so the demo starts fresh; it refuses to touch a folder that is not one.
func clearStore(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(ents) == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, zarrstore.MetadataKey)); err != nil {
		return fmt.Errorf("%s exists and is not a zarr store; choose another --store", dir)
	}
	return os.RemoveAll(dir)
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
