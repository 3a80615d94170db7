package pipeline

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// Errors of fenced writes (see Store.WriteCell).
var (
	// ErrSuperseded means a newer attempt of the same run has claimed or
	// committed the cell: this attempt wrote nothing (or stopped before
	// committing) and must not be retried.
	ErrSuperseded = errors.New("pipeline: cell superseded by a newer attempt")
	// ErrCellBusy means another live attempt (of another run, or an older
	// one still within its lease) is writing the cell; retry later.
	ErrCellBusy = errors.New("pipeline: cell is being written by another attempt")
	// ErrStoreBusy means another run holds the store's lease (Store.Lease).
	ErrStoreBusy = errors.New("pipeline: store is in use by another run")
)

// Attempt identifies one try at a cell: the run it belongs to, its number
// within the run (1 for the first try, counted per cell), who holds it
// (host:pid, or a Lambda request id) and when its claim on the cell expires
// (its deadline: an attempt never writes after it).
type Attempt struct {
	// Generation orders runs: the store's lease counts the runs that took
	// it (Lease.Generation). An attempt of a later generation supersedes
	// every attempt of an earlier one. 0 is a write outside a leased run
	// (a direct Store.Write, pipeline.Run without a generation): it is
	// ordered against nothing, so embedders that run cells themselves
	// should take the lease and pass its generation.
	Generation int       `json:"generation,omitempty"`
	Run        string    `json:"run"`
	Number     int       `json:"attempt"`
	Holder     string    `json:"holder,omitempty"`
	Expires    time.Time `json:"expires"`
}

// NewRunID returns a random run identifier.
func NewRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// localHolder names this process: "host:pid".
func localHolder() string {
	h, _ := os.Hostname()
	return h + ":" + strconv.Itoa(os.Getpid())
}

// The states of a cell object (MarkersPrefix): claimed by an attempt that
// is writing, or committed with data or as empty.
const (
	cellWriting = "writing"
	cellDone    = "done"
	cellEmpty   = "empty"
	// cellFailed: an attempt claimed the cell and failed while writing:
	// the cell is neither complete nor held.
	cellFailed = "failed"
)

// cellState is the JSON of a cell object: what produced the cell.
type cellState struct {
	State string `json:"state"`
	Attempt
	Parent         string `json:"parent_morton"`
	ParentNested   uint64 `json:"parent_nested"`
	ParentOrder    int    `json:"parent_order"`
	Chunk          int64  `json:"chunk"`
	Version        string `json:"zagg_version"`
	ConfigSHA256   string `json:"config_sha256"`
	GranulesSHA256 string `json:"granules_sha256,omitempty"`
	// Digest summarises what determines the cell's values: the zagg
	// version, the config's value-changing sections and the cell's
	// granules (CellDigest). A resume redoes a cell whose digest differs.
	Digest string `json:"digest"`
}

// CellWrite says who writes a cell and from what: the attempt (a zero
// Attempt is a one-off attempt of its own run) and the cell's digest
// (CellDigest; empty for writes outside a run).
type CellWrite struct {
	Attempt  Attempt
	Digest   string
	Granules []string
}

// CellDigest is the digest of what determines a cell's values: the zagg
// version, the config without its store and catalog locations
// (configDigest), and the cell's granule URLs (sorted).
func CellDigest(cfg *config.Config, granules []string) string {
	return cellDigest(configDigest(cfg), granules)
}

// cellDigest is CellDigest from a config's digest.
func cellDigest(cfgDigest string, granules []string) string {
	h := sha256.Sum256([]byte("zagg " + Version + "\n" + cfgDigest + "\n" + urlsDigest(granules)))
	return hex.EncodeToString(h[:])
}

// urlsDigest is the SHA-256 of URLs sorted and joined by "\n".
func urlsDigest(urls []string) string {
	g := slices.Clone(urls)
	slices.Sort(g)
	h := sha256.Sum256([]byte(strings.Join(g, "\n")))
	return hex.EncodeToString(h[:])
}

// granulesDigest is urlsDigest of a cell's granules, "" for none.
func granulesDigest(granules []string) string {
	if len(granules) == 0 {
		return ""
	}
	return urlsDigest(granules)
}

// cellState returns the cell object of parent in state, written by
// attempt a from w.
func (s *Store) cellState(state string, parent morton.Cell, chunk int64, a Attempt, w CellWrite) cellState {
	st := cellState{State: state, Attempt: a, ParentNested: parent.Nest(), ParentOrder: s.parentOrder, Chunk: chunk,
		Version: Version, ConfigSHA256: s.cfgDigest, GranulesSHA256: granulesDigest(w.Granules), Digest: w.Digest}
	if m, err := parent.Legacy(); err == nil {
		st.Parent = strconv.FormatInt(m, 10)
	}
	return st
}

// versioned returns the store's backend as a zarrstore.Versioned.
func (s *Store) versioned() (zarrstore.Versioned, error) {
	v, ok := s.z.Backend().(zarrstore.Versioned)
	if !ok {
		return nil, fmt.Errorf("%w: the store's backend %T cannot write conditionally", ErrStore, s.z.Backend())
	}
	return v, nil
}

// now returns the store's clock.
func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// attempt fills in a CellWrite's attempt: a one-off run when none is
// given, this process as holder, and the expiry from ctx's deadline (or
// ClaimTTL from now).
func (s *Store) attempt(ctx context.Context, w CellWrite) Attempt {
	a := w.Attempt
	if a.Run == "" {
		a.Run, a.Number = NewRunID(), 1
	}
	if a.Number <= 0 {
		a.Number = 1
	}
	if a.Holder == "" {
		a.Holder = localHolder()
	}
	if a.Expires.IsZero() {
		if d, ok := ctx.Deadline(); ok {
			a.Expires = d
		} else {
			ttl := s.ClaimTTL
			if ttl <= 0 {
				ttl = DefaultClaimTTL
			}
			a.Expires = s.now().Add(ttl)
		}
	}
	a.Expires = a.Expires.UTC().Truncate(time.Millisecond)
	return a
}

// writing counts, per run id, the fenced writes this process has in
// flight: a claim held by this process for a run with none is left over
// from an attempt that ended without committing (an error, a kill of the
// run in an embedding program) and is taken over at once.
var writing = struct {
	sync.Mutex
	runs map[string]int
}{runs: map[string]int{}}

// enter records a fenced write of run in flight; the returned func ends it.
func enter(run string) func() {
	writing.Lock()
	writing.runs[run]++
	writing.Unlock()
	return func() {
		writing.Lock()
		if writing.runs[run]--; writing.runs[run] <= 0 {
			delete(writing.runs, run)
		}
		writing.Unlock()
	}
}

// claimGone reports whether the attempt holding a claim can no longer
// write: a process of this host that is gone, or this process with no write
// of that run in flight.
func claimGone(a Attempt) bool {
	if a.Holder == localHolder() {
		writing.Lock()
		n := writing.runs[a.Run]
		writing.Unlock()
		return n == 0
	}
	return holderGone(a.Holder)
}

// DefaultClaimTTL is how long an attempt without a deadline holds a cell
// it writes: past it (or once its process is gone, for a holder on this
// host) another attempt may take the cell over.
const DefaultClaimTTL = time.Hour

// readCell returns the cell object of parent and its version ("" and nil
// when there is none).
func (s *Store) readCell(ctx context.Context, v zarrstore.Versioned, parent morton.Cell) (*cellState, string, error) {
	var (
		b   []byte
		ver string
		err error
	)
	if v != nil {
		b, ver, err = v.GetVersion(ctx, s.markerKey(parent.Nest()))
	} else {
		b, err = s.z.Backend().Get(ctx, s.markerKey(parent.Nest()))
	}
	if errors.Is(err, zarrstore.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("%w: cell %v: %w", ErrStore, parent, err)
	}
	var st cellState
	if err := json.Unmarshal(b, &st); err != nil || st.State == "" {
		// A marker of an earlier release ("done" without a state).
		st = cellState{State: cellDone}
		_ = json.Unmarshal(b, &st)
		if st.State == "" {
			st.State = cellDone
		}
	}
	return &st, ver, nil
}

// claim takes parent for attempt a: it writes a "writing" cell object
// conditionally, unless a newer attempt of the same run has the cell
// (ErrSuperseded) or another live attempt is writing it (ErrCellBusy). An
// attempt whose claim has expired, or whose holder process on this host is
// gone, is taken over. It returns the claim's version, and whether the
// cell had been claimed before.
func (s *Store) claim(ctx context.Context, v zarrstore.Versioned, parent morton.Cell, chunk int64, a Attempt, w CellWrite) (string, bool, error) {
	b, err := json.Marshal(s.cellState(cellWriting, parent, chunk, a, w))
	if err != nil {
		return "", false, err
	}
	for range 8 {
		cur, ver, err := s.readCell(ctx, v, parent)
		if err != nil {
			return "", false, err
		}
		if cur != nil {
			same := cur.Run == a.Run && cur.Generation == a.Generation
			switch {
			case a.Generation > 0 && cur.Generation > a.Generation:
				return "", false, fmt.Errorf("cell %v: %w (run %s of a later generation, %d, has it; this attempt's is %d)", parent, ErrSuperseded, cur.Run, cur.Generation, a.Generation)
			case same && cur.Number > a.Number:
				return "", false, fmt.Errorf("cell %v: %w (attempt %d of run %s has it, this is attempt %d)", parent, ErrSuperseded, cur.Number, cur.Run, a.Number)
			case cur.State == cellWriting && !(same && cur.Number == a.Number) && s.now().Before(cur.Expires) && !claimGone(cur.Attempt):
				return "", false, fmt.Errorf("cell %v: %w (attempt %d of run %s, %s, until %s)", parent, ErrCellBusy,
					cur.Number, cur.Run, cur.Holder, cur.Expires.Format(time.RFC3339))
			}
		}
		nv, err := v.PutIfVersion(ctx, s.markerKey(parent.Nest()), b, ver)
		if errors.Is(err, zarrstore.ErrPrecondition) {
			continue // someone else moved: look again
		}
		if err != nil {
			return "", false, fmt.Errorf("%w: claim cell %v: %w", ErrStore, parent, err)
		}
		return nv, cur != nil, nil
	}
	return "", false, fmt.Errorf("cell %v: %w (the cell object kept changing)", parent, ErrCellBusy)
}

// commit replaces the claim (at version ver) with the committed state. If
// the claim is no longer there, a newer attempt took the cell over:
// ErrSuperseded.
func (s *Store) commit(ctx context.Context, v zarrstore.Versioned, parent morton.Cell, chunk int64, a Attempt, w CellWrite, state, ver string) error {
	if !s.now().Before(a.Expires) {
		return fmt.Errorf("cell %v: %w: the attempt's claim expired at %s before it committed", parent, ErrSuperseded, a.Expires.Format(time.RFC3339))
	}
	st := s.cellState(state, parent, chunk, a, w)
	st.Holder = ""
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if _, err := v.PutIfVersion(ctx, s.markerKey(parent.Nest()), b, ver); err != nil {
		if errors.Is(err, zarrstore.ErrPrecondition) {
			return fmt.Errorf("cell %v: %w: its claim was taken over before it committed", parent, ErrSuperseded)
		}
		return fmt.Errorf("%w: commit cell %v: %w", ErrStore, parent, err)
	}
	return nil
}

// abandon marks a claimed cell as failed after its attempt failed to write
// (best effort: the claim would otherwise hold the cell until it expires),
// so that a retry can take it at once.
func (s *Store) abandon(ctx context.Context, v zarrstore.Versioned, parent morton.Cell, chunk int64, a Attempt, w CellWrite, ver string) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	a.Expires = s.now().Add(time.Hour) // commit refuses expired attempts; failing is always allowed
	_ = s.commit(actx, v, parent, chunk, a, w, cellFailed, ver)
}

// CellStatus is what the store records about a parent cell.
type CellStatus struct {
	// State is "" (never written), "writing" (claimed by an attempt that
	// has not committed), "failed" (its attempt failed while writing: half
	// written), "done" or "empty".
	State string
	// Digest is the committed cell's CellDigest ("" for cells of earlier
	// releases).
	Digest string
	// Run and Attempt identify the attempt that wrote or holds the cell.
	Run     string
	Attempt int
}

// Status returns what the store records about parent.
func (s *Store) Status(ctx context.Context, parent morton.Cell) (CellStatus, error) {
	v, _ := s.z.Backend().(zarrstore.Versioned) // reading needs no versions
	st, _, err := s.readCell(ctx, v, parent)
	if err != nil || st == nil {
		return CellStatus{}, err
	}
	return CellStatus{State: st.State, Digest: st.Digest, Run: st.Run, Attempt: st.Number}, nil
}

// Skipper returns the Dispatcher.Skip of a resumed run: a job is skipped
// when its cell was committed (with data, or as empty) from the same input
// (its digest equals CellDigest of the store's config and the job's
// granules), and redone with a reason when the input changed or the cell
// was left half written.
func (s *Store) Skipper() func(ctx context.Context, job dispatch.Job) (bool, string, error) {
	return func(ctx context.Context, job dispatch.Job) (bool, string, error) {
		st, err := s.Status(ctx, job.Cell)
		if err != nil {
			return false, "", err
		}
		switch st.State {
		case "":
			return false, "", nil
		case cellWriting, cellFailed:
			return false, "", nil // an interrupted attempt: redo, not a change of input
		}
		if st.Digest == cellDigest(s.cfgDigest, job.Granules) {
			return true, "", nil
		}
		return false, "config or granules changed", nil
	}
}
