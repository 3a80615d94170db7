package dispatch_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// An executor that fails each job's first attempt with a transient error:
// the dispatcher retries it, and every job ends with data.
func ExampleDispatcher() {
	var calls atomic.Int32
	exec := dispatch.ExecutorFunc(func(ctx context.Context, job dispatch.Job) (*dispatch.Execution, error) {
		calls.Add(1)
		if job.Attempt == 1 {
			return nil, fmt.Errorf("cell %s: %w: connection reset", job.Cell, dispatch.ErrTransient)
		}
		return &dispatch.Execution{Result: &dispatch.CellResult{TotalObs: 100, DurationS: 1.5}}, nil
	})
	var jobs []dispatch.Job
	for nest := range uint64(3) {
		jobs = append(jobs, dispatch.Job{Cell: morton.FromNest(6, 1000+nest), Granules: []string{"s3://bucket/g.h5"}})
	}
	d := &dispatch.Dispatcher{Executor: exec, Workers: 2, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond}
	rep, err := d.Run(context.Background(), jobs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rec := range rep.Results {
		fmt.Println(rec.Cell, rec.Outcome, rec.Attempts)
	}
	fmt.Println("obs", rep.Summary.TotalObs, "attempts", calls.Load(), "failed:", rep.Failed())
	// Output:
	// 1144331 ok 2
	// 1144332 ok 2
	// 1144333 ok 2
	// obs 300 attempts 6 failed: <nil>
}
