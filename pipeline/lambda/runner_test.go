package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// lambdaService is a loopback stand-in for the Lambda service that runs a
// real Worker for each invoke (so the whole cell path runs: SDK → HTTP →
// Worker → pipeline.Run → S3 store), throttling the first invoke of every
// third cell.
type lambdaService struct {
	w         *Worker
	mu        sync.Mutex
	invokes   map[string]int
	throttled map[string]bool
	modes     []string
}

func (s *lambdaService) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/2016-08-19/account-settings":
		fmt.Fprint(rw, `{"AccountLimit":{"ConcurrentExecutions":10,"UnreservedConcurrentExecutions":3}}`)
		return
	case r.Method == http.MethodGet && r.URL.Path == "/2015-03-31/functions/zagg-cell/configuration":
		fmt.Fprint(rw, `{"FunctionName":"zagg-cell","MemorySize":2048,"Timeout":900}`)
		return
	case r.Method != http.MethodPost || r.URL.Path != "/2015-03-31/functions/zagg-cell/invocations":
		rw.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		rw.WriteHeader(http.StatusNotFound)
		fmt.Fprint(rw, `{"message":"Function not found"}`)
		return
	}
	var ev Event
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	key := string(ev.ParentMorton)
	s.mu.Lock()
	mode := ev.Mode
	if mode == "" {
		mode = ModeProcess
	}
	s.modes = append(s.modes, mode)
	s.invokes[key]++
	n := len(s.invokes)
	throttle := mode == ModeProcess && n%3 == 0 && !s.throttled[key]
	if throttle {
		s.throttled[key] = true
	}
	s.mu.Unlock()
	if throttle {
		rw.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		rw.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(rw, `{"Reason":"ConcurrentInvocationLimitExceeded","message":"Rate Exceeded."}`)
		return
	}
	start := time.Now()
	resp := s.w.Handle(r.Context(), &ev)
	ms := time.Since(start).Milliseconds() + 1
	rw.Header().Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString(
		[]byte(fmt.Sprintf("REPORT RequestId: x\tDuration: %d ms\tBilled Duration: %d ms\tMemory Size: 2048 MB\tMax Memory Used: 90 MB\n", ms, ms))))
	json.NewEncoder(rw).Encode(resp)
}

// lambdaFixture serves a Worker (workerFixture) behind a stand-in Lambda
// service on loopback and returns a Runner over cfg and cat writing the
// store name of the fixture's bucket through it, the service, and the store.
func lambdaFixture(t *testing.T, cfg *config.Config, cat *cmr.Catalog, name string, workers int) (*Runner, *lambdaService, *zarrstore.Store, *strings.Builder) {
	t.Helper()
	w, srv, _, _ := workerFixture(t)
	svc := &lambdaService{w: w, invokes: map[string]int{}, throttled: map[string]bool{}}
	ls := httptest.NewServer(svc)
	t.Cleanup(ls.Close)
	client := NewClient(aws.Config{Region: "us-west-2", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")},
		time.Minute, 4, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(ls.URL) })
	store := outStore(t, name)
	z, err := zarrstore.Open(store, s3store.WithClient(srv.Client, s3store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	log := &strings.Builder{}
	lr := &Runner{
		Config: cfg, Catalog: cat, StorePath: store, Client: client, FunctionName: "zagg-cell",
		Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
		Workers:     workers, Store: z, Log: log,
		Dispatcher: &dispatch.Dispatcher{BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
	}
	return lr, svc, z, log
}

func TestLambdaRunnerEndToEnd(t *testing.T) {
	cfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	// Every order from the child order down to order 3: 6..12 by the cells,
	// 3..5 by the finalize invoke.
	for o := 12; o >= 3; o-- {
		cfg.Output.Orders = append(cfg.Output.Orders, o)
	}
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	lr, svc, z, log := lambdaFixture(t, cfg, cat, "lambda.zarr", 8)
	rep, err := lr.Run(context.Background())
	if err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	exp, err := sampledata.LoadExpected()
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Summary
	if s.TotalCells != len(cat.Cells) || s.CellsWithData != len(cat.Cells) || s.TotalObs != int64(exp.PointsKept) {
		t.Errorf("summary %+v; want %d cells with data and %d observations", s, len(cat.Cells), exp.PointsKept)
	}
	if s.Throttles == 0 || s.MemoryMB != 2048 || s.EstimatedCostUSD <= 0 {
		t.Errorf("throttles %d, memory %d, cost %v: want some throttles, 2048 MB read from the function, a cost", s.Throttles, s.MemoryMB, s.EstimatedCostUSD)
	}
	if !strings.Contains(log.String(), "clamping workers from 8 to the account's unreserved concurrency 3") {
		t.Errorf("workers not clamped to the account limit:\n%s", log.String())
	}
	if svc.modes[0] != ModeSetup || svc.modes[len(svc.modes)-1] != ModeFinalize {
		t.Errorf("invoke order %v: want setup first, finalize last", svc.modes)
	}
	root, err := z.Backend().Get(context.Background(), "zarr.json")
	if err != nil || !strings.Contains(string(root), "consolidated_metadata") {
		t.Errorf("root metadata not consolidated: %v", err)
	}
	// The setup invoke described the arrays from a granule's attributes.
	if a, err := z.OpenArray(context.Background(), "12/h_variance"); err != nil || a.Metadata().Attributes["units"] != "m2" {
		t.Errorf("12/h_variance units after a Lambda setup: %v (%v), want m2 from the granule's h_li units", a.Metadata().Attributes, err)
	}
	// The finalize invoke merged the cells into orders 5..3: their counts
	// equal numpy's.
	for o := 5; o >= 3; o-- {
		a, err := z.OpenArray(context.Background(), fmt.Sprintf("%d/count", o))
		if err != nil {
			t.Fatalf("order %d: %v", o, err)
		}
		ids, err := z.OpenArray(context.Background(), fmt.Sprintf("%d/cell_ids", o))
		if err != nil {
			t.Fatalf("order %d: %v", o, err)
		}
		got, err := zarrstore.ReadChunkAs[int32](context.Background(), a, 0)
		if err != nil {
			t.Fatalf("order %d: %v", o, err)
		}
		cells, err := zarrstore.ReadChunkAs[uint64](context.Background(), ids, 0)
		if err != nil {
			t.Fatalf("order %d: %v", o, err)
		}
		count := map[uint64]int32{}
		for k := range a.Len() {
			count[cells[k]] = got[k]
		}
		tab := exp.Orders[fmt.Sprint(o)]
		if int(a.Len()) != len(tab["cell_ids"]) {
			t.Errorf("order %d: %d cells stored, numpy has %d with data", o, a.Len(), len(tab["cell_ids"]))
		}
		for i, id := range tab["cell_ids"] {
			if want := int32(tab["count"][i]); count[uint64(id)] != want {
				t.Errorf("order %d cell %v: count %d, numpy %d", o, id, count[uint64(id)], want)
			}
		}
	}

	// A second run resumes: every cell is already written.
	svc.modes = nil
	rep, err = lr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.CellsSkipped != len(cat.Cells) {
		t.Errorf("rerun: %+v; want every cell skipped", rep.Summary)
	}
}

// TestLambdaRunnerRefusesRegridding: a config whose parent order differs
// from the catalog's is refused before any invoke, as by the local Runner.
func TestLambdaRunnerRefusesRegridding(t *testing.T) {
	svc := &lambdaService{invokes: map[string]int{}, throttled: map[string]bool{}}
	ls := httptest.NewServer(svc)
	defer ls.Close()
	client := NewClient(aws.Config{Region: "us-west-2", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")},
		time.Minute, 4, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(ls.URL) })
	cfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Output.Grid.ParentOrder = 5
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	lr := &Runner{Config: cfg, Catalog: cat, StorePath: "s3://out/x.zarr", Client: client, FunctionName: "zagg-cell",
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "c")}
	_, err = lr.Run(context.Background())
	if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "differs from the catalog's parent_order 6") {
		t.Fatalf("Run = %v, want config.ErrInvalid about the parent order", err)
	}
	if len(svc.modes) != 0 {
		t.Errorf("invoked %v before refusing", svc.modes)
	}
}

// TestLambdaRunnerWindows: a multi-window config (the cycles sample: four
// windows, dh/dt, order 4 by finalize) runs through Lambda invokes and
// gives the store a local run gives.
func TestLambdaRunnerWindows(t *testing.T) {
	cfg, err := config.Parse("cycles.yaml", sampledata.CyclesConfig())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := cmr.ParseCatalog(sampledata.CyclesCatalog())
	if err != nil {
		t.Fatal(err)
	}
	lr, _, z, log := lambdaFixture(t, cfg, cat, "windows.zarr", 3)
	rep, err := lr.Run(context.Background())
	if err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	exp, err := sampledata.LoadExpectedCycles()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.TotalObs != int64(exp.PointsKept) || rep.Summary.CellsError != 0 {
		t.Fatalf("summary %+v, want %d observations", rep.Summary, exp.PointsKept)
	}
	// The local runner on the same input, in memory.
	sub, err := fs.Sub(sampledata.FS(), "cycles/granules")
	if err != nil {
		t.Fatal(err)
	}
	local := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := (&pipeline.Runner{Config: cfg, Catalog: cat, Store: local, Opener: pipeline.FSOpener(sub), Workers: 2}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, o := range []int{12, 6, 4} {
		gl, err := local.OpenOrder(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		gz, err := z.OpenOrder(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if gz.Windows() != 4 {
			t.Fatalf("order %d: %d windows", o, gz.Windows())
		}
		chunks, _ := gl.Chunks(ctx)
		for _, name := range []string{"count", "h_mean", "h_q50", "dhdt", "dhdt_sigma", "dhdt_windows"} {
			for _, i := range chunks {
				idxs := [][]int64{{i}}
				if gl.PerWindow(name) {
					idxs = [][]int64{{0, i}, {3, i}}
				}
				for _, idx := range idxs {
					a, err1 := gl.Arrays[name].ReadWindowFloat64(ctx, idx[0], idx[len(idx)-1])
					b, err2 := gz.Arrays[name].ReadWindowFloat64(ctx, idx[0], idx[len(idx)-1])
					if err1 != nil || err2 != nil {
						t.Fatalf("order %d %s %v: %v, %v", o, name, idx, err1, err2)
					}
					for j := range a {
						if a[j] != b[j] && !(math.IsNaN(a[j]) && math.IsNaN(b[j])) {
							t.Fatalf("order %d %s chunk %v element %d: local %v, Lambda %v", o, name, idx, j, a[j], b[j])
						}
					}
				}
			}
		}
	}
}
