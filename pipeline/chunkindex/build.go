package chunkindex

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
)

// Spec says what to index: the groups and dataset path templates of a
// config's data_source ("{group}" is replaced by each group), the parent
// order and the latitude convention of the run.
type Spec struct {
	// Groups are substituted for {group} (ATL06: gt1l ... gt3r).
	Groups []string
	// Latitude and Longitude are the coordinate templates.
	Latitude, Longitude string
	// Datasets are the other templates the workers read (variables and
	// filter datasets); duplicates and the coordinates are ignored.
	Datasets []string
	// ParentOrder is the order of the parent cells listed per block.
	ParentOrder int
	// Convention is the latitude convention points are hashed with.
	Convention healpix.LatitudeConvention
}

// DefaultBlockRows is the block length of a group whose latitude is not
// chunked.
const DefaultBlockRows = 10000

// Validate checks the spec.
func (s *Spec) Validate() error {
	switch {
	case len(s.Groups) == 0:
		return fmt.Errorf("%w: no groups", ErrSpec)
	case s.Latitude == "" || s.Longitude == "":
		return fmt.Errorf("%w: no latitude or longitude template", ErrSpec)
	case s.ParentOrder < 0 || s.ParentOrder > healpix.MaxOrder:
		return fmt.Errorf("%w: parent order %d outside 0..%d", ErrSpec, s.ParentOrder, healpix.MaxOrder)
	case s.Convention > healpix.Geodetic:
		return fmt.Errorf("%w: latitude convention %d", ErrSpec, s.Convention)
	}
	if len(s.Groups) > maxGroups || len(s.Datasets) > maxDatasets {
		return fmt.Errorf("%w: %d groups and %d datasets (at most %d and %d)", ErrSpec, len(s.Groups), len(s.Datasets), maxGroups, maxDatasets)
	}
	return nil
}

// paths returns the expanded dataset paths of group g: latitude, longitude,
// then the other datasets, without duplicates.
func (s *Spec) paths(g string) []string {
	out := []string{expand(s.Latitude, g), expand(s.Longitude, g)}
	for _, t := range s.Datasets {
		if p := expand(t, g); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func expand(template, group string) string { return strings.ReplaceAll(template, "{group}", group) }

// Build indexes the open granule f: for each group of spec present in it,
// it reads the chunk index of every dataset of the spec once, and decodes
// the coordinates once to list the parent cells of each block. A group
// whose coordinates are absent is left out (the reader skips such a beam);
// a dataset other than the coordinates that is absent is left out of its
// group (a reader needing it then reads the granule without the index, and
// fails as it would have). Datasets must be one-dimensional.
func Build(ctx context.Context, f *h5read.File, spec Spec) (*Index, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	digest, err := f.HeadDigest(ctx)
	if err != nil {
		return nil, err
	}
	ix := &Index{Size: f.Size(), Digest: digest, ParentOrder: spec.ParentOrder, Convention: spec.Convention}
	b := &builder{spec: &spec}
	for _, g := range spec.Groups {
		grp, err := b.group(ctx, f, g)
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", g, err)
		}
		if grp != nil {
			ix.Groups = append(ix.Groups, *grp)
		}
	}
	return ix, nil
}

// builder holds the buffers of one Build.
type builder struct {
	spec           *Spec
	lat, lon, slat []float64
	nest           []uint64
}

func (b *builder) group(ctx context.Context, f *h5read.File, g string) (*Group, error) {
	paths := b.spec.paths(g)
	coords, err := f.OpenDatasets(ctx, paths[0], paths[1])
	if errors.Is(err, h5read.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	dsets := coords
	if others, err := f.OpenDatasets(ctx, paths[2:]...); err == nil {
		dsets = append(dsets, others...)
	} else if errors.Is(err, h5read.ErrNotFound) {
		// Open them one by one to leave out only the missing ones.
		for _, p := range paths[2:] {
			d, err := f.OpenDatasets(ctx, p)
			if errors.Is(err, h5read.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			dsets = append(dsets, d[0])
		}
	} else {
		return nil, err
	}
	grp := &Group{Name: g}
	for _, d := range dsets {
		ds, err := locate(ctx, d)
		if err != nil {
			return nil, err
		}
		grp.Datasets = append(grp.Datasets, *ds)
	}
	n := grp.Datasets[0].Rows
	if m := grp.Datasets[1].Rows; m != n {
		return nil, fmt.Errorf("%s has %d rows but %s has %d", paths[0], n, paths[1], m)
	}
	grp.Rows = n
	grp.BlockRows = grp.Datasets[0].ChunkRows
	if grp.BlockRows <= 0 {
		grp.BlockRows = DefaultBlockRows
	}
	if err := b.cells(ctx, f, coords, grp); err != nil {
		return nil, err
	}
	return grp, nil
}

// locate lists the chunks of a one-dimensional dataset.
func locate(ctx context.Context, d *h5read.Dataset) (*Dataset, error) {
	sh := d.Shape()
	if len(sh) != 1 {
		return nil, fmt.Errorf("%w: %s is %d-dimensional, want one dimension (rows)", ErrSpec, d.Path(), len(sh))
	}
	ds := &Dataset{Path: d.Path(), Rows: int64(sh[0]), IndexAddr: d.ChunkIndexAddr(), HeaderAddr: d.HeaderAddr()}
	if d.Layout() != h5read.Chunked {
		return ds, nil
	}
	ds.Chunked = true
	ds.ChunkRows = int64(d.ChunkShape()[0])
	locs, err := d.ChunkLocations(ctx)
	if err != nil {
		return nil, err
	}
	ds.Chunks = make([]Chunk, len(locs))
	for i, l := range locs {
		ds.Chunks[i] = Chunk{Row: int64(l.Coord[0]), Addr: l.Addr, Size: l.Size, FilterMask: l.FilterMask}
	}
	return ds, nil
}

// cells decodes the coordinates of a group and lists the parent cells of
// each block, hashing each point as the pipeline's reader does: the
// latitude converted to the sphere, the nested id at order 29, shifted to
// the parent order.
func (b *builder) cells(ctx context.Context, f *h5read.File, coords []*h5read.Dataset, grp *Group) error {
	n := int(grp.Rows)
	nb := int((grp.Rows + grp.BlockRows - 1) / grp.BlockRows)
	grp.CellStart = make([]int, 1, nb+1)
	if n == 0 {
		return nil
	}
	var plans []*h5read.Plan
	for _, d := range coords {
		p, err := d.PlanRows(ctx, 0, n)
		if err != nil {
			return err
		}
		plans = append(plans, p)
	}
	if err := f.Fetch(ctx, plans...); err != nil {
		return err
	}
	b.lat = grow(b.lat, n)
	b.lon = grow(b.lon, n)
	if err := coords[0].ReadFloat64(ctx, b.lat, 0, n); err != nil {
		return err
	}
	if err := coords[1].ReadFloat64(ctx, b.lon, 0, n); err != nil {
		return err
	}
	shift := uint(2 * (healpix.MaxOrder - b.spec.ParentOrder))
	bs := int(grp.BlockRows)
	b.slat = grow(b.slat, bs)
	if cap(b.nest) < bs {
		b.nest = make([]uint64, bs)
	}
	for blk := range nb {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo, hi := blk*bs, min((blk+1)*bs, n)
		slat, nest := b.slat[:hi-lo], b.nest[:hi-lo]
		b.spec.Convention.ToSphereSlice(slat, b.lat[lo:hi])
		healpix.LatLonToNestSlice(nest, healpix.MaxOrder, slat, b.lon[lo:hi])
		first := len(grp.Cells)
		prev := uint64(healpix.Invalid)
		for _, c := range nest {
			if c == healpix.Invalid {
				continue
			}
			c >>= shift
			if c == prev {
				continue // along a track, runs of points share a cell
			}
			prev = c
			if i, found := slices.BinarySearch(grp.Cells[first:], c); !found {
				grp.Cells = slices.Insert(grp.Cells, first+i, c)
			}
		}
		grp.CellStart = append(grp.CellStart, len(grp.Cells))
	}
	return nil
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}
