package cellmap_test

import (
	"context"
	"fmt"

	"github.com/zagg-go/zagg/pipeline/cellmap"
	"github.com/zagg-go/zagg/zarrstore"
)

// A granule's points routed to two parent cells are stored as one object;
// a worker then reads its cell's footer entry and bytes only.
func Example() {
	ctx := context.Background()
	meta := &cellmap.Meta{Size: 1 << 20, ParentOrder: 6, Columns: []cellmap.Column{{Name: "/{group}/land_ice_segments/h_li", F32: true}}}
	frags := []*cellmap.Fragment{
		{Nest: 40000, Counts: cellmap.Counts{Rows: 2, Inside: 2}, Cells: []uint64{40000 << 46, 40000<<46 | 1}, F32: [][]float32{{101.5, 102.25}}, F64: make([][]float64, 1)},
		{Nest: 40001, Counts: cellmap.Counts{Rows: 3, Inside: 2, FillDropped: 1}, Cells: []uint64{40001 << 46}, F32: [][]float32{{99}}, F64: make([][]float64, 1)},
	}
	obj, err := cellmap.Encode(nil, meta, cellmap.Zstd, frags)
	if err != nil {
		panic(err)
	}
	s := &cellmap.Store{Backend: zarrstore.NewMemBackend()}
	const url = "s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/006/2019/05/28/ATL06_20190528.h5"
	if err := s.Put(ctx, url, obj); err != nil {
		panic(err)
	}
	var st cellmap.Stats
	f, err := s.Footer(ctx, url, &st)
	if err != nil {
		panic(err)
	}
	fr, err := s.ReadCell(ctx, url, f, f.Cell(40001), 1000, &st)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(f.Cells), "cells;", len(fr.Cells), "point in cell 40001:", fr.F32[0][0], "; dropped", fr.FillDropped, ";", st.Requests, "reads")
	// Output: 2 cells; 1 point in cell 40001: 99 ; dropped 1 ; 2 reads
}
