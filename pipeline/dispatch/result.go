package dispatch

import (
	"encoding/json"
	"fmt"
)

// ErrorKind classifies why a cell did not produce data, so a dispatcher can
// decide whether to retry without parsing prose. The empty kind means success.
type ErrorKind string

// The error kinds a CellResult carries.
const (
	// KindNone: the cell was processed and written.
	KindNone ErrorKind = ""
	// KindEmpty: a normal outcome with nothing to write (no granules, or no
	// observation left after filtering). Never retried.
	KindEmpty ErrorKind = "empty"
	// KindTransient: a failure that may pass (throttled S3, network reset,
	// 5xx, timeout). Retried by the dispatcher.
	KindTransient ErrorKind = "transient"
	// KindDeterministic: a failure that will repeat (bad config, corrupt
	// granule, invalid event). Never retried.
	KindDeterministic ErrorKind = "deterministic"
	// KindTimeout: the cell ran out of time (a worker that stopped itself
	// before its deadline). Retried like a function timeout (once).
	KindTimeout ErrorKind = "timeout"
	// KindSuperseded: a newer attempt of the same run has claimed or
	// committed the cell; this attempt left the store as it was. Never
	// retried (the newer attempt's record is the cell's).
	KindSuperseded ErrorKind = "superseded"
)

// The messages zagg 0.1.0 uses for its two "no data" outcomes; kept verbatim
// so results files stay comparable.
const (
	MsgNoGranules = "No granules found"
	MsgNoData     = "No data after filtering"
)

// CellResult is the record of processing one parent cell. Its JSON form is a
// superset of zagg 0.1.0's ProcessingMetadata ({parent_morton, cells_with_data,
// total_obs, granule_count, files_processed, duration_s, error}); the other
// fields are zagg-go additions and are omitted when zero.
type CellResult struct {
	// ParentMorton is the parent cell as zagg 0.1.0's legacy signed decimal
	// morton id (the catalog key).
	ParentMorton int64 `json:"parent_morton"`
	// CellsWithData counts child cells (at the child order) with at least one
	// observation.
	CellsWithData int `json:"cells_with_data"`
	// TotalObs is the number of observations aggregated (after filtering).
	TotalObs int64 `json:"total_obs"`
	// GranuleCount is the number of granules the catalog lists for the cell.
	GranuleCount int `json:"granule_count"`
	// FilesProcessed is the number of granules that were opened and read.
	FilesProcessed int `json:"files_processed"`
	// DurationS is the wall time of the cell in seconds.
	DurationS float64 `json:"duration_s"`
	// Error is nil on success, else a message (zagg 0.1.0 semantics: the two
	// "no data" outcomes are reported here too, with ErrorKind KindEmpty).
	Error *string `json:"error"`
	// ErrorKind classifies Error; empty on success.
	ErrorKind ErrorKind `json:"error_kind,omitempty"`

	// Requests, BytesFetched and BytesUsed count the ranged reads made for
	// the cell's granules and how many of the fetched bytes were parsed or
	// decoded (each byte of a granule once, so BytesUsed ≤ BytesFetched).
	Requests     int64 `json:"requests,omitempty"`
	BytesFetched int64 `json:"bytes_fetched,omitempty"`
	BytesUsed    int64 `json:"bytes_used,omitempty"`
	// Phases splits DurationS by phase.
	Phases *Phases `json:"phases,omitempty"`
	// GranuleErrors lists granules that failed and were skipped
	// (on_granule_error: skip).
	GranuleErrors []GranuleError `json:"granule_errors,omitempty"`
}

// Phases is the per-phase time split of one cell, in seconds. Phases that run
// concurrently (reading and decoding overlap) are summed per goroutine, so the
// total may exceed the wall time.
type Phases struct {
	Read      float64 `json:"read_s"`
	Decode    float64 `json:"decode_s"`
	Bin       float64 `json:"bin_s"`
	Aggregate float64 `json:"aggregate_s"`
	Write     float64 `json:"write_s"`
}

// GranuleError records one granule that could not be read.
type GranuleError struct {
	URL   string `json:"url"`
	Error string `json:"error"`
}

// Failed reports whether the result carries an error other than an empty
// outcome.
func (r *CellResult) Failed() bool {
	return r != nil && r.Error != nil && r.ErrorKind != KindEmpty
}

// SetError records msg with kind k.
func (r *CellResult) SetError(k ErrorKind, msg string) {
	r.Error = &msg
	r.ErrorKind = k
}

// String returns a one-line summary for logs.
func (r *CellResult) String() string {
	if r == nil {
		return "<nil>"
	}
	if r.Error != nil {
		return fmt.Sprintf("cell %d: %s (%s)", r.ParentMorton, *r.Error, r.kindOrUnknown())
	}
	return fmt.Sprintf("cell %d: %d cells with data, %d obs, %d/%d granules, %.2fs",
		r.ParentMorton, r.CellsWithData, r.TotalObs, r.FilesProcessed, r.GranuleCount, r.DurationS)
}

func (r *CellResult) kindOrUnknown() ErrorKind {
	if r.ErrorKind == KindNone {
		return "unclassified"
	}
	return r.ErrorKind
}

// UnmarshalJSON accepts results written by zagg 0.1.0, which have no
// error_kind: a non-null error is then classified as empty when it is one of
// zagg's two "no data" messages, else deterministic.
func (r *CellResult) UnmarshalJSON(b []byte) error {
	type plain CellResult
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*r = CellResult(p)
	if r.Error != nil && r.ErrorKind == KindNone {
		switch *r.Error {
		case MsgNoGranules, MsgNoData:
			r.ErrorKind = KindEmpty
		default:
			r.ErrorKind = KindDeterministic
		}
	}
	return nil
}
