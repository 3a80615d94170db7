package chunkindex

import (
	"context"
	"fmt"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
)

// Index is the chunk index of one granule.
type Index struct {
	// Size is the granule's size in bytes and Digest the SHA-256 of its
	// first bytes (h5read.File.HeadDigest): its identity.
	Size   int64
	Digest [32]byte
	// ParentOrder is the order of the cells listed per block, and
	// Convention the latitude convention points were hashed with.
	ParentOrder int
	Convention  healpix.LatitudeConvention
	// Groups are the groups (beams) present in the granule, in the order of
	// the Spec that built the index. A group of the Spec absent from the
	// granule is absent here.
	Groups []Group
}

// Group is the index of one group (beam).
type Group struct {
	// Name is the group name substituted for {group} in the templates.
	Name string
	// Rows is the number of rows of the coordinates; BlockRows the rows of
	// each block but the last (the latitude's chunk length).
	Rows, BlockRows int64
	// Cells lists, block after block, the distinct nested ids at the
	// index's ParentOrder of the points of the block, ascending; the cells
	// of block b are Cells[CellStart[b]:CellStart[b+1]]. Points whose
	// coordinates are not a valid position (NaN, latitude beyond ±90°) are
	// in no cell.
	Cells     []uint64
	CellStart []int
	// Datasets are the datasets of the group the index locates: the
	// latitude, the longitude, then the others of the Spec present in the
	// granule.
	Datasets []Dataset
}

// Dataset locates the chunks of one one-dimensional dataset.
type Dataset struct {
	// Path is the dataset path, templates expanded.
	Path string
	// Rows is its length.
	Rows int64
	// Chunked is false for a contiguous or compact dataset: such a dataset
	// has no chunk index to skip, and Chunks is empty.
	Chunked bool
	// ChunkRows is its chunk length (0 if not chunked).
	ChunkRows int64
	// IndexAddr is the file offset of its chunk index
	// (h5read.Dataset.ChunkIndexAddr), -1 if none.
	IndexAddr int64
	// HeaderAddr is the file offset of its object header
	// (h5read.Dataset.HeaderAddr): File.Locate opens it without reading
	// the groups on its path.
	HeaderAddr int64
	// Chunks are its stored chunks, ascending by row.
	Chunks []Chunk
}

// Chunk is one stored chunk of a dataset.
type Chunk struct {
	Row        int64  // first row
	Addr, Size int64  // file offset and stored bytes
	FilterMask uint32 // filters not applied to this chunk
}

// RowRange is the rows [Lo, Hi).
type RowRange struct{ Lo, Hi int64 }

// Group returns the group named name, or nil if the granule has none.
func (ix *Index) Group(name string) *Group {
	for i := range ix.Groups {
		if ix.Groups[i].Name == name {
			return &ix.Groups[i]
		}
	}
	return nil
}

// Check reports whether ix describes the open granule f: same size and same
// head digest; otherwise it returns an error wrapping ErrStale.
func (ix *Index) Check(ctx context.Context, f *h5read.File) error {
	if f.Size() != ix.Size {
		return fmt.Errorf("%w: the granule has %d bytes, the index was built for %d", ErrStale, f.Size(), ix.Size)
	}
	d, err := f.HeadDigest(ctx)
	if err != nil {
		return err
	}
	if d != ix.Digest {
		return fmt.Errorf("%w: the granule's first bytes changed since the index was built", ErrStale)
	}
	return nil
}

// NumBlocks returns the number of blocks.
func (g *Group) NumBlocks() int { return max(len(g.CellStart)-1, 0) }

// BlockCells returns the parent cells of block b (do not modify them).
func (g *Group) BlockCells(b int) []uint64 { return g.Cells[g.CellStart[b]:g.CellStart[b+1]] }

// Block returns the rows of block b.
func (g *Group) Block(b int) RowRange {
	lo := int64(b) * g.BlockRows
	return RowRange{lo, min(lo+g.BlockRows, g.Rows)}
}

// Runs appends to dst the rows of the blocks of g (a group of ix) that hold
// points of the cell nest at order (a parent cell), adjacent blocks merged
// into one range, in row order. The cell may be at any order: coarser than
// the index's parent order (the blocks holding any of its descendants) or
// finer (the blocks holding its ancestor, a superset of the rows it needs).
func (ix *Index) Runs(dst []RowRange, g *Group, order int, nest uint64) []RowRange {
	for b := range g.NumBlocks() {
		if !g.holds(b, ix.ParentOrder, order, nest) {
			continue
		}
		r := g.Block(b)
		if n := len(dst); n > 0 && dst[n-1].Hi == r.Lo {
			dst[n-1].Hi = r.Hi
			continue
		}
		dst = append(dst, r)
	}
	return dst
}

// holds reports whether block b lists a cell inside (or around) nest.
func (g *Group) holds(b, ixOrder, order int, nest uint64) bool {
	cells := g.BlockCells(b)
	if ixOrder >= order {
		shift := uint(2 * (ixOrder - order))
		for _, c := range cells {
			if c>>shift == nest {
				return true
			}
		}
		return false
	}
	up := nest >> uint(2*(order-ixOrder))
	for _, c := range cells {
		if c == up {
			return true
		}
	}
	return false
}

// Dataset returns the dataset at path, or nil.
func (g *Group) Dataset(path string) *Dataset {
	for i := range g.Datasets {
		if g.Datasets[i].Path == path {
			return &g.Datasets[i]
		}
	}
	return nil
}

// Use checks that d describes the open dataset hd (same length, layout,
// chunk length and chunk index offset; otherwise an error wrapping
// ErrStale) and makes hd read its chunks through d's locations, without
// its chunk index. A dataset that is not chunked is only checked.
func (d *Dataset) Use(hd *h5read.Dataset) error {
	sh := hd.Shape()
	if len(sh) != 1 || int64(sh[0]) != d.Rows {
		return fmt.Errorf("%w: %s has shape %v, the index says %d rows", ErrStale, d.Path, sh, d.Rows)
	}
	chunked := hd.Layout() == h5read.Chunked
	if chunked != d.Chunked || hd.ChunkIndexAddr() != d.IndexAddr {
		return fmt.Errorf("%w: %s is stored differently from what the index says", ErrStale, d.Path)
	}
	if !chunked {
		return nil
	}
	if cs := hd.ChunkShape(); int64(cs[0]) != d.ChunkRows {
		return fmt.Errorf("%w: %s has chunks of %d rows, the index says %d", ErrStale, d.Path, cs[0], d.ChunkRows)
	}
	return hd.UseChunkLocations(d.Locations())
}

// Locate tells f where the object headers of the group's datasets are
// (h5read.File.Locate), so that opening them reads no group. Call it only
// once ix.Check has accepted f.
func (g *Group) Locate(f *h5read.File) error {
	for i := range g.Datasets {
		if err := f.Locate(g.Datasets[i].Path, g.Datasets[i].HeaderAddr); err != nil {
			return err
		}
	}
	return nil
}

// Locations returns the chunks as h5read locations.
func (d *Dataset) Locations() []h5read.ChunkLoc {
	out := make([]h5read.ChunkLoc, len(d.Chunks))
	for i, c := range d.Chunks {
		out[i] = h5read.ChunkLoc{Coord: []int{int(c.Row)}, Addr: c.Addr, Size: c.Size, FilterMask: c.FilterMask}
	}
	return out
}
