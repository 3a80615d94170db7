package zarrstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/zagg-go/zagg/zarrstore"
)

// A run sets the store up once with its parent cells (each gets the next
// chunk, its coordinates written), workers write whole chunks (one per
// parent cell), and the end of the run consolidates the metadata.
func Example() {
	ctx := context.Background()
	s, err := zarrstore.Open("memory:") // or a folder, or "s3://bucket/prefix" with s3store.WithClient
	if err != nil {
		log.Fatal(err)
	}
	layout := zarrstore.Layout{
		ParentOrder: 6,
		Orders:      []int{12},
		Variables: []zarrstore.Variable{
			{Name: "h_mean", DataType: zarrstore.Float32},
			{Name: "count", DataType: zarrstore.Int32},
		},
		Parents: []uint64{45763, 45760},
	}
	parents, err := s.Setup(ctx, layout)
	if err != nil {
		log.Fatal(err)
	}

	// A worker for parent cell 45763 (chunk 0) writes its 4096 children.
	grid := zarrstore.Grid{Order: 12, ParentOrder: 6, Latitude: zarrstore.LatitudeAuthalic}
	h := make([]float32, grid.ChunkLen())
	n := make([]int32, grid.ChunkLen())
	h[0], n[0] = 1234.5, 3
	for path, data := range map[string]any{"12/h_mean": h, "12/count": n} {
		if err := s.WriteChunk(ctx, path, 0, data); err != nil {
			log.Fatal(err)
		}
	}
	if err := s.Consolidate(ctx); err != nil {
		log.Fatal(err)
	}

	a, err := s.OpenArray(ctx, "12/h_mean")
	if err != nil {
		log.Fatal(err)
	}
	ids, _ := s.OpenArray(ctx, "12/cell_ids")
	first, _ := zarrstore.ReadChunkAs[uint64](ctx, ids, 1)
	chunks, _ := a.ListChunks(ctx)
	got, _ := zarrstore.ReadChunkAs[float32](ctx, a, 0)
	never, _ := zarrstore.ReadChunkAs[float32](ctx, a, 1)
	fmt.Println("parents:", parents)
	fmt.Println("key:", a.ChunkKey(0))
	fmt.Println("cells:", a.Len(), "per chunk:", a.ChunkLen())
	fmt.Println("chunk 1 cells:", first[0], "…", first[len(first)-1])
	fmt.Println("written:", chunks)
	fmt.Println("values:", got[0], got[1], "unwritten chunk:", never[0])
	// Output:
	// parents: [45763 45760]
	// key: 12/h_mean/c/0
	// cells: 8192 per chunk: 4096
	// chunk 1 cells: 187432960 … 187437055
	// written: [0]
	// values: 1234.5 0 unwritten chunk: NaN
}

func ExampleGrid() {
	g := zarrstore.Grid{Order: 8, ParentOrder: 6, Latitude: zarrstore.LatitudeAuthalic}
	fmt.Println(g.Len(3), g.ChunkLen(), g.NumCells())
	fmt.Println(g.CellIDs(nil, 2))
	attrs, _ := json.Marshal(g.GroupAttributes(nil)["dggs"])
	fmt.Println(string(attrs))
	// Output:
	// 48 16 786432
	// [32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47]
	// {"compression":"none","coordinate":"cell_ids","ellipsoid":{"inverse_flattening":298.257223563,"name":"WGS84","semimajor_axis":6378137.0},"indexing_scheme":"nested","name":"healpix","refinement_level":8,"spatial_dimension":"cells"}
}

func ExampleParseCodecs() {
	c, err := zarrstore.ParseCodecs("gzip:6+crc32c")
	if err != nil {
		log.Fatal(err)
	}
	c.ShardInner = 256
	list, _ := c.List(4096)
	b, _ := json.Marshal(list)
	fmt.Println(string(b))
	// Output:
	// [{"name":"sharding_indexed","configuration":{"chunk_shape":[256],"codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"gzip","configuration":{"level":6}},{"name":"crc32c"}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],"index_location":"end"}}]
}

func ExampleFillValue() {
	for _, c := range []struct {
		dt zarrstore.DataType
		v  any
	}{{zarrstore.Float32, nil}, {zarrstore.Int32, -1}, {zarrstore.Float64, 0}, {zarrstore.Uint8, 300}} {
		fv, err := zarrstore.FillValue(c.dt, c.v)
		fmt.Println(c.dt, string(fv), err != nil)
	}
	// Output:
	// float32 "NaN" false
	// int32 -1 false
	// float64 0.0 false
	// uint8  true
}

// A store with a time dimension: per-window statistics are [time, cells],
// chunk (t, i) holds window t of parent i. A later run appends windows by
// passing the longer axis; chunks already written stay where they are.
func ExampleLayout_time() {
	ctx := context.Background()
	s, err := zarrstore.Open("memory:")
	if err != nil {
		log.Fatal(err)
	}
	day := 86400.0 // CF seconds
	axis := func(n int) *zarrstore.TimeAxis {
		t := &zarrstore.TimeAxis{Attributes: map[string]any{
			"units": "seconds since 2018-01-01 00:00:00", "calendar": "standard", "standard_name": "time"}}
		for w := range n {
			t.Mid = append(t.Mid, float64(w)*30*day+15*day)
			t.Bounds = append(t.Bounds, [2]float64{float64(w) * 30 * day, float64(w+1) * 30 * day})
		}
		return t
	}
	layout := zarrstore.Layout{
		ParentOrder: 6,
		Orders:      []int{8},
		Variables: []zarrstore.Variable{
			{Name: "h_mean", DataType: zarrstore.Float32, PerWindow: true},
			{Name: "h_trend", DataType: zarrstore.Float32}, // over all windows: [cells]
		},
		Parents: []uint64{45763, 45760},
		Time:    axis(2),
	}
	if _, err := s.Setup(ctx, layout); err != nil {
		log.Fatal(err)
	}
	a, err := s.OpenArray(ctx, "8/h_mean")
	if err != nil {
		log.Fatal(err)
	}
	h := make([]float32, a.ChunkElems())
	h[0] = 1234.5
	// Window 1 of parent 45760 (chunk 1).
	if err := a.WriteChunkAt(ctx, []int64{1, 1}, h); err != nil {
		log.Fatal(err)
	}
	fmt.Println("shape:", a.Shape(), "chunk:", a.ChunkShape(), "key:", a.ChunkKeyAt(1, 1))

	layout.Time = axis(3) // the next run: one more window
	if _, err := s.Setup(ctx, layout); err != nil {
		log.Fatal(err)
	}
	a, _ = s.OpenArray(ctx, "8/h_mean")
	trend, _ := s.OpenArray(ctx, "8/h_trend")
	got, _ := a.ReadChunkFloat64At(ctx, []int64{1, 1})
	ax, _ := s.TimeAxis(ctx, 8)
	fmt.Println("shape:", a.Shape(), "trend:", trend.Shape(), "value:", got[0])
	fmt.Println("windows:", len(ax.Mid), "last:", ax.Bounds[2][0]/day, "…", ax.Bounds[2][1]/day, "days")
	// Output:
	// shape: [2 32] chunk: [1 16] key: 8/h_mean/c/1/1
	// shape: [3 32] trend: [32] value: 1234.5
	// windows: 3 last: 60 … 90 days
}
