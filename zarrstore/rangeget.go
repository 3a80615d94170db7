package zarrstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
)

// RangeReader is a [Backend] that reads part of an object: [FSBackend],
// [MemBackend] and s3store.Backend (a ranged GetObject). Sidecar objects
// that are read piecewise (a footer, then one cell's bytes) use it through
// [GetRange].
type RangeReader interface {
	// GetRange returns the bytes [off, off+n) of the object at key, fewer
	// when the object ends first (none when off is at or past its end),
	// or, with off < 0, its last n bytes (all of it when it is shorter).
	// It also returns the object's size. A missing object is an error
	// wrapping ErrNotFound; n must be in (0, DefaultMaxObjectSize].
	GetRange(ctx context.Context, key string, off, n int64) ([]byte, int64, error)
}

// ErrRange means a range read asked for no bytes or more than
// DefaultMaxObjectSize.
var ErrRange = errors.New("zarrstore: invalid byte range")

// GetRange reads a range of an object as [RangeReader.GetRange] does, with
// b's GetRange when it has one, else by reading the whole object (Get).
func GetRange(ctx context.Context, b Backend, key string, off, n int64) ([]byte, int64, error) {
	if err := checkRange(key, n); err != nil {
		return nil, 0, err
	}
	if r, ok := b.(RangeReader); ok {
		return r.GetRange(ctx, key, off, n)
	}
	v, err := b.Get(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	lo, hi := clipRange(int64(len(v)), off, n)
	return v[lo:hi], int64(len(v)), nil
}

func checkRange(key string, n int64) error {
	if n <= 0 || n > DefaultMaxObjectSize {
		return fmt.Errorf("%w: %d bytes of %s (want 1 to %d)", ErrRange, n, key, int64(DefaultMaxObjectSize))
	}
	return CheckKey(key)
}

// clipRange returns the bounds within an object of size bytes of the range
// (off, n) of RangeReader.GetRange.
func clipRange(size, off, n int64) (lo, hi int64) {
	if off < 0 {
		return max(size-n, 0), size
	}
	lo = min(off, size)
	return lo, lo + min(n, size-lo)
}

// GetRange implements [RangeReader].
func (b *MemBackend) GetRange(ctx context.Context, key string, off, n int64) ([]byte, int64, error) {
	if err := checkRange(key, n); err != nil {
		return nil, 0, err
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	v, ok := b.m[key]
	if !ok {
		return nil, 0, fmt.Errorf("memory %q: %w", key, ErrNotFound)
	}
	lo, hi := clipRange(int64(len(v)), off, n)
	return slices.Clone(v[lo:hi]), int64(len(v)), nil
}

// GetRange implements [RangeReader]: one positioned read of a regular
// file, of at most the bytes asked for.
func (b *FSBackend) GetRange(ctx context.Context, key string, off, n int64) ([]byte, int64, error) {
	if err := checkRange(key, n); err != nil {
		return nil, 0, err
	}
	p, err := b.path(key)
	if err != nil {
		return nil, 0, err
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	// Stat before opening: opening a FIFO would block.
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	if err != nil {
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s: %w: not a regular file (%v)", p, ErrNotFound, st.Mode().Type())
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s: %w: not a regular file (%v)", p, ErrNotFound, st.Mode().Type())
	}
	size := st.Size()
	lo, hi := clipRange(size, off, n)
	buf := make([]byte, hi-lo)
	m, err := f.ReadAt(buf, lo)
	if err != nil && !(errors.Is(err, io.EOF) && m == len(buf)) {
		return nil, 0, fmt.Errorf("%s: read %d bytes at %d: %w", p, len(buf), lo, err)
	}
	return buf, size, nil
}
