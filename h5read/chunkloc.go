package h5read

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
)

// ChunkLoc is where one stored chunk of a chunked dataset lies: the
// coordinates of its first element, its file offset, its stored (filtered)
// size and its filter mask, as the dataset's chunk index records them.
// [Dataset.ChunkLocations] lists them; [Dataset.UseChunkLocations] reads
// through a list kept from an earlier open, without the chunk index.
type ChunkLoc struct {
	Coord      []int  // element coordinates of the chunk's first element
	Addr       int64  // file offset of the stored chunk
	Size       int64  // stored bytes
	FilterMask uint32 // bit i set: filter i was not applied to this chunk
}

// HeadDigestBytes is how many bytes at the start of the file
// [File.HeadDigest] hashes (fewer if the file is shorter).
const HeadDigestBytes = 4096

// HeadDigest returns the SHA-256 of the first [HeadDigestBytes] bytes of
// the file (the superblock and, in the files HDF5 writes, the root group's
// object header): with [File.Size], an identity that tells a rewritten file
// from the one a saved [ChunkLoc] list was made from. The bytes usually lie
// in the prefetched head (see [WithHeadSize]); otherwise they cost one
// request.
func (f *File) HeadDigest(ctx context.Context) ([32]byte, error) {
	n := min(int64(HeadDigestBytes), f.st.f.size)
	b, err := f.st.meta(ctx, 0, n)
	if err != nil {
		return [32]byte{}, err
	}
	if int64(len(b)) < n {
		return [32]byte{}, errf(ErrCorrupt, "file head", 0, "%d bytes read of %d", len(b), n)
	}
	return sha256.Sum256(b), nil
}

// ChunkIndexAddr returns the file offset of a chunked dataset's chunk index
// (or of a contiguous dataset's data), -1 if the dataset has none (compact,
// or never written). A saved [ChunkLoc] list belongs to the dataset whose
// chunk index is at the same offset.
func (d *Dataset) ChunkIndexAddr() int64 {
	if d.layout.class == layoutCompact || undef(d.layout.addr, d.f.so) {
		return -1
	}
	return int64(d.layout.addr)
}

// ChunkLocations returns every stored chunk of a chunked dataset, sorted by
// coordinates (row-major), reading its chunk index once. Chunks never written
// are left out (their elements read as the fill value). It fails with
// ErrUnsupported for a dataset that is not chunked.
func (d *Dataset) ChunkLocations(ctx context.Context) ([]ChunkLoc, error) {
	if d.layout.class != layoutChunked {
		return nil, fmt.Errorf("%w: %s: chunk locations of a %s dataset", ErrUnsupported, d.path, d.Layout())
	}
	lo := make([]uint64, len(d.space.dims))
	hi := d.space.dims
	for _, x := range hi {
		if x == 0 {
			return nil, nil
		}
	}
	if nc := chunksTouched(lo, hi, d.layout.chunk); nc > uint64(d.f.cfg.maxAlloc)/planBytesPerChunk {
		return nil, fmt.Errorf("%w: %s: %d chunks of %v elements; listing them needs more than the allocation limit of %d bytes",
			ErrTooLarge, d.path, nc, d.layout.chunk, d.f.cfg.maxAlloc)
	}
	idx, err := d.index(ctx)
	if err != nil {
		return nil, err
	}
	refs, err := idx.chunks(ctx, lo, hi)
	if err != nil {
		return nil, err
	}
	out := make([]ChunkLoc, 0, len(refs))
	for _, r := range refs {
		out = append(out, ChunkLoc{Coord: toInts(r.coord), Addr: int64(r.addr), Size: int64(r.size), FilterMask: r.mask})
	}
	slices.SortFunc(out, func(a, b ChunkLoc) int { return slices.Compare(a.Coord, b.Coord) })
	return out, nil
}

// UseChunkLocations makes every later plan and read of d find its chunks in
// locs, a list [Dataset.ChunkLocations] returned for the same dataset of
// the same file, instead of reading the dataset's chunk index: no chunk
// index metadata (B-tree nodes, array blocks) is fetched. Chunks absent from
// locs read as never written (the fill value), so locs must list every
// stored chunk the reads touch.
//
// The list is checked before it is used: rank, coordinates on the chunk grid
// and inside the dataset's extent, no chunk listed twice, a non-zero stored
// size inside the file and within the allocation limit (what each plan then
// checks again); a bad entry fails with ErrCorrupt naming it, and d is left
// unchanged. It fails with ErrUnsupported for a dataset that is not chunked.
func (d *Dataset) UseChunkLocations(locs []ChunkLoc) error {
	if d.layout.class != layoutChunked {
		return fmt.Errorf("%w: %s: chunk locations of a %s dataset", ErrUnsupported, d.path, d.Layout())
	}
	rank := len(d.layout.chunk)
	if rank == 0 || len(d.space.dims) != rank {
		return errf(ErrCorrupt, d.path+": chunk locations", -1, "chunk rank %d for a rank-%d dataspace", rank, len(d.space.dims))
	}
	if uint64(len(locs)) > uint64(d.f.cfg.maxAlloc)/planBytesPerChunk {
		return errf(ErrTooLarge, d.path+": chunk locations", -1, "%d chunks", len(locs))
	}
	w := d.path + ": chunk locations"
	fs := uint64(d.f.size)
	refs := make([]chunkRef, len(locs))
	seen := make(map[string]bool, len(locs))
	for i, l := range locs {
		if len(l.Coord) != rank {
			return errf(ErrCorrupt, w, l.Addr, "entry %d: %d coordinates for a rank-%d dataset", i, len(l.Coord), rank)
		}
		coord := make([]uint64, rank)
		for k, c := range l.Coord {
			if c < 0 || uint64(c)%d.layout.chunk[k] != 0 || uint64(c) >= max(d.space.dims[k], 1) {
				return errf(ErrCorrupt, w, l.Addr, "entry %d: chunk at %v is off the chunk grid %v or outside the shape %v", i, l.Coord, d.layout.chunk, d.space.dims)
			}
			coord[k] = uint64(c)
		}
		if l.Size <= 0 || l.Addr < 0 || uint64(l.Size) > fs || uint64(l.Addr) > fs-uint64(l.Size) {
			return errf(ErrCorrupt, w, l.Addr, "entry %d: chunk at %v of %d bytes outside the %d-byte file", i, l.Coord, l.Size, fs)
		}
		if l.Size > d.f.cfg.maxAlloc {
			return errf(ErrTooLarge, w, l.Addr, "entry %d: chunk of %d bytes", i, l.Size)
		}
		key := fmtDims(coord)
		if seen[key] {
			return errf(ErrCorrupt, w, l.Addr, "entry %d: chunk at %v listed twice", i, l.Coord)
		}
		seen[key] = true
		refs[i] = chunkRef{coord: coord, addr: uint64(l.Addr), size: uint64(l.Size), mask: l.FilterMask}
	}
	d.idxMu.Lock()
	d.idx = &knownIndex{refs: refs, chunk: d.layout.chunk}
	d.idxMu.Unlock()
	return nil
}

// knownIndex is a chunk index given by the caller (UseChunkLocations).
type knownIndex struct {
	refs  []chunkRef
	chunk []uint64
}

func (x *knownIndex) chunks(_ context.Context, lo, hi []uint64) ([]chunkRef, error) {
	var out []chunkRef
	for _, r := range x.refs {
		if intersects(r.coord, x.chunk, lo, hi) {
			out = append(out, r) // a copy: Plan marks its own entries
		}
	}
	return out, nil
}

// HeaderAddr returns the file offset of the dataset's object header.
func (d *Dataset) HeaderAddr() int64 { return int64(d.addr) }

// Locate records that path names the object whose header is at addr, as
// [Dataset.HeaderAddr] returned it for an earlier open of the same file:
// opening path then reads no group on the way (no link messages, heaps or
// name indexes), only the object header. It fails with ErrCorrupt if addr
// lies outside the file, and ErrNotFound for an empty or relative-parent
// path. A wrong address makes opening path fail (it is not an object
// header) or open another object, so take addresses only from a list made
// for this very file (see [File.HeadDigest]).
func (f *File) Locate(path string, addr int64) error {
	clean, _, err := cleanPath(path)
	if err != nil {
		return err
	}
	if addr < 0 || addr >= f.st.f.size {
		return errf(ErrCorrupt, clean, addr, "object header address outside the %d-byte file", f.st.f.size)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrClosed
	}
	f.paths[clean] = uint64(addr)
	return nil
}
