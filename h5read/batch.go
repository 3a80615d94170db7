package h5read

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/zagg-go/zagg/internal/retry"
)

// errPending is returned by metadata reads in batch mode when the bytes are
// not cached yet; the batch records the block and retries after fetching.
var errPending = errors.New("h5read: metadata not fetched yet")

type collectorKey struct{}

// collector records the metadata blocks that batch-mode reads missed.
type collector struct {
	mu     sync.Mutex
	blocks map[int64]bool
}

func (c *collector) add(i int64) {
	c.mu.Lock()
	c.blocks[i] = true
	c.mu.Unlock()
}

func collectorFrom(ctx context.Context) *collector {
	c, _ := ctx.Value(collectorKey{}).(*collector)
	return c
}

// maxRounds bounds the metadata rounds of a batch; what is left after them
// is read without batching.
const maxRounds = 24

// batch runs fn(ctx, i) for i in [0, n) in rounds. In a round no metadata is
// fetched: every read that misses the caches records its block and fails
// with errPending. Between rounds the recorded blocks of all the calls are
// fetched together, neighbours merged (see [WithMetadataGap]), so n objects
// whose metadata lies at the same depth cost one round of requests.
func (f *File) batch(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	done := make([]bool, n)
	for range maxRounds {
		col := &collector{blocks: map[int64]bool{}}
		bctx := context.WithValue(ctx, collectorKey{}, col)
		pending := 0
		for i := range n {
			if done[i] {
				continue
			}
			err := fn(bctx, i)
			switch {
			case err == nil:
				done[i] = true
			case errors.Is(err, errPending):
				pending++
			default:
				return err
			}
		}
		if pending == 0 {
			return nil
		}
		if len(col.blocks) == 0 {
			break
		}
		idx := make([]int64, 0, len(col.blocks))
		for b := range col.blocks {
			idx = append(idx, b)
		}
		slices.Sort(idx)
		if err := f.st.fetchBlocks(ctx, idx); err != nil {
			return err
		}
	}
	for i := range n {
		if !done[i] {
			if err := fn(ctx, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// fetchBlocks fetches the given metadata blocks (sorted), merging blocks
// separated by at most the metadata gap into one request.
func (s *store) fetchBlocks(ctx context.Context, idx []int64) error {
	var spans []ByteRange
	for _, i := range idx {
		lo, hi := s.blockSpan(i)
		spans = append(spans, ByteRange{lo, hi - lo})
	}
	spans = mergeRanges(spans, s.cfg.metaGap, s.cfg.maxRequest)
	return retry.ForEach(ctx, len(spans), s.cfg.concurrency, func(_ context.Context, k int) error {
		sp := spans[k]
		b, err := s.f.fetch(ctx, sp.Off, sp.Len)
		if err != nil {
			return err
		}
		bs := s.cfg.blockSize
		whole := sp.Len <= bs
		for i := sp.Off / bs; i*bs < sp.Off+sp.Len; i++ {
			lo, hi := s.blockSpan(i)
			blk := b[lo-sp.Off : hi-sp.Off : hi-sp.Off]
			if !whole {
				// Copied, so one cached block does not pin the whole request.
				blk = bytes.Clone(blk)
			}
			s.blocks.put(i, blk)
		}
		return nil
	})
}

// OpenDatasets opens several datasets, reading the metadata they need in
// batched rounds: all the object headers, continuation blocks and group
// heaps that lie outside the head at the same depth are fetched together.
func (f *File) OpenDatasets(ctx context.Context, paths ...string) ([]*Dataset, error) {
	out := make([]*Dataset, len(paths))
	err := f.batch(ctx, len(paths), func(ctx context.Context, i int) error {
		d, err := f.Dataset(ctx, paths[i])
		out[i] = d
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PlanRows opens the datasets at paths and plans rows [start, start+count)
// of each, batching the metadata (as [File.OpenDatasets]) including the
// chunk index nodes. Pass the plans to [File.Fetch] to fetch all their
// chunks in coalesced requests, then read.
func (f *File) PlanRows(ctx context.Context, start, count int, paths ...string) ([]*Dataset, []*Plan, error) {
	ds := make([]*Dataset, len(paths))
	ps := make([]*Plan, len(paths))
	err := f.batch(ctx, len(paths), func(ctx context.Context, i int) error {
		if ds[i] == nil {
			d, err := f.Dataset(ctx, paths[i])
			if err != nil {
				return err
			}
			ds[i] = d
		}
		p, err := ds[i].PlanRows(ctx, start, count)
		ps[i] = p
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return ds, ps, nil
}
