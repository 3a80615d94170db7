package pipeline

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zagg-go/zagg/internal/redact"
)

// Errors of the catalog, the cell reader, the store and the runner. They are
// wrapped with context (the catalog key, granule URL or store path); test for
// them with errors.Is. A malformed catalog file is an error wrapping
// cmr.ErrCatalog.
var (
	// ErrEmptyCatalog means a run was given a catalog (or a selection of
	// cells) with no cell to process.
	ErrEmptyCatalog = errors.New("pipeline: no cells to process")
	// ErrUnknownCell means a cell was asked for (--cell) that the catalog
	// does not list.
	ErrUnknownCell = errors.New("pipeline: cell not in catalog")
	// ErrConvention means the latitude conventions of the catalog, the config
	// and an existing store disagree. A run never mixes conventions: cells
	// hashed with one convention are different cells under the other.
	ErrConvention = errors.New("pipeline: latitude conventions differ")
	// ErrGranule means a granule could not be read: it is missing, not HDF5,
	// corrupt, or lacks a dataset the config names. The error names the URL.
	ErrGranule = errors.New("pipeline: granule unreadable")
	// ErrDriver means a granule URL cannot be read with the configured
	// driver (e.g. an https URL with the s3 driver, or no S3 client).
	ErrDriver = errors.New("pipeline: granule driver")
	// ErrStore means the output store is missing from the run or cannot be
	// set up for the config (see also zarrstore.ErrLayoutMismatch).
	ErrStore = errors.New("pipeline: store")
)

// ErrCellsFailed means a run finished but some of its cells failed or timed
// out (Runner.Run, LambdaRunner.Run). The error is a *CellsFailedError; the
// Report returned with it lists every cell.
var ErrCellsFailed = errors.New("pipeline: cells failed")

// CellsFailedError counts the cells of a run that failed. It matches
// ErrCellsFailed.
type CellsFailedError struct {
	// Failed counts the cells that failed (OutcomeFailed), TimedOut those
	// that timed out (OutcomeTimeout), Total the cells of the run.
	Failed, TimedOut, Total int
	// FirstKey and FirstError are the catalog key and the (redacted) error
	// of the first failed cell in catalog order.
	FirstKey, FirstError string
}

// Error counts the failures and names the first.
func (e *CellsFailedError) Error() string {
	msg := fmt.Sprintf("pipeline: %d of %d cells failed", e.Failed+e.TimedOut, e.Total)
	if e.TimedOut > 0 {
		msg += fmt.Sprintf(" (%d timed out)", e.TimedOut)
	}
	if e.FirstKey != "" {
		first := e.FirstError
		if !strings.HasPrefix(first, "cell "+e.FirstKey+":") {
			first = "cell " + e.FirstKey + ": " + first
		}
		msg += "; first: " + first
	}
	return msg
}

// Is makes every CellsFailedError match ErrCellsFailed.
func (e *CellsFailedError) Is(target error) bool { return target == ErrCellsFailed }

// failedCells returns a *CellsFailedError when rep has failed or timed-out
// cells, else nil.
func failedCells(rep *Report) error {
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
		if e.FirstKey == "" {
			e.FirstKey, e.FirstError = rec.Key, redact.Text(rec.Error)
		}
	}
	if e.Failed+e.TimedOut == 0 {
		return nil
	}
	return e
}

// redactRecord removes credentials (URL userinfo and signatures) from the
// messages and URLs of a record, so results files and logs never hold them.
func redactRecord(rec *CellRecord) {
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

// redactReport applies redactRecord to every record of rep.
func redactReport(rep *Report) {
	if rep == nil {
		return
	}
	for i := range rep.Results {
		redactRecord(&rep.Results[i])
	}
}

// redactedOnRecord wraps an OnRecord callback so it sees redacted records.
func redactedOnRecord(f func(CellRecord)) func(CellRecord) {
	if f == nil {
		return nil
	}
	return func(rec CellRecord) {
		redactRecord(&rec)
		f(rec)
	}
}

// finishRun is the end of Runner.Run and LambdaRunner.Run: the report is
// redacted, and failed cells become an error (joined to runErr, if any).
func finishRun(rep *Report, runErr error) (*Report, error) {
	redactReport(rep)
	if err := failedCells(rep); err != nil {
		if runErr == nil {
			return rep, err
		}
		return rep, errors.Join(runErr, err)
	}
	return rep, runErr
}
