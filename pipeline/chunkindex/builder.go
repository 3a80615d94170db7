package chunkindex

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/internal/redact"
)

// Opener opens a granule URL as an HDF5 file (pipeline.Opener satisfies
// it). Implementations must be safe for concurrent use.
type Opener interface {
	Open(ctx context.Context, url string, opts ...h5read.Option) (*h5read.File, error)
}

// Builder builds and stores the indexes of many granules, a few at a time.
type Builder struct {
	// Spec says what to index. Required.
	Spec Spec
	// Opener opens the granules. Required.
	Opener Opener
	// Store receives the indexes. Required.
	Store *Store
	// Concurrency is how many granules are indexed at once. Default 4.
	Concurrency int
	// Overwrite rebuilds the indexes already stored; by default a granule
	// with an index is skipped (without checking it: a stale index is
	// refused by the reader, which then reads the granule whole).
	Overwrite bool
	// Options are passed to every h5read open.
	Options []h5read.Option
}

// BuildReport says what BuildAll did.
type BuildReport struct {
	// Granules counts the distinct granules given; Built those indexed and
	// stored, Existing those skipped because an index was stored.
	Granules, Built, Existing int
	// Failed lists the granules that could not be indexed or stored, in the
	// order given. Their cells are read without an index.
	Failed []BuildError
	// Requests, BytesFetched and BytesUsed are h5read's counters over the
	// granules indexed; IndexBytes the bytes of the indexes stored.
	Requests, BytesFetched, BytesUsed, IndexBytes int64
}

// BuildError is a granule that could not be indexed.
type BuildError struct {
	URL string // as given
	Err error
}

// Error names the granule (credentials redacted) and the failure.
func (e *BuildError) Error() string {
	return "index " + redact.URL(e.URL) + ": " + redact.Text(e.Err.Error())
}

// Unwrap returns the failure.
func (e *BuildError) Unwrap() error { return e.Err }

// BuildAll indexes the distinct granules of urls (a catalog lists a granule
// under every cell it crosses), Concurrency at a time, and stores each index
// as soon as it is built. A granule that fails is listed in the report and
// the others go on: indexes are optional. The error is the context's if it
// ends first, or the Builder's if it is misconfigured.
func (b *Builder) BuildAll(ctx context.Context, urls []string) (*BuildReport, error) {
	if b.Opener == nil || b.Store == nil || b.Store.Backend == nil {
		return nil, fmt.Errorf("%w: a Builder needs an Opener and a Store", ErrSpec)
	}
	if err := b.Spec.Validate(); err != nil {
		return nil, err
	}
	var uniq []string
	seen := map[string]bool{}
	for _, u := range urls {
		if !seen[u] {
			seen[u] = true
			uniq = append(uniq, u)
		}
	}
	conc := b.Concurrency
	if conc <= 0 {
		conc = 4
	}
	rep := &BuildReport{Granules: len(uniq)}
	type outcome struct {
		built, existing   bool
		err               error
		requests, fetched int64
		used              int64
		size              int64
	}
	out := make([]outcome, len(uniq))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(conc, max(len(uniq), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := &out[i]
				if !b.Overwrite {
					ok, err := b.Store.Exists(ctx, uniq[i])
					if err != nil {
						o.err = err
						continue
					}
					if ok {
						o.existing = true
						continue
					}
				}
				ix, st, err := b.buildOne(ctx, uniq[i])
				o.requests, o.fetched, o.used = st.Requests, st.BytesFetched, st.BytesUsed
				if err != nil {
					o.err = err
					continue
				}
				enc := ix.Encode(nil)
				o.size = int64(len(enc))
				key, err := Key(uniq[i])
				if err == nil {
					err = b.Store.Backend.Put(ctx, key, enc)
				}
				o.err, o.built = err, err == nil
			}
		}()
	}
feed:
	for i := range uniq {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	for i, o := range out {
		rep.Requests += o.requests
		rep.BytesFetched += o.fetched
		rep.BytesUsed += o.used
		rep.IndexBytes += o.size
		switch {
		case o.existing:
			rep.Existing++
		case o.built:
			rep.Built++
		case o.err != nil:
			rep.Failed = append(rep.Failed, BuildError{URL: uniq[i], Err: o.err})
		}
	}
	return rep, nil
}

// buildOne opens, indexes and closes one granule.
func (b *Builder) buildOne(ctx context.Context, url string) (ix *Index, st h5read.Stats, err error) {
	defer func() {
		// A reader bug on a malformed file costs this granule's index only.
		if p := recover(); p != nil {
			ix, err = nil, errors.New("the HDF5 reader panicked (a bug; please report it with the file): "+fmt.Sprint(p))
		}
	}()
	f, err := b.Opener.Open(ctx, url, b.Options...)
	if err != nil {
		return nil, st, err
	}
	defer f.Close()
	ix, err = Build(ctx, f, b.Spec)
	return ix, f.Stats(), err
}
