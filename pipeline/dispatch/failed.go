package dispatch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zagg-go/zagg/internal/redact"
	"github.com/zagg-go/zagg/morton"
)

// ErrCellsFailed means a run finished but some of its cells failed or timed
// out (pipeline.Runner.Run, lambda.Runner.Run). The error is a *CellsFailedError; the
// Report returned with it lists every cell.
var ErrCellsFailed = errors.New("dispatch: cells failed")

// CellsFailedError counts the cells of a run that failed. It matches
// ErrCellsFailed.
type CellsFailedError struct {
	// Failed counts the cells that failed (OutcomeFailed), TimedOut those
	// that timed out (OutcomeTimeout), Total the cells of the run.
	Failed, TimedOut, Total int
	// First and FirstError are the first failed cell in catalog order and
	// its (redacted) error; First is morton.Null when no cell failed.
	First      morton.Cell
	FirstError string
}

// Error counts the failures and names the first.
func (e *CellsFailedError) Error() string {
	msg := fmt.Sprintf("dispatch: %d of %d cells failed", e.Failed+e.TimedOut, e.Total)
	if e.TimedOut > 0 {
		msg += fmt.Sprintf(" (%d timed out)", e.TimedOut)
	}
	if e.First != morton.Null {
		key := e.First.String()
		first := e.FirstError
		if !strings.HasPrefix(first, "cell "+key+":") {
			first = "cell " + key + ": " + first
		}
		msg += "; first: " + first
	}
	return msg
}

// Is makes every CellsFailedError match ErrCellsFailed.
func (e *CellsFailedError) Is(target error) bool { return target == ErrCellsFailed }

// Failed returns a *CellsFailedError when rep has failed or timed-out
// cells, else nil.
func (rep *Report) Failed() error {
	if rep == nil {
		return nil
	}
	e := &CellsFailedError{Total: len(rep.Results)}
	for _, rec := range rep.Results {
		switch rec.Outcome {
		case OutcomeFailed:
			e.Failed++
		case OutcomeTimeout:
			e.TimedOut++
		default:
			continue
		}
		if e.First == morton.Null {
			e.First, e.FirstError = rec.Cell, redact.Text(rec.Error)
		}
	}
	if e.Failed+e.TimedOut == 0 {
		return nil
	}
	return e
}

// Redact removes credentials (URL userinfo and signatures) from the
// messages and URLs of a record, so results files and logs never hold them.
func (rec *CellRecord) Redact() {
	rec.Error = redact.Text(rec.Error)
	res := rec.Result
	if res == nil {
		return
	}
	if res.Error != nil {
		msg := redact.Text(*res.Error)
		if msg != *res.Error {
			c := *res
			c.Error = &msg
			res = &c
		}
	}
	if len(res.GranuleErrors) > 0 {
		ges := make([]GranuleError, len(res.GranuleErrors))
		for i, g := range res.GranuleErrors {
			ges[i] = GranuleError{URL: redact.URL(g.URL), Error: redact.Text(g.Error)}
		}
		if res == rec.Result {
			c := *res
			res = &c
		}
		res.GranuleErrors = ges
	}
	rec.Result = res
}

// Redact applies CellRecord.Redact to every record of rep.
func (rep *Report) Redact() {
	if rep == nil {
		return
	}
	for i := range rep.Results {
		rep.Results[i].Redact()
	}
}

// RedactedOnRecord wraps an OnRecord callback so it sees redacted records.
func RedactedOnRecord(f func(CellRecord)) func(CellRecord) {
	if f == nil {
		return nil
	}
	return func(rec CellRecord) {
		rec.Redact()
		f(rec)
	}
}

// Finish is the end of a run (the local and the Lambda runner): the report is
// redacted, and failed cells become an error (joined to runErr, if any).
func Finish(rep *Report, runErr error) (*Report, error) {
	rep.Redact()
	if err := rep.Failed(); err != nil {
		if runErr == nil {
			return rep, err
		}
		return rep, errors.Join(runErr, err)
	}
	return rep, runErr
}
