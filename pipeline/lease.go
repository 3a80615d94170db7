package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zagg-go/zagg/zarrstore"
)

// LeaseKey is the store object of the run lease (Store.AcquireLease).
const LeaseKey = "zagg-lease.json"

// DefaultLeaseTTL is how long a run's lease lasts without renewal; the
// runners renew it every third of that.
const DefaultLeaseTTL = 10 * time.Minute

// leaseState is the JSON of the lease object.
type leaseState struct {
	// Generation counts the runs that took the lease: each new run gets the
	// next one, and its attempts supersede every earlier run's.
	Generation   int       `json:"generation"`
	Run          string    `json:"run"`
	Holder       string    `json:"holder"`
	Expires      time.Time `json:"expires"`
	ConfigSHA256 string    `json:"config_sha256"`
	Released     bool      `json:"released,omitempty"`
}

// leasing holds the runs of this process that hold a lease.
var leasing = struct {
	sync.Mutex
	runs map[string]bool
}{runs: map[string]bool{}}

// Lease is a run's exclusive hold on a store: while it lasts, another run
// (another run id) cannot acquire it, so two runs never write one store at
// once. Renew it before it expires; Release it at the end of the run.
type Lease struct {
	s   *Store
	v   zarrstore.Versioned
	st  leaseState
	ver string
	ttl time.Duration
}

// AcquireLease takes the store's lease for run (a run id, NewRunID) for
// ttl (DefaultLeaseTTL when 0): it is granted when there is none, when the
// last holder released it or let it expire, when the holder was a process
// of this host that is gone (or this process, for a run no longer
// running), and when run already holds it (a resumed run with the same
// id). Otherwise the error wraps ErrStoreBusy and names the holder, its
// config digest and when the lease expires. The lease object is written
// conditionally, so of two runs racing for it one wins.
func (s *Store) AcquireLease(ctx context.Context, run string, ttl time.Duration) (*Lease, error) {
	v, err := s.versioned()
	if err != nil {
		return nil, err
	}
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	mine := leaseState{Run: run, Holder: localHolder(), ConfigSHA256: s.cfgDigest}
	for range 8 {
		b, ver, err := v.GetVersion(ctx, LeaseKey)
		mine.Generation = 1
		switch {
		case errors.Is(err, zarrstore.ErrNotFound):
			ver = ""
		case err != nil:
			return nil, fmt.Errorf("%w: lease: %w", ErrStore, err)
		default:
			var cur leaseState
			if err := json.Unmarshal(b, &cur); err != nil {
				return nil, fmt.Errorf("%w: lease %s: %v", ErrStore, LeaseKey, err)
			}
			mine.Generation = cur.Generation + 1
			if cur.Run == run {
				mine.Generation = cur.Generation
			}
			if !cur.Released && cur.Run != run && s.now().Before(cur.Expires) && !leaseGone(cur) {
				return nil, fmt.Errorf("%w: run %s (%s, config sha256 %.12s…) holds the store until %s; wait for it to end, or for its lease to expire if it was killed",
					ErrStoreBusy, cur.Run, cur.Holder, cur.ConfigSHA256, cur.Expires.Format(time.RFC3339))
			}
		}
		mine.Expires = s.now().Add(ttl).UTC().Truncate(time.Millisecond)
		nb, _ := json.Marshal(mine)
		nv, err := v.PutIfVersion(ctx, LeaseKey, nb, ver)
		if errors.Is(err, zarrstore.ErrPrecondition) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: lease: %w", ErrStore, err)
		}
		leasing.Lock()
		leasing.runs[run] = true
		leasing.Unlock()
		return &Lease{s: s, v: v, st: mine, ver: nv, ttl: ttl}, nil
	}
	return nil, fmt.Errorf("%w: the lease object kept changing", ErrStoreBusy)
}

// leaseGone reports whether a lease's holder can no longer run: a process
// of this host that is gone, or this process for a run it no longer runs.
func leaseGone(l leaseState) bool {
	if l.Holder == localHolder() {
		leasing.Lock()
		defer leasing.Unlock()
		return !leasing.runs[l.Run]
	}
	return holderGone(l.Holder)
}

// Generation returns the run's generation (see Attempt.Generation).
func (l *Lease) Generation() int { return l.st.Generation }

// Expires returns when the lease ends unless renewed.
func (l *Lease) Expires() time.Time { return l.st.Expires }

// Renew extends the lease by its TTL from now. An error wrapping
// ErrStoreBusy means another run took the store over (the lease expired
// first): stop writing.
func (l *Lease) Renew(ctx context.Context) error {
	next := l.st
	next.Expires = l.s.now().Add(l.ttl).UTC().Truncate(time.Millisecond)
	b, _ := json.Marshal(next)
	nv, err := l.v.PutIfVersion(ctx, LeaseKey, b, l.ver)
	if errors.Is(err, zarrstore.ErrPrecondition) {
		return fmt.Errorf("%w: the lease of run %s was taken over", ErrStoreBusy, l.st.Run)
	}
	if err != nil {
		return fmt.Errorf("%w: renew lease: %w", ErrStore, err)
	}
	l.st, l.ver = next, nv
	return nil
}

// Release gives the lease up (if it is still this run's).
func (l *Lease) Release(ctx context.Context) error {
	leasing.Lock()
	delete(leasing.runs, l.st.Run)
	leasing.Unlock()
	next := l.st
	next.Released = true
	b, _ := json.Marshal(next)
	if _, err := l.v.PutIfVersion(ctx, LeaseKey, b, l.ver); err != nil && !errors.Is(err, zarrstore.ErrPrecondition) {
		return fmt.Errorf("%w: release lease: %w", ErrStore, err)
	}
	return nil
}

// Hold renews the lease every third of its TTL until ctx ends; if the lease
// is lost it calls lost with the error and returns. Run it in its own
// goroutine for the length of the run.
func (l *Lease) Hold(ctx context.Context, lost func(error)) {
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := l.Renew(ctx); err != nil && ctx.Err() == nil {
				lost(err)
				return
			}
		}
	}
}
