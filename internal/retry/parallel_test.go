package retry

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestForEach: every index once, never more than limit at a time; the
// first error stops what has not started and cancels what runs; a
// cancelled context runs nothing.
func TestForEach(t *testing.T) {
	for _, tc := range []struct{ n, limit int }{{0, 3}, {1, 3}, {7, 1}, {100, 4}, {5, 0}, {3, 10}} {
		var mu sync.Mutex
		seen := map[int]int{}
		var active, peak atomic.Int32
		err := ForEach(context.Background(), tc.n, tc.limit, func(_ context.Context, i int) error {
			a := active.Add(1)
			for p := peak.Load(); a > p && !peak.CompareAndSwap(p, a); p = peak.Load() {
			}
			mu.Lock()
			seen[i]++
			mu.Unlock()
			active.Add(-1)
			return nil
		})
		if err != nil || len(seen) != tc.n {
			t.Errorf("n=%d: err %v, %d indexes seen", tc.n, err, len(seen))
		}
		for i, c := range seen {
			if c != 1 || i < 0 || i >= tc.n {
				t.Errorf("n=%d: index %d called %d times", tc.n, i, c)
			}
		}
		if p := int(peak.Load()); p > max(tc.limit, 1) {
			t.Errorf("n=%d limit=%d: %d calls at once", tc.n, tc.limit, p)
		}
	}

	boom := errors.New("boom")
	var calls atomic.Int32
	err := ForEach(context.Background(), 1000, 2, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i == 0 {
			<-ctx.Done() // held until index 1 failed: its failure cancels this call
			return nil
		}
		if i == 1 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || calls.Load() > 3 {
		t.Errorf("err %v after %d calls; want boom, the rest skipped", err, calls.Load())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls.Store(0)
	err = ForEach(ctx, 50, 4, func(context.Context, int) error { calls.Add(1); return nil })
	if !errors.Is(err, context.Canceled) || calls.Load() > 4 {
		t.Errorf("cancelled: err %v after %d calls", err, calls.Load())
	}
}
