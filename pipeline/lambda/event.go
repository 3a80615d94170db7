package lambda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
)

// Event modes of the Lambda worker (zagg 0.1.0's handler modes).
const (
	ModeProcess  = "process"
	ModeSetup    = "setup"
	ModeFinalize = "finalize"
)

// Event is the payload of one worker invocation, compatible with zagg 0.1.0's
// Lambda events: "process" (one parent cell; the default when Mode is empty),
// "setup" (write the store metadata) and "finalize" (consolidate metadata and
// build the orders coarser than the parent order).
type Event struct {
	Mode string `json:"mode,omitempty"`
	// ParentMorton is the parent cell, zagg 0.1.0's legacy decimal morton id;
	// zagg ≥ 0.4.0's shard_key is accepted as an alias (see UnmarshalJSON).
	ParentMorton CellKey `json:"parent_morton,omitempty"`
	ParentOrder  int     `json:"parent_order,omitempty"`
	ChildOrder   int     `json:"child_order,omitempty"`
	// ChunkIdx is accepted for compatibility and ignored: a cell's chunk is
	// its position in the store's parent list, which the setup event
	// writes.
	ChunkIdx     *int64   `json:"chunk_idx,omitempty"`
	GranuleURLs  []string `json:"granule_urls,omitempty"`
	StorePath    string   `json:"store_path,omitempty"`
	NParentCells int      `json:"n_parent_cells,omitempty"`
	Overwrite    bool     `json:"overwrite,omitempty"`
	// RunID and Attempt identify the attempt (process events): the
	// worker's writes are fenced with them (Store.WriteCell), so a stale or
	// duplicated invocation never overwrites what a newer attempt of the
	// run committed. Absent (zagg 0.1.0 events): a one-off attempt.
	RunID      string `json:"run_id,omitempty"`
	Attempt    int    `json:"attempt,omitempty"`
	Generation int    `json:"generation,omitempty"`
	// Parents are the parent cells of the run (setup events): the store
	// gives each one it does not hold yet the next chunk.
	Parents []CellKey `json:"parents,omitempty"`
	// SourceGranule (setup events) is a granule of the run whose datasets'
	// units and long_name attributes describe the output arrays; it is
	// read with S3Credentials.
	SourceGranule string `json:"source_granule,omitempty"`
	// ChunkIndex (process events) makes the worker read granules through
	// the chunk indexes in the store's sidecar folder (pipeline.IndexStore),
	// built before the run; a granule without one is read whole.
	ChunkIndex bool `json:"chunk_index,omitempty"`
	// CellMap (process events) makes the worker read each granule's points
	// of the cell from the granule's cell map in the store's sidecar folder
	// (pipeline.CellMapStore), written before the run (examples/local map);
	// a granule without a valid map is read from the file.
	CellMap bool `json:"cell_map,omitempty"`
	// Provenance describes the run's input (setup events), recorded in
	// the store's root attributes.
	Provenance *pipeline.Provenance `json:"provenance,omitempty"`
	// S3Credentials are the data credentials: NSIDC's temporary ones
	// (accessKeyId/secretAccessKey/sessionToken, or snake_case names), or
	// static ones without sessionToken (an S3-compatible server without
	// STS), or {"edl_token": …} for the https driver. Never logged.
	S3Credentials map[string]string `json:"s3_credentials,omitempty"`
	// Config is the pipeline config as JSON (the YAML document's structure);
	// absent means the built-in ATL06 config.
	Config json.RawMessage `json:"config,omitempty"`
}

// UnmarshalJSON decodes an event, taking shard_key as parent_morton when
// parent_morton is absent.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var p struct {
		plain
		ShardKey CellKey `json:"shard_key"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = Event(p.plain)
	if e.ParentMorton == "" {
		e.ParentMorton = p.ShardKey
	}
	return nil
}

// String describes the event for logs without its credentials or config.
func (e *Event) String() string {
	mode := e.Mode
	if mode == "" {
		mode = ModeProcess
	}
	s := fmt.Sprintf("%s event: store %q", mode, e.StorePath)
	if e.ParentMorton != "" {
		s += fmt.Sprintf(", cell %s, %d granules", e.ParentMorton, len(e.GranuleURLs))
	}
	if len(e.S3Credentials) > 0 {
		s += ", credentials [redacted]"
	}
	return s
}

// CellKey is a cell id as it appears in events and catalogs: the decimal
// string of a legacy morton id. It decodes from a JSON number or string and
// encodes as a JSON number when it is one (as zagg 0.1.0 sends it).
type CellKey string

// UnmarshalJSON accepts 123, -4211322 or "-4211322".
func (k *CellKey) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*k = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*k = CellKey(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("cell key %s: not a number or string", b)
	}
	if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
		return fmt.Errorf("cell key %s: not an integer", b)
	}
	*k = CellKey(n.String())
	return nil
}

// Cell decodes the key: the decimal legacy morton id of an area cell.
func (k CellKey) Cell() (morton.Cell, error) {
	m, err := strconv.ParseInt(strings.TrimSpace(string(k)), 10, 64)
	if err != nil {
		return morton.Null, fmt.Errorf("cell key %q is not a legacy morton id", string(k))
	}
	return morton.FromLegacy(m)
}

// MarshalJSON writes the key as a JSON number when it is an integer.
func (k CellKey) MarshalJSON() ([]byte, error) {
	if _, err := strconv.ParseInt(string(k), 10, 64); err == nil {
		return []byte(k), nil
	}
	return json.Marshal(string(k))
}

// Response is the worker's reply, zagg 0.1.0's {"statusCode", "body"} with
// the body a JSON text: a CellResult for process events, {"ok", "mode"} or
// {"error", "mode"} for setup and finalize, {"error"} for invalid events.
type Response struct {
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body"`
}
