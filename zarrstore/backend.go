package zarrstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
)

// Backend is the key-value storage under a store: a local folder
// ([FSBackend]), memory ([MemBackend]) or an S3 prefix (zarrstore/s3store).
// Keys are "/"-separated paths relative to the store root, e.g.
// "12/h_mean/c/45763". Implementations must be safe for concurrent use, and
// Put must be atomic: a reader sees the whole old object, the whole new
// object, or (for a new key) nothing.
type Backend interface {
	// Get returns the object's bytes, or an error wrapping [ErrNotFound].
	Get(ctx context.Context, key string) ([]byte, error)
	// Put stores data under key, replacing any object there. The backend
	// does not retain data after returning.
	Put(ctx context.Context, key string, data []byte) error
	// Exists reports whether key holds an object.
	Exists(ctx context.Context, key string) (bool, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List yields every key that starts with prefix, in no particular
	// order. Iteration stops at the first error, yielded with an empty key.
	List(ctx context.Context, prefix string) iter.Seq2[string, error]
	// ListDir returns the immediate children of the directory prefix
	// (which is "" or ends in "/"): object names and sub-directory names,
	// without the prefix and without trailing "/".
	ListDir(ctx context.Context, prefix string) (objects, dirs []string, err error)
}

// ErrTooLarge means a stored object is larger than the backend reads (see
// [FSBackend.SetMaxObjectSize] and [MaxMetadataSize]): it is refused before
// it is read.
var ErrTooLarge = errors.New("zarrstore: object too large")

// Object size limits of [FSBackend.Get].
const (
	// DefaultMaxObjectSize bounds the bytes read from one object by
	// default: the largest chunk this package writes or decodes (1 GiB)
	// plus 1 MiB of encoding overhead.
	DefaultMaxObjectSize = maxChunkBytes + 1<<20
	// MaxMetadataSize bounds the bytes read from a zarr.json document
	// (consolidated metadata of a large store is a few MiB).
	MaxMetadataSize = 64 << 20
)

// objectLimit returns the bytes Get may read from key under a backend limit
// of max (0: DefaultMaxObjectSize): metadata documents get at most
// MaxMetadataSize.
func objectLimit(key string, max int64) int64 {
	if max <= 0 {
		max = DefaultMaxObjectSize
	}
	if key == MetadataKey || strings.HasSuffix(key, "/"+MetadataKey) {
		return min(max, MaxMetadataSize)
	}
	return max
}

var (
	_ Backend = (*MemBackend)(nil)
	_ Backend = (*FSBackend)(nil)
)

// CheckKey validates a store key: non-empty, relative, no backslash, no
// empty, "." or ".." segment; otherwise it returns an error wrapping
// [ErrInvalidKey]. Backends outside this package (zarrstore/s3store) use it.
func CheckKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	return nil
}

// CheckPrefix validates a List or ListDir prefix: "" or a key prefix (with
// or without a trailing "/"), as [CheckKey] does.
func CheckPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	return CheckKey(strings.TrimSuffix(prefix, "/"))
}

// MemBackend keeps objects in memory. The zero value is not usable; create
// one with [NewMemBackend].
type MemBackend struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// NewMemBackend returns an empty in-memory backend.
func NewMemBackend() *MemBackend { return &MemBackend{m: map[string][]byte{}} }

// Get implements [Backend].
func (b *MemBackend) Get(ctx context.Context, key string) ([]byte, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	v, ok := b.m[key]
	b.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("memory %q: %w", key, ErrNotFound)
	}
	return slices.Clone(v), nil
}

// Put implements [Backend].
func (b *MemBackend) Put(ctx context.Context, key string, data []byte) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	v := slices.Clone(data)
	if v == nil {
		v = []byte{}
	}
	b.mu.Lock()
	b.m[key] = v
	b.mu.Unlock()
	return nil
}

// Exists implements [Backend].
func (b *MemBackend) Exists(ctx context.Context, key string) (bool, error) {
	if err := CheckKey(key); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	b.mu.RLock()
	_, ok := b.m[key]
	b.mu.RUnlock()
	return ok, nil
}

// Delete implements [Backend].
func (b *MemBackend) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	delete(b.m, key)
	b.mu.Unlock()
	return nil
}

// List implements [Backend].
func (b *MemBackend) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := CheckPrefix(prefix); err != nil {
			yield("", err)
			return
		}
		b.mu.RLock()
		var keys []string
		for k := range b.m {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		b.mu.RUnlock()
		slices.Sort(keys)
		for _, k := range keys {
			if err := ctx.Err(); err != nil {
				yield("", err)
				return
			}
			if !yield(k, nil) {
				return
			}
		}
	}
}

// ListDir implements [Backend].
func (b *MemBackend) ListDir(ctx context.Context, prefix string) (objects, dirs []string, err error) {
	if err := CheckPrefix(prefix); err != nil {
		return nil, nil, err
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	seen := map[string]bool{}
	for k, err := range b.List(ctx, prefix) {
		if err != nil {
			return nil, nil, err
		}
		rest := k[len(prefix):]
		if d, _, ok := strings.Cut(rest, "/"); ok {
			if !seen[d] {
				seen[d] = true
				dirs = append(dirs, d)
			}
			continue
		}
		objects = append(objects, rest)
	}
	return objects, dirs, nil
}
