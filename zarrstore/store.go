package zarrstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/zagg-go/zagg/internal/retry"
)

// MetadataKey is the name of every node's metadata document.
const MetadataKey = "zarr.json"

// Store is a Zarr v3 hierarchy on a [Backend]. It is safe for concurrent
// use; array handles are cached, so metadata is read once per process.
type Store struct {
	b Backend

	mu     sync.Mutex
	arrays map[string]*Array
}

// New returns a store on backend b.
func New(b Backend) *Store {
	return &Store{b: b, arrays: map[string]*Array{}}
}

// Option configures [Open].
type Option func(*openOptions) error

type openOptions struct {
	schemes    []scheme
	syncWrites bool
}

// scheme is a location prefix and the opener of its backends.
type scheme struct {
	prefix string
	open   func(location string) (Backend, error)
}

// WithScheme makes [Open] hand the locations that start with prefix (such
// as "s3://") to open, which returns their backend. Backends that need a
// network SDK live in their own packages and give such an option
// (zarrstore/s3store.WithClient), so this package imports none. Of several
// options for the same prefix the last one counts.
func WithScheme(prefix string, open func(location string) (Backend, error)) Option {
	return func(o *openOptions) error {
		if prefix == "" || open == nil {
			return fmt.Errorf("%w: WithScheme needs a prefix and an opener", ErrInvalidLayout)
		}
		o.schemes = append(o.schemes, scheme{prefix, open})
		return nil
	}
}

// WithSyncWrites makes a local folder store fsync every object before
// renaming it into place (default off).
func WithSyncWrites(sync bool) Option {
	return func(o *openOptions) error { o.syncWrites = sync; return nil }
}

// Open returns a store for a location; it does no I/O.
//
//   - a location with a prefix given by [WithScheme]: the backend its
//     opener returns. "s3://bucket/prefix" needs one
//     (zarrstore/s3store.WithClient) and is an error without it.
//   - "memory:" (or "memory://"): a new, empty [MemBackend].
//   - "file:///path" or any other string: a local folder ([FSBackend]).
func Open(location string, opts ...Option) (*Store, error) {
	var o openOptions
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	for i := len(o.schemes) - 1; i >= 0; i-- {
		if sc := o.schemes[i]; strings.HasPrefix(location, sc.prefix) {
			b, err := sc.open(location)
			if err != nil {
				return nil, err
			}
			return New(b), nil
		}
	}
	switch {
	case strings.HasPrefix(location, "s3://"):
		return nil, fmt.Errorf("%w: %s needs an S3 client (zarrstore/s3store.WithClient)", ErrInvalidLayout, location)
	case location == "memory:" || location == "memory://":
		return New(NewMemBackend()), nil
	case location == "":
		return nil, fmt.Errorf("%w: empty store location", ErrInvalidKey)
	}
	path := strings.TrimPrefix(location, "file://")
	return New(NewFSBackend(path, o.syncWrites)), nil
}

// Backend returns the store's backend.
func (s *Store) Backend() Backend { return s.b }

func metaKey(path string) string {
	if path == "" {
		return MetadataKey
	}
	return path + "/" + MetadataKey
}

func cleanPath(path string) (string, error) {
	path = strings.Trim(path, "/")
	if path == "" {
		return "", nil
	}
	if err := CheckKey(path); err != nil {
		return "", err
	}
	return path, nil
}

// OpenGroup reads the metadata of the group at path ("" is the root).
func (s *Store) OpenGroup(ctx context.Context, path string) (GroupMetadata, error) {
	path, err := cleanPath(path)
	if err != nil {
		return GroupMetadata{}, err
	}
	b, err := s.b.Get(ctx, metaKey(path))
	if err != nil {
		return GroupMetadata{}, fmt.Errorf("group %q: %w", path, err)
	}
	var g GroupMetadata
	if err := g.UnmarshalJSON(b); err != nil {
		return GroupMetadata{}, fmt.Errorf("group %q: %w", path, err)
	}
	return g, nil
}

// OpenArray reads and validates the metadata of the array at path (e.g.
// "12/h_mean") and returns a handle for its chunks. Handles are cached.
func (s *Store) OpenArray(ctx context.Context, path string) (*Array, error) {
	path, err := cleanPath(path)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	a, ok := s.arrays[path]
	s.mu.Unlock()
	if ok {
		return a, nil
	}
	b, err := s.b.Get(ctx, metaKey(path))
	if err != nil {
		return nil, fmt.Errorf("array %q: %w", path, err)
	}
	var m ArrayMetadata
	if err := m.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("array %q: %w", path, err)
	}
	a, err = newArray(s, path, m)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if old, ok := s.arrays[path]; ok {
		a = old
	} else {
		s.arrays[path] = a
	}
	s.mu.Unlock()
	return a, nil
}

// CreateArray writes the metadata of an array at path and returns its
// handle. Most callers use [Store.Setup] instead.
func (s *Store) CreateArray(ctx context.Context, path string, m ArrayMetadata) (*Array, error) {
	path, err := cleanPath(path)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, fmt.Errorf("%w: an array cannot be the root", ErrInvalidKey)
	}
	a, err := newArray(s, path, m)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if err := s.b.Put(ctx, metaKey(path), b); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.arrays[path] = a
	s.mu.Unlock()
	return a, nil
}

// CreateGroup writes the metadata of a group at path ("" is the root).
func (s *Store) CreateGroup(ctx context.Context, path string, g GroupMetadata) error {
	path, err := cleanPath(path)
	if err != nil {
		return err
	}
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return s.b.Put(ctx, metaKey(path), b)
}

// WriteChunk encodes data as chunk i of the array at path and stores it in
// one atomic Put. It reads the array's metadata on first use and never
// writes metadata. See [Array.WriteChunk].
func (s *Store) WriteChunk(ctx context.Context, path string, i int64, data any) error {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return err
	}
	return a.WriteChunk(ctx, i, data)
}

// DeleteChunk removes chunk i of the array at path, which then reads as
// the fill value; a chunk that is not stored is not an error. See
// [Array.DeleteChunk].
func (s *Store) DeleteChunk(ctx context.Context, path string, i int64) error {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return err
	}
	return a.DeleteChunk(ctx, i)
}

// ReadChunk returns chunk i of the array at path; see [Array.ReadChunk].
func (s *Store) ReadChunk(ctx context.Context, path string, i int64) (any, error) {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return nil, err
	}
	return a.ReadChunk(ctx, i)
}

// ChunkExists reports whether chunk i of the array at path is stored.
func (s *Store) ChunkExists(ctx context.Context, path string, i int64) (bool, error) {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return false, err
	}
	return a.ChunkExists(ctx, i)
}

// ListChunks returns the sorted indices of the stored chunks of the array
// at path.
func (s *Store) ListChunks(ctx context.Context, path string) ([]int64, error) {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return nil, err
	}
	return a.ListChunks(ctx)
}

// Array is a handle on one 1-D array: its metadata and parsed codec chain.
// It is safe for concurrent use; goroutines writing distinct chunks never
// interact.
type Array struct {
	s        *Store
	path     string
	meta     ArrayMetadata
	chain    *chain
	fillBits uint64
	prefix   string // chunk key prefix, e.g. "12/h_mean/c/"
}

func newArray(s *Store, path string, m ArrayMetadata) (*Array, error) {
	fail := func(err error) (*Array, error) { return nil, fmt.Errorf("array %q: %w", path, err) }
	if len(m.Shape) != 1 || len(m.ChunkShape) != 1 {
		return fail(fmt.Errorf("%w: shape %v, chunk shape %v (only 1-D arrays)", ErrUnsupported, m.Shape, m.ChunkShape))
	}
	if m.Shape[0] < 0 || m.ChunkShape[0] <= 0 {
		return fail(fmt.Errorf("%w: shape %v, chunk shape %v", ErrInvalidMetadata, m.Shape, m.ChunkShape))
	}
	if !m.DataType.Valid() {
		return fail(fmt.Errorf("%w: data type %q", ErrUnsupported, m.DataType))
	}
	bits, err := parseFill(m.DataType, m.FillValue)
	if err != nil {
		return fail(err)
	}
	c, err := newChain(m.Codecs, m.DataType, m.ChunkShape[0], fillBytes(m.DataType, bits))
	if err != nil {
		return fail(err)
	}
	sep := m.Separator
	if sep == "" {
		sep = "/"
	}
	if sep != "/" && sep != "." {
		return fail(fmt.Errorf("%w: chunk key separator %q", ErrInvalidMetadata, sep))
	}
	return &Array{s: s, path: path, meta: m, chain: c, fillBits: bits, prefix: path + "/c" + sep}, nil
}

// Path returns the array's path in the store.
func (a *Array) Path() string { return a.path }

// Metadata returns the array's metadata.
func (a *Array) Metadata() ArrayMetadata { return a.meta }

// DataType returns the element type.
func (a *Array) DataType() DataType { return a.meta.DataType }

// Len returns the array length.
func (a *Array) Len() int64 { return a.meta.Shape[0] }

// ChunkLen returns the elements per chunk (per shard when sharded).
func (a *Array) ChunkLen() int64 { return a.meta.ChunkShape[0] }

// NumChunks returns the number of chunks in the grid.
func (a *Array) NumChunks() int64 {
	n := a.Len() / a.ChunkLen()
	if a.Len()%a.ChunkLen() != 0 {
		n++ // the partial edge chunk (written from a length near 2^63 without overflow)
	}
	return n
}

// ChunkKey returns the store key of chunk i, e.g. "12/h_mean/c/45763".
func (a *Array) ChunkKey(i int64) string { return a.prefix + strconv.FormatInt(i, 10) }

func (a *Array) checkIndex(i int64) error {
	if i < 0 || i >= a.NumChunks() {
		return fmt.Errorf("array %q chunk %d of %d: %w", a.path, i, a.NumChunks(), ErrChunkIndex)
	}
	return nil
}

// EncodeChunk appends the stored form of one chunk to dst. data is a slice
// of the array's Go element type ([]float32 for float32, …; see [Element])
// holding ChunkLen elements; for the last, partial chunk of an array whose
// length is not a multiple of the chunk length it may also hold only the
// elements inside the array, and the rest is padded with the fill value.
func (a *Array) EncodeChunk(dst []byte, data any) ([]byte, error) {
	dt, n, ok := sliceDataType(data)
	if !ok || dt != a.meta.DataType {
		return dst, fmt.Errorf("array %q: %w: got %T, want []%s", a.path, ErrDataType, data, goType(a.meta.DataType))
	}
	want := int(a.ChunkLen())
	edge := int(a.Len() % a.ChunkLen())
	if n != want && (edge == 0 || n != edge) {
		return dst, fmt.Errorf("array %q: %w: %d elements, want %d", a.path, ErrDataType, n, want)
	}
	raw := getBuf()
	defer putBuf(raw)
	r := appendRaw((*raw)[:0], data)
	if n < want {
		r = appendFill(r, a.chain.fill, want-n)
	}
	*raw = r
	return a.chain.encode(dst, r)
}

func goType(d DataType) string {
	if d == Bool {
		return "bool"
	}
	return string(d)
}

// decodeRaw appends the raw little-endian bytes of a stored chunk to dst.
func (a *Array) decodeRaw(dst, src []byte) ([]byte, error) {
	start := len(dst)
	out, err := a.chain.decode(dst, src)
	if err != nil {
		return dst, err
	}
	if got := len(out) - start; got != a.chain.rawLen() {
		return dst, fmt.Errorf("%w: decodes to %d bytes, want %d", ErrCorruptChunk, got, a.chain.rawLen())
	}
	return out, nil
}

// DecodeChunk decodes the stored form of one chunk into a new slice of the
// array's Go element type with ChunkLen elements.
func (a *Array) DecodeChunk(src []byte) (any, error) {
	raw := getBuf()
	defer putBuf(raw)
	r, err := a.decodeRaw((*raw)[:0], src)
	*raw = r
	if err != nil {
		return nil, fmt.Errorf("array %q: %w", a.path, err)
	}
	return fromRaw(a.meta.DataType, r), nil
}

// FillChunk returns a new chunk-sized slice holding the fill value.
func (a *Array) FillChunk() any {
	raw := appendFill(make([]byte, 0, a.chain.rawLen()), a.chain.fill, int(a.ChunkLen()))
	return fromRaw(a.meta.DataType, raw)
}

// WriteChunk encodes data (see [Array.EncodeChunk]) and stores it as chunk
// i in one atomic Put, replacing any previous version. It never touches
// metadata, so writers of distinct chunks need no coordination.
func (a *Array) WriteChunk(ctx context.Context, i int64, data any) error {
	if err := a.checkIndex(i); err != nil {
		return err
	}
	if _, n, ok := sliceDataType(data); ok && i != a.NumChunks()-1 && int64(n) != a.ChunkLen() {
		return fmt.Errorf("array %q chunk %d: %w: %d elements, want %d (only the last chunk may be partial)", a.path, i, ErrDataType, n, a.ChunkLen())
	}
	buf := getBuf()
	defer putBuf(buf)
	enc, err := a.EncodeChunk((*buf)[:0], data)
	*buf = enc
	if err != nil {
		return fmt.Errorf("chunk %d: %w", i, err)
	}
	return a.s.b.Put(ctx, a.ChunkKey(i), enc)
}

// ReadChunk returns chunk i as a new slice of the array's Go element type
// ([]float32, []uint64, …) with ChunkLen elements. A chunk that was never
// written reads as the fill value.
func (a *Array) ReadChunk(ctx context.Context, i int64) (any, error) {
	if err := a.checkIndex(i); err != nil {
		return nil, err
	}
	src, err := a.s.b.Get(ctx, a.ChunkKey(i))
	if errors.Is(err, ErrNotFound) {
		return a.FillChunk(), nil
	}
	if err != nil {
		return nil, err
	}
	v, err := a.DecodeChunk(src)
	if err != nil {
		return nil, fmt.Errorf("chunk %d (%s): %w", i, a.ChunkKey(i), err)
	}
	return v, nil
}

// ReadChunkAs is [Array.ReadChunk] with a static element type; it fails with
// [ErrDataType] if T does not match the array's data type.
func ReadChunkAs[T Element](ctx context.Context, a *Array, i int64) ([]T, error) {
	if dt := DataTypeOf[T](); dt != a.meta.DataType {
		return nil, fmt.Errorf("array %q: %w: asked for %s, array is %s", a.path, ErrDataType, dt, a.meta.DataType)
	}
	v, err := a.ReadChunk(ctx, i)
	if err != nil {
		return nil, err
	}
	return v.([]T), nil
}

// ChunkExists reports whether chunk i is stored (resumable runs skip such
// chunks).
func (a *Array) ChunkExists(ctx context.Context, i int64) (bool, error) {
	if err := a.checkIndex(i); err != nil {
		return false, err
	}
	return a.s.b.Exists(ctx, a.ChunkKey(i))
}

// ListChunks returns the sorted indices of the stored chunks. Keys under the
// chunk prefix that are not chunk keys of this array are ignored.
func (a *Array) ListChunks(ctx context.Context) ([]int64, error) {
	var out []int64
	for k, err := range a.s.b.List(ctx, a.prefix) {
		if err != nil {
			return nil, fmt.Errorf("array %q: list chunks: %w", a.path, err)
		}
		rest := k[len(a.prefix):]
		i, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || i < 0 || i >= a.NumChunks() || strconv.FormatInt(i, 10) != rest {
			continue
		}
		out = append(out, i)
	}
	slices.Sort(out)
	return out, nil
}

// DeleteChunk removes chunk i (it then reads as fill). Removing a chunk
// that is not stored is not an error.
func (a *Array) DeleteChunk(ctx context.Context, i int64) error {
	if err := a.checkIndex(i); err != nil {
		return err
	}
	return a.s.b.Delete(ctx, a.ChunkKey(i))
}

// rangeWorkers bounds the concurrent chunk reads of ReadRange.
const rangeWorkers = 8

// ReadRange returns elements [start, stop) as a new slice of the array's Go
// element type, reading the chunks involved concurrently; missing chunks
// read as the fill value.
func (a *Array) ReadRange(ctx context.Context, start, stop int64) (any, error) {
	if start < 0 || stop < start || stop > a.Len() {
		return nil, fmt.Errorf("array %q: %w: range [%d, %d) outside [0, %d)", a.path, ErrChunkIndex, start, stop, a.Len())
	}
	size := int64(a.meta.DataType.Size())
	if stop-start > maxChunkBytes/size {
		return nil, fmt.Errorf("array %q: range [%d, %d) exceeds %d bytes; read it in parts", a.path, start, stop, maxChunkBytes)
	}
	raw := make([]byte, (stop-start)*size)
	if stop == start {
		return fromRaw(a.meta.DataType, raw), nil
	}
	cl := a.ChunkLen()
	first, last := start/cl, (stop-1)/cl
	err := retry.ForEach(ctx, int(last-first+1), rangeWorkers, func(ctx context.Context, k int) error {
		c := first + int64(k)
		lo, hi := max(start, c*cl), min(stop, (c+1)*cl) // element range within this chunk
		dst := raw[(lo-start)*size : (hi-start)*size]
		src, err := a.s.b.Get(ctx, a.ChunkKey(c))
		if errors.Is(err, ErrNotFound) {
			for i := 0; i < len(dst); i += int(size) {
				copy(dst[i:], a.chain.fill)
			}
			return nil
		}
		if err != nil {
			return err
		}
		buf := getBuf()
		defer putBuf(buf)
		r, err := a.decodeRaw((*buf)[:0], src)
		*buf = r
		if err != nil {
			return fmt.Errorf("array %q chunk %d (%s): %w", a.path, c, a.ChunkKey(c), err)
		}
		copy(dst, r[(lo-c*cl)*size:(hi-c*cl)*size])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fromRaw(a.meta.DataType, raw), nil
}
