package h5read_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/zagg-go/zagg/h5read"
)

// sampleGranule is a synthetic ATL06-layout granule of the repository's
// sample data: beams of about 2,000 rows in chunks of 1,000 (deflate).
const sampleGranule = "../internal/sampledata/granules/ATL06_20240106031522_02542214_007_01.h5"

// TestChunkLocationsReadBack lists the chunks of a sample granule's latitude,
// reads the dataset of a second open through the list only, and checks the
// values equal those read through the chunk index, with fewer metadata
// bytes parsed (no B-tree nodes).
func TestChunkLocationsReadBack(t *testing.T) {
	path := sampleGranule
	ctx := context.Background()
	const ds = "/gt1l/land_ice_segments/latitude"

	f1, err := h5read.OpenFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f1.Close()
	d1, err := f1.Dataset(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	locs, err := d1.ChunkLocations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := d1.Len()
	cs := d1.ChunkShape()[0]
	if want := (n + cs - 1) / cs; len(locs) != want {
		t.Fatalf("%d chunk locations for %d rows in chunks of %d, want %d", len(locs), n, cs, want)
	}
	for i, l := range locs {
		if l.Coord[0] != i*cs || l.Size <= 0 || l.Addr <= 0 {
			t.Fatalf("location %d: %+v", i, l)
		}
	}
	want := make([]float64, n)
	if err := d1.ReadFloat64(ctx, want, 0, n); err != nil {
		t.Fatal(err)
	}

	// A fresh open, with no head prefetch, so every metadata byte counts.
	f2, err := h5read.OpenFile(ctx, path, h5read.WithHeadSize(0))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if err := f2.Locate(ds, -1); !errors.Is(err, h5read.ErrCorrupt) {
		t.Errorf("Locate at -1: %v", err)
	}
	if err := f2.Locate(ds, f2.Size()); !errors.Is(err, h5read.ErrCorrupt) {
		t.Errorf("Locate past the end: %v", err)
	}
	// Located, the dataset opens without reading its groups: only its
	// object header.
	if err := f2.Locate(ds, d1.HeaderAddr()); err != nil {
		t.Fatal(err)
	}
	d2, err := f2.Dataset(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	if d2.HeaderAddr() != d1.HeaderAddr() {
		t.Fatalf("header at %d, want %d", d2.HeaderAddr(), d1.HeaderAddr())
	}
	if _, err := f2.Group(ctx, "/gt1l"); err != nil {
		t.Fatal(err) // the groups still open normally
	}
	before := f2.Stats().BytesUsed
	if d2.ChunkIndexAddr() != d1.ChunkIndexAddr() || d2.ChunkIndexAddr() <= 0 {
		t.Fatalf("chunk index address %d, then %d", d1.ChunkIndexAddr(), d2.ChunkIndexAddr())
	}
	if err := d2.UseChunkLocations(locs); err != nil {
		t.Fatal(err)
	}
	got := make([]float64, n)
	if err := d2.ReadFloat64(ctx, got, 0, n); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatal("values read through the chunk locations differ")
	}
	var stored int64
	for _, l := range locs {
		stored += l.Size
	}
	if used := f2.Stats().BytesUsed - before; used != stored {
		t.Errorf("read parsed %d bytes, want exactly the %d stored chunk bytes (no chunk index metadata)", used, stored)
	}

	// A partial read through the list.
	lo, cnt := cs/2, cs/2+7
	part := make([]float64, cnt)
	if err := d2.ReadFloat64(ctx, part, lo, cnt); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(part, want[lo:lo+cnt]) {
		t.Fatal("partial read through the chunk locations differs")
	}

	h1, err := f1.HeadDigest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := f2.HeadDigest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h1 != h2 || h1 == ([32]byte{}) {
		t.Errorf("head digests %x and %x of the same file", h1, h2)
	}
}

// TestUseChunkLocationsRejects feeds bad lists: each fails with a sentinel
// and leaves the dataset reading through its own chunk index.
func TestUseChunkLocationsRejects(t *testing.T) {
	path := sampleGranule
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset(ctx, "/gt1l/land_ice_segments/h_li")
	if err != nil {
		t.Fatal(err)
	}
	locs, err := d.ChunkLocations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(locs) < 2 {
		t.Fatalf("%d chunks; the test needs two", len(locs))
	}
	cs := d.ChunkShape()[0]
	edit := func(fn func(l []h5read.ChunkLoc) []h5read.ChunkLoc) []h5read.ChunkLoc {
		c := slices.Clone(locs)
		for i := range c {
			c[i].Coord = slices.Clone(c[i].Coord)
		}
		return fn(c)
	}
	cases := []struct {
		name string
		locs []h5read.ChunkLoc
		want error
	}{
		{"rank", edit(func(l []h5read.ChunkLoc) []h5read.ChunkLoc { l[0].Coord = []int{0, 0}; return l }), h5read.ErrCorrupt},
		{"off grid", edit(func(l []h5read.ChunkLoc) []h5read.ChunkLoc { l[1].Coord[0] = cs + 1; return l }), h5read.ErrCorrupt},
		{"outside shape", edit(func(l []h5read.ChunkLoc) []h5read.ChunkLoc { l[1].Coord[0] = cs * (d.Len()/cs + 5); return l }), h5read.ErrCorrupt},
		{"negative", edit(func(l []h5read.ChunkLoc) []h5read.ChunkLoc { l[1].Coord[0] = -cs; return l }), h5read.ErrCorrupt},
		{"twice", edit(func(l []h5read.ChunkLoc) []h5read.ChunkLoc { l[1].Coord[0] = 0; return l }), h5read.ErrCorrupt},
		{"past the end", edit(func(l []h5read.ChunkLoc) []h5read.ChunkLoc { l[0].Addr = f.Size() - 1; return l }), h5read.ErrCorrupt},
		{"zero size", edit(func(l []h5read.ChunkLoc) []h5read.ChunkLoc { l[0].Size = 0; return l }), h5read.ErrCorrupt},
		{"huge size", edit(func(l []h5read.ChunkLoc) []h5read.ChunkLoc { l[0].Size = 1 << 62; return l }), h5read.ErrCorrupt},
		{"negative address", edit(func(l []h5read.ChunkLoc) []h5read.ChunkLoc { l[0].Addr = -8; return l }), h5read.ErrCorrupt},
	}
	n := d.Len()
	want := make([]float32, n)
	if err := d.ReadFloat32(ctx, want, 0, n); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := d.UseChunkLocations(c.locs)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			got := make([]float32, n)
			if err := d.ReadFloat32(ctx, got, 0, n); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatal("a rejected list changed what the dataset reads")
			}
		})
	}

	// Not chunked: the orbit_info scalars are contiguous or compact.
	o, err := f.Dataset(ctx, "/orbit_info/rgt")
	if err != nil {
		t.Fatal(err)
	}
	if o.Layout() != h5read.Chunked {
		if _, err := o.ChunkLocations(ctx); !errors.Is(err, h5read.ErrUnsupported) {
			t.Errorf("ChunkLocations of a %s dataset: %v", o.Layout(), err)
		}
		if err := o.UseChunkLocations(nil); !errors.Is(err, h5read.ErrUnsupported) {
			t.Errorf("UseChunkLocations of a %s dataset: %v", o.Layout(), err)
		}
	}
}
