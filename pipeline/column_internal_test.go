package pipeline

import (
	"context"
	"testing"

	"github.com/zagg-go/zagg/h5read"
)

// TestReadColumn: one column of rows [lo, lo+cnt) of a chunked 2-D dataset
// (the ATL03 fixture's signal_conf_ph, chunks of 256 × 5) equals that column
// of the whole rows, for ranges inside a chunk and across chunk boundaries,
// and its plan selects the one column only.
func TestReadColumn(t *testing.T) {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/products/ATL03_20190105120040_01230210_007_01.h5")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset(ctx, "/gt2r/heights/signal_conf_ph")
	if err != nil {
		t.Fatal(err)
	}
	n, err := rowsOf(d, 4)
	if err != nil || n != 1000 {
		t.Fatalf("rowsOf = %d, %v", n, err)
	}
	all := make([]float64, n*5)
	if err := h5read.ReadRows(ctx, d, all, 0, n); err != nil {
		t.Fatal(err)
	}
	g := &granuleReader{plan: &columnPlan{reads: []datasetRead{{column: 3}}}}
	for _, r := range [][2]int{{0, 1}, {10, 200}, {250, 20}, {255, 513}, {0, 1000}, {999, 1}} {
		lo, cnt := r[0], r[1]
		for c := range 5 {
			got32 := make([]float32, cnt)
			if err := readColumn(ctx, d, got32, lo, cnt, c); err != nil {
				t.Fatal(err)
			}
			for k := range cnt {
				if want := all[(lo+k)*5+c]; float64(got32[k]) != want {
					t.Fatalf("rows %d+%d column %d: row %d = %v, want %v", lo, cnt, c, lo+k, got32[k], want)
				}
			}
		}
		plans, err := g.planRows(ctx, f, []*h5read.Dataset{d}, []string{d.Path()}, lo, cnt)
		if err != nil {
			t.Fatal(err)
		}
		p := plans[0]
		if p.Start[0] != lo || p.Start[1] != 3 || p.Count[0] != cnt || p.Count[1] != 1 {
			t.Errorf("plan start %v count %v, want [%d 3] [%d 1]", p.Start, p.Count, lo, cnt)
		}
		if want := (lo+cnt-1)/256 - lo/256 + 1; len(p.Chunks) != want {
			t.Errorf("rows %d+%d: plan touches %d chunks, want %d", lo, cnt, len(p.Chunks), want)
		}
	}
}
