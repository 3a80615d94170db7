package zarrstore

import (
	"bytes"
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

// WriteChunkAt encodes data as the chunk at grid coordinates idx of the
// array at path and stores it in one atomic Put; see [Array.WriteChunkAt].
func (s *Store) WriteChunkAt(ctx context.Context, path string, idx []int64, data any) error {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return err
	}
	return a.WriteChunkAt(ctx, idx, data)
}

// UpdateChunkAt writes the chunk at grid coordinates idx of the array at
// path unless it already holds the same bytes; see [Array.UpdateChunkAt].
func (s *Store) UpdateChunkAt(ctx context.Context, path string, idx []int64, data any) (bool, error) {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return false, err
	}
	return a.UpdateChunkAt(ctx, idx, data)
}

// DeleteChunkAt removes the chunk at grid coordinates idx of the array at
// path; a chunk that is not stored is not an error. See
// [Array.DeleteChunkAt].
func (s *Store) DeleteChunkAt(ctx context.Context, path string, idx []int64) error {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return err
	}
	return a.DeleteChunkAt(ctx, idx)
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

// Array is a handle on one array: its metadata and parsed codec chain. It
// is safe for concurrent use; goroutines writing distinct chunks never
// interact.
//
// Chunks of a 1-D array are addressed by one index ([Array.WriteChunk],
// [Array.ReadChunk], …); chunks of an array of any rank by their grid
// coordinates ([Array.WriteChunkAt], [Array.ReadChunkAt], …), e.g. (t, i)
// for chunk i of window t of a [time, cells] array. The 1-D methods return
// an error wrapping [ErrChunkIndex] on an N-D array.
type Array struct {
	s        *Store
	path     string
	meta     ArrayMetadata
	grid     []int64 // chunks per dimension
	elems    int64   // elements per chunk
	chain    *chain
	fillBits uint64
	sep      string
	prefix   string // chunk key prefix, e.g. "12/h_mean/c/"
}

func newArray(s *Store, path string, m ArrayMetadata) (*Array, error) {
	fail := func(err error) (*Array, error) { return nil, fmt.Errorf("array %q: %w", path, err) }
	if len(m.Shape) < 1 || len(m.Shape) > maxRank || len(m.ChunkShape) != len(m.Shape) {
		return fail(fmt.Errorf("%w: shape %v, chunk shape %v (rank 1…%d, one chunk extent per dimension)", ErrUnsupported, m.Shape, m.ChunkShape, maxRank))
	}
	m.Shape, m.ChunkShape = slices.Clone(m.Shape), slices.Clone(m.ChunkShape)
	grid := make([]int64, len(m.Shape))
	for d := range m.Shape {
		if m.Shape[d] < 0 || m.ChunkShape[d] <= 0 {
			return fail(fmt.Errorf("%w: shape %v, chunk shape %v", ErrInvalidMetadata, m.Shape, m.ChunkShape))
		}
		grid[d] = m.Shape[d] / m.ChunkShape[d]
		if m.Shape[d]%m.ChunkShape[d] != 0 {
			grid[d]++ // the partial edge chunk (written from a length near 2^63 without overflow)
		}
	}
	if !m.DataType.Valid() {
		return fail(fmt.Errorf("%w: data type %q", ErrUnsupported, m.DataType))
	}
	if len(m.DimensionNames) != 0 && len(m.DimensionNames) != len(m.Shape) {
		return fail(fmt.Errorf("%w: %d dimension names for a %d-D array", ErrInvalidMetadata, len(m.DimensionNames), len(m.Shape)))
	}
	bits, err := parseFill(m.DataType, m.FillValue)
	if err != nil {
		return fail(err)
	}
	c, err := newChainShape(m.Codecs, m.DataType, m.ChunkShape, fillBytes(m.DataType, bits))
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
	return &Array{s: s, path: path, meta: m, grid: grid, elems: c.n, chain: c, fillBits: bits, sep: sep, prefix: path + "/c" + sep}, nil
}

// Path returns the array's path in the store.
func (a *Array) Path() string { return a.path }

// Metadata returns the array's metadata.
func (a *Array) Metadata() ArrayMetadata {
	m := a.meta
	m.Shape, m.ChunkShape = slices.Clone(m.Shape), slices.Clone(m.ChunkShape)
	return m
}

// DataType returns the element type.
func (a *Array) DataType() DataType { return a.meta.DataType }

// Rank returns the number of dimensions: 1 for cell_ids, morton and the
// statistics over all windows, 2 for the per-window [time, cells]
// statistics.
func (a *Array) Rank() int { return len(a.meta.Shape) }

// Shape returns a copy of the array's extent per dimension.
func (a *Array) Shape() []int64 { return slices.Clone(a.meta.Shape) }

// ChunkShape returns a copy of the chunk's extent per dimension (the
// shard's when sharded).
func (a *Array) ChunkShape() []int64 { return slices.Clone(a.meta.ChunkShape) }

// ChunkElems returns the number of elements of one chunk, the product of
// the chunk shape: the length of the slices WriteChunkAt takes and
// ReadChunkAt returns.
func (a *Array) ChunkElems() int64 { return a.elems }

// ChunkGrid returns the number of chunks along each dimension.
func (a *Array) ChunkGrid() []int64 { return slices.Clone(a.grid) }

// Len returns the extent of the last dimension: the array length of a 1-D
// array, the number of cells of a [time, cells] array.
func (a *Array) Len() int64 { return a.meta.Shape[len(a.meta.Shape)-1] }

// ChunkLen returns the chunk's extent along the last dimension: the
// elements per chunk (per shard when sharded) of a 1-D array, the cells
// per chunk of a [time, cells] array.
func (a *Array) ChunkLen() int64 { return a.meta.ChunkShape[len(a.meta.ChunkShape)-1] }

// NumChunks returns the number of chunks along the last dimension (all
// chunks of a 1-D array).
func (a *Array) NumChunks() int64 { return a.grid[len(a.grid)-1] }

// ChunkKey returns the store key of chunk i of a 1-D array, e.g.
// "12/h_mean/c/45763"; for an N-D array it returns "" (use
// [Array.ChunkKeyAt]).
func (a *Array) ChunkKey(i int64) string {
	if a.Rank() != 1 {
		return ""
	}
	return a.prefix + strconv.FormatInt(i, 10)
}

// ChunkKeyAt returns the store key of the chunk at grid coordinates idx
// (one per dimension), e.g. "12/h_mean/c/3/45763" for window 3, chunk
// 45763 of a [time, cells] array; "" when len(idx) is not the rank.
func (a *Array) ChunkKeyAt(idx ...int64) string {
	if len(idx) != a.Rank() {
		return ""
	}
	b := make([]byte, 0, len(a.prefix)+8*len(idx))
	b = append(b, a.prefix...)
	for d, i := range idx {
		if d > 0 {
			b = append(b, a.sep...)
		}
		b = strconv.AppendInt(b, i, 10)
	}
	return string(b)
}

func (a *Array) checkIndex(i int64) error {
	if a.Rank() != 1 {
		return fmt.Errorf("array %q: %w: chunk %d: the array is %d-D, its chunks have %d coordinates (use the …At methods)", a.path, ErrChunkIndex, i, a.Rank(), a.Rank())
	}
	if i < 0 || i >= a.NumChunks() {
		return fmt.Errorf("array %q chunk %d of %d: %w", a.path, i, a.NumChunks(), ErrChunkIndex)
	}
	return nil
}

func (a *Array) checkIndexAt(idx []int64) error {
	if len(idx) != a.Rank() {
		return fmt.Errorf("array %q: %w: chunk %v has %d coordinates, the array is %d-D", a.path, ErrChunkIndex, idx, len(idx), a.Rank())
	}
	for d, i := range idx {
		if i < 0 || i >= a.grid[d] {
			return fmt.Errorf("array %q chunk %v of grid %v: %w", a.path, idx, a.grid, ErrChunkIndex)
		}
	}
	return nil
}

// EncodeChunk appends the stored form of one chunk to dst. data is a slice
// of the array's Go element type ([]float32 for float32, …; see [Element])
// holding ChunkElems elements in C order (ChunkLen for a 1-D array); for
// the last, partial chunk of a 1-D array whose length is not a multiple of
// the chunk length it may also hold only the elements inside the array,
// and the rest is padded with the fill value.
func (a *Array) EncodeChunk(dst []byte, data any) ([]byte, error) {
	dt, n, ok := sliceDataType(data)
	if !ok || dt != a.meta.DataType {
		return dst, fmt.Errorf("array %q: %w: got %T, want []%s", a.path, ErrDataType, data, goType(a.meta.DataType))
	}
	want := int(a.elems)
	edge := 0
	if a.Rank() == 1 {
		edge = int(a.Len() % a.ChunkLen())
	}
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
// array's Go element type with ChunkElems elements (C order).
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
	raw := appendFill(make([]byte, 0, a.chain.rawLen()), a.chain.fill, int(a.elems))
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

// WriteChunkAt encodes data, the whole chunk at grid coordinates idx as a
// flat C-order slice of ChunkElems elements (for a 1-D array also the
// partial last chunk, as [Array.WriteChunk]), and stores it in one atomic
// Put, replacing any previous version. It never touches metadata.
func (a *Array) WriteChunkAt(ctx context.Context, idx []int64, data any) error {
	if a.Rank() == 1 && len(idx) == 1 {
		return a.WriteChunk(ctx, idx[0], data)
	}
	if err := a.checkIndexAt(idx); err != nil {
		return err
	}
	buf := getBuf()
	defer putBuf(buf)
	enc, err := a.EncodeChunk((*buf)[:0], data)
	*buf = enc
	if err != nil {
		return fmt.Errorf("chunk %v: %w", idx, err)
	}
	return a.s.b.Put(ctx, a.ChunkKeyAt(idx...), enc)
}

// ReadWindowFloat64 returns window w of chunk i of a per-window array
// ([time, cells]): the chunk's row for that window (the chunk at (w /
// windows per chunk, i)), as ReadChunkFloat64At reads values; for a 1-D
// array, w is ignored and chunk i is returned.
func (a *Array) ReadWindowFloat64(ctx context.Context, w, i int64) ([]float64, error) {
	if a.Rank() == 1 {
		return a.ReadChunkFloat64(ctx, i)
	}
	if a.Rank() != 2 {
		return nil, fmt.Errorf("array %q: %w: %d-D, not [time, cells]", a.path, ErrChunkIndex, a.Rank())
	}
	cs := a.ChunkShape()
	if w < 0 || w >= a.Shape()[0] {
		return nil, fmt.Errorf("array %q: %w: window %d of %d", a.path, ErrChunkIndex, w, a.Shape()[0])
	}
	v, err := a.ReadChunkFloat64At(ctx, []int64{w / cs[0], i})
	if err != nil {
		return nil, err
	}
	r := w % cs[0]
	return v[r*cs[1] : (r+1)*cs[1]], nil
}

// UpdateChunkAt writes the chunk at grid coordinates idx like WriteChunkAt
// unless the stored chunk already holds exactly the bytes it would write,
// and reports whether it wrote. A rerun that computes the same values (the
// old windows of a run that added windows, a cell redone with identical
// input) then leaves the object alone: one GET instead of a PUT, and no new
// object version.
func (a *Array) UpdateChunkAt(ctx context.Context, idx []int64, data any) (bool, error) {
	if err := a.checkIndexAt(idx); err != nil {
		return false, err
	}
	buf := getBuf()
	defer putBuf(buf)
	enc, err := a.EncodeChunk((*buf)[:0], data)
	*buf = enc
	if err != nil {
		return false, fmt.Errorf("chunk %v: %w", idx, err)
	}
	key := a.ChunkKeyAt(idx...)
	old, err := a.s.b.Get(ctx, key)
	switch {
	case err == nil && bytes.Equal(old, enc):
		return false, nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return false, err
	}
	return true, a.s.b.Put(ctx, key, enc)
}

// ReadChunkAt returns the chunk at grid coordinates idx as a new flat
// C-order slice of the array's Go element type with ChunkElems elements.
// A chunk that was never written reads as the fill value.
func (a *Array) ReadChunkAt(ctx context.Context, idx []int64) (any, error) {
	if err := a.checkIndexAt(idx); err != nil {
		return nil, err
	}
	key := a.ChunkKeyAt(idx...)
	src, err := a.s.b.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return a.FillChunk(), nil
	}
	if err != nil {
		return nil, err
	}
	v, err := a.DecodeChunk(src)
	if err != nil {
		return nil, fmt.Errorf("chunk %v (%s): %w", idx, key, err)
	}
	return v, nil
}

// ChunkExistsAt reports whether the chunk at grid coordinates idx is
// stored.
func (a *Array) ChunkExistsAt(ctx context.Context, idx []int64) (bool, error) {
	if err := a.checkIndexAt(idx); err != nil {
		return false, err
	}
	return a.s.b.Exists(ctx, a.ChunkKeyAt(idx...))
}

// DeleteChunkAt removes the chunk at grid coordinates idx (it then reads as
// fill). Removing a chunk that is not stored is not an error.
func (a *Array) DeleteChunkAt(ctx context.Context, idx []int64) error {
	if err := a.checkIndexAt(idx); err != nil {
		return err
	}
	err := a.s.b.Delete(ctx, a.ChunkKeyAt(idx...))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// ListChunksAt returns the grid coordinates of the stored chunks, sorted
// (lexicographically); it works for arrays of any rank. Keys under the
// chunk prefix that are not chunk keys of this array are ignored.
func (a *Array) ListChunksAt(ctx context.Context) ([][]int64, error) {
	var out [][]int64
	for k, err := range a.s.b.List(ctx, a.prefix) {
		if err != nil {
			return nil, fmt.Errorf("array %q: list chunks: %w", a.path, err)
		}
		if idx, ok := a.parseKey(k[len(a.prefix):]); ok {
			out = append(out, idx)
		}
	}
	slices.SortFunc(out, slices.Compare)
	return out, nil
}

// parseKey parses the part of a chunk key after the prefix into grid
// coordinates inside the grid.
func (a *Array) parseKey(rest string) ([]int64, bool) {
	parts := strings.Split(rest, a.sep)
	if len(parts) != a.Rank() {
		return nil, false
	}
	idx := make([]int64, len(parts))
	for d, p := range parts {
		i, err := strconv.ParseInt(p, 10, 64)
		if err != nil || i < 0 || i >= a.grid[d] || strconv.FormatInt(i, 10) != p {
			return nil, false
		}
		idx[d] = i
	}
	return idx, true
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

// ReadChunkAtAs is [Array.ReadChunkAt] with a static element type; it
// fails with [ErrDataType] if T does not match the array's data type.
func ReadChunkAtAs[T Element](ctx context.Context, a *Array, idx []int64) ([]T, error) {
	if dt := DataTypeOf[T](); dt != a.meta.DataType {
		return nil, fmt.Errorf("array %q: %w: asked for %s, array is %s", a.path, ErrDataType, dt, a.meta.DataType)
	}
	v, err := a.ReadChunkAt(ctx, idx)
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

// ListChunks returns the sorted indices of the stored chunks of a 1-D
// array. Keys under the chunk prefix that are not chunk keys of this array
// are ignored. For an N-D array use [Array.ListChunksAt].
func (a *Array) ListChunks(ctx context.Context) ([]int64, error) {
	if a.Rank() != 1 {
		return nil, fmt.Errorf("array %q: %w: the array is %d-D (use ListChunksAt)", a.path, ErrChunkIndex, a.Rank())
	}
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

// ReadRange returns elements [start, stop) of a 1-D array as a new slice of
// the array's Go element type, reading the chunks involved concurrently;
// missing chunks read as the fill value. It is an error on an N-D array.
func (a *Array) ReadRange(ctx context.Context, start, stop int64) (any, error) {
	if a.Rank() != 1 {
		return nil, fmt.Errorf("array %q: %w: ReadRange reads 1-D arrays, the array is %d-D", a.path, ErrUnsupported, a.Rank())
	}
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
