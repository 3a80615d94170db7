package h5read_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"

	"github.com/zagg-go/zagg/h5read"
)

func Example() {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/fx_edge.h5")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset(ctx, "/old_style/sparse")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Shape(), d.Dtype(), d.ChunkShape(), d.FillValue())
	v := make([]float32, 4)
	// Rows 19998..20001 straddle a never-written chunk and a written one.
	if err := h5read.ReadRows(ctx, d, v, 19998, 4); err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)
	// Output:
	// [50000] <f4 [10000] 3.4028234663852886e+38
	// [3.4028235e+38 3.4028235e+38 1.5 1.5]
}

// Plan several variables of one beam together, fetch their chunks in
// coalesced requests, then read.
func ExampleFile_PlanRows() {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/fx_v0.h5", h5read.WithHeadSize(0))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	beam := "/gt2r/land_ice_segments/"
	ds, plans, err := f.PlanRows(ctx, 9998, 4, beam+"latitude", beam+"h_li", beam+"atl06_quality_summary")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range plans {
		fmt.Printf("%s: %d chunks\n", p.Dataset, len(p.Chunks))
	}
	before := f.Stats().Requests
	if err := f.Fetch(ctx, plans...); err != nil {
		log.Fatal(err)
	}
	fmt.Println("requests for 6 chunks:", f.Stats().Requests-before)
	h := make([]float32, 4)
	if err := ds[1].ReadFloat32(ctx, h, 9998, 4); err != nil {
		log.Fatal(err)
	}
	fmt.Println("h_li:", h, "requests after reading:", f.Stats().Requests-before)
	// Output:
	// /gt2r/land_ice_segments/latitude: 2 chunks
	// /gt2r/land_ice_segments/h_li: 2 chunks
	// /gt2r/land_ice_segments/atl06_quality_summary: 2 chunks
	// requests for 6 chunks: 2
	// h_li: [1047.1406 1047.0781 1047.0312 1046.9688] requests after reading: 2
}

func ExampleDataset_Attrs() {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/fx_v0.h5")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset(ctx, "/gt1l/land_ice_segments/h_li")
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range d.Attrs() {
		fmt.Printf("%s %s = %v\n", a.Name, a.Dtype, a.Value)
	}
	fmt.Println("fill:", d.FillValue(), "filters:", d.Filters()[0].Name, d.Filters()[0].Params)
	// Output:
	// _FillValue <f4 = 3.4028234663852886e+38
	// units |S6 = meters
	// fill: 3.4028234663852886e+38 filters: deflate [6]
}

func ExampleGroup_Members() {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/fz_tiny_latest.h5")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	g, err := f.Group(ctx, "/g")
	if err != nil {
		log.Fatal(err)
	}
	names, err := g.Members(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)
	// Output:
	// [c e s0 s1 s2 s3 s4 s5 s6 s7 s8]
}

// Open works on any io.ReaderAt with a size: here an in-memory copy.
func ExampleOpen() {
	ctx := context.Background()
	b, err := os.ReadFile("testdata/fz_tiny_latest.h5")
	if err != nil {
		log.Fatal(err)
	}
	f, err := h5read.Open(ctx, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		log.Fatal(err)
	}
	d, err := f.Dataset(ctx, "/g/c")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.SuperblockVersion(), d.Shape(), d.Dtype(), d.ChunkIndex(), d.FillValue())
	// Output:
	// 3 [50] <f8 extensible array -1
}

// Read takes a hyperslab: start and count per dimension.
func ExampleRead() {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/fx_edge.h5")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset(ctx, "/grid/d2") // 30×23 float64, chunks of 7×5
	if err != nil {
		log.Fatal(err)
	}
	v := make([]float64, 2*3)
	if err := h5read.Read(ctx, d, v, []int{6, 4}, []int{2, 3}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)
	// Output:
	// [71 71.5 72 82.5 83 83.5]
}
