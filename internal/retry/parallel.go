package retry

import (
	"context"
	"sync"
)

// ForEach calls fn(ctx, i) for i in [0, n), at most limit calls at a time
// (limit < 1 means 1), and returns the first error. After an error, or when
// ctx ends, calls not started yet are skipped and the context of those in
// flight is cancelled; ForEach returns once every started call returned,
// with the first error, else ctx's error. One call (n == 1) runs on the
// caller's goroutine.
func ForEach(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	if n <= 0 {
		return ctx.Err()
	}
	if n == 1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(ctx, 0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		next  = make(chan int)
	)
	for range min(max(limit, 1), n) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil {
					continue // skipped: the run is over
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		})
	}
feed:
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
