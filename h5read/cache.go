package h5read

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zagg-go/zagg/internal/retry"
)

// ReaderAtContext is implemented by sources whose reads can be cancelled
// ([HTTPSource], s3src.Source of h5read/s3src). When the source given to [Open] implements it,
// the File passes each call's context down to it.
type ReaderAtContext interface {
	ReadAtContext(ctx context.Context, p []byte, off int64) (int, error)
}

// Stats are the I/O counters of a File.
type Stats struct {
	Requests     int64 // reads issued to the source, retries included
	Retries      int64 // of which retries after a transient failure
	BytesFetched int64 // bytes returned by the source
	BytesUsed    int64 // bytes of fetched data that a parser or decoder consumed, each counted once (at most BytesFetched)
	CacheHits    int64 // metadata block and chunk cache hits
	CacheMisses  int64 // metadata block and chunk cache misses
	CachedBytes  int64 // bytes held now by both caches (the head not included)
}

// transientError marks a failure worth retrying; sources return it for
// 5xx/429 answers.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// isTransient reports whether err is worth retrying: HTTP 5xx/429 (any error
// with an HTTPStatusCode method, as the AWS SDK's), a reset or refused
// connection, a timeout, or a short read.
func isTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var te *transientError
	if errors.As(err, &te) || errors.Is(err, errShortRead) {
		return true
	}
	// The project's one classification (an SDK error with status 0, a
	// connection dropped before any answer, is a network error).
	return retry.Transient(err)
}

var errShortRead = errors.New("short read")

// fetcher issues range reads to the source with retries and counts them.
type fetcher struct {
	src  io.ReaderAt
	csrc ReaderAtContext
	size int64 // bytes from base to the end of the file
	base int64 // absolute offset of address 0 (the user block size)
	cfg  *config

	requests, retries, fetched, used, hits, misses atomic.Int64
}

// fetch reads exactly [off, off+n) (the caller clips to the file size).
func (f *fetcher) fetch(ctx context.Context, off, n int64) ([]byte, error) {
	return f.fetchInto(ctx, nil, off, n)
}

// fetchInto is fetch into buf (of length n) when buf is not nil.
func (f *fetcher) fetchInto(ctx context.Context, buf []byte, off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > f.size || n > f.size-off {
		return nil, errf(ErrCorrupt, "read", off, "range of %d bytes outside the %d-byte file", n, f.size)
	}
	if buf == nil {
		buf = make([]byte, n)
	}
	var err error
	for attempt := 0; ; attempt++ {
		if err = ctx.Err(); err != nil {
			return nil, err
		}
		f.requests.Add(1)
		var got int
		if f.csrc != nil {
			got, err = f.csrc.ReadAtContext(ctx, buf, off+f.base)
		} else {
			got, err = f.src.ReadAt(buf, off+f.base)
		}
		f.fetched.Add(int64(got))
		if got == len(buf) {
			return buf, nil
		}
		if err == nil || err == io.EOF {
			err = fmt.Errorf("%w: got %d of %d bytes at offset %d", errShortRead, got, n, off)
		}
		if attempt >= f.cfg.retries || !isTransient(err) {
			break
		}
		f.retries.Add(1)
		if err := sleepBackoff(ctx, f.cfg.backoff, attempt); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("h5read: reading %d bytes at offset %d: %w", n, off, err)
}

// lru is a byte-bounded least-recently-used cache of byte slices.
type lru struct {
	mu    sync.Mutex
	cap   int64
	size  int64
	ll    *list.List
	items map[int64]*list.Element
}

type lruEntry struct {
	key int64
	val []byte
}

func newLRU(capacity int64) *lru {
	return &lru{cap: capacity, ll: list.New(), items: map[int64]*list.Element{}}
}

func (c *lru) get(k int64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*lruEntry).val, true
	}
	return nil, false
}

func (c *lru) put(k int64, v []byte) {
	if int64(len(v)) > c.cap {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.size -= int64(len(e.Value.(*lruEntry).val))
		e.Value.(*lruEntry).val = v
		c.size += int64(len(v))
		c.ll.MoveToFront(e)
	} else {
		c.items[k] = c.ll.PushFront(&lruEntry{k, v})
		c.size += int64(len(v))
	}
	for c.size > c.cap {
		e := c.ll.Back()
		ent := e.Value.(*lruEntry)
		c.ll.Remove(e)
		delete(c.items, ent.key)
		c.size -= int64(len(ent.val))
	}
}

// has reports whether k is cached, without touching the recency order.
func (c *lru) has(k int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.items[k]
	return ok
}

// reset drops every entry.
func (c *lru) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
	c.size = 0
}

// len returns the cached bytes.
func (c *lru) len() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// store is the File's byte layer: the prefetched head, a block cache for
// metadata and a chunk cache for raw chunk bytes.
type store struct {
	f      *fetcher
	cfg    *config
	head   []byte
	blocks *lru
	chunks *lru

	mu       sync.Mutex
	inflight map[int64]*call // singleflight per metadata block

	used spanSet // bytes parsed or decoded so far, for Stats.BytesUsed
}

type call struct {
	done chan struct{}
	val  []byte
	err  error
}

func newStore(ctx context.Context, src io.ReaderAt, size int64, cfg *config) (*store, error) {
	f := &fetcher{src: src, size: size, cfg: cfg}
	if c, ok := src.(ReaderAtContext); ok {
		f.csrc = c
	}
	s := &store{f: f, cfg: cfg, blocks: newLRU(cfg.metaCache), chunks: newLRU(cfg.chunkCache), inflight: map[int64]*call{}}
	if cfg.seedHead != nil {
		s.head = cfg.seedHead[:min(int64(len(cfg.seedHead)), size)]
		f.requests.Add(cfg.seedRequests)
		f.retries.Add(cfg.seedRequests - 1)
		f.fetched.Add(cfg.seedFetched)
	} else if h := min(cfg.headSize, size); h > 0 {
		b, err := f.fetch(ctx, 0, h)
		if err != nil {
			return nil, err
		}
		s.head = b
	}
	return s, nil
}

// rebase makes address 0 the absolute offset base (a user block precedes
// the superblock). Called once, before any other metadata read.
func (s *store) rebase(base int64) {
	s.f.base = base
	s.f.size -= base
	if int64(len(s.head)) > base {
		s.head = s.head[base:]
	} else {
		s.head = nil
	}
	s.blocks.reset()
}

// meta returns n bytes at off for parsing metadata. The result may alias a
// cache entry and must not be modified. Reads past the end of the file are
// clipped; the caller's cursor reports truncation.
func (s *store) meta(ctx context.Context, off, n int64) ([]byte, error) {
	size := s.f.size
	if off < 0 || off > size || n < 0 {
		return nil, errf(ErrCorrupt, "metadata", off, "%d bytes at an address outside the %d-byte file", n, size)
	}
	if n > size-off {
		n = size - off
	}
	if n > s.cfg.maxAlloc {
		return nil, errf(ErrTooLarge, "metadata", off, "%d bytes exceeds the allocation limit", n)
	}
	s.f.used.Add(s.used.add(off, n))
	if off+n <= int64(len(s.head)) {
		return s.head[off : off+n], nil
	}
	bs := s.cfg.blockSize
	first, last := off/bs, (off+n-1)/bs
	if n == 0 {
		return nil, nil
	}
	if col := collectorFrom(ctx); col != nil {
		missing := false
		for i := first; i <= last; i++ {
			if _, ok := s.blocks.get(i); !ok {
				col.add(i)
				missing = true
			}
		}
		if missing {
			return nil, errPending
		}
	}
	if first == last {
		b, err := s.block(ctx, first)
		if err != nil {
			return nil, err
		}
		lo := off - first*bs
		return b[lo : lo+n], nil
	}
	out := make([]byte, 0, n)
	// Fetch the missing blocks of a multi-block read in one request.
	if err := s.prefetchBlocks(ctx, first, last); err != nil {
		return nil, err
	}
	for i := first; i <= last; i++ {
		b, err := s.block(ctx, i)
		if err != nil {
			return nil, err
		}
		lo, hi := int64(0), int64(len(b))
		if i == first {
			lo = off - first*bs
		}
		if i == last {
			hi = off + n - last*bs
		}
		out = append(out, b[lo:hi]...)
	}
	return out, nil
}

func (s *store) blockSpan(i int64) (int64, int64) {
	bs := s.cfg.blockSize
	lo := i * bs
	hi := min(lo+bs, s.f.size)
	return lo, hi
}

// prefetchBlocks fetches blocks first..last that are not cached in one read
// (only when at least two are missing and the cache can hold them).
func (s *store) prefetchBlocks(ctx context.Context, first, last int64) error {
	var miss []int64
	for i := first; i <= last; i++ {
		if _, ok := s.blocks.get(i); !ok {
			miss = append(miss, i)
		}
	}
	if len(miss) < 2 || int64(len(miss))*s.cfg.blockSize > s.cfg.metaCache {
		return nil
	}
	lo, _ := s.blockSpan(miss[0])
	_, hi := s.blockSpan(miss[len(miss)-1])
	b, err := s.f.fetch(ctx, lo, hi-lo)
	if err != nil {
		return err
	}
	for i := miss[0]; i <= miss[len(miss)-1]; i++ {
		blo, bhi := s.blockSpan(i)
		// Copied, so one cached block does not pin the whole request.
		s.blocks.put(i, bytes.Clone(b[blo-lo:bhi-lo]))
	}
	return nil
}

// block returns metadata block i, fetching it once even under concurrency.
func (s *store) block(ctx context.Context, i int64) ([]byte, error) {
	if b, ok := s.blocks.get(i); ok {
		s.f.hits.Add(1)
		return b, nil
	}
	s.mu.Lock()
	if c, ok := s.inflight[i]; ok {
		s.mu.Unlock()
		select {
		case <-c.done:
			return c.val, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c := &call{done: make(chan struct{})}
	s.inflight[i] = c
	s.mu.Unlock()
	s.f.misses.Add(1)
	lo, hi := s.blockSpan(i)
	c.val, c.err = s.f.fetch(ctx, lo, hi-lo)
	if c.err == nil {
		s.blocks.put(i, c.val)
	}
	s.mu.Lock()
	delete(s.inflight, i)
	s.mu.Unlock()
	close(c.done)
	return c.val, c.err
}

// cachedChunk returns raw chunk bytes from the head or the chunk cache.
func (s *store) cachedChunk(addr, size int64) ([]byte, bool) {
	if addr >= 0 && size >= 0 && addr <= int64(len(s.head))-size {
		return s.head[addr : addr+size], true
	}
	if b, ok := s.chunks.get(addr); ok && int64(len(b)) == size {
		s.f.hits.Add(1)
		return b, true
	}
	return nil, false
}

// cachedChunkPeek is cachedChunk without touching counters.
func (s *store) cachedChunkPeek(addr, size int64) ([]byte, bool) {
	if addr >= 0 && size >= 0 && addr <= int64(len(s.head))-size {
		return s.head[addr : addr+size], true
	}
	b, ok := s.chunks.get(addr)
	return b, ok && int64(len(b)) == size
}

// sleepBackoff waits base·2^attempt plus up to 50 % jitter.
func sleepBackoff(ctx context.Context, base time.Duration, attempt int) error {
	d := base << min(attempt, 16)
	d += time.Duration(rand.Int64N(int64(d)/2 + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
