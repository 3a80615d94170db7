package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/internal/progress"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// failSecond opens every granule but the job's second, which fails as a
// missing granule would: an attempt that loses one of its two granules.
type failSecond struct {
	pipeline.Opener
	bad string
}

func (f failSecond) Open(ctx context.Context, url string, opts ...h5read.Option) (*h5read.File, error) {
	if url == f.bad {
		return nil, fmt.Errorf("%s: %w", url, h5read.ErrNotHDF5)
	}
	return f.Opener.Open(ctx, url, opts...)
}

// dataKeys reads the Zarr part of a backend: every object but the cell
// objects, the lease and the root zarr.json (whose provenance names runs).
func dataKeys(t *testing.T, b zarrstore.Backend) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for k, v := range readBackend(t, b) {
		if strings.HasPrefix(k, pipeline.MarkersPrefix) || k == pipeline.LeaseKey || k == "zarr.json" {
			continue
		}
		out[k] = v
	}
	return out
}

func sameData(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	bad := 0
	for k, w := range want {
		if !bytes.Equal(got[k], w) {
			if bad++; bad <= 5 {
				t.Errorf("%s: %s differs from a run without duplicates", what, k)
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: extra object %s", what, k)
		}
	}
}

// TestOverlappingAttempts runs two attempts of one cell of one run as a
// dropped-connection retry does: the first (stale) attempt is still running
// when the second starts, and it lost one of the cell's two granules. Under
// both on_granule_error policies, whichever order they reach the store in,
// the store ends byte-equal to a run without duplicates: the stale attempt
// never overwrites or deletes what the newer one committed.
func TestOverlappingAttempts(t *testing.T) {
	ctx := context.Background()
	job := twoGranuleCell(t)
	for _, policy := range []config.ErrorPolicy{config.FailOnGranuleError, config.SkipGranuleError} {
		// The store of a run without duplicates.
		clean := zarrstore.NewMemBackend()
		w := newWorker(t, sampleGranules(t), zarrstore.New(clean))
		w.reader.Source.OnGranuleError = policy
		if _, err := pipeline.Run(ctx, dispatch.Job{Cell: job.Cell, Granules: job.Granules, Run: "r", Attempt: 1}, w.reader, w.aggr, w.store); err != nil {
			t.Fatal(err)
		}
		want := dataKeys(t, clean)

		attempt := func(w *worker, n int, stale bool) (*dispatch.CellResult, error) {
			rd := *w.reader
			if stale {
				rd.Opener = failSecond{sampleGranules(t), job.Granules[1]}
			}
			return pipeline.Run(ctx, dispatch.Job{Cell: job.Cell, Granules: job.Granules, Run: "r", Attempt: n}, &rd, w.aggr, w.store)
		}
		t.Run(string(policy)+"/stale-arrives-last", func(t *testing.T) {
			b := zarrstore.NewMemBackend()
			w := newWorker(t, sampleGranules(t), zarrstore.New(b))
			w.reader.Source.OnGranuleError = policy
			if res, err := attempt(w, 2, false); err != nil || res.Error != nil {
				t.Fatalf("attempt 2: %v %+v", err, res)
			}
			res, err := attempt(w, 1, true)
			if policy == config.SkipGranuleError && (!errors.Is(err, pipeline.ErrSuperseded) || res.ErrorKind != dispatch.KindSuperseded) {
				t.Errorf("stale attempt after the newer one committed: %v (kind %q), want ErrSuperseded", err, res.ErrorKind)
			}
			sameData(t, "stale attempt last", dataKeys(t, b), want)
		})
		t.Run(string(policy)+"/stale-holds-the-cell", func(t *testing.T) {
			b := zarrstore.NewMemBackend()
			w := newWorker(t, sampleGranules(t), zarrstore.New(b))
			w.reader.Source.OnGranuleError = policy
			// Attempt 1 claimed the cell in another sandbox and is still
			// writing: attempt 2 must wait (a transient error, retried).
			cell, _ := sampleCatalog(t).Lookup(job.Cell.String())
			key := fmt.Sprintf("%s6/%d", pipeline.MarkersPrefix, cell.Cell.Nest())
			claim := fmt.Sprintf(`{"state":"writing","run":"r","attempt":1,"holder":"elsewhere:1","expires":%q}`,
				time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
			if err := b.Put(ctx, key, []byte(claim)); err != nil {
				t.Fatal(err)
			}
			res, err := attempt(w, 2, false)
			if !errors.Is(err, pipeline.ErrCellBusy) || res.ErrorKind != dispatch.KindTransient {
				t.Fatalf("attempt 2 while attempt 1 writes: %v (kind %q), want ErrCellBusy, transient", err, res.ErrorKind)
			}
			if got := chunkCount(t, zarrstore.New(b)); got != 0 {
				t.Errorf("attempt 2 wrote %d chunks while attempt 1 held the cell", got)
			}
			// Attempt 1 finishes (with one granule lost under skip; under
			// fail an attempt that lost a granule never claims, so here it
			// read both), then the retry of attempt 2 replaces it.
			if res, err := attempt(w, 1, policy == config.SkipGranuleError); err != nil || res.Error != nil {
				t.Fatalf("attempt 1: %v %+v", err, res)
			}
			if res, err := attempt(w, 2, false); err != nil || res.Error != nil {
				t.Fatalf("attempt 2 retried: %v %+v", err, res)
			}
			sameData(t, "stale attempt holding the cell", dataKeys(t, b), want)
			// And now the stale attempt once more: superseded.
			if _, err := attempt(w, 1, true); policy == config.SkipGranuleError && !errors.Is(err, pipeline.ErrSuperseded) {
				t.Errorf("stale attempt after the retry committed: %v, want ErrSuperseded", err)
			}
			sameData(t, "stale attempt again", dataKeys(t, b), want)
		})
		t.Run(string(policy)+"/expired-claim", func(t *testing.T) {
			b := zarrstore.NewMemBackend()
			w := newWorker(t, sampleGranules(t), zarrstore.New(b))
			w.reader.Source.OnGranuleError = policy
			// A clock the test moves: attempt 1's claim expires before it
			// writes, attempt 2 takes the cell over.
			now := time.Now()
			w.store.Now = func() time.Time { return now }
			w.store.ClaimTTL = time.Minute
			cell, _ := sampleCatalog(t).Lookup(job.Cell.String())
			key := fmt.Sprintf("%s6/%d", pipeline.MarkersPrefix, cell.Cell.Nest())
			claim := fmt.Sprintf(`{"state":"writing","run":"r","attempt":1,"holder":"elsewhere:1","expires":%q}`,
				now.Add(time.Minute).UTC().Format(time.RFC3339))
			if err := b.Put(ctx, key, []byte(claim)); err != nil {
				t.Fatal(err)
			}
			now = now.Add(2 * time.Minute)
			if res, err := attempt(w, 2, false); err != nil || res.Error != nil {
				t.Fatalf("attempt 2 after attempt 1's claim expired: %v %+v", err, res)
			}
			sameData(t, "expired claim", dataKeys(t, b), want)
		})
	}
}

// TestSecondRunRefused: while a run holds a store's lease another run is
// refused with a message naming it; once it ends (or its lease expires)
// the next run goes ahead.
func TestSecondRunRefused(t *testing.T) {
	ctx := context.Background()
	b := zarrstore.NewMemBackend()
	w := newWorker(t, sampleGranules(t), zarrstore.New(b))
	now := time.Now()
	w.store.Now = func() time.Time { return now }
	lease, err := w.store.AcquireLease(ctx, "first-run", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newRunner(t, zarrstore.New(b)).Run(ctx)
	if !errors.Is(err, pipeline.ErrStoreBusy) || !strings.Contains(err.Error(), "run first-run") || !strings.Contains(err.Error(), "holds the store until") {
		t.Fatalf("second run: %v, want ErrStoreBusy naming run first-run", err)
	}
	if got := chunkCount(t, zarrstore.New(b)); got != 0 {
		t.Errorf("the refused run wrote %d chunks", got)
	}
	// The same run may take its lease again (a resume with the same id)...
	if _, err := w.store.AcquireLease(ctx, "first-run", time.Minute); err != nil {
		t.Errorf("same run again: %v", err)
	}
	// ... and another one once the lease has expired.
	if _, err := w.store.AcquireLease(ctx, "third-run", time.Minute); !errors.Is(err, pipeline.ErrStoreBusy) {
		t.Errorf("third run while the lease lasts: %v", err)
	}
	now = now.Add(2 * time.Minute)
	l3, err := w.store.AcquireLease(ctx, "third-run", time.Minute)
	if err != nil {
		t.Fatalf("after the lease expired: %v", err)
	}
	if err := lease.Renew(ctx); !errors.Is(err, pipeline.ErrStoreBusy) {
		t.Errorf("renewing a lease taken over: %v, want ErrStoreBusy", err)
	}
	if err := l3.Release(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := newRunner(t, zarrstore.New(b)).Run(ctx)
	if err != nil || rep.Summary.CellsWithData != 8 {
		t.Fatalf("run after release: %v %+v", err, rep)
	}
}

// TestResumeAfterConfigChange resumes a finished run with another config:
// every cell whose input changed is redone (and said so), and the store
// equals a clean run with the new config; the same kill-and-rerun with a
// changed config too.
func TestResumeAfterConfigChange(t *testing.T) {
	ctx := context.Background()
	newCfg := coarseConfig(t, "[12, 11, 10, 9, 8, 7, 6]", "1")
	clean := zarrstore.NewMemBackend()
	r := newRunner(t, zarrstore.New(clean))
	r.Config = newCfg
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := dataKeys(t, clean)

	t.Run("resume", func(t *testing.T) {
		b := zarrstore.NewMemBackend()
		if _, err := newRunner(t, zarrstore.New(b)).Run(ctx); err != nil {
			t.Fatal(err)
		}
		// The same config again: every cell skipped.
		rep, err := newRunner(t, zarrstore.New(b)).Run(ctx)
		if err != nil || rep.Summary.CellsSkipped != 8 || rep.Summary.CellsRedone != 0 {
			t.Fatalf("same config: %v %+v", err, rep.Summary)
		}
		r := newRunner(t, zarrstore.New(b))
		r.Config = newCfg
		var buf bytes.Buffer
		bar := progress.New(&buf)
		r.OnStart, r.OnRecord = bar.Start, bar.Record
		rep, err = r.Run(ctx)
		bar.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if rep.Summary.CellsSkipped != 0 || rep.Summary.CellsRedone != 8 {
			t.Errorf("changed config: %d skipped, %d redone; want 0 and 8", rep.Summary.CellsSkipped, rep.Summary.CellsRedone)
		}
		if rep.Results[0].Redo == "" || !strings.Contains(buf.String(), "redone 8") {
			t.Errorf("redo reason %q; progress %q", rep.Results[0].Redo, buf.String())
		}
		sameData(t, "resumed with a new config", dataKeys(t, b), want)
	})
	t.Run("kill-then-rerun", func(t *testing.T) {
		b := zarrstore.NewMemBackend()
		kctx, cancel := context.WithCancel(ctx)
		defer cancel()
		kb := &killBackend{Backend: b, after: 120, cancel: cancel}
		if _, err := newRunner(t, zarrstore.New(kb)).Run(kctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("killed run: %v", err)
		}
		r := newRunner(t, zarrstore.New(b))
		r.Config = newCfg
		if _, err := r.Run(ctx); err != nil {
			t.Fatal(err)
		}
		sameData(t, "rerun with a new config after a kill", dataKeys(t, b), want)
	})
}

// TestLaterRunSupersedes: after a dispatcher was stopped, its invocations
// may still run while the next run (the next lease generation) commits the
// same cells; a late attempt of the earlier run then finds a later
// generation's commit and leaves it alone.
func TestLaterRunSupersedes(t *testing.T) {
	ctx := context.Background()
	job := twoGranuleCell(t)
	b := zarrstore.NewMemBackend()
	w := newWorker(t, sampleGranules(t), zarrstore.New(b))
	w.reader.Source.OnGranuleError = config.SkipGranuleError
	newer := dispatch.Job{Cell: job.Cell, Granules: job.Granules, Run: "second", Generation: 2, Attempt: 1}
	if res, err := pipeline.Run(ctx, newer, w.reader, w.aggr, w.store); err != nil || res.Error != nil {
		t.Fatalf("run 2: %v %+v", err, res)
	}
	want := dataKeys(t, b)
	rd := *w.reader
	rd.Opener = failSecond{sampleGranules(t), job.Granules[1]}
	late := dispatch.Job{Cell: job.Cell, Granules: job.Granules, Run: "first", Generation: 1, Attempt: 3}
	res, err := pipeline.Run(ctx, late, &rd, w.aggr, w.store)
	if !errors.Is(err, pipeline.ErrSuperseded) || res.ErrorKind != dispatch.KindSuperseded {
		t.Fatalf("late attempt of run 1: %v (kind %q), want ErrSuperseded", err, res.ErrorKind)
	}
	sameData(t, "late attempt of an earlier run", dataKeys(t, b), want)
	// The lease numbers the runs.
	l1, err := w.store.AcquireLease(ctx, "one", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(ctx); err != nil {
		t.Fatal(err)
	}
	l2, err := w.store.AcquireLease(ctx, "two", time.Minute)
	if err != nil || l2.Generation() != l1.Generation()+1 {
		t.Fatalf("generations %d then %v (%v), want consecutive", l1.Generation(), l2, err)
	}
}
