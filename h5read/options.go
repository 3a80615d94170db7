package h5read

import (
	"fmt"
	"time"
)

// Option configures [Open]. Options validate their argument and make Open
// fail with an error naming the option if it is out of range.
type Option func(*config) error

type config struct {
	headSize    int64
	blockSize   int64
	metaCache   int64
	chunkCache  int64
	coalesceGap int64
	metaGap     int64
	maxRequest  int64
	concurrency int
	retries     int
	backoff     time.Duration
	maxAlloc    int64
	verify      bool

	// set by openProbing: a head already fetched with the size probe
	seedHead     []byte
	seedRequests int64
	seedFetched  int64
}

func defaultConfig() config {
	return config{
		headSize:    2 << 20,
		blockSize:   256 << 10,
		metaCache:   16 << 20,
		chunkCache:  64 << 20,
		coalesceGap: 64 << 10,
		metaGap:     1 << 20,
		maxRequest:  16 << 20,
		concurrency: 8,
		retries:     4,
		backoff:     50 * time.Millisecond,
		maxAlloc:    1 << 30,
		verify:      true,
	}
}

// WithHeadSize sets how many bytes at the start of the file Open fetches in
// one request and keeps for the life of the File (HDF5 writers put most
// metadata there). Default 2 MiB; 0 disables the prefetch; at most 256 MiB.
func WithHeadSize(n int64) Option {
	return func(c *config) error {
		if n < 0 || n > 256<<20 {
			return fmt.Errorf("h5read: WithHeadSize(%d): want 0..256 MiB", n)
		}
		c.headSize = n
		return nil
	}
}

// WithBlockSize sets the aligned block size used to fetch metadata that lies
// outside the head. Default 256 KiB; 512 B to 16 MiB.
func WithBlockSize(n int64) Option {
	return func(c *config) error {
		if n < 512 || n > 16<<20 {
			return fmt.Errorf("h5read: WithBlockSize(%d): want 512 B..16 MiB", n)
		}
		c.blockSize = n
		return nil
	}
}

// WithCacheSize bounds the two caches in bytes: metadata blocks and raw
// (still compressed) chunk bytes. Least recently used entries are evicted.
// Defaults 16 MiB and 64 MiB; 0 disables a cache.
func WithCacheSize(metadata, chunks int64) Option {
	return func(c *config) error {
		if metadata < 0 || chunks < 0 {
			return fmt.Errorf("h5read: WithCacheSize(%d, %d): negative size", metadata, chunks)
		}
		c.metaCache, c.chunkCache = metadata, chunks
		return nil
	}
}

// WithCoalesce sets how byte ranges of chunks are merged into requests:
// neighbouring ranges separated by at most gap bytes become one request, as
// long as the request stays within maxRequest bytes. Defaults 64 KiB and
// 16 MiB. A gap of 0 merges only touching ranges; a negative gap disables
// coalescing.
func WithCoalesce(gap, maxRequest int64) Option {
	return func(c *config) error {
		if maxRequest < 1 {
			return fmt.Errorf("h5read: WithCoalesce(%d, %d): maxRequest must be positive", gap, maxRequest)
		}
		c.coalesceGap, c.maxRequest = gap, maxRequest
		return nil
	}
}

// WithMetadataGap sets how far apart metadata blocks fetched in the same
// round of [File.OpenDatasets] or [File.PlanRows] may be and still be
// merged into one request (the bytes between them are fetched and cached).
// Default 1 MiB; a negative gap disables merging.
func WithMetadataGap(gap int64) Option {
	return func(c *config) error {
		if gap > 64<<20 {
			return fmt.Errorf("h5read: WithMetadataGap(%d): at most 64 MiB", gap)
		}
		c.metaGap = gap
		return nil
	}
}

// WithConcurrency sets how many requests and chunk decodes run at once.
// Default 8; 1 to 256.
func WithConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 256 {
			return fmt.Errorf("h5read: WithConcurrency(%d): want 1..256", n)
		}
		c.concurrency = n
		return nil
	}
}

// WithRetries sets how many times a transient failure (HTTP 5xx or 429,
// connection reset, short read) is retried, with exponential backoff starting
// at base and jitter. Default 4 retries from 50 ms; 0 disables retries.
func WithRetries(n int, base time.Duration) Option {
	return func(c *config) error {
		if n < 0 || n > 20 || base < 0 {
			return fmt.Errorf("h5read: WithRetries(%d, %v): want 0..20 retries and base ≥ 0", n, base)
		}
		c.retries, c.backoff = n, base
		return nil
	}
}

// WithMaxAlloc bounds the size of any single buffer allocated from a size
// declared in the file (a decoded chunk, an attribute, a read). Default
// 1 GiB.
func WithMaxAlloc(n int64) Option {
	return func(c *config) error {
		if n < 1<<10 {
			return fmt.Errorf("h5read: WithMaxAlloc(%d): want at least 1 KiB", n)
		}
		c.maxAlloc = n
		return nil
	}
}

// WithChecksums turns verification of metadata lookup3 checksums on or off
// (default on). Fletcher-32 and Adler-32 data checksums are always verified.
func WithChecksums(on bool) Option {
	return func(c *config) error {
		c.verify = on
		return nil
	}
}
