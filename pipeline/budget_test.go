package pipeline_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// TestHugeDeclaredGranule reads testdata/hostile/huge.h5 (mkhuge.py): 4.5 KB
// that declare 2^27 rows of fill values per dataset and store no chunk.
// Under a 2 GiB cell budget the read must fail with a BudgetError naming
// the granule, the dataset and the declared rows, having allocated less
// than 100 MB (reading it would take about 6 GiB).
func TestHugeDeclaredGranule(t *testing.T) {
	cfg := atl06(t)
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rd := pipeline.NewCellReader(cfg, a.Columns(), pipeline.DirOpener("testdata/hostile"))
	rd.MemoryBudget = 2 << 30
	parent := morton.FromNest(6, 37036)
	granules := []string{"s3://bucket/huge.h5", "s3://bucket/ok.h5"}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	_, _, err = rd.ReadCell(context.Background(), parent, granules)
	elapsed := time.Since(t0)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("huge.h5 refused in %v after allocating %.1f MB", elapsed, float64(alloc)/1e6)

	var be *pipeline.BudgetError
	if !errors.Is(err, pipeline.ErrMemoryBudget) || !errors.As(err, &be) {
		t.Fatalf("ReadCell = %v, want ErrMemoryBudget", err)
	}
	if !errors.Is(err, pipeline.ErrGranule) || !errors.Is(err, dispatch.ErrDeterministic) || errors.Is(err, dispatch.ErrTransient) {
		t.Errorf("ReadCell = %v: want a deterministic granule error", err)
	}
	if be.Dataset != "/gt1l/land_ice_segments/latitude" || be.Rows != 1<<27 || be.ElemSize != 8 || be.Budget != 2<<30 || be.Need <= be.Allowed {
		t.Errorf("BudgetError = %+v", be)
	}
	for _, s := range []string{"huge.h5", "/gt1l/land_ice_segments/latitude", "134217728 rows", "--memory-budget"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error does not name %q: %v", s, err)
		}
	}
	if alloc > 100e6 {
		t.Errorf("refusing huge.h5 allocated %d bytes, want < 100 MB", alloc)
	}
}

// TestMemoryBudgetSmallGranule: a genuine granule reads under the smallest
// budget, and a budget below it is a config error.
func TestMemoryBudgetSmallGranule(t *testing.T) {
	cfg := atl06(t)
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rd := pipeline.NewCellReader(cfg, a.Columns(), pipeline.DirOpener("testdata/hostile"))
	parent := morton.FromNest(6, 37036)
	rd.MemoryBudget = pipeline.MinMemoryBudget
	pts, _, err := rd.ReadCell(context.Background(), parent, []string{"s3://bucket/ok.h5"})
	if err != nil || pts.Len() != 300 {
		t.Fatalf("ok.h5 under the minimum budget: %v", err)
	}
	rd.MemoryBudget = pipeline.MinMemoryBudget - 1
	if _, _, err := rd.ReadCell(context.Background(), parent, []string{"s3://bucket/ok.h5"}); !errors.Is(err, config.ErrInvalid) {
		t.Errorf("budget below the minimum: err = %v, want config.ErrInvalid", err)
	}
	if d := pipeline.DefaultMemoryBudget(); d < pipeline.MinMemoryBudget {
		t.Errorf("DefaultMemoryBudget() = %d", d)
	}
}

// TestRunnerMemoryBudget: the run's budget is split over the workers; a
// negative one or one leaving a cell less than the minimum is a config
// error before anything is written, and a generous one runs.
func TestRunnerMemoryBudget(t *testing.T) {
	for _, tc := range []struct {
		budget  int64
		workers int
		ok      bool
	}{
		{-1, 2, false},
		{2*pipeline.MinMemoryBudget - 1, 2, false},
		{2 * pipeline.MinMemoryBudget, 2, true},
	} {
		backend := zarrstore.NewMemBackend()
		r := newRunner(t, zarrstore.New(backend))
		r.MemoryBudget, r.Workers, r.MaxCells = tc.budget, tc.workers, 1
		_, err := r.Run(context.Background())
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, config.ErrInvalid)) {
			t.Errorf("budget %d over %d workers: err = %v", tc.budget, tc.workers, err)
		}
		if !tc.ok {
			if _, err := backend.Get(context.Background(), "zarr.json"); err == nil {
				t.Errorf("budget %d: the store was written", tc.budget)
			}
		}
	}
}
