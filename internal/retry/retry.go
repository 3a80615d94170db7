// Package retry is zagg's one retry policy: which layer retries which
// failure, how many times, with what backoff. Each failure is retried at one
// layer only — the innermost one that can redo it cheaply — and outer layers
// do not multiply what an inner layer already retried. The table, written
// out in docs/lambda.md ("Retry policy"), is:
//
//	layer                        failure                                      tries  backoff
//	h5read, one range request    5xx, 429, reset, short read, network         5      100 ms·2^n + jitter
//	zarrstore, one S3 request    5xx, 429/SlowDown, reset, body cut mid-read  8      SDK full jitter ≤ 20 s
//	CellReader, one granule      (nothing left: requests are retried above)   1      —
//	Dispatcher, one cell         invoke failed: API 5xx, reset, no runtime    4      full jitter 1 s·2^n ≤ 60 s
//	Dispatcher, one cell         worker result "transient" (inner retries     2      same, within the run's
//	                             exhausted)                                          retry budget
//	Dispatcher, one cell         timeout                                      2      same
//	Dispatcher, one cell         throttled (429 TooManyRequests)              21     ≥ Retry-After, all pause
//	every layer                  403, 404, 400, malformed data, bad config    1      never retried
//
// So one range that keeps failing costs at most 5 × 1 × 2 = 10 requests per
// cell (it was 5 × 3 × 4 = 60), and a refused write costs one request.
package retry

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The tries (first attempt included) of each layer of the table.
const (
	// RequestTries bounds the tries of one h5read range request
	// (h5read.WithRetries default: 4 retries).
	RequestTries = 5
	// StoreRequestTries bounds the tries of one request to the output store
	// (s3store.Options.MaxAttempts default), body re-reads included.
	StoreRequestTries = 8
	// GranuleTries bounds the reads of one granule by the CellReader: 1,
	// because every request in it was already retried.
	GranuleTries = 1
	// InvokeTries bounds the invokes of one cell that fail before the worker
	// answers (Lambda API 5xx, connection reset, Runtime.Unavailable).
	InvokeTries = 4
	// ResultTries bounds the attempts of one cell whose worker answered with
	// a transient failure: its reads and writes were retried inside, so the
	// cell is run once more, in case the dependency has recovered.
	ResultTries = 2
	// TimeoutTries bounds the attempts of one cell that timed out.
	TimeoutTries = 2
	// ThrottleRetries bounds the throttled invokes of one cell (they do not
	// count as attempts).
	ThrottleRetries = 20
)

// Transient reports whether err may pass on a later try: a network failure
// (a net.Error, connection reset or refused, broken pipe, unexpected EOF) or
// an HTTP answer 5xx or 429 (any error with an HTTPStatusCode method, as the
// AWS SDK's and h5read's have). A cancelled or expired context, 4xx answers
// and everything else are not.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var sc interface{ HTTPStatusCode() int }
	if errors.As(err, &sc) {
		if c := sc.HTTPStatusCode(); c != 0 {
			return c >= 500 || c == 429
		}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// Backoff is exponential backoff with full jitter: the n-th retry (n ≥ 1)
// waits a uniformly random duration in [0, min(Max, Base·2^(n-1))].
type Backoff struct {
	Base, Max time.Duration
	// Rand returns a number in [0, 1); nil means math/rand/v2.Float64.
	// Tests inject a fixed sequence.
	Rand func() float64
}

// Delay returns the wait before the n-th retry.
func (b Backoff) Delay(n int) time.Duration {
	if n < 1 || b.Base <= 0 {
		return 0
	}
	ceil := float64(b.Base) * math.Pow(2, float64(min(n-1, 62)))
	if b.Max > 0 {
		ceil = math.Min(ceil, float64(b.Max))
	}
	ceil = math.Min(ceil, float64(math.MaxInt64/2))
	f := rand.Float64
	if b.Rand != nil {
		f = b.Rand
	}
	return time.Duration(f() * ceil)
}

// MaxRetryAfter caps what ParseRetryAfter returns: a server asking for
// more than an hour is treated as asking for an hour (each caller caps it
// further by its own longest wait).
const MaxRetryAfter = time.Hour

// ParseRetryAfter parses an HTTP Retry-After value: delay-seconds (AWS and
// CMR send these; fractions allowed) or an HTTP date, relative to now. It
// returns 0 for anything else, for negative or past values, and caps the
// delay at MaxRetryAfter.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n < 0 || math.IsNaN(n) {
			return 0
		}
		if n > MaxRetryAfter.Seconds() {
			return MaxRetryAfter
		}
		d = time.Duration(n * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}

// Sleep waits d or until ctx is done, returning ctx's error then.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
