package chunkindex_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"slices"
	"testing"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/zarrstore"
)

const (
	granuleA = "../../internal/sampledata/granules/ATL06_20240106031522_02542214_007_01.h5"
	granuleB = "../../internal/sampledata/granules/ATL06_20240111150418_03382212_007_01.h5"
)

func spec() chunkindex.Spec {
	return chunkindex.Spec{
		Groups:    []string{"gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r", "gt9x"},
		Latitude:  "/{group}/land_ice_segments/latitude",
		Longitude: "/{group}/land_ice_segments/longitude",
		Datasets: []string{"/{group}/land_ice_segments/h_li", "/{group}/land_ice_segments/h_li_sigma",
			"/{group}/land_ice_segments/atl06_quality_summary", "/{group}/land_ice_segments/latitude",
			"/{group}/land_ice_segments/no_such_dataset"},
		ParentOrder: 6,
		Convention:  healpix.Authalic,
	}
}

func build(t testing.TB, path string, s chunkindex.Spec) (*chunkindex.Index, *h5read.File) {
	t.Helper()
	f, err := h5read.OpenFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	ix, err := chunkindex.Build(context.Background(), f, s)
	if err != nil {
		t.Fatal(err)
	}
	return ix, f
}

// TestBuild checks an index of a sample granule against a direct reading:
// every block lists exactly the parent cells of its points, and every
// dataset's chunks are where h5read finds them.
func TestBuild(t *testing.T) {
	ctx := context.Background()
	s := spec()
	ix, f := build(t, granuleA, s)
	if len(ix.Groups) != 6 {
		t.Fatalf("%d groups, want the 6 beams (gt9x is absent)", len(ix.Groups))
	}
	if ix.Size != f.Size() || ix.ParentOrder != 6 || ix.Convention != healpix.Authalic {
		t.Fatalf("index header %d %d %v", ix.Size, ix.ParentOrder, ix.Convention)
	}
	if err := ix.Check(ctx, f); err != nil {
		t.Fatal(err)
	}
	multi := false
	for _, g := range ix.Groups {
		if len(g.Datasets) != 5 {
			t.Fatalf("%s: %d datasets, want lat, lon, h_li, h_li_sigma, quality", g.Name, len(g.Datasets))
		}
		lat, lon := make([]float64, g.Rows), make([]float64, g.Rows)
		d, err := f.OpenDatasets(ctx, g.Datasets[0].Path, g.Datasets[1].Path)
		if err != nil {
			t.Fatal(err)
		}
		if err := d[0].ReadFloat64(ctx, lat, 0, len(lat)); err != nil {
			t.Fatal(err)
		}
		if err := d[1].ReadFloat64(ctx, lon, 0, len(lon)); err != nil {
			t.Fatal(err)
		}
		multi = multi || g.NumBlocks() > 1
		for b := range g.NumBlocks() {
			r := g.Block(b)
			var want []uint64
			for i := r.Lo; i < r.Hi; i++ {
				c := healpix.LatLonToNest(6, healpix.AuthalicFromGeodetic(lat[i]), lon[i])
				if !slices.Contains(want, c) {
					want = append(want, c)
				}
			}
			slices.Sort(want)
			if got := g.BlockCells(b); !slices.Equal(got, want) {
				t.Errorf("%s block %d: cells %v, want %v", g.Name, b, got, want)
			}
		}
		for _, ds := range g.Datasets {
			hd, err := f.Dataset(ctx, ds.Path)
			if err != nil {
				t.Fatal(err)
			}
			locs, err := hd.ChunkLocations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ds.Locations(), locs) {
				t.Errorf("%s: locations %v, want %v", ds.Path, ds.Locations(), locs)
			}
		}
	}
	if !multi {
		t.Fatal("no beam has two blocks; the test granule changed")
	}

	// The index of another granule does not fit this one.
	other, _ := build(t, granuleB, s)
	if err := other.Check(ctx, f); !errors.Is(err, chunkindex.ErrStale) {
		t.Errorf("another granule's index: %v", err)
	}
}

// TestRuns checks the blocks Runs selects, at the index's order, a coarser
// and a finer one.
func TestRuns(t *testing.T) {
	ix := &chunkindex.Index{ParentOrder: 6}
	g := chunkindex.Group{Name: "g", Rows: 35, BlockRows: 10,
		Cells: []uint64{100, 100, 101, 400, 101}, CellStart: []int{0, 1, 3, 4, 5}}
	cases := []struct {
		order int
		nest  uint64
		want  []chunkindex.RowRange
	}{
		{6, 100, []chunkindex.RowRange{{0, 20}}},
		{6, 101, []chunkindex.RowRange{{10, 20}, {30, 35}}},
		{6, 400, []chunkindex.RowRange{{20, 30}}},
		{6, 7, nil},
		{5, 25, []chunkindex.RowRange{{0, 20}, {30, 35}}}, // 100 and 101 are children of 25
		{7, 401, []chunkindex.RowRange{{0, 20}}},          // a child of 100
		{7, 1601, []chunkindex.RowRange{{20, 30}}},        // a child of 400
		{7, 8, nil},
		{7, 405, []chunkindex.RowRange{{10, 20}, {30, 35}}}, // a child of 101
	}
	for _, c := range cases {
		got := ix.Runs(nil, &g, c.order, c.nest)
		if len(got) != len(c.want) || (len(got) > 0 && !slices.Equal(got, c.want)) {
			t.Errorf("Runs(order %d, %d) = %v, want %v", c.order, c.nest, got, c.want)
		}
	}
}

// TestEncodeRoundTrip encodes and decodes a built index.
func TestEncodeRoundTrip(t *testing.T) {
	ix, _ := build(t, granuleA, spec())
	b := ix.Encode([]byte("prefix"))
	if !bytes.HasPrefix(b, []byte("prefix")) {
		t.Fatal("Encode dropped dst")
	}
	got, err := chunkindex.Decode(b[len("prefix"):])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ix) {
		t.Fatalf("round trip differs:\n%+v\n%+v", got, ix)
	}
	t.Logf("index of %d bytes for a %d-byte granule", len(b)-len("prefix"), ix.Size)
}

// reseal replaces the checksum of an edited encoding.
func reseal(b []byte) []byte {
	body := b[:len(b)-4]
	return binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
}

// TestDecodeRejects feeds malformed encodings.
func TestDecodeRejects(t *testing.T) {
	good := func() *chunkindex.Index {
		return &chunkindex.Index{Size: 1000, ParentOrder: 6, Groups: []chunkindex.Group{{
			Name: "g", Rows: 20, BlockRows: 10, Cells: []uint64{5, 9, 9}, CellStart: []int{0, 2, 3},
			Datasets: []chunkindex.Dataset{
				{Path: "/g/lat", Rows: 20, Chunked: true, ChunkRows: 10, IndexAddr: 100,
					Chunks: []chunkindex.Chunk{{Row: 0, Addr: 200, Size: 50}, {Row: 10, Addr: 300, Size: 60, FilterMask: 1}}},
				{Path: "/g/lon", Rows: 20, IndexAddr: 400},
			},
		}}}
	}
	if _, err := chunkindex.Decode(good().Encode(nil)); err != nil {
		t.Fatalf("the good index: %v", err)
	}
	edit := func(fn func(ix *chunkindex.Index)) []byte {
		ix := good()
		fn(ix)
		return ix.Encode(nil)
	}
	enc := good().Encode(nil)
	cases := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, chunkindex.ErrFormat},
		{"magic", append([]byte("ZGIY"), enc[4:]...), chunkindex.ErrFormat},
		{"version", reseal(append([]byte("ZGIX\x02"), enc[5:]...)), chunkindex.ErrVersion},
		{"checksum", append(slices.Clone(enc[:len(enc)-1]), enc[len(enc)-1]^1), chunkindex.ErrFormat},
		{"truncated", reseal(enc[:len(enc)-6]), chunkindex.ErrFormat},
		{"trailing", reseal(append(slices.Clone(enc[:len(enc)-4]), 0, 0, 0, 0, 0)), chunkindex.ErrFormat},
		{"order", edit(func(ix *chunkindex.Index) { ix.ParentOrder = 30 }), chunkindex.ErrFormat},
		{"convention", edit(func(ix *chunkindex.Index) { ix.Convention = 7 }), chunkindex.ErrFormat},
		{"cell out of range", edit(func(ix *chunkindex.Index) { ix.Groups[0].Cells[1] = 12 << 12 }), chunkindex.ErrFormat},
		{"cells not ascending", edit(func(ix *chunkindex.Index) { ix.Groups[0].Cells[1] = 5 }), chunkindex.ErrFormat},
		{"blocks for rows", edit(func(ix *chunkindex.Index) { ix.Groups[0].Rows = 35 }), chunkindex.ErrFormat},
		{"zero block rows", edit(func(ix *chunkindex.Index) { ix.Groups[0].BlockRows = 0 }), chunkindex.ErrFormat},
		{"coordinate rows", edit(func(ix *chunkindex.Index) { ix.Groups[0].Datasets[1].Rows = 19 }), chunkindex.ErrFormat},
		{"one dataset", edit(func(ix *chunkindex.Index) { ix.Groups[0].Datasets = ix.Groups[0].Datasets[:1] }), chunkindex.ErrFormat},
		{"chunk past the end", edit(func(ix *chunkindex.Index) { ix.Groups[0].Datasets[0].Chunks[1].Addr = 990 }), chunkindex.ErrFormat},
		{"chunk of zero bytes", edit(func(ix *chunkindex.Index) { ix.Groups[0].Datasets[0].Chunks[1].Size = 0 }), chunkindex.ErrFormat},
		{"chunk beyond the rows", edit(func(ix *chunkindex.Index) { ix.Groups[0].Datasets[0].Chunks[1].Row = 20 }), chunkindex.ErrFormat},
		{"chunk twice", edit(func(ix *chunkindex.Index) { ix.Groups[0].Datasets[0].Chunks[1].Row = 0 }), chunkindex.ErrFormat},
		{"chunks of a contiguous dataset", edit(func(ix *chunkindex.Index) { ix.Groups[0].Datasets[0].Chunked = false }), chunkindex.ErrFormat},
		{"index beyond the file", edit(func(ix *chunkindex.Index) { ix.Groups[0].Datasets[1].IndexAddr = 2000 }), chunkindex.ErrFormat},
		{"huge", make([]byte, chunkindex.MaxEncodedSize+1), chunkindex.ErrFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := chunkindex.Decode(c.b); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// TestStore writes and reads indexes through a backend.
func TestStore(t *testing.T) {
	ctx := context.Background()
	ix, _ := build(t, granuleA, spec())
	s := &chunkindex.Store{Backend: zarrstore.NewMemBackend()}
	const url = "s3://bucket/ATLAS/ATL06/007/ATL06_20240106031522_02542214_007_01.h5"
	if _, err := s.Get(ctx, url); !errors.Is(err, chunkindex.ErrNotFound) {
		t.Fatalf("Get before Put: %v", err)
	}
	if err := s.Put(ctx, url, ix); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, url+"?X-Amz-Signature=abc")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ix) {
		t.Fatal("stored index differs")
	}
	if err := s.Backend.Put(ctx, "zagg-index/bad.h5.idx", []byte("junk")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "file:///x/bad.h5"); !errors.Is(err, chunkindex.ErrFormat) {
		t.Errorf("junk index: %v", err)
	}
	for _, u := range []string{"", "s3://bucket/", "s3://b/a\\b"} {
		if _, err := chunkindex.Key(u); !errors.Is(err, chunkindex.ErrSpec) {
			t.Errorf("Key(%q): %v", u, err)
		}
	}
}

// FuzzDecode checks that Decode never panics, on the input and on the
// input with a valid checksum appended (so that mutations reach the parser
// past the checksum), and that what it accepts encodes to bytes it accepts
// again, describing the same index.
func FuzzDecode(f *testing.F) {
	ix, _ := build(f, granuleA, spec())
	enc := ix.Encode(nil)
	f.Add(enc[:len(enc)-4])
	f.Add([]byte("ZGIX\x01"))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, b := range [][]byte{body, reseal(append(slices.Clone(body), 0, 0, 0, 0))} {
			got, err := chunkindex.Decode(b)
			if err != nil {
				continue
			}
			again, err := chunkindex.Decode(got.Encode(nil))
			if err != nil {
				t.Fatalf("re-encoding an accepted index gives bytes Decode refuses: %v", err)
			}
			if !reflect.DeepEqual(again, got) {
				t.Fatal("an accepted index changes through Encode and Decode")
			}
		}
	})
}
