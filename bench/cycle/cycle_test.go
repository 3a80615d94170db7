package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
)

// TestCycleTotals generates three short granules (one RGT, regions 10–12,
// 25,000 rows per beam), runs today's design over every cell of their
// catalog, and checks the run against what the generator and a row-by-row
// pass over the files say: every row lies in a catalog cell listing its
// granule, each cell's observations are the rows in it that pass the quality
// filter, their total is numpy's count of such rows, and the floors are
// ordered as their definitions require. The index and map designs must give
// every cell the same points.
func TestCycleTotals(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := havePython(python); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v (scripts/setup.d/h5py.sh installs python3-h5py)", err)
		}
		t.Skip(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	o := genOptions{Dir: dir, Granules: 3, Only: 3, BeamRows: 25000, Seed: 1, LatMax: -60, Jobs: 1, Python: python}
	if err := generate(ctx, o); err != nil {
		t.Fatal(err)
	}
	cat, err := buildCatalog(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Cells) < 3 {
		t.Fatalf("%d catalog cells, want several", len(cat.Cells))
	}
	m, err := measure(ctx, runOptions{Dir: dir, Design: "today", Source: "local", Workers: 2, GranuleWorkers: 2, Floors: true})
	if err != nil {
		t.Fatal(err)
	}
	tot := m.Totals
	if tot.Cells != len(cat.Cells) || tot.Failed != 0 || m.Granules != 3 {
		t.Fatalf("ran %d cells (%d failed) over %d granules, want %d cells, none failed, 3 granules", tot.Cells, tot.Failed, m.Granules, len(cat.Cells))
	}

	// numpy's count of the rows that pass the quality filter.
	var valid int64
	mf, err := os.Open(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	sc := bufio.NewScanner(mf)
	for sc.Scan() {
		var e manifestEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		valid += e.ValidRows
	}
	if tot.Points != valid {
		t.Errorf("the cells hold %d points in total, the generator wrote %d rows that pass the quality filter", tot.Points, valid)
	}

	// Row by row: the parent of every row is a catalog cell listing the
	// granule, and each cell's count is its rows that pass the filters.
	pcat, err := cmr.LoadCatalog(filepath.Join(dir, catalogName))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[uint64][]string{}
	for _, c := range pcat.Cells {
		listed[c.Cell.Nest()] = c.Granules
	}
	want := map[int64]int64{} // legacy id → points
	files, err := granuleFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		f, err := h5read.OpenFile(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range beams {
			lat, lon, err := readCoords(ctx, f, b)
			if err != nil {
				t.Fatal(err)
			}
			q := make([]int64, len(lat))
			if err := mustDataset(t, ctx, f, "/"+b+"/land_ice_segments/atl06_quality_summary").ReadInt64(ctx, q, 0, len(q)); err != nil {
				t.Fatal(err)
			}
			for i, p := range parentsOf(lat, lon, pcat.Metadata.Latitude, parentOrder) {
				if !slices.Contains(listed[p], granuleURL(filepath.Base(path))) {
					t.Fatalf("%s %s row %d (%.5f, %.5f) lies in parent %d, which the catalog does not list for it", filepath.Base(path), b, i, lat[i], lon[i], p)
				}
				if q[i] == 0 {
					id, _ := pcatCell(pcat, p)
					want[id]++
				}
			}
		}
		f.Close()
	}
	for _, r := range m.Cells {
		if r.TotalObs != want[r.ParentMorton] {
			t.Errorf("cell %d: %d points, want %d", r.ParentMorton, r.TotalObs, want[r.ParentMorton])
		}
	}

	// The other designs give every cell the same points; the map step
	// writes one object per granule.
	for _, d := range []string{"index", "map"} {
		dm, err := measure(ctx, runOptions{Dir: dir, Design: d, Source: "local", Workers: 2, GranuleWorkers: 2, Store: "mem", Codec: "zstd"})
		if err != nil {
			t.Fatalf("design %s: %v", d, err)
		}
		if dm.Totals.Cells != tot.Cells || dm.Totals.Failed != 0 || dm.Totals.Points != tot.Points {
			t.Errorf("design %s: %d cells (%d failed), %d points; today %d cells, %d points", d, dm.Totals.Cells, dm.Totals.Failed, dm.Totals.Points, tot.Cells, tot.Points)
		}
		for _, r := range dm.Cells {
			if r.TotalObs != want[r.ParentMorton] {
				t.Errorf("design %s, cell %d: %d points, want %d", d, r.ParentMorton, r.TotalObs, want[r.ParentMorton])
			}
		}
		if b, c := dm.Build, dm.StoreRequests; b == nil || c == nil || b.Granules != 3 || c.SidecarPuts != 3 || c.Puts == 0 {
			t.Errorf("design %s: build %+v, store requests %+v; want 3 sidecar objects", d, b, c)
		} else if d == "map" && (b.Objects != 3 || b.Points < tot.Points || c.SidecarGets < dm.Totals.GranuleReads) {
			t.Errorf("design map: %d objects holding %d points, %d sidecar GETs for %d (cell, granule) reads", b.Objects, b.Points, c.SidecarGets, dm.Totals.GranuleReads)
		}
	}

	fl := m.Floor
	switch {
	case fl == nil:
		t.Fatal("no floors")
	case fl.Chunks != 3*6*2*3: // 3 granules × 6 beams × lat, lon × 3 chunks of 10,000 rows
		t.Errorf("%d coordinate chunks, want 108", fl.Chunks)
	case fl.OnePassRaw != int64(fl.Chunks)*10000*8:
		t.Errorf("one-pass raw bytes %d, want %d", fl.OnePassRaw, fl.Chunks*10000*8)
	case !(fl.OnePassStored > 0 && fl.OnePassStored <= fl.PerCellStored && fl.PerCellStored <= fl.DesignCoordStored):
		t.Errorf("floors out of order: one-pass %d, per-cell %d, today's coordinates %d", fl.OnePassStored, fl.PerCellStored, fl.DesignCoordStored)
	case fl.ChunkCellPairs < int64(fl.Chunks/2):
		t.Errorf("%d (chunk, cell) pairs for %d chunk pairs", fl.ChunkCellPairs, fl.Chunks/2)
	case tot.BytesUsed < fl.DesignCoordStored || tot.BytesUsed > tot.BytesFetched:
		t.Errorf("bytes used %d: want ≥ the coordinates read (%d) and ≤ bytes fetched (%d)", tot.BytesUsed, fl.DesignCoordStored, tot.BytesFetched)
	}
}

func mustDataset(t *testing.T, ctx context.Context, f *h5read.File, path string) *h5read.Dataset {
	t.Helper()
	d, err := f.Dataset(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pcatCell returns the legacy id of the catalog cell with NESTED id nest.
func pcatCell(cat *cmr.Catalog, nest uint64) (int64, bool) {
	for _, c := range cat.Cells {
		if c.Cell.Nest() == nest {
			id, err := c.Cell.Legacy()
			return id, err == nil
		}
	}
	return 0, false
}
