package h5read_test

import (
	"context"
	"fmt"
	"log"

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
