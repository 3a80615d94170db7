package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/internal/sampletest"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// workerFixture serves the sample granules and an output bucket from one
// loopback S3 server and returns a Worker wired to it, plus the first sample
// cell and its granules.
func workerFixture(t *testing.T) (*Worker, *s3test.Server, string, []string) {
	t.Helper()
	srv := sampletest.Serve(t, "out")
	key, urls := sampletest.LargestCell(t)
	w := &Worker{
		StoreOptions: []zarrstore.Option{s3store.WithClient(srv.Client, s3store.Options{})},
		DataS3: NewDataS3(srv.Region, func(o *s3.Options) {
			o.BaseEndpoint = aws.String(srv.URL)
			o.UsePathStyle = true
		}),
	}
	return w, srv, key, urls
}

// outStore returns an s3:// store location in the fixture's "out" bucket
// unique to the calling test.
func outStore(t *testing.T, name string) string {
	return "s3://out/" + s3test.Prefix(t) + "/" + name
}

func TestWorkerSetupProcessFinalize(t *testing.T) {
	w, srv, key, urls := workerFixture(t)
	ctx := context.Background()
	store := outStore(t, "run.zarr")

	if r := w.Handle(ctx, &Event{Mode: ModeSetup, StorePath: store, ParentOrder: 6, ChildOrder: 12, Parents: []CellKey{CellKey(key)}}); r.StatusCode != 200 {
		t.Fatalf("setup: %d %s", r.StatusCode, r.Body)
	}
	r := w.Handle(ctx, &Event{ParentMorton: CellKey(key), ParentOrder: 6, ChildOrder: 12, GranuleURLs: urls,
		StorePath: store, S3Credentials: srv.Credentials()})
	if r.StatusCode != 200 {
		t.Fatalf("process: %d %s", r.StatusCode, r.Body)
	}
	var res dispatch.CellResult
	if err := json.Unmarshal([]byte(r.Body), &res); err != nil {
		t.Fatal(err)
	}
	if res.CellsWithData == 0 || res.TotalObs == 0 || res.FilesProcessed != len(urls) || res.Error != nil {
		t.Errorf("result %+v", res)
	}
	if fmt.Sprint(res.ParentMorton) != key {
		t.Errorf("parent_morton %d, want %s", res.ParentMorton, key)
	}
	if strings.Contains(r.Body, srv.SecretKey) {
		t.Error("credentials in the reply")
	}
	if !srv.External() {
		// Two store reads of the finalize break off mid-body after the
		// headers (a connection reset): they are fetched again.
		srv.Inject(t, s3test.Fault{Method: http.MethodGet, CutBody: true, CutAfter: 10, Times: 2})
	}
	if r := w.Handle(ctx, &Event{Mode: ModeFinalize, StorePath: store}); r.StatusCode != 200 {
		t.Fatalf("finalize: %d %s", r.StatusCode, r.Body)
	}
	z, err := zarrstore.Open(store, s3store.WithClient(srv.Client, s3store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	cell, err := morton.Parse(key)
	if err != nil {
		t.Fatal(err)
	}
	parents, _, err := z.Parents(ctx)
	if err != nil || len(parents) != 1 || parents[0] != cell.Nest() {
		t.Errorf("parent list %v, %v; want [%d]", parents, err, cell.Nest())
	}
	ok, err := z.ChunkExists(ctx, "12/h_mean", 0)
	if err != nil || !ok {
		t.Errorf("cell chunk written: %v, %v", ok, err)
	}
}

func TestWorkerRejectsBadEvents(t *testing.T) {
	w, srv, key, urls := workerFixture(t)
	ctx := context.Background()
	testCreds := srv.Credentials()
	x, never := outStore(t, "x"), outStore(t, "never-set-up.zarr")
	tests := []struct {
		name   string
		ev     Event
		status int
		want   string
	}{
		{"missing keys", Event{ParentMorton: CellKey(key)}, 400, "Missing required parameters: parent_order, child_order, granule_urls, store_path, s3_credentials"},
		{"missing credential keys", Event{ParentMorton: CellKey(key), ParentOrder: 6, ChildOrder: 12, GranuleURLs: urls, StorePath: x, S3Credentials: map[string]string{"accessKeyId": "a"}}, 400, "Missing s3_credentials keys: secretAccessKey"},
		{"bad config", Event{ParentMorton: CellKey(key), ParentOrder: 6, ChildOrder: 12, GranuleURLs: urls, StorePath: x, S3Credentials: testCreds, Config: json.RawMessage(`{"data_source": 3}`)}, 400, "Invalid config"},
		{"child order mismatch", Event{ParentMorton: CellKey(key), ParentOrder: 6, ChildOrder: 10, GranuleURLs: urls, StorePath: x, S3Credentials: testCreds}, 400, "child_order 10 differs"},
		{"unknown mode", Event{Mode: "explode"}, 400, `Unknown mode \"explode\"`},
		{"finalize without store", Event{Mode: ModeFinalize}, 400, "store_path"},
		{"no granules", Event{ParentMorton: CellKey(key), ParentOrder: 6, ChildOrder: 12, GranuleURLs: []string{}, StorePath: x, S3Credentials: testCreds}, 500, dispatch.MsgNoGranules},
		{"store not set up", Event{ParentMorton: CellKey(key), ParentOrder: 6, ChildOrder: 12, GranuleURLs: urls, StorePath: never, S3Credentials: testCreds}, 500, "has not been set up"},
		{"missing granule", Event{ParentMorton: CellKey(key), ParentOrder: 6, ChildOrder: 12, GranuleURLs: []string{"s3://zagg-sample/nope.h5"}, StorePath: x, S3Credentials: testCreds}, 500, `"error_kind":"deterministic"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := tt.ev
			r := w.Handle(ctx, &ev)
			if r.StatusCode != tt.status || !strings.Contains(r.Body, tt.want) {
				t.Errorf("got %d %s; want %d containing %q", r.StatusCode, r.Body, tt.status, tt.want)
			}
			if !json.Valid([]byte(r.Body)) {
				t.Errorf("body is not JSON: %s", r.Body)
			}
		})
	}
}

func TestWorkerStopsBeforeDeadline(t *testing.T) {
	w, srv, key, urls := workerFixture(t)
	w.Margin = time.Hour // every deadline is already inside the margin...
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()
	// ...so the cell must stop at once, write nothing and say timeout.
	ctx2, cancel2 := context.WithDeadline(ctx, time.Now().Add(time.Hour+50*time.Millisecond))
	defer cancel2()
	srv.Inject(t, s3test.Fault{Method: http.MethodGet, Status: 503, Times: 1000})
	r := w.Handle(ctx2, &Event{ParentMorton: CellKey(key), ParentOrder: 6, ChildOrder: 12, GranuleURLs: urls,
		StorePath: outStore(t, "t.zarr"), S3Credentials: srv.Credentials()})
	var res dispatch.CellResult
	if err := json.Unmarshal([]byte(r.Body), &res); err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != 500 || res.ErrorKind != dispatch.KindTimeout {
		t.Errorf("got %d %s; want 500 with error_kind timeout", r.StatusCode, r.Body)
	}
}

// TestWorkerBadKey: a process event whose parent_morton is not a legacy
// morton id is answered with a deterministic failure naming the key (the
// dispatcher then never retries it), and nothing is written.
func TestWorkerBadKey(t *testing.T) {
	w, srv, _, urls := workerFixture(t)
	ctx := context.Background()
	store := outStore(t, "badkey.zarr")
	for _, tc := range []struct{ key, msg string }{
		{"banana", "not a legacy morton id"},
		{"1111119", "digit"},
	} {
		r := w.Handle(ctx, &Event{ParentMorton: CellKey(tc.key), ParentOrder: 6, ChildOrder: 12, GranuleURLs: urls,
			StorePath: store, S3Credentials: srv.Credentials()})
		var res dispatch.CellResult
		if err := json.Unmarshal([]byte(r.Body), &res); err != nil {
			t.Fatalf("%s: %v (%s)", tc.key, err, r.Body)
		}
		if res.ErrorKind != dispatch.KindDeterministic || res.Error == nil || !strings.Contains(*res.Error, tc.msg) || !strings.Contains(*res.Error, tc.key) {
			t.Errorf("%s: %d %s", tc.key, r.StatusCode, r.Body)
		}
	}
}
