package chunkindex_test

import (
	"context"
	"fmt"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/zarrstore"
)

// Example builds the index of a sample granule, stores it next to a store,
// reads it back and lists the rows of one beam that can hold points of a
// parent cell.
func Example() {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "../../internal/sampledata/granules/ATL06_20240106031522_02542214_007_01.h5")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	spec := chunkindex.Spec{
		Groups:      []string{"gt1l", "gt2l"},
		Latitude:    "/{group}/land_ice_segments/latitude",
		Longitude:   "/{group}/land_ice_segments/longitude",
		Datasets:    []string{"/{group}/land_ice_segments/h_li"},
		ParentOrder: 6,
		Convention:  healpix.Authalic,
	}
	ix, err := chunkindex.Build(ctx, f, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	store := &chunkindex.Store{Backend: zarrstore.NewMemBackend()}
	url := "s3://zagg-sample/ATLAS/ATL06/007/2024/01/06/ATL06_20240106031522_02542214_007_01.h5"
	if err := store.Put(ctx, url, ix); err != nil {
		fmt.Println(err)
		return
	}
	key, _ := chunkindex.Key(url)
	fmt.Println("stored as", key)
	ix, err = store.Get(ctx, url)
	if err != nil {
		fmt.Println(err)
		return
	}
	g := ix.Group("gt1l")
	for b := range g.NumBlocks() {
		fmt.Printf("gt1l rows %v: parent cells %v\n", g.Block(b), g.BlockCells(b))
	}
	for _, cell := range []uint64{37030, 37038, 37380} {
		fmt.Printf("cell %d: read rows %v\n", cell, ix.Runs(nil, g, 6, cell))
	}
	// Output:
	// stored as zagg-index/ATL06_20240106031522_02542214_007_01.h5.idx
	// gt1l rows {0 1000}: parent cells [37038 37380]
	// gt1l rows {1000 1982}: parent cells [37030 37036 37038]
	// cell 37030: read rows [{1000 1982}]
	// cell 37038: read rows [{0 1982}]
	// cell 37380: read rows [{0 1000}]
}
