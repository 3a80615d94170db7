package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
)

// floors are the two floors of issue #19, measured on the run's granules.
// Bytes are "stored" (compressed, as in the file: what CellResult.BytesUsed
// counts) or "raw" (inflated: chunk rows × 8 bytes).
type floors struct {
	// OnePassCPUS is the CPU time of opening every granule and decoding the
	// latitude and longitude of every beam once, in this process, one
	// granule at a time.
	OnePassCPUS float64 `json:"one_pass_cpu_s"`
	// OnePassStored and OnePassRaw are the bytes of every coordinate chunk
	// of every granule, once; Chunks counts those chunks (lat and lon).
	OnePassStored int64 `json:"one_pass_stored_bytes"`
	OnePassRaw    int64 `json:"one_pass_raw_bytes"`
	Chunks        int   `json:"coordinate_chunks"`
	// PerCellStored and PerCellRaw count each coordinate chunk once for
	// every run cell one of its rows falls in; ChunkCellPairs counts the
	// (lat/lon chunk pair, cell) pairs.
	PerCellStored  int64 `json:"per_cell_stored_bytes"`
	PerCellRaw     int64 `json:"per_cell_raw_bytes"`
	ChunkCellPairs int64 `json:"chunk_cell_pairs"`
	// DesignCoordStored is what reading the whole coordinates of each
	// granule once per catalog cell listing it costs (today's design).
	DesignCoordStored int64 `json:"design_coord_stored_bytes"`
}

// measureFloors decodes the coordinates of every granule of the selected
// cells once and derives both floors.
func measureFloors(ctx context.Context, dir string, cat *cmr.Catalog, keys []string) (*floors, error) {
	conv := cat.Metadata.Latitude
	inRun := map[uint64]bool{}
	for _, c := range cat.Cells {
		if keys == nil || slices.Contains(keys, c.Key()) {
			inRun[c.Cell.Nest()] = true
		}
	}
	f := &floors{}
	coordStored := map[string]int64{}
	for _, u := range granulesOf(cat, keys) {
		path := filepath.Join(dir, granuleSubdir, filepath.Base(u))
		g, err := granuleFloor(ctx, path, conv, inRun, f)
		if err != nil {
			return nil, err
		}
		coordStored[u] = g
	}
	for _, c := range cat.Cells {
		if keys == nil || slices.Contains(keys, c.Key()) {
			for _, u := range c.Granules {
				f.DesignCoordStored += coordStored[u]
			}
		}
	}
	return f, nil
}

// granuleFloor adds one granule to f and returns its coordinate chunks'
// stored bytes.
func granuleFloor(ctx context.Context, path string, conv healpix.LatitudeConvention, inRun map[uint64]bool, f *floors) (int64, error) {
	type beamCoords struct {
		lat, lon []float64
		plans    [2]*h5read.Plan
		rows     int // chunk rows
	}
	cpu0 := cpuTime()
	file, err := h5read.OpenFile(ctx, path)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	var bc []beamCoords
	for _, b := range beams {
		ds, err := file.OpenDatasets(ctx, "/"+b+"/land_ice_segments/latitude", "/"+b+"/land_ice_segments/longitude")
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		n := ds[0].Len()
		if ds[1].Len() != n || n == 0 {
			return 0, fmt.Errorf("%s: %s: latitude has %d rows, longitude %d", path, b, n, ds[1].Len())
		}
		var x beamCoords
		for i, d := range ds {
			if x.plans[i], err = d.PlanRows(ctx, 0, n); err != nil {
				return 0, err
			}
		}
		if err := file.Fetch(ctx, x.plans[0], x.plans[1]); err != nil {
			return 0, err
		}
		x.lat, x.lon = make([]float64, n), make([]float64, n)
		if err := ds[0].ReadFloat64(ctx, x.lat, 0, n); err != nil {
			return 0, err
		}
		if err := ds[1].ReadFloat64(ctx, x.lon, 0, n); err != nil {
			return 0, err
		}
		cs := ds[0].ChunkShape()
		if len(cs) != 1 || !slices.Equal(cs, ds[1].ChunkShape()) {
			return 0, fmt.Errorf("%s: %s: coordinate chunks %v and %v, want equal 1-D chunks", path, b, cs, ds[1].ChunkShape())
		}
		x.rows = cs[0]
		bc = append(bc, x)
	}
	f.OnePassCPUS += (cpuTime() - cpu0).Seconds()

	var stored int64
	for _, x := range bc {
		parents := parentsOf(x.lat, x.lon, conv, parentOrder)
		// Chunk k covers rows [k·rows, (k+1)·rows).
		size := map[int]int64{}
		for _, p := range x.plans {
			for _, c := range p.Chunks {
				size[c.Coord[0]/x.rows] += c.Size
				f.OnePassStored += c.Size
				f.OnePassRaw += int64(x.rows) * 8
				f.Chunks++
				stored += c.Size
			}
		}
		for k := 0; k*x.rows < len(parents); k++ {
			seen := map[uint64]bool{}
			for _, p := range parents[k*x.rows : min((k+1)*x.rows, len(parents))] {
				if inRun[p] && !seen[p] {
					seen[p] = true
					f.ChunkCellPairs++
					f.PerCellStored += size[k]
					f.PerCellRaw += 2 * int64(x.rows) * 8
				}
			}
		}
	}
	return stored, nil
}
