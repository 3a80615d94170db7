package cellmap

import (
	"context"
	"errors"
	"fmt"

	"github.com/zagg-go/zagg/internal/redact"
	"github.com/zagg-go/zagg/internal/retry"
)

// BuildStats are what mapping one granule cost.
type BuildStats struct {
	// Requests, BytesFetched and BytesUsed are h5read's counters of the
	// granule's read.
	Requests, BytesFetched, BytesUsed int64
	// Cells and Points are the parent cells and points the object holds.
	Cells, Points int64
}

// MapFunc reads a granule and returns its encoded cell map
// (pipeline.CellReader.MapGranule, then Encode).
type MapFunc func(ctx context.Context, url string) ([]byte, BuildStats, error)

// Builder maps many granules, a few at a time, and stores their objects.
type Builder struct {
	// Map maps one granule. Required.
	Map MapFunc
	// Store receives the objects. Required.
	Store *Store
	// Concurrency is how many granules are mapped at once. Default 4.
	Concurrency int
	// Overwrite remaps the granules whose map is stored; by default they
	// are skipped (a stale map is refused by the reader, which then reads
	// the granule itself).
	Overwrite bool
}

// BuildReport says what BuildAll did.
type BuildReport struct {
	// Granules counts the distinct granules given; Built those mapped and
	// stored, Existing those skipped because a map was stored.
	Granules, Built, Existing int
	// Failed lists the granules that could not be mapped or stored, in the
	// order given: their cells read them without a map.
	Failed []BuildError
	// Requests, BytesFetched and BytesUsed sum h5read's counters over the
	// granules mapped; Objects the objects written (one PUT each) and
	// ObjectBytes their bytes; Cells and Points what they hold.
	Requests, BytesFetched, BytesUsed   int64
	Objects, ObjectBytes, Cells, Points int64
}

// BuildError is a granule that could not be mapped.
type BuildError struct {
	URL string // as given
	Err error
}

// Error names the granule (credentials redacted) and the failure.
func (e *BuildError) Error() string {
	return "cell map " + redact.URL(e.URL) + ": " + redact.Text(e.Err.Error())
}

// Unwrap returns the failure.
func (e *BuildError) Unwrap() error { return e.Err }

// BuildAll maps the distinct granules of urls, Concurrency at a time
// (retry.ForEach), and stores each object as soon as it is built. A
// granule that fails is listed in the report and the others go on: maps
// are optional. The error is the context's if it ends first, or the
// Builder's if it is misconfigured.
func (b *Builder) BuildAll(ctx context.Context, urls []string) (*BuildReport, error) {
	if b.Map == nil || b.Store == nil || b.Store.Backend == nil {
		return nil, fmt.Errorf("%w: a Builder needs a Map function and a Store", ErrSpec)
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
	type outcome struct {
		built, existing bool
		err             error
		st              BuildStats
		size            int64
	}
	out := make([]outcome, len(uniq))
	err := retry.ForEach(ctx, len(uniq), conc, func(ctx context.Context, i int) error {
		o := &out[i]
		if !b.Overwrite {
			ok, err := b.Store.Exists(ctx, uniq[i])
			if err != nil {
				o.err = err
				return ctx.Err()
			}
			if ok {
				o.existing = true
				return nil
			}
		}
		obj, st, err := b.mapOne(ctx, uniq[i])
		o.st = st
		if err == nil {
			o.size = int64(len(obj))
			err = b.Store.Put(ctx, uniq[i], obj)
		}
		o.err, o.built = err, err == nil
		return ctx.Err()
	})
	rep := &BuildReport{Granules: len(uniq)}
	if err != nil {
		return rep, err
	}
	for i, o := range out {
		rep.Requests += o.st.Requests
		rep.BytesFetched += o.st.BytesFetched
		rep.BytesUsed += o.st.BytesUsed
		switch {
		case o.existing:
			rep.Existing++
		case o.built:
			rep.Built++
			rep.Objects++
			rep.ObjectBytes += o.size
			rep.Cells += o.st.Cells
			rep.Points += o.st.Points
		case o.err != nil:
			rep.Failed = append(rep.Failed, BuildError{URL: uniq[i], Err: o.err})
		}
	}
	return rep, nil
}

// mapOne maps one granule; a panic below costs this granule's map only.
func (b *Builder) mapOne(ctx context.Context, url string) (obj []byte, st BuildStats, err error) {
	defer func() {
		if p := recover(); p != nil {
			obj, err = nil, errors.New("mapping panicked (a bug; please report it with the file): "+fmt.Sprint(p))
		}
	}()
	return b.Map(ctx, url)
}
