package main

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/zagg-go/zagg/pipeline/cellmap"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/zarrstore"
)

// storeCounts count the requests a run makes to its output store, as S3
// would bill them: PUTs (conditional ones included), GETs (ranged ones
// included; Exists and List calls counted apart), and the bytes written;
// the sidecar objects (cell maps, chunk indexes) apart from the store's.
type storeCounts struct {
	Puts, Gets, Heads, Lists, PutBytes                      int64
	SidecarPuts, SidecarGets, SidecarHeads, SidecarPutBytes int64
}

// countingBackend counts the calls to a backend (FS or memory) and passes
// them on, with the optional interfaces the pipeline looks for
// (zarrstore.Versioned, zarrstore.RangeReader, CleanTemp).
type countingBackend struct {
	zarrstore.Backend
	sidecarLatency time.Duration // added to each read of a sidecar object
	c              struct {
		puts, gets, heads, lists, putBytes atomic.Int64
		sPuts, sGets, sHeads, sPutBytes    atomic.Int64
	}
}

func sidecar(key string) bool {
	return strings.HasPrefix(key, cellmap.Prefix) || strings.HasPrefix(key, chunkindex.Prefix)
}

func (b *countingBackend) put(key string, n int) {
	if sidecar(key) {
		b.c.sPuts.Add(1)
		b.c.sPutBytes.Add(int64(n))
		return
	}
	b.c.puts.Add(1)
	b.c.putBytes.Add(int64(n))
}

func (b *countingBackend) get(key string) {
	if sidecar(key) {
		b.c.sGets.Add(1)
		b.wait()
		return
	}
	b.c.gets.Add(1)
}

// wait stands for a sidecar read's round trip (a benchmark's stand-in for
// S3 latency; never used in tests).
func (b *countingBackend) wait() {
	if b.sidecarLatency > 0 {
		time.Sleep(b.sidecarLatency)
	}
}

func (b *countingBackend) counts() *storeCounts {
	return &storeCounts{Puts: b.c.puts.Load(), Gets: b.c.gets.Load(), Heads: b.c.heads.Load(), Lists: b.c.lists.Load(), PutBytes: b.c.putBytes.Load(),
		SidecarPuts: b.c.sPuts.Load(), SidecarGets: b.c.sGets.Load(), SidecarHeads: b.c.sHeads.Load(), SidecarPutBytes: b.c.sPutBytes.Load()}
}

func (b *countingBackend) Get(ctx context.Context, key string) ([]byte, error) {
	b.get(key)
	return b.Backend.Get(ctx, key)
}

func (b *countingBackend) Put(ctx context.Context, key string, data []byte) error {
	b.put(key, len(data))
	return b.Backend.Put(ctx, key, data)
}

func (b *countingBackend) Exists(ctx context.Context, key string) (bool, error) {
	if sidecar(key) {
		b.c.sHeads.Add(1)
		b.wait()
	} else {
		b.c.heads.Add(1)
	}
	return b.Backend.Exists(ctx, key)
}

func (b *countingBackend) ListDir(ctx context.Context, prefix string) ([]string, []string, error) {
	b.c.lists.Add(1)
	return b.Backend.ListDir(ctx, prefix)
}

func (b *countingBackend) GetRange(ctx context.Context, key string, off, n int64) ([]byte, int64, error) {
	b.get(key)
	return zarrstore.GetRange(ctx, b.Backend, key, off, n)
}

func (b *countingBackend) GetVersion(ctx context.Context, key string) ([]byte, string, error) {
	b.get(key)
	return b.Backend.(zarrstore.Versioned).GetVersion(ctx, key)
}

func (b *countingBackend) PutIfVersion(ctx context.Context, key string, data []byte, version string) (string, error) {
	b.put(key, len(data))
	return b.Backend.(zarrstore.Versioned).PutIfVersion(ctx, key, data, version)
}

func (b *countingBackend) CleanTemp(ctx context.Context, before time.Time) (int, error) {
	if c, ok := b.Backend.(interface {
		CleanTemp(context.Context, time.Time) (int, error)
	}); ok {
		return c.CleanTemp(ctx, before)
	}
	return 0, nil
}
