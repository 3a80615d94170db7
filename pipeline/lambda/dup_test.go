package lambda

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// dupService is a loopback stand-in for Lambda that, like the real service
// when the caller's connection drops, keeps running an invocation whose
// caller went away: the first invoke of the target cell drops the
// connection at once, and its invocation goes on in the background — slowly
// (it runs only once the dispatcher's retry of the cell has answered) and
// having lost one of the cell's granules.
type dupService struct {
	w       *Worker
	target  string
	missing string // the granule the stale invocation cannot read

	mu      sync.Mutex
	invokes map[string]int
	retried chan struct{} // closed when the retry of the target answered
	stale   chan Response // the stale invocation's answer, sent when it ends
}

func (s *dupService) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/2016-08-19/account-settings":
		fmt.Fprint(rw, `{"AccountLimit":{"ConcurrentExecutions":10,"UnreservedConcurrentExecutions":10}}`)
		return
	case r.Method == http.MethodGet && r.URL.Path == "/2015-03-31/functions/zagg-cell/configuration":
		fmt.Fprint(rw, `{"FunctionName":"zagg-cell","MemorySize":2048,"Timeout":900}`)
		return
	}
	var ev Event
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	key := string(ev.ParentMorton)
	s.mu.Lock()
	s.invokes[key]++
	n := s.invokes[key]
	s.mu.Unlock()
	if ev.Mode == "" && key == s.target && n == 1 {
		// The caller's connection drops; the invocation runs on.
		stale := ev
		for i, g := range stale.GranuleURLs {
			if g != s.missing {
				continue
			}
			stale.GranuleURLs = append([]string(nil), stale.GranuleURLs...)
			stale.GranuleURLs[i] = strings.TrimSuffix(g, ".h5") + "-missing.h5"
		}
		go func() {
			<-s.retried
			s.stale <- s.w.Handle(context.Background(), &stale)
		}()
		hj, _ := rw.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return
	}
	resp := s.w.Handle(r.Context(), &ev)
	json.NewEncoder(rw).Encode(resp)
	if ev.Mode == "" && key == s.target && n == 2 {
		close(s.retried)
	}
}

// TestLambdaDuplicateInvokeOverlap: a dispatch whose invoke of a cell drops
// its connection while the invocation keeps running (and, slower, loses one
// of its two granules) retries the cell; the stale invocation ends after the
// retry committed. Under both on_granule_error policies the store ends
// byte-equal to a run without the duplicate: the stale invocation is
// superseded (skip) or fails before it writes (fail). The dispatcher waited
// out the function timeout before its retry (the wait is injected).
func TestLambdaDuplicateInvokeOverlap(t *testing.T) {
	for _, policy := range []config.ErrorPolicy{config.SkipGranuleError, config.FailOnGranuleError} {
		t.Run(string(policy), func(t *testing.T) {
			w, srv, _, _ := workerFixture(t)
			cat, err := cmr.ParseCatalog(sampledata.Catalog())
			if err != nil {
				t.Fatal(err)
			}
			var target, missing string
			for _, c := range cat.Cells {
				if len(c.Granules) == 2 {
					target, missing = c.Key(), c.Granules[1]
					break
				}
			}
			cfg, err := config.Builtin("atl06")
			if err != nil {
				t.Fatal(err)
			}
			cfg.DataSource.OnGranuleError = policy
			run := func(name string, svc http.Handler, sleep func(context.Context, time.Duration) error) (string, *dispatch.Report) {
				store := outStore(t, name)
				rep, err := dispatchVia(context.Background(), t, srv, cat, cfg, store, svc, sleep)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				return store, rep
			}
			clean, _ := run("clean.zarr", &dupService{w: w, invokes: map[string]int{}}, nil)

			svc := &dupService{w: w, target: target, missing: missing, invokes: map[string]int{},
				retried: make(chan struct{}), stale: make(chan Response, 1)}
			var waited []time.Duration
			dup, rep := run("dup.zarr", svc, func(_ context.Context, d time.Duration) error { waited = append(waited, d); return nil })
			staleResp := <-svc.stale
			if len(waited) != 1 || waited[0] < 15*time.Minute {
				t.Errorf("the dispatcher waited %v before retrying the dropped invoke, want the function timeout", waited)
			}
			for _, r := range rep.Results {
				if r.Cell.String() == target && (r.Attempts != 2 || r.Outcome != dispatch.OutcomeOK) {
					t.Errorf("target cell: %d attempts, %s; want 2, ok", r.Attempts, r.Outcome)
				}
			}
			var res dispatch.CellResult
			_ = json.Unmarshal([]byte(staleResp.Body), &res)
			switch policy {
			case config.SkipGranuleError:
				if res.ErrorKind != dispatch.KindSuperseded {
					t.Errorf("stale invocation: %s, want superseded", staleResp.Body)
				}
			default:
				if res.ErrorKind == dispatch.KindNone || res.ErrorKind == dispatch.KindSuperseded {
					t.Errorf("stale invocation under fail: %s, want a granule failure", staleResp.Body)
				}
			}
			// Byte-equal to the run without the duplicate, but for the cell
			// objects and the lease (they name runs and attempts).
			want, got := storeObjects(t, srv, clean, true), storeObjects(t, srv, dup, true)
			if len(want) == 0 || len(got) != len(want) {
				t.Fatalf("%d objects, a run without the duplicate has %d", len(got), len(want))
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s differs from the run without the duplicate", k)
				}
			}
		})
	}
}

// dispatchVia runs a Runner of cfg over cat into the S3 store at
// location store, through the Lambda stand-in svc; sleep replaces the wait
// after a dropped invoke.
func dispatchVia(ctx context.Context, t *testing.T, srv *s3test.Server, cat *cmr.Catalog, cfg *config.Config, store string,
	svc http.Handler, sleep func(context.Context, time.Duration) error) (*dispatch.Report, error) {
	t.Helper()
	ls := httptest.NewServer(svc)
	defer ls.Close()
	client := NewClient(aws.Config{Region: "us-west-2", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")},
		time.Minute, 4, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(ls.URL) })
	z, err := zarrstore.Open(store, s3store.WithClient(srv.Client, s3store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	lr := &Runner{
		Config: cfg, Catalog: cat, StorePath: store, Client: client, FunctionName: "zagg-cell",
		Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
		Workers:     4, Store: z, Sleep: sleep,
		Dispatcher: &dispatch.Dispatcher{BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
	}
	return lr.Run(ctx)
}

// storeObjects reads every object of the S3 store at loc but the cell
// objects and the lease, which name runs and attempts, and, unless
// withRoot, the root zarr.json, whose provenance lists the runs.
func storeObjects(t *testing.T, srv *s3test.Server, loc string, withRoot bool) map[string]string {
	t.Helper()
	z, err := zarrstore.Open(loc, s3store.WithClient(srv.Client, s3store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, err := range z.Backend().List(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(k, pipeline.MarkersPrefix) || k == pipeline.LeaseKey || k == zarrstore.MetadataKey && !withRoot {
			continue
		}
		b, err := z.Backend().Get(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = string(b)
	}
	return out
}
