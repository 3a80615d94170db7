package dispatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zagg-go/zagg/morton"
)

// scriptExecutor plays a per-job script of attempt outcomes: each Execute call
// for a job consumes the next step; past the end the last step repeats.
type scriptExecutor struct {
	mu      sync.Mutex
	script  map[string][]step
	calls   map[string]int
	active  atomic.Int32
	peak    atomic.Int32
	holdFor time.Duration
}

type step struct {
	kind ErrorKind // result kind when err == nil
	err  error
}

func (e *scriptExecutor) Execute(ctx context.Context, job Job) (*Execution, error) {
	n := e.active.Add(1)
	defer e.active.Add(-1)
	for {
		p := e.peak.Load()
		if n <= p || e.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if e.holdFor > 0 {
		if err := sleep(ctx, e.holdFor); err != nil {
			return nil, err
		}
	}
	e.mu.Lock()
	steps := e.script[label(job.Cell)]
	i := e.calls[label(job.Cell)]
	e.calls[label(job.Cell)]++
	e.mu.Unlock()
	s := step{}
	if len(steps) > 0 {
		s = steps[min(i, len(steps)-1)]
	}
	if s.err != nil {
		return nil, s.err
	}
	res := &CellResult{DurationS: 2, TotalObs: 10, GranuleCount: len(job.Granules)}
	switch s.kind {
	case KindEmpty:
		res.SetError(KindEmpty, MsgNoData)
		res.TotalObs = 0
	case KindTransient, KindDeterministic:
		res.SetError(s.kind, "worker said "+string(s.kind))
	}
	return &Execution{Result: res}, nil
}

func jobs(keys ...string) []Job {
	out := make([]Job, len(keys))
	for i, k := range keys {
		out[i] = Job{Cell: cellOf(k), Granules: []string{"s3://b/" + k + ".h5"}}
	}
	return out
}

func fastDispatcher(ex Executor) *Dispatcher {
	return &Dispatcher{Executor: ex, Workers: 3, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Seed: 1}
}

func TestDispatcherRetryPolicy(t *testing.T) {
	throttle := &ThrottleError{Reason: "ConcurrentInvocationLimitExceeded", RetryAfter: time.Millisecond}
	transient := fmt.Errorf("reading granule: %w", ErrTransient)
	tests := []struct {
		name      string
		steps     []step
		want      Outcome
		attempts  int
		throttles int
	}{
		{"ok first time", nil, OutcomeOK, 1, 0},
		{"empty is final", []step{{kind: KindEmpty}}, OutcomeEmpty, 1, 0},
		{"deterministic error not retried", []step{{err: fmt.Errorf("bad config: %w", ErrDeterministic)}}, OutcomeFailed, 1, 0},
		{"unknown error not retried", []step{{err: errors.New("boom")}}, OutcomeFailed, 1, 0},
		{"deterministic result not retried", []step{{kind: KindDeterministic}}, OutcomeFailed, 1, 0},
		{"transient then ok", []step{{err: transient}, {err: transient}, {}}, OutcomeOK, 3, 0},
		{"transient result then ok", []step{{kind: KindTransient}, {}}, OutcomeOK, 2, 0},
		{"unexpected EOF is transient", []step{{err: io.ErrUnexpectedEOF}, {}}, OutcomeOK, 2, 0},
		{"transient exhausts MaxAttempts", []step{{err: transient}}, OutcomeFailed, 4, 0},
		{"throttles do not use attempts", []step{{err: throttle}, {err: throttle}, {err: throttle}, {err: transient}, {}}, OutcomeOK, 5, 3},
		{"timeout retried once", []step{{err: fmt.Errorf("Task timed out: %w", ErrTimeout)}}, OutcomeTimeout, 2, 0},
		{"timeout then ok", []step{{err: ErrTimeout}, {}}, OutcomeOK, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &scriptExecutor{script: map[string][]step{"-4211322": tt.steps}, calls: map[string]int{}}
			rep, err := fastDispatcher(ex).Run(context.Background(), jobs("-4211322"))
			if err != nil {
				t.Fatal(err)
			}
			rec := rep.Results[0]
			if rec.Outcome != tt.want || rec.Attempts != tt.attempts || rec.Throttles != tt.throttles {
				t.Errorf("outcome %s after %d attempts, %d throttles; want %s, %d, %d (error %q)",
					rec.Outcome, rec.Attempts, rec.Throttles, tt.want, tt.attempts, tt.throttles, rec.Error)
			}
			if got := ex.calls["-4211322"]; got != rec.Attempts {
				t.Errorf("executor called %d times, record says %d attempts", got, rec.Attempts)
			}
		})
	}
}

func TestDispatcherEveryJobOnceAndBounded(t *testing.T) {
	var keys []string
	script := map[string][]step{}
	for i := 0; i < 60; i++ {
		k := fmt.Sprintf("-41113%02d", i)
		keys = append(keys, k)
		switch i % 5 {
		case 1:
			script[k] = []step{{err: &ThrottleError{}}, {}}
		case 2:
			script[k] = []step{{err: ErrTransient}, {}}
		case 3:
			script[k] = []step{{err: ErrDeterministic}}
		case 4:
			script[k] = []step{{kind: KindEmpty}}
		}
	}
	ex := &scriptExecutor{script: script, calls: map[string]int{}, holdFor: time.Millisecond}
	d := fastDispatcher(ex)
	d.Workers = 7
	d.MemoryMB, d.PricePerGBSecond = 2048, testPrice
	var mu sync.Mutex
	seen := map[string]int{}
	d.OnRecord = func(r CellRecord) { mu.Lock(); seen[label(r.Cell)]++; mu.Unlock() }
	rep, err := d.Run(context.Background(), jobs(keys...))
	if err != nil {
		t.Fatal(err)
	}
	if p := ex.peak.Load(); p > 7 {
		t.Errorf("peak concurrency %d > Workers 7", p)
	}
	for i, r := range rep.Results {
		if label(r.Cell) != keys[i] {
			t.Fatalf("result %d is %s, want input order %s", i, label(r.Cell), keys[i])
		}
		if seen[label(r.Cell)] != 1 {
			t.Errorf("OnRecord saw %s %d times", label(r.Cell), seen[label(r.Cell)])
		}
	}
	s := rep.Summary
	if s.TotalCells != 60 || s.CellsWithData != 36 || s.CellsError != 12 || s.CellsEmpty != 12 {
		t.Errorf("summary %+v", s)
	}
	if s.TotalObs != 360 {
		t.Errorf("total obs %d, want 360", s.TotalObs)
	}
	// 60 jobs, 84 attempts (12 throttled + 12 transient retries). Only the 48
	// attempts that returned a result are billed: 2 s each at 2 GB.
	if s.Attempts != 84 || s.GBSeconds != 48*2*2 {
		t.Errorf("attempts %d, GB-s %v; want 84, 192", s.Attempts, s.GBSeconds)
	}
	if want := 192 * testPrice; s.EstimatedCostUSD != want {
		t.Errorf("cost %v, want %v", s.EstimatedCostUSD, want)
	}
}

func TestDispatcherRetryBudget(t *testing.T) {
	script := map[string][]step{}
	var keys []string
	for i := 0; i < 10; i++ {
		k := fmt.Sprint(i + 1)
		keys = append(keys, k)
		script[k] = []step{{err: ErrTransient}}
	}
	d := fastDispatcher(&scriptExecutor{script: script, calls: map[string]int{}})
	d.RetryBudget = 5
	rep, err := d.Run(context.Background(), jobs(keys...))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Attempts != 15 || rep.Summary.CellsError != 10 {
		t.Errorf("attempts %d, errors %d; want 15 (10 + a budget of 5), 10", rep.Summary.Attempts, rep.Summary.CellsError)
	}
}

func TestDispatcherSkipAndDuplicates(t *testing.T) {
	ex := &scriptExecutor{calls: map[string]int{}}
	d := fastDispatcher(ex)
	d.Skip = func(_ context.Context, j Job) (bool, string, error) { return label(j.Cell) == "2", "", nil }
	rep, err := d.Run(context.Background(), jobs("1", "2", "3"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Results[1].Outcome != OutcomeSkipped || ex.calls["2"] != 0 || rep.Summary.CellsSkipped != 1 {
		t.Errorf("skip: %+v, calls %v", rep.Results[1], ex.calls)
	}
	if _, err := d.Run(context.Background(), jobs("1", "1")); !errors.Is(err, ErrDuplicateJob) {
		t.Errorf("duplicate jobs: err = %v, want ErrDuplicateJob", err)
	}
	if _, err := (&Dispatcher{}).Run(context.Background(), nil); err == nil {
		t.Error("nil executor: no error")
	}
}

func TestDispatcherCancel(t *testing.T) {
	ex := &scriptExecutor{calls: map[string]int{}, holdFor: 20 * time.Millisecond}
	d := fastDispatcher(ex)
	d.Workers = 2
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	d.OnRecord = func(CellRecord) { once.Do(cancel) }
	var keys []string
	for i := 0; i < 20; i++ {
		keys = append(keys, fmt.Sprint(i+1))
	}
	rep, err := d.Run(ctx, jobs(keys...))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	s := rep.Summary
	if s.CellsWithData < 1 || s.CellsCanceled < 15 || s.CellsWithData+s.CellsCanceled != 20 {
		t.Errorf("after cancel: %+v", s)
	}
}

func TestDispatcherOrder(t *testing.T) {
	js := []Job{{Cell: cellOf("a"), Granules: []string{"1"}}, {Cell: cellOf("b"), Granules: []string{"1", "2", "3"}}, {Cell: cellOf("c"), Granules: []string{"1", "2"}}}
	var mu sync.Mutex
	var started []string
	ex := ExecutorFunc(func(_ context.Context, j Job) (*Execution, error) {
		mu.Lock()
		started = append(started, label(j.Cell))
		mu.Unlock()
		return &Execution{Result: &CellResult{}}, nil
	})
	d := &Dispatcher{Executor: ex, Workers: 1}
	if _, err := d.Run(context.Background(), js); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(started, ""); got != "bca" {
		t.Errorf("start order %q, want most granules first %q", got, "bca")
	}
}

func TestReportJSONAndLegacyResult(t *testing.T) {
	// A zagg 0.1.0 worker body: no error_kind.
	var r CellResult
	if err := json.Unmarshal([]byte(`{"parent_morton":-4211322,"cells_with_data":0,"total_obs":0,"granule_count":2,"files_processed":2,"duration_s":1.5,"error":"No data after filtering"}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.ErrorKind != KindEmpty || r.Failed() {
		t.Errorf("legacy empty result classified %q", r.ErrorKind)
	}
	if err := json.Unmarshal([]byte(`{"parent_morton":1,"error":"Failed to write zarr: x"}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.ErrorKind != KindDeterministic || !r.Failed() {
		t.Errorf("legacy failure classified %q", r.ErrorKind)
	}
	rep := &Report{Results: []CellRecord{{Cell: cellOf("1"), Outcome: OutcomeOK}}}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"morton": "`+cellOf("1").String()+`"`) || !strings.Contains(buf.String(), `"total_cells"`) {
		t.Errorf("report JSON:\n%s", buf.String())
	}
}

// testPrice is a price per GB-second for the cost estimate.
const testPrice = 0.0000133334

// testCells names the test jobs: each label maps to a distinct order-10
// cell, and back.
var testCells sync.Map

func cellOf(label string) morton.Cell {
	h := fnv.New64a()
	h.Write([]byte(label))
	c := morton.FromNest(10, h.Sum64()%(12<<20))
	testCells.Store(c, label)
	return c
}

func label(c morton.Cell) string {
	v, ok := testCells.Load(c)
	if !ok {
		return c.String()
	}
	return v.(string)
}
