package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/zagg-go/zagg/internal/retry"
	"github.com/zagg-go/zagg/morton"
)

// Errors an Executor returns (wrapped with %w) to tell the Dispatcher how to
// treat a failed attempt. An error that matches none of them is deterministic
// unless it is a network error (net.Error, connection reset, unexpected EOF).
var (
	// ErrTransient marks a failure that may pass on retry.
	ErrTransient = errors.New("dispatch: transient failure")
	// ErrTimeout marks an attempt that ran out of time (e.g. a Lambda
	// function timeout). Retried once (Dispatcher.TimeoutRetries).
	ErrTimeout = errors.New("dispatch: timed out")
	// ErrDeterministic marks a failure that will repeat. Never retried.
	ErrDeterministic = errors.New("dispatch: deterministic failure")
	// ErrDuplicateJob is returned by Dispatcher.Run when two jobs name the
	// same cell.
	ErrDuplicateJob = errors.New("dispatch: duplicate job")
)

// ThrottleError is returned by an Executor when the compute service refused
// the attempt for rate or concurrency reasons (Lambda's
// TooManyRequestsException). Throttles are retried with backoff that honours
// RetryAfter, and pause all workers briefly; they do not count against
// Dispatcher.MaxAttempts but against MaxThrottleRetries.
type ThrottleError struct {
	Reason     string        // e.g. "ConcurrentInvocationLimitExceeded"
	RetryAfter time.Duration // 0 if the service did not say
	Err        error         // the underlying error
}

// Error describes the throttle.
func (e *ThrottleError) Error() string {
	s := "dispatch: throttled"
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *ThrottleError) Unwrap() error { return e.Err }

// Job is one parent cell to process.
type Job struct {
	// Cell is the parent cell. It identifies the job in results, where it is
	// written as its decimal string (Cell.String: zagg 0.1.0's legacy signed
	// decimal morton id, the catalog key).
	Cell morton.Cell
	// Granules are the URLs of the granules the catalog lists for the cell.
	Granules []string
	// Run identifies the run (NewRunID), Generation orders it among the
	// store's runs (Lease.Generation), and Attempt is the try at this job
	// within it (1, 2, …; the Dispatcher sets it): together they fence the
	// cell's writes (Store.WriteCell).
	Run        string
	Attempt    int
	Generation int
}

// Execution is what an Executor reports for one successful attempt.
type Execution struct {
	// Result is the worker's record. A result whose ErrorKind is
	// KindTransient is retried like a transient error.
	Result *CellResult
	// Billed is the billed compute duration of the attempt, if the executor
	// knows it (Lambda reports it in the invocation log tail); zero means
	// unknown, and Result.DurationS is used for cost estimates.
	Billed time.Duration
	// MaxMemoryMB is the peak memory the attempt used, if known.
	MaxMemoryMB int
}

// Executor processes one job, once. Implementations: LocalExecutor (the
// pipeline in this process) and lambda.Executor (one synchronous Lambda invoke
// per attempt). Execute must be safe for concurrent use, and idempotent:
// the Dispatcher may run the same job again after a transient failure.
type Executor interface {
	Execute(ctx context.Context, job Job) (*Execution, error)
}

// Order is the order in which a Dispatcher starts its jobs.
type Order int

const (
	// OrderMostGranulesFirst starts the cells with the most granules first,
	// so the longest cells do not straggle at the end (zagg's Lambda order).
	// Ties keep their input order. The default.
	OrderMostGranulesFirst Order = iota
	// OrderAsGiven keeps the input order (zagg's local order).
	OrderAsGiven
	// OrderShuffled shuffles with Dispatcher.Seed, spreading S3 key prefixes.
	OrderShuffled
)

// Outcome is the final state of one cell in a Report.
type Outcome string

// The outcomes a CellRecord can end with.
const (
	OutcomeOK       Outcome = "ok"       // processed, data written
	OutcomeEmpty    Outcome = "empty"    // processed, nothing to write
	OutcomeFailed   Outcome = "failed"   // deterministic failure, or retries exhausted
	OutcomeTimeout  Outcome = "timeout"  // timed out on every allowed attempt
	OutcomeSkipped  Outcome = "skipped"  // already done (resume), not run
	OutcomeCanceled Outcome = "canceled" // the run was stopped before the cell finished
)

// Dispatcher runs many jobs on an Executor with bounded concurrency and the
// retry policy below. The zero value is not usable: set Executor. Every other
// field has a documented default.
//
// Retry policy, per cell (the cell layer of zagg's one retry policy, see
// docs/lambda.md; inner layers retry requests, so this one does not
// multiply their retries):
//   - throttles (ThrottleError): retried up to MaxThrottleRetries times with
//     exponential backoff and full jitter, at least RetryAfter; every worker
//     waits out the RetryAfter before starting its next attempt;
//   - attempts that failed before the worker answered (ErrTransient, network
//     errors: the invoke itself): up to MaxAttempts attempts in all,
//     exponential backoff with full jitter, while the run-level RetryBudget
//     lasts;
//   - results of kind KindTransient (the worker's own request retries were
//     exhausted): up to MaxResultAttempts attempts in all, within the same
//     budget;
//   - timeouts (ErrTimeout, results of kind KindTimeout): retried
//     TimeoutRetries times, then OutcomeTimeout;
//   - deterministic failures and results of kind KindDeterministic: never
//     retried;
//   - empty results: final, OutcomeEmpty.
//
// Each job appears exactly once in the Report, in the input order.
type Dispatcher struct {
	// Executor runs one attempt of one job. Required.
	Executor Executor
	// Workers bounds the attempts in flight. Default 4; clamped to the number
	// of jobs.
	Workers int
	// MaxAttempts bounds the attempts of a job whose attempts fail before
	// the worker answers (transient executor errors). Default 4.
	MaxAttempts int
	// MaxResultAttempts bounds the attempts of a job whose worker answers
	// with a KindTransient result: its requests were already retried inside
	// the worker. Default 2.
	MaxResultAttempts int
	// MaxThrottleRetries bounds the retries of a job after throttles.
	// Default 20.
	MaxThrottleRetries int
	// TimeoutRetries is how many times a timed-out job is tried again.
	// Default 1; negative means never.
	TimeoutRetries int
	// BaseBackoff and MaxBackoff bound the exponential backoff: the n-th retry
	// waits a uniformly random duration in [0, min(MaxBackoff, BaseBackoff·2^n)].
	// Defaults 1 s and 60 s.
	BaseBackoff, MaxBackoff time.Duration
	// RetryBudget bounds the transient and timeout retries of the whole run,
	// so a broken dependency does not multiply the cost of a run. Default
	// 10 + len(jobs)/2; negative means no retries.
	RetryBudget int
	// Order is the start order. Default OrderMostGranulesFirst.
	Order Order
	// Seed seeds the jitter and OrderShuffled.
	Seed uint64
	// Skip, if set, is asked before a job starts; skip true records the job
	// as OutcomeSkipped (used to resume runs: cells already committed from
	// the same input). A non-empty redo says why a job that was done before
	// runs again (e.g. "config or granules changed"); the record keeps it
	// (CellRecord.Redo) and the progress line counts it. An error fails the
	// job (deterministic).
	Skip func(ctx context.Context, job Job) (skip bool, redo string, err error)
	// OnRecord, if set, is called once per job as it ends (from the worker's
	// goroutine; it must be safe for concurrent use).
	OnRecord func(CellRecord)
	// OnStart, if set, is called once with the number of jobs before any
	// starts (a progress display sizes itself with it).
	OnStart func(total int)
	// MemoryMB and PricePerGBSecond turn durations into the cost estimate of
	// the Summary (GB-seconds × price); either 0 means no estimate. The
	// Lambda runner sets them from the function's memory and the arm64 price.
	MemoryMB         int
	PricePerGBSecond float64
}

// CellRecord is the outcome of one job in a Report. Its JSON keys follow
// zagg 0.1.0's per-cell records where they exist.
type CellRecord struct {
	Cell         morton.Cell `json:"morton"`
	Outcome      Outcome     `json:"outcome"`
	GranuleCount int         `json:"granule_count"`
	Attempts     int         `json:"attempts"`
	Retries      int         `json:"retries"`
	Throttles    int         `json:"throttles"`
	WallTimeS    float64     `json:"wall_time"`
	BilledS      float64     `json:"billed_s,omitempty"`
	MaxMemoryMB  int         `json:"max_memory_mb,omitempty"`
	GBSeconds    float64     `json:"gb_seconds,omitempty"`
	Error        string      `json:"error,omitempty"`
	// Redo says why a cell done by an earlier run was done again.
	Redo   string      `json:"redo,omitempty"`
	Result *CellResult `json:"body,omitempty"`
}

// Summary totals a Report.
type Summary struct {
	TotalCells       int     `json:"total_cells"`
	CellsWithData    int     `json:"cells_with_data"`
	CellsEmpty       int     `json:"cells_empty"`
	CellsError       int     `json:"cells_error"`
	CellsTimeout     int     `json:"cells_timeout"`
	CellsSkipped     int     `json:"cells_skipped"`
	CellsRedone      int     `json:"cells_redone,omitempty"`
	CellsCanceled    int     `json:"cells_canceled"`
	TotalObs         int64   `json:"total_obs"`
	Attempts         int     `json:"attempts"`
	Throttles        int     `json:"throttles"`
	WallTimeS        float64 `json:"wall_time_s"`
	ComputeTimeS     float64 `json:"compute_time_s"`
	MemoryMB         int     `json:"memory_mb,omitempty"`
	GBSeconds        float64 `json:"gb_seconds,omitempty"`
	PricePerGBSecond float64 `json:"price_per_gb_sec,omitempty"`
	EstimatedCostUSD float64 `json:"estimated_cost_usd,omitempty"`
}

// Report is the result of Dispatcher.Run.
type Report struct {
	Summary Summary      `json:"summary"`
	Results []CellRecord `json:"results"`
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (d *Dispatcher) withDefaults(njobs int) Dispatcher {
	c := *d
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.Workers > njobs {
		c.Workers = max(njobs, 1)
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = retry.InvokeTries
	}
	if c.MaxResultAttempts <= 0 {
		c.MaxResultAttempts = retry.ResultTries
	}
	if c.MaxThrottleRetries <= 0 {
		c.MaxThrottleRetries = retry.ThrottleRetries
	}
	if c.TimeoutRetries == 0 {
		c.TimeoutRetries = retry.TimeoutTries - 1
	}
	if c.BaseBackoff <= 0 {
		c.BaseBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = time.Minute
	}
	if c.RetryBudget == 0 {
		c.RetryBudget = 10 + njobs/2
	}
	return c
}

// run is the state of one Dispatcher.Run.
type run struct {
	d       Dispatcher
	jobs    []Job
	records []CellRecord

	mu       sync.Mutex
	budget   int
	rng      *rand.Rand
	notUntil time.Time // throttle pause shared by all workers
}

// Run processes jobs and returns a report with one record per job, in input
// order. It returns early with ctx's error when ctx is cancelled: cells that
// had not finished are recorded as OutcomeCanceled and the report is still
// returned. Other errors are configuration errors (no executor, duplicate
// jobs) found before anything runs.
func (d *Dispatcher) Run(ctx context.Context, jobs []Job) (*Report, error) {
	if d.Executor == nil {
		return nil, errors.New("dispatch: Dispatcher.Executor is nil")
	}
	seen := make(map[morton.Cell]bool, len(jobs))
	for _, j := range jobs {
		if seen[j.Cell] {
			return nil, fmt.Errorf("%w: cell %s", ErrDuplicateJob, j.Cell)
		}
		seen[j.Cell] = true
	}
	r := &run{d: d.withDefaults(len(jobs)), jobs: jobs, records: make([]CellRecord, len(jobs))}
	r.budget = max(r.d.RetryBudget, 0)
	r.rng = rand.New(rand.NewPCG(r.d.Seed, 0x7a616767))
	for i, j := range jobs {
		r.records[i] = CellRecord{Cell: j.Cell, GranuleCount: len(j.Granules), Outcome: OutcomeCanceled}
	}
	if r.d.OnStart != nil {
		r.d.OnStart(len(jobs))
	}
	start := time.Now()

	order := r.startOrder()
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < r.d.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r.runJob(ctx, i)
			}
		}()
	}
feed:
	for _, i := range order {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	rep := &Report{Results: r.records, Summary: r.summarize(time.Since(start))}
	return rep, ctx.Err()
}

func (r *run) startOrder() []int {
	order := make([]int, len(r.jobs))
	for i := range order {
		order[i] = i
	}
	switch r.d.Order {
	case OrderMostGranulesFirst:
		sort.SliceStable(order, func(a, b int) bool {
			return len(r.jobs[order[a]].Granules) > len(r.jobs[order[b]].Granules)
		})
	case OrderShuffled:
		rng := rand.New(rand.NewPCG(r.d.Seed, 1))
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	}
	return order
}

// runJob runs one job through all its attempts and fills its record.
func (r *run) runJob(ctx context.Context, i int) {
	job := r.jobs[i]
	rec := &r.records[i]
	start := time.Now()
	defer func() {
		rec.WallTimeS = time.Since(start).Seconds()
		if rec.Attempts > 0 {
			rec.Retries = rec.Attempts - 1 - rec.Throttles
		}
		if r.d.OnRecord != nil {
			r.d.OnRecord(*rec)
		}
	}()
	if ctx.Err() != nil {
		return
	}
	if r.d.Skip != nil {
		skip, redo, err := r.d.Skip(ctx, job)
		rec.Redo = redo
		if err != nil {
			rec.Outcome, rec.Error = OutcomeFailed, fmt.Sprintf("checking whether cell %s is done: %v", job.Cell, err)
			return
		}
		if skip {
			rec.Outcome = OutcomeSkipped
			return
		}
	}
	transientRetries, resultRetries, timeouts := 0, 0, 0
	for {
		if err := r.waitThrottle(ctx); err != nil {
			rec.Outcome = OutcomeCanceled
			return
		}
		rec.Attempts++
		job.Attempt = rec.Attempts
		exec, err := r.d.Executor.Execute(ctx, job)
		if ctx.Err() != nil {
			rec.Outcome, rec.Error = OutcomeCanceled, ctx.Err().Error()
			return
		}
		if exec != nil {
			rec.Result = exec.Result
			r.bill(rec, exec)
		}
		kind, throttle := classify(exec, err)
		if err != nil {
			rec.Error = err.Error()
		} else if exec.Result != nil && exec.Result.Error != nil {
			rec.Error = *exec.Result.Error
		} else {
			rec.Error = ""
		}
		var delay time.Duration
		switch kind {
		case KindNone:
			rec.Outcome = OutcomeOK
			return
		case KindEmpty:
			rec.Outcome = OutcomeEmpty
			return
		case KindSuperseded:
			// A newer attempt has the cell: nothing of this one stays.
			rec.Outcome = OutcomeSkipped
			return
		case KindDeterministic:
			rec.Outcome = OutcomeFailed
			return
		case kindThrottle:
			rec.Throttles++
			if rec.Throttles > r.d.MaxThrottleRetries {
				rec.Outcome = OutcomeFailed
				rec.Error = fmt.Sprintf("throttled %d times, giving up: %s", rec.Throttles, rec.Error)
				return
			}
			delay = max(r.backoff(rec.Throttles), throttle.RetryAfter)
			r.pauseAll(throttle.RetryAfter)
		case KindTimeout:
			timeouts++
			if timeouts > r.d.TimeoutRetries || !r.takeBudget() {
				rec.Outcome = OutcomeTimeout
				return
			}
			delay = r.backoff(timeouts)
		case KindTransient:
			// A failed invoke and a worker's transient result are
			// counted apart: the worker retried its requests already.
			n, limit := &transientRetries, r.d.MaxAttempts
			if err == nil {
				n, limit = &resultRetries, r.d.MaxResultAttempts
			}
			*n++
			if *n >= limit {
				rec.Outcome = OutcomeFailed
				rec.Error = fmt.Sprintf("gave up after %d attempts: %s", *n, rec.Error)
				return
			}
			if !r.takeBudget() {
				rec.Outcome = OutcomeFailed
				rec.Error = "run retry budget exhausted: " + rec.Error
				return
			}
			delay = r.backoff(transientRetries + resultRetries)
		}
		if err := sleep(ctx, delay); err != nil {
			rec.Outcome = OutcomeCanceled
			return
		}
	}
}

// kindThrottle is a private kind used only inside the dispatcher.
const kindThrottle ErrorKind = "throttle"

// classify maps an attempt's outcome to what the retry policy does with it.
func classify(exec *Execution, err error) (ErrorKind, *ThrottleError) {
	if err != nil {
		var te *ThrottleError
		switch {
		case errors.As(err, &te):
			return kindThrottle, te
		case errors.Is(err, ErrTimeout):
			return KindTimeout, nil
		case errors.Is(err, ErrDeterministic):
			return KindDeterministic, nil
		case IsTransient(err):
			return KindTransient, nil
		}
		return KindDeterministic, nil
	}
	if exec == nil || exec.Result == nil {
		return KindDeterministic, nil
	}
	res := exec.Result
	if res.Error == nil {
		return KindNone, nil
	}
	switch res.ErrorKind {
	case KindEmpty, KindTransient, KindTimeout, KindSuperseded:
		return res.ErrorKind, nil
	}
	return KindDeterministic, nil
}

// IsTransient reports whether err is worth retrying: it wraps ErrTransient or
// ErrTimeout, or is a network-level failure or an HTTP 5xx or 429 answer
// (retry.Transient: a net.Error, a connection reset or refused, a broken
// pipe, an unexpected EOF).
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	return errors.Is(err, ErrTransient) || errors.Is(err, ErrTimeout) || retry.Transient(err)
}

// backoff returns the full-jitter exponential delay of the n-th retry (n ≥ 1).
func (r *run) backoff(n int) time.Duration {
	b := retry.Backoff{Base: r.d.BaseBackoff, Max: r.d.MaxBackoff, Rand: func() float64 {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.rng.Float64()
	}}
	return b.Delay(n)
}

func (r *run) takeBudget() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.budget <= 0 {
		return false
	}
	r.budget--
	return true
}

func (r *run) pauseAll(d time.Duration) {
	if d <= 0 {
		return
	}
	r.mu.Lock()
	if until := time.Now().Add(d); until.After(r.notUntil) {
		r.notUntil = until
	}
	r.mu.Unlock()
}

func (r *run) waitThrottle(ctx context.Context) error {
	r.mu.Lock()
	d := time.Until(r.notUntil)
	r.mu.Unlock()
	return sleep(ctx, d)
}

func (r *run) bill(rec *CellRecord, exec *Execution) {
	var s float64
	switch {
	case exec.Billed > 0:
		s = exec.Billed.Seconds()
	case exec.Result != nil:
		s = exec.Result.DurationS
	}
	rec.BilledS += s
	if exec.MaxMemoryMB > rec.MaxMemoryMB {
		rec.MaxMemoryMB = exec.MaxMemoryMB
	}
	if r.d.MemoryMB > 0 {
		rec.GBSeconds += s * float64(r.d.MemoryMB) / 1024
	}
}

func (r *run) summarize(wall time.Duration) Summary {
	s := Summary{TotalCells: len(r.records), WallTimeS: wall.Seconds(), MemoryMB: r.d.MemoryMB}
	for _, rec := range r.records {
		switch rec.Outcome {
		case OutcomeOK:
			s.CellsWithData++
		case OutcomeEmpty:
			s.CellsEmpty++
		case OutcomeFailed:
			s.CellsError++
		case OutcomeTimeout:
			s.CellsTimeout++
		case OutcomeSkipped:
			s.CellsSkipped++
		case OutcomeCanceled:
			s.CellsCanceled++
		}
		if rec.Redo != "" {
			s.CellsRedone++
		}
		if rec.Result != nil && rec.Outcome == OutcomeOK {
			s.TotalObs += rec.Result.TotalObs
		}
		s.Attempts += rec.Attempts
		s.Throttles += rec.Throttles
		s.ComputeTimeS += rec.BilledS
		s.GBSeconds += rec.GBSeconds
	}
	if r.d.MemoryMB > 0 && r.d.PricePerGBSecond > 0 {
		s.PricePerGBSecond = r.d.PricePerGBSecond
		s.EstimatedCostUSD = s.GBSeconds * r.d.PricePerGBSecond
	}
	return s
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error { return retry.Sleep(ctx, d) }

// ExecutorFunc adapts a function to the Executor interface.
type ExecutorFunc func(ctx context.Context, job Job) (*Execution, error)

// Execute calls f(ctx, job).
func (f ExecutorFunc) Execute(ctx context.Context, job Job) (*Execution, error) { return f(ctx, job) }
