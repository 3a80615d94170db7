package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// invokeStandIn is a loopback stand-in for the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations) and GetAccountSettings.
// Each cell follows a script of behaviours, one per invocation (the last one
// repeats); the "worker" it stands in for answers like examples/lambda.
type invokeStandIn struct {
	mu       sync.Mutex
	script   map[string][]string
	calls    map[string]int
	inflight atomic.Int32
	peak     atomic.Int32
	reserved int // the function's reserved concurrency, 0 for none
}

func (s *invokeStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/2016-08-19/account-settings" {
		fmt.Fprint(w, `{"AccountLimit":{"ConcurrentExecutions":1000,"UnreservedConcurrentExecutions":900},"AccountUsage":{}}`)
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/2019-09-30/functions/zagg-cell/concurrency" {
		if s.reserved > 0 {
			fmt.Fprintf(w, `{"ReservedConcurrentExecutions":%d}`, s.reserved)
		} else {
			fmt.Fprint(w, `{}`)
		}
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/zagg-cell/invocations") {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"Type":"User","message":"Function not found"}`)
		return
	}
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
	}
	var ev Event
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := string(ev.ParentMorton)
	s.mu.Lock()
	steps := s.script[key]
	i := s.calls[key]
	s.calls[key]++
	s.mu.Unlock()
	behaviour := "ok"
	if len(steps) > 0 {
		behaviour = steps[min(i, len(steps)-1)]
	}
	time.Sleep(time.Millisecond)
	report := base64.StdEncoding.EncodeToString([]byte(
		"START RequestId: x\nEND RequestId: x\nREPORT RequestId: x\tDuration: 3000.12 ms\tBilled Duration: 3001 ms\tMemory Size: 2048 MB\tMax Memory Used: 211 MB\t\n"))
	switch behaviour {
	case "throttle":
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		w.Header().Set("Retry-After", "0.002")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"Reason":"ConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}`)
		return
	case "api500":
		w.Header().Set("X-Amzn-ErrorType", "ServiceException")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"Type":"Service","message":"internal"}`)
		return
	case "reset":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	// The Runtime Interface Emulator's own replies, byte for byte as
	// aws-lambda-rie (bef5c4ba774d) sends them: its timeout in classic and
	// concurrent mode (HTTP 200, no X-Amz-Function-Error), and no free
	// runtime in concurrent mode (HTTP 400).
	case "rie-timeout-classic":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "Task timed out after 2.00 seconds")
		return
	case "rie-timeout":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Error-Type", "Sandbox.Timedout")
		fmt.Fprint(w, `{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 2.00 seconds"}`)
		return
	case "rie-unavailable":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Error-Type", "Runtime.Unavailable")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"errorType":"Runtime.Unavailable"}`)
		return
	case "timeout", "crash":
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.Header().Set("X-Amz-Log-Result", report)
		msg := `{"errorMessage":"2026-11-21T01:00:00Z x Task timed out after 900.00 seconds","errorType":"Sandbox.Timedout"}`
		if behaviour == "crash" {
			msg = `{"errorMessage":"Runtime exited with error: signal: killed","errorType":"Runtime.ExitError"}`
		}
		fmt.Fprint(w, msg)
		return
	}
	res := dispatch.CellResult{DurationS: 3, GranuleCount: len(ev.GranuleURLs), FilesProcessed: len(ev.GranuleURLs)}
	fmt.Sscan(key, &res.ParentMorton)
	status := http.StatusOK
	switch behaviour {
	case "ok":
		res.TotalObs, res.CellsWithData = int64(100*len(ev.GranuleURLs)), 7
	case "empty":
		res.SetError(dispatch.KindEmpty, dispatch.MsgNoData)
		status = http.StatusInternalServerError // zagg 0.1.0 answers 500 for "no data"
	case "s3slow":
		res.SetError(dispatch.KindTransient, "writing chunk: SlowDown")
		status = http.StatusInternalServerError
	case "badevent":
		status = http.StatusBadRequest
	}
	body, _ := json.Marshal(res)
	if behaviour == "badevent" {
		body = []byte(`{"error": "Missing required parameters: store_path"}`)
	}
	w.Header().Set("X-Amz-Log-Result", report)
	json.NewEncoder(w).Encode(Response{StatusCode: status, Body: string(body)})
}

func newStandIn(t *testing.T, script map[string][]string) (*invokeStandIn, *awslambda.Client) {
	t.Helper()
	s := &invokeStandIn{script: script, calls: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-west-2", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
	client := NewClient(cfg, 2*time.Second, 8, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	return s, client
}

func TestLambdaDispatchAgainstStandIn(t *testing.T) {
	script := map[string][]string{
		keyOf(1):  {"throttle", "throttle", "ok"},
		keyOf(2):  {"api500", "ok"},
		keyOf(3):  {"reset", "ok"},
		keyOf(4):  {"timeout"},
		keyOf(5):  {"timeout", "ok"},
		keyOf(6):  {"crash"},
		keyOf(7):  {"badevent"},
		keyOf(8):  {"empty"},
		keyOf(9):  {"s3slow", "ok"},
		keyOf(10): {"s3slow"},
		keyOf(11): {"rie-timeout-classic", "ok"},
		keyOf(12): {"rie-timeout", "rie-timeout"},
		keyOf(13): {"rie-unavailable", "rie-unavailable", "ok"},
	}
	want := map[string]struct {
		outcome  dispatch.Outcome
		attempts int
	}{
		keyOf(1): {dispatch.OutcomeOK, 3}, keyOf(2): {dispatch.OutcomeOK, 2}, keyOf(3): {dispatch.OutcomeOK, 2},
		keyOf(4): {dispatch.OutcomeTimeout, 2}, keyOf(5): {dispatch.OutcomeOK, 2}, keyOf(6): {dispatch.OutcomeFailed, 1},
		keyOf(7): {dispatch.OutcomeFailed, 1}, keyOf(8): {dispatch.OutcomeEmpty, 1}, keyOf(9): {dispatch.OutcomeOK, 2},
		// A transient worker result: the worker retried its requests
		// already, so the cell gets one more attempt, not four.
		keyOf(10): {dispatch.OutcomeFailed, 2},
		keyOf(11): {dispatch.OutcomeOK, 2}, keyOf(12): {dispatch.OutcomeTimeout, 2}, keyOf(13): {dispatch.OutcomeOK, 3},
	}
	var js []dispatch.Job
	for i := 1; i <= 40; i++ {
		js = append(js, dispatch.Job{Cell: testCell(keyOf(i)), Granules: make([]string, 1+i%3)})
	}
	stand, client := newStandIn(t, script)
	ex := &Executor{Client: client, FunctionName: "zagg-cell", Event: func(_ context.Context, j dispatch.Job) (*Event, error) {
		return &Event{ParentMorton: CellKey(j.Cell.String()), ParentOrder: 6, ChildOrder: 12, GranuleURLs: j.Granules,
			StorePath: "s3://out/x.zarr", S3Credentials: map[string]string{"accessKeyId": "AKIA-secret"}}, nil
	}}
	limit, err := AccountConcurrency(context.Background(), client)
	if err != nil || limit != 900 {
		t.Fatalf("AccountConcurrency = %d, %v; want 900", limit, err)
	}
	d := &dispatch.Dispatcher{Executor: ex, Workers: min(6, limit), BaseBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, MemoryMB: 2048, PricePerGBSecond: PriceARM64}
	rep, err := d.Run(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	if p := stand.peak.Load(); p > 6 {
		t.Errorf("peak in-flight invokes %d > 6", p)
	}
	seen := map[string]bool{}
	for _, rec := range rep.Results {
		if seen[rec.Cell.String()] {
			t.Errorf("cell %s twice in results", rec.Cell.String())
		}
		seen[rec.Cell.String()] = true
		w, scripted := want[rec.Cell.String()]
		if !scripted {
			w.outcome, w.attempts = dispatch.OutcomeOK, 1
		}
		if rec.Outcome != w.outcome || rec.Attempts != w.attempts {
			t.Errorf("cell %s: %s after %d attempts (%s); want %s after %d", rec.Cell.String(), rec.Outcome, rec.Attempts, rec.Error, w.outcome, w.attempts)
		}
		if stand.calls[rec.Cell.String()] != rec.Attempts {
			t.Errorf("cell %s: stand-in saw %d invokes, record %d", rec.Cell.String(), stand.calls[rec.Cell.String()], rec.Attempts)
		}
		if strings.Contains(rec.Error, "AKIA-secret") {
			t.Errorf("cell %s: credentials leaked into the error", rec.Cell.String())
		}
	}
	if len(seen) != 40 {
		t.Errorf("%d cells in results, want 40", len(seen))
	}
	if r := rep.Results[0]; r.BilledS < 3.0 || r.MaxMemoryMB != 211 || r.Throttles != 2 {
		t.Errorf("cell 1: billed %v s, memory %d MB, throttles %d; want ≥3.0 (two throttled invokes are free), 211, 2", r.BilledS, r.MaxMemoryMB, r.Throttles)
	}
	if rep.Summary.EstimatedCostUSD <= 0 || rep.Summary.GBSeconds <= 0 {
		t.Errorf("no cost estimate: %+v", rep.Summary)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	for _, tc := range []struct {
		reserved int
		want     int
		what     string
	}{
		{0, 900, "the account's unreserved concurrency"},
		{25, 25, "the function's reserved concurrency"},
	} {
		stand, client := newStandIn(t, nil)
		stand.reserved = tc.reserved
		got, what, err := ConcurrencyLimit(context.Background(), client, "zagg-cell")
		if err != nil || got != tc.want || what != tc.what {
			t.Errorf("reserved %d: ConcurrencyLimit = %d, %q, %v; want %d, %q", tc.reserved, got, what, err, tc.want, tc.what)
		}
	}
}

func TestLambdaExecutorUnknownFunction(t *testing.T) {
	_, client := newStandIn(t, nil)
	ex := &Executor{Client: client, FunctionName: "nope", Event: func(_ context.Context, j dispatch.Job) (*Event, error) {
		return &Event{ParentMorton: CellKey(j.Cell.String())}, nil
	}}
	_, err := ex.Execute(context.Background(), dispatch.Job{Cell: testCell("1")})
	if err == nil || dispatch.IsTransient(err) {
		t.Fatalf("unknown function: err = %v, want a deterministic error", err)
	}
}

func TestEventCompat(t *testing.T) {
	var ev Event
	if err := json.Unmarshal([]byte(`{"shard_key":`+keyOf(22)+`,"parent_order":6,"child_order":12,"granule_urls":["s3://a"],"store_path":"s3://b/c","s3_credentials":{"accessKeyId":"AK","secretAccessKey":"SK","sessionToken":"T"}}`), &ev); err != nil {
		t.Fatal(err)
	}
	if string(ev.ParentMorton) != keyOf(22) || ev.Mode != "" {
		t.Errorf("shard_key alias: %+v", ev)
	}
	if s := ev.String(); strings.Contains(s, "SK") || !strings.Contains(s, "redacted") {
		t.Errorf("String leaks or hides nothing: %q", s)
	}
	if err := json.Unmarshal([]byte(`{"parent_morton":-6134114,"chunk_idx":17}`), &ev); err != nil || ev.ParentMorton != "-6134114" {
		t.Errorf("numeric parent_morton: %v %+v", err, ev)
	}
	b, _ := json.Marshal(Event{ParentMorton: "-6134114"})
	if !strings.Contains(string(b), `"parent_morton":-6134114`) {
		t.Errorf("marshal: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"parent_morton":1.5}`), &ev); err == nil {
		t.Error("fractional parent_morton accepted")
	}
}

// TestDroppedInvokeWaitsOutTheFunction: an invoke whose connection drops
// (the "reset" behaviour) may still be running in Lambda, so the executor
// waits until the function timeout has passed since the invoke started
// before it reports the (transient) failure; an answered failure does not
// wait. The clock and the sleep are injected.
func TestDroppedInvokeWaitsOutTheFunction(t *testing.T) {
	_, client := newStandIn(t, map[string][]string{keyOf(3): {"reset"}, keyOf(2): {"api500"}})
	var slept []time.Duration
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	e := &Executor{Client: client, FunctionName: "zagg-cell", FunctionTimeout: 15 * time.Minute,
		Event: func(ctx context.Context, job dispatch.Job) (*Event, error) {
			return &Event{ParentMorton: CellKey(job.Cell.String()), ParentOrder: 6, ChildOrder: 12, GranuleURLs: job.Granules, StorePath: "s3://b/s"}, nil
		},
		Now:   func() time.Time { now = now.Add(time.Second); return now },
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
	}
	_, err := e.Execute(context.Background(), dispatch.Job{Cell: testCell(keyOf(3)), Granules: []string{"s3://g/1.h5"}})
	if !dispatch.IsTransient(err) {
		t.Fatalf("dropped invoke: %v, want a transient error", err)
	}
	if len(slept) != 1 || slept[0] != 15*time.Minute+5*time.Second-time.Second {
		t.Errorf("waited %v, want the function timeout + 5 s less the second the invoke took", slept)
	}
	slept = nil
	if _, err := e.Execute(context.Background(), dispatch.Job{Cell: testCell(keyOf(2)), Granules: []string{"s3://g/1.h5"}}); !dispatch.IsTransient(err) || len(slept) != 0 {
		t.Errorf("answered 500: %v, waited %v; want transient without waiting", err, slept)
	}
}
