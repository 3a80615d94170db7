package h5read_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/zagg-go/zagg/h5read"
)

// TestManyChunksRefused: fx_manychunks.h5 (mkmanychunks.py) declares 2^26
// one-row chunks and writes none. Planning or reading it whole would keep
// gigabytes of chunk entries for a 64 MiB selection; both are refused with
// ErrTooLarge having allocated little, while a small dataset of the same
// shape of chunks reads as its fill value.
func TestManyChunksRefused(t *testing.T) {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/fx_manychunks.h5")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset(ctx, "/many")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, perr := d.PlanRows(ctx, 0, 1<<26)
	_, rerr := d.ReadRaw(ctx, []int{0}, []int{1 << 26})
	runtime.ReadMemStats(&after)
	for _, err := range []error{perr, rerr} {
		if !errors.Is(err, h5read.ErrTooLarge) {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
	}
	// ReadRaw allocates its 64 MiB output before planning; the plan must
	// add nothing like 2^26 entries on top.
	if d := after.TotalAlloc - before.TotalAlloc; d > 80<<20 {
		t.Errorf("refusing allocated %d bytes", d)
	}
	// A part of it is fine.
	p, err := d.PlanRows(ctx, 1000, 4096)
	if err != nil || len(p.Chunks) != 4096 {
		t.Fatalf("small plan: %v", err)
	}
	few, err := f.Dataset(ctx, "/few")
	if err != nil {
		t.Fatal(err)
	}
	b, err := few.ReadRaw(ctx, []int{0}, []int{1024})
	if err != nil || len(b) != 1024 || b[0] != 7 || b[1023] != 7 {
		t.Fatalf("few: %v", err)
	}
}
