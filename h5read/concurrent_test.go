package h5read_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/zagg-go/zagg/h5read"
)

// TestConcurrentReads shares one File between goroutines that open
// datasets and read overlapping row ranges at once (run with -race), with
// tiny caches so evictions race with reads, and compares every result with
// a serial read.
func TestConcurrentReads(t *testing.T) {
	ctx := context.Background()
	path := granule(t)
	serial, err := h5read.OpenFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer serial.Close()
	type job struct {
		ds           string
		start, count int
	}
	var jobs []job
	for _, b := range []string{"gt1l", "gt2l", "gt3r"} {
		for _, v := range beamVars {
			for _, r := range [][2]int{{0, 177}, {50, 100}, {176, 1}} {
				jobs = append(jobs, job{"/" + b + "/land_ice_segments/" + v, r[0], r[1]})
			}
		}
	}
	want := make([][]float64, len(jobs))
	for i, j := range jobs {
		d, err := serial.Dataset(ctx, j.ds)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = make([]float64, j.count)
		if err := d.ReadFloat64(ctx, want[i], j.start, j.count); err != nil {
			t.Fatal(err)
		}
	}
	f, err := h5read.OpenFile(ctx, path, h5read.WithHeadSize(0), h5read.WithBlockSize(4096),
		h5read.WithCacheSize(32<<10, 64<<10), h5read.WithConcurrency(4))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs)*2)
	for rep := range 2 {
		for i, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := f.Dataset(ctx, j.ds)
				if err != nil {
					errs <- err
					return
				}
				got := make([]float64, j.count)
				if rep == 1 {
					p, err := d.PlanRows(ctx, j.start, j.count)
					if err == nil {
						err = f.Fetch(ctx, p)
					}
					if err != nil {
						errs <- err
						return
					}
				}
				if err := d.ReadFloat64(ctx, got, j.start, j.count); err != nil {
					errs <- err
					return
				}
				if !slices.Equal(got, want[i]) {
					errs <- fmt.Errorf("%s [%d, +%d) differs from the serial read", j.ds, j.start, j.count)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
