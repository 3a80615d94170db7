package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// Run processes one parent cell end to end: it reads the cell's points from
// the job's granules (r), computes every statistic at every order from the
// child order down to the parent order (a), and writes the cell's chunk of
// every array of every order (s), only after all of that succeeded. job.Cell
// is the parent cell, at the store's parent order.
//
// Run always returns a result record. A cell with no granules or no
// observation left after filtering is a normal, empty outcome (ErrorKind
// KindEmpty, nil error): nothing is written, and whatever an earlier run
// stored for the cell is removed (Store.Clear), so that the store never
// mixes the outputs of two runs. A failure is recorded in the result
// (ErrorKind KindTransient when a retry may succeed: network errors, HTTP 5xx
// and 429, after the reader's own retries; KindDeterministic otherwise) and
// also returned as the error. When ctx is cancelled Run stops as soon as it
// can and returns ctx's error; chunks already written for the cell are then
// incomplete (Store.Done is false) and a resumed run redoes the cell.
func Run(ctx context.Context, job dispatch.Job, r *CellReader, a *Aggregator, s *Store) (*dispatch.CellResult, error) {
	start := time.Now()
	res := &dispatch.CellResult{GranuleCount: len(job.Granules), Phases: &dispatch.Phases{}}
	finish := func(kind dispatch.ErrorKind, err error) (*dispatch.CellResult, error) {
		res.DurationS = time.Since(start).Seconds()
		if err != nil {
			res.SetError(kind, err.Error())
		}
		return res, err
	}
	parent := job.Cell
	if !parent.IsValid() || parent.IsPoint() {
		return finish(dispatch.KindDeterministic, fmt.Errorf("cell %s: %w: not an area cell", parent, dispatch.ErrDeterministic))
	}
	res.ParentMorton, _ = parent.Legacy()
	if parent.Order() != s.ParentOrder() {
		return finish(dispatch.KindDeterministic, fmt.Errorf("cell %s: %w: order %d, the store's parent order is %d",
			parent, dispatch.ErrDeterministic, parent.Order(), s.ParentOrder()))
	}
	// What this attempt writes with: its identity (fencing) and the digest
	// of what determines the cell's values (resume).
	w := CellWrite{Attempt: Attempt{Generation: job.Generation, Run: job.Run, Number: job.Attempt}, Granules: job.Granules}
	if s.cfg != nil {
		w.Digest = cellDigest(s.cfgDigest, job.Granules)
	}
	// empty ends a cell with nothing to write.
	empty := func(msg string) (*dispatch.CellResult, error) {
		t := time.Now()
		err := s.ClearCell(ctx, parent, w)
		res.Phases.Write = time.Since(t).Seconds()
		if err != nil {
			return finish(classifyErr(ctx, err), fmt.Errorf("cell %s: %w", parent, err))
		}
		res.SetError(dispatch.KindEmpty, msg)
		res.DurationS = time.Since(start).Seconds()
		return res, nil
	}
	if len(job.Granules) == 0 {
		return empty(dispatch.MsgNoGranules)
	}

	pts, rs, err := r.ReadCell(ctx, parent, job.Granules)
	if rs != nil {
		res.FilesProcessed = rs.GranulesRead
		res.Requests, res.BytesFetched, res.BytesUsed = rs.Requests, rs.BytesFetched, rs.BytesUsed
		res.Phases.Read, res.Phases.Decode, res.Phases.Bin = rs.Read.Seconds(), rs.Decode.Seconds(), rs.Bin.Seconds()
		res.GranuleErrors = rs.Errors
	}
	if err != nil {
		if errors.Is(err, ErrGranule) && !errors.Is(err, dispatch.ErrTransient) && r.Source.OnGranuleError != config.SkipGranuleError {
			// One unreadable granule fails its cell: say how to go on without it.
			err = fmt.Errorf("%w (to skip granules that cannot be read and list them in the results instead, set data_source.on_granule_error: skip)", err)
		}
		return finish(classifyErr(ctx, err), fmt.Errorf("cell %s: %w", parent, err))
	}
	if rs.GranulesRead == 0 && len(rs.Errors) > 0 {
		kind := dispatch.KindDeterministic
		if rs.transient > 0 {
			kind = dispatch.KindTransient // some failed for reasons that may pass
		}
		return finish(kind, fmt.Errorf("cell %s: %w: all %d granules failed, first: %s",
			parent, ErrGranule, len(rs.Errors), rs.Errors[0].Error))
	}

	t := time.Now()
	out, err := a.Aggregate(parent, pts)
	res.Phases.Aggregate = time.Since(t).Seconds()
	if err != nil {
		return finish(dispatch.KindDeterministic, fmt.Errorf("cell %s: %w: %w", parent, dispatch.ErrDeterministic, err))
	}
	res.TotalObs, res.CellsWithData = out.Observations(a.ChildOrder())
	if res.TotalObs == 0 {
		return empty(dispatch.MsgNoData)
	}
	if err := ctx.Err(); err != nil {
		return finish(dispatch.KindTransient, err)
	}

	t = time.Now()
	err = s.WriteCell(ctx, parent, out, w)
	res.Phases.Write = time.Since(t).Seconds()
	if err != nil {
		return finish(classifyErr(ctx, err), fmt.Errorf("cell %s: write: %w", parent, err))
	}
	return finish(dispatch.KindNone, nil)
}

// classifyErr returns the error kind of a failed cell.
func classifyErr(ctx context.Context, err error) dispatch.ErrorKind {
	if errors.Is(err, ErrSuperseded) {
		return dispatch.KindSuperseded
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrCellBusy) {
		return dispatch.KindTransient
	}
	if errors.Is(err, dispatch.ErrDeterministic) {
		return dispatch.KindDeterministic
	}
	if errors.Is(err, dispatch.ErrTransient) || isTransientRead(err) {
		return dispatch.KindTransient
	}
	return dispatch.KindDeterministic
}

// LocalExecutor runs each job in this process with Run. It is the Executor
// of the local runner (examples/local run); its workers are the Dispatcher's
// goroutines.
type LocalExecutor struct {
	Reader     *CellReader
	Aggregator *Aggregator
	Store      *Store
}

var _ dispatch.Executor = (*LocalExecutor)(nil)

// Execute runs job once. A cancelled ctx is returned as the error (the
// Dispatcher records the cell as canceled); every other outcome is in the
// result, whose ErrorKind drives the Dispatcher's retries.
func (e *LocalExecutor) Execute(ctx context.Context, job dispatch.Job) (*dispatch.Execution, error) {
	res, _ := Run(ctx, job, e.Reader, e.Aggregator, e.Store)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &dispatch.Execution{Result: res}, nil
}
