package chunkindex

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/zagg-go/zagg/zarrstore"
)

// Prefix is the folder of the sidecar index objects in a store.
const Prefix = "zagg-index/"

// Key returns the store key of a granule's index: Prefix, the granule's file
// name (the last path element of its URL, query and fragment removed), and
// ".idx". Granule names are unique within a collection (they carry the
// acquisition time, track and version), so one store holds the indexes of
// every granule it reads.
func Key(granuleURL string) (string, error) {
	u := granuleURL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	name := path.Base(u)
	if name == "" || name == "." || name == "/" || strings.Contains(name, "\\") || strings.HasSuffix(u, "/") {
		return "", fmt.Errorf("%w: granule URL %q names no file", ErrSpec, granuleURL)
	}
	key := Prefix + name + ".idx"
	if err := zarrstore.CheckKey(key); err != nil {
		return "", fmt.Errorf("%w: granule URL %q: %v", ErrSpec, granuleURL, err)
	}
	return key, nil
}

// Store keeps indexes as sidecar objects in a zarrstore backend (usually
// the output store's, zarrstore.Store.Backend), under Prefix.
type Store struct {
	Backend zarrstore.Backend
}

// Get reads and decodes the index of a granule. It returns an error
// wrapping ErrNotFound if none is stored, ErrFormat or ErrVersion if the
// stored bytes are not a valid index.
func (s *Store) Get(ctx context.Context, granuleURL string) (*Index, error) {
	key, err := Key(granuleURL)
	if err != nil {
		return nil, err
	}
	b, err := s.Backend.Get(ctx, key)
	if errors.Is(err, zarrstore.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, err
	}
	ix, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return ix, nil
}

// Put encodes and stores the index of a granule, replacing any.
func (s *Store) Put(ctx context.Context, granuleURL string, ix *Index) error {
	key, err := Key(granuleURL)
	if err != nil {
		return err
	}
	return s.Backend.Put(ctx, key, ix.Encode(nil))
}

// Exists reports whether an index of the granule is stored.
func (s *Store) Exists(ctx context.Context, granuleURL string) (bool, error) {
	key, err := Key(granuleURL)
	if err != nil {
		return false, err
	}
	return s.Backend.Exists(ctx, key)
}
