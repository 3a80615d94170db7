package lambda

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// TestKillDispatchThenRerunChangedConfig stops a dispatch (Ctrl-C) while
// one of its invocations is still running in Lambda, and starts the next
// dispatch at once with a changed config. The stale invocation of the first
// run ends only after the second run committed its cell: it is superseded
// (a later lease generation), and the store ends equal to a clean run with
// the new config.
func TestKillDispatchThenRerunChangedConfig(t *testing.T) {
	w, srv, _, _ := workerFixture(t)
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	target := ""
	for _, c := range cat.Cells {
		if len(c.Granules) == 2 {
			target = c.Key()
			break
		}
	}
	oldCfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	oldCfg.DataSource.OnGranuleError = config.SkipGranuleError
	newCfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	newCfg.DataSource.OnGranuleError = config.SkipGranuleError
	newCfg.DataSource.QualityFilter.Value = 1 // another filter: other values

	dispatchRun := func(ctx context.Context, cfg *config.Config, store string, svc *dupService, sleep func(context.Context, time.Duration) error) (*dispatch.Report, error) {
		return dispatchVia(ctx, t, srv, cat, cfg, store, svc, sleep)
	}
	clean := outStore(t, "clean.zarr")
	if _, err := dispatchRun(context.Background(), newCfg, clean, &dupService{w: w, invokes: map[string]int{}}, nil); err != nil {
		t.Fatal(err)
	}

	store := outStore(t, "killed.zarr")
	// Run 1: the target's invoke drops; its invocation runs on until
	// released. Ctrl-C arrives while the dispatcher waits out the function
	// timeout before its retry.
	release := make(chan struct{})
	svc1 := &dupService{w: w, target: target, invokes: map[string]int{}, retried: release, stale: make(chan Response, 1)}
	ctx1, cancel := context.WithCancel(context.Background())
	_, err = dispatchRun(ctx1, oldCfg, store, svc1, func(ctx context.Context, d time.Duration) error {
		cancel() // Ctrl-C
		<-ctx.Done()
		return ctx.Err()
	})
	if err == nil {
		t.Fatal("the interrupted dispatch reported no error")
	}
	// Run 2 at once, with the new config: it takes the lease (run 1
	// released it on the way out) and redoes every cell.
	rep, err := dispatchRun(context.Background(), newCfg, store, &dupService{w: w, invokes: map[string]int{}}, nil)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if rep.Summary.CellsWithData+rep.Summary.CellsEmpty != len(cat.Cells) {
		t.Errorf("rerun summary %+v", rep.Summary)
	}
	// Now the stale invocation of run 1 ends.
	close(release)
	stale := <-svc1.stale
	var res dispatch.CellResult
	_ = json.Unmarshal([]byte(stale.Body), &res)
	if res.ErrorKind != dispatch.KindSuperseded {
		t.Errorf("run 1's late invocation: %s, want superseded", stale.Body)
	}
	// The rerun's store equals a clean run with the new config (the root's
	// provenance lists both runs).
	want, got := storeObjects(t, srv, clean, false), storeObjects(t, srv, store, false)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s differs from a clean run with the new config", k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("extra object %s", k)
		}
	}
}
