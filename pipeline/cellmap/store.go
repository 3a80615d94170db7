package cellmap

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/zagg-go/zagg/zarrstore"
)

// Prefix is the folder of the cell-map objects in a store.
const Prefix = "zagg-cellmap/"

// Key returns the store key of a granule's cell map: Prefix, the granule's
// file name (the last path element of its URL, query and fragment removed),
// and ".zcm".
func Key(granuleURL string) (string, error) {
	u := granuleURL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	name := path.Base(u)
	if name == "" || name == "." || name == "/" || strings.Contains(name, "\\") || strings.HasSuffix(u, "/") {
		return "", fmt.Errorf("%w: granule URL %q names no file", ErrSpec, granuleURL)
	}
	key := Prefix + name + ".zcm"
	if err := zarrstore.CheckKey(key); err != nil {
		return "", fmt.Errorf("%w: granule URL %q: %v", ErrSpec, granuleURL, err)
	}
	return key, nil
}

// tailRead is how many bytes at the end of an object the first footer read
// fetches: the footer of a granule crossing ~30 cells takes ~2 KiB.
const tailRead = 16 << 10

// DefaultMaxFooters is how many footers a Store caches by default.
const DefaultMaxFooters = 4096

// Store keeps cell maps as sidecar objects in a zarrstore backend (usually
// the output store's), under Prefix, and caches the footers it reads. It is
// safe for concurrent use; the zero value with a Backend is ready.
type Store struct {
	Backend zarrstore.Backend
	// MaxFooters bounds the footers cached (DefaultMaxFooters when 0; the
	// oldest is dropped first).
	MaxFooters int

	mu    sync.Mutex
	cache map[string]*Footer
	order []string
}

// Stats count what reading from a Store cost.
type Stats struct {
	// Requests are the range reads issued; Bytes the bytes they returned;
	// Used those of them parsed or decoded (footers and cells).
	Requests, Bytes, Used int64
	// Decode is the time spent decoding cells (DecodeCell).
	Decode time.Duration
}

// Put stores the object of a granule (Encode's output), replacing any.
func (s *Store) Put(ctx context.Context, granuleURL string, obj []byte) error {
	key, err := Key(granuleURL)
	if err != nil {
		return err
	}
	s.forget(key)
	return s.Backend.Put(ctx, key, obj)
}

// Exists reports whether a cell map of the granule is stored.
func (s *Store) Exists(ctx context.Context, granuleURL string) (bool, error) {
	key, err := Key(granuleURL)
	if err != nil {
		return false, err
	}
	return s.Backend.Exists(ctx, key)
}

// Footer returns the footer of a granule's cell map: from the cache, else
// with one range read of the object's last 16 KiB (a second one when the
// footer is longer). A missing object is an error wrapping ErrNotFound.
func (s *Store) Footer(ctx context.Context, granuleURL string, st *Stats) (*Footer, error) {
	key, err := Key(granuleURL)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	f := s.cache[key]
	s.mu.Unlock()
	if f != nil {
		return f, nil
	}
	tail, size, err := s.get(ctx, key, -1, tailRead, st)
	if err != nil {
		return nil, err
	}
	need, err := FooterLen(tail, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if need > int64(len(tail)) {
		var size2 int64
		if tail, size2, err = s.get(ctx, key, -1, need, st); err != nil {
			return nil, err
		}
		if size2 != size {
			return nil, fmt.Errorf("%s: %w: the object changed while read", key, ErrFormat)
		}
	}
	if f, err = DecodeFooter(tail, size); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if st != nil {
		st.Used += need
	}
	s.remember(key, f)
	return f, nil
}

// ReadCell reads and decodes the points of cell c of a granule's cell map
// (f: its footer) with one range read; a cell of more than maxPoints
// points fails with ErrLimit before it is read.
func (s *Store) ReadCell(ctx context.Context, granuleURL string, f *Footer, c *Cell, maxPoints int64, st *Stats) (*Fragment, error) {
	key, err := Key(granuleURL)
	if err != nil {
		return nil, err
	}
	if c.Points > maxPoints {
		return nil, fmt.Errorf("%s: %w: cell %d holds %d points, at most %d allowed", key, ErrLimit, c.Nest, c.Points, maxPoints)
	}
	n := c.Len()
	var b []byte
	if n > 0 {
		var size int64
		if b, size, err = s.get(ctx, key, c.Offset, n, st); err != nil {
			return nil, err
		}
		if size != f.Size {
			s.forget(key)
			return nil, fmt.Errorf("%s: %w: %d bytes, its footer was read from %d", key, ErrFormat, size, f.Size)
		}
	}
	t0 := time.Now()
	fr, err := f.DecodeCell(c, b, maxPoints)
	if st != nil {
		st.Decode += time.Since(t0)
	}
	if err != nil {
		s.forget(key)
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if st != nil {
		st.Used += n
	}
	return fr, nil
}

func (s *Store) get(ctx context.Context, key string, off, n int64, st *Stats) ([]byte, int64, error) {
	b, size, err := zarrstore.GetRange(ctx, s.Backend, key, off, n)
	if st != nil {
		st.Requests++
		st.Bytes += int64(len(b))
	}
	if errors.Is(err, zarrstore.ErrNotFound) {
		return nil, 0, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return b, size, err
}

func (s *Store) remember(key string, f *Footer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache == nil {
		s.cache = map[string]*Footer{}
	}
	if _, ok := s.cache[key]; !ok {
		s.order = append(s.order, key)
	}
	s.cache[key] = f
	limit := s.MaxFooters
	if limit <= 0 {
		limit = DefaultMaxFooters
	}
	for len(s.order) > limit {
		delete(s.cache, s.order[0])
		s.order = s.order[1:]
	}
}

// forget drops a cached footer (its object was replaced or is bad).
func (s *Store) forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cache[key]; !ok {
		return
	}
	delete(s.cache, key)
	for i, k := range s.order {
		if k == key {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}
