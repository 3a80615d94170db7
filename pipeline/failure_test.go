package pipeline_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/retry"
	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// twoGranuleCell returns the first sample cell read from two granules.
func twoGranuleCell(t *testing.T) dispatch.Job {
	t.Helper()
	for _, c := range sampleCatalog(t).Cells {
		if len(c.Granules) == 2 {
			return dispatch.Job{Cell: c.Cell, Granules: c.Granules}
		}
	}
	t.Fatal("no sample cell with two granules")
	return dispatch.Job{}
}

// chunkCount returns the number of chunks stored in z.
func chunkCount(t *testing.T, z *zarrstore.Store) int {
	t.Helper()
	n := 0
	for k, err := range z.Backend().List(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(k, "/c/") && !strings.Contains(k, "/cell_ids/") && !strings.Contains(k, "/morton/") {
			n++ // a statistic's chunk (Setup writes the coordinates)
		}
	}
	return n
}

// TestGranuleFailures checks what a cell does when one of its granules
// cannot be read: fail (the default) writes nothing and says whether a retry
// may help; skip completes the cell from the other granule and lists the
// failure; transient faults are retried and do not show.
func TestGranuleFailures(t *testing.T) {
	srv := sampleServer(t)
	job := twoGranuleCell(t)
	missing := job
	missing.Granules = []string{job.Granules[0], "s3://zagg-sample/no/such/granule.h5"}
	corruptKey := "corrupt/ATL06_corrupt.h5"
	srv.Put(t, sampledata.Bucket, corruptKey, []byte(strings.Repeat("not an HDF5 file ", 200)))
	corrupt := job
	corrupt.Granules = []string{job.Granules[0], "s3://zagg-sample/" + corruptKey}
	key1, _ := sampledata.Key(job.Granules[1])

	for _, tc := range []struct {
		name     string
		job      dispatch.Job
		skip     bool
		faults   []s3test.Fault
		kind     dispatch.ErrorKind
		files    int
		granErrs int
		is       error
	}{
		{name: "ok", job: job, kind: dispatch.KindNone, files: 2},
		{name: "missing/fail", job: missing, kind: dispatch.KindDeterministic, files: -1, is: pipeline.ErrGranule},
		{name: "missing/skip", job: missing, skip: true, kind: dispatch.KindNone, files: 1, granErrs: 1},
		{name: "corrupt/fail", job: corrupt, kind: dispatch.KindDeterministic, files: -1, is: h5read.ErrNotHDF5},
		{name: "corrupt/skip", job: corrupt, skip: true, kind: dispatch.KindNone, files: 1, granErrs: 1},
		{name: "503-once", job: job, kind: dispatch.KindNone, files: 2,
			faults: []s3test.Fault{{Method: "GET", PathSuffix: key1, Status: 503, Times: 2}}},
		{name: "dropped-connection", job: job, kind: dispatch.KindNone, files: 2,
			faults: []s3test.Fault{{Method: "GET", PathSuffix: key1, Drop: true}}},
		{name: "503-always/fail", job: job, kind: dispatch.KindTransient, files: -1, is: dispatch.ErrTransient,
			faults: []s3test.Fault{{Method: "GET", PathSuffix: key1, Status: 503, Times: 1000}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := zarrstore.New(zarrstore.NewMemBackend())
			w := newWorker(t, pipeline.S3Opener(srv.Client), z)
			w.reader.Backoff = time.Millisecond
			// Two retries per request: the request layer absorbs the two injected
			// 503s (the granule layer no longer retries, see internal/retry).
			w.reader.Options = []h5read.Option{h5read.WithRetries(2, time.Millisecond)}
			if tc.skip {
				w.reader.Source.OnGranuleError = config.SkipGranuleError
			}
			if len(tc.faults) > 0 {
				if srv.External() {
					t.Skip("fault injection needs the in-process server")
				}
				srv.Inject(t, tc.faults...)
			}
			res, err := pipeline.Run(context.Background(), tc.job, w.reader, w.aggr, w.store)
			if res.ErrorKind != tc.kind {
				t.Fatalf("kind = %q (error %v), want %q", res.ErrorKind, err, tc.kind)
			}
			if (err != nil) != (tc.kind != dispatch.KindNone) {
				t.Errorf("err = %v with kind %q", err, res.ErrorKind)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want it to match %v", err, tc.is)
			}
			// Under fail, the failure cancels the other granule: its count
			// depends on timing (files -1: not checked).
			if tc.files >= 0 && res.FilesProcessed != tc.files || len(res.GranuleErrors) != tc.granErrs {
				t.Errorf("files %d, granule errors %v; want %d and %d", res.FilesProcessed, res.GranuleErrors, tc.files, tc.granErrs)
			}
			written := chunkCount(t, z)
			if tc.kind == dispatch.KindNone && written == 0 || tc.kind != dispatch.KindNone && written != 0 {
				t.Errorf("%d chunks written for kind %q", written, res.ErrorKind)
			}
		})
	}
}

// TestRunEmptyAndBadCells checks the normal "no data" outcomes and bad
// cells (keys that are not legacy ids are refused where they are parsed:
// the catalog and the Lambda event, see TestWorkerBadKey).
func TestRunEmptyAndBadCells(t *testing.T) {
	z := zarrstore.New(zarrstore.NewMemBackend())
	w := newWorker(t, sampleGranules(t), z)
	ctx := context.Background()
	// A cell the sample tracks do not cross (same order, far away).
	far := dispatch.Job{Cell: testCell("1111111"), Granules: sampleCatalog(t).Cells[0].Granules}
	for _, tc := range []struct {
		job  dispatch.Job
		kind dispatch.ErrorKind
		msg  string
	}{
		{dispatch.Job{Cell: sampleCatalog(t).Cells[0].Cell}, dispatch.KindEmpty, dispatch.MsgNoGranules},
		{far, dispatch.KindEmpty, dispatch.MsgNoData},
		{dispatch.Job{Cell: testCell("12"), Granules: far.Granules}, dispatch.KindDeterministic, "order 1"},
		{dispatch.Job{Cell: morton.Null, Granules: far.Granules}, dispatch.KindDeterministic, "not an area cell"},
		{dispatch.Job{Cell: morton.PointFromNest(1), Granules: far.Granules}, dispatch.KindDeterministic, "not an area cell"},
	} {
		res, err := pipeline.Run(ctx, tc.job, w.reader, w.aggr, w.store)
		if res.ErrorKind != tc.kind || res.Error == nil || !strings.Contains(*res.Error, tc.msg) {
			t.Errorf("Run(%q) = kind %q, error %v; want %q and %q", tc.job.Cell.String(), res.ErrorKind, res.Error, tc.kind, tc.msg)
		}
		if (err != nil) != (tc.kind == dispatch.KindDeterministic) {
			t.Errorf("Run(%q) err = %v", tc.job.Cell.String(), err)
		}
	}
	if n := chunkCount(t, z); n != 0 {
		t.Errorf("%d chunks written for cells without data", n)
	}
}

// TestRunCanceled checks that a cancelled context stops a cell without
// writing it.
func TestRunCanceled(t *testing.T) {
	z := zarrstore.New(zarrstore.NewMemBackend())
	w := newWorker(t, sampleGranules(t), z)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := pipeline.Run(ctx, twoGranuleCell(t), w.reader, w.aggr, w.store)
	if !errors.Is(err, context.Canceled) || res.ErrorKind != dispatch.KindTransient {
		t.Errorf("Run on a cancelled context = %v, kind %q", err, res.ErrorKind)
	}
	if n := chunkCount(t, z); n != 0 {
		t.Errorf("%d chunks written", n)
	}
}

// TestConventions checks that a run refuses to mix latitude conventions.
func TestConventions(t *testing.T) {
	ctx := context.Background()
	// A zagg 0.1.0 catalog has no latitude key: geodetic.
	old := strings.Replace(string(sampledata.Catalog()), `"latitude": "authalic"`, `"x": 1`, 1)
	old = strings.Replace(old, `,
    "x": 1`, "", 1)
	cat, err := cmr.ParseCatalog([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	// A config stating output.latitude: authalic conflicts with it.
	r := newRunner(t, zarrstore.New(zarrstore.NewMemBackend()))
	r.Catalog = cat
	r.Config = r.Config.WithLatitude(healpix.Authalic)
	if _, err := r.Run(ctx); !errors.Is(err, pipeline.ErrConvention) || !strings.Contains(err.Error(), "no latitude key") {
		t.Errorf("authalic config with a 0.1.0 catalog: %v", err)
	}
	// A config without output.latitude (the built-in one, every zagg 0.1.0
	// config) follows the catalog: geodetic, zagg 0.1.0's cells...
	backend := zarrstore.NewMemBackend()
	r = newRunner(t, zarrstore.New(backend))
	r.Catalog = cat
	r.Cells = []string{cat.Cells[0].Key()}
	rep, err := r.Run(ctx)
	if err != nil || rep.Summary.CellsWithData+rep.Summary.CellsEmpty != 1 {
		t.Fatalf("geodetic run: %v, %+v", err, rep)
	}
	if g, err := zarrstore.New(backend).OpenOrder(ctx, 12); err != nil || g.Grid.Latitude != zarrstore.LatitudeGeodetic {
		t.Fatalf("store of a config without latitude and a 0.1.0 catalog: %v, %+v; want geodetic", err, g)
	}
	// ... and so does the same config stating geodetic.
	r = newRunner(t, zarrstore.New(backend))
	r.Catalog = cat
	r.Config = r.Config.WithLatitude(healpix.Geodetic)
	r.Cells = []string{cat.Cells[1].Key()}
	if _, err := r.Run(ctx); err != nil {
		t.Fatalf("explicit geodetic run: %v", err)
	}
	// ... and an authalic run into that store is refused.
	r = newRunner(t, zarrstore.New(backend))
	if _, err := r.Run(ctx); !errors.Is(err, pipeline.ErrConvention) || !strings.Contains(err.Error(), "store was made with geodetic") {
		t.Errorf("authalic run into a geodetic store: %v", err)
	}
}

// TestRetryLayersDoNotMultiply: one range that keeps failing is tried
// retry.RequestTries times by h5read per cell attempt, never again per
// granule, and the cell gets retry.ResultTries attempts: 5 × 1 × 2 = 10
// requests in all (the layers used to multiply to 5 × 3 × 4 = 60). A refused
// write (403) is tried once, at every layer.
func TestRetryLayersDoNotMultiply(t *testing.T) {
	var job dispatch.Job
	for _, c := range sampleCatalog(t).Cells {
		if len(c.Granules) == 1 {
			job = dispatch.Job{Cell: c.Cell, Granules: c.Granules}
			break
		}
	}
	ctx := context.Background()
	tests := []struct {
		name     string
		fault    s3test.Fault
		outcome  dispatch.Outcome
		requests int64 // of the faulted method
		method   string
	}{
		{"reads always 503", s3test.Fault{Method: http.MethodGet, Status: 503, Times: 1000}, dispatch.OutcomeFailed,
			retry.RequestTries * retry.GranuleTries * retry.ResultTries, http.MethodGet},
		{"writes refused", s3test.Fault{Method: http.MethodPut, Status: 403, Times: 1000}, dispatch.OutcomeFailed, -1, http.MethodPut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := sampleServer(t) // a fresh server: no faults left from another case
			srv.RequireInProcess(t)
			z, err := zarrstore.Open("s3://out/"+s3test.Prefix(t)+"/r.zarr", s3store.WithClient(srv.Client, s3store.Options{MaxBackoff: time.Millisecond}))
			if err != nil {
				t.Fatal(err)
			}
			w := newWorker(t, pipeline.S3Opener(srv.Client), z)
			// h5read's default tries, with a short backoff.
			w.reader.Options = []h5read.Option{h5read.WithRetries(retry.RequestTries-1, time.Millisecond)}
			var puts, gets atomic.Int64
			counting := dispatch.ExecutorFunc(func(ctx context.Context, j dispatch.Job) (*dispatch.Execution, error) {
				srv.Reset()
				ex, err := (&pipeline.LocalExecutor{Reader: w.reader, Aggregator: w.aggr, Store: w.store}).Execute(ctx, j)
				st := srv.Stats()
				gets.Add(st.Gets)
				puts.Add(st.Requests - st.Gets)
				return ex, err
			})
			srv.Inject(t, tt.fault)
			d := &dispatch.Dispatcher{Executor: counting, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond}
			rep, err := d.Run(ctx, []dispatch.Job{job})
			if err != nil {
				t.Fatal(err)
			}
			rec := rep.Results[0]
			if rec.Outcome != tt.outcome {
				t.Fatalf("outcome %s after %d attempts (%s), want %s", rec.Outcome, rec.Attempts, rec.Error, tt.outcome)
			}
			switch tt.method {
			case http.MethodGet:
				if g := gets.Load(); g != tt.requests || rec.Attempts != retry.ResultTries {
					t.Errorf("%d GETs over %d cell attempts, want %d over %d", g, rec.Attempts, tt.requests, retry.ResultTries)
				}
			case http.MethodPut:
				// Every chunk PUT of the one attempt is refused once; the
				// cell is not tried again.
				if rec.Attempts != 1 || !strings.Contains(rec.Error, "access denied") {
					t.Errorf("refused writes: %d attempts (%s); want 1, access denied", rec.Attempts, rec.Error)
				}
			}
			t.Logf("%s: %d attempts, %d GETs, %d other requests", tt.name, rec.Attempts, gets.Load(), puts.Load())
		})
	}
}
