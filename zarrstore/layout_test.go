package zarrstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zagg-go/zagg/zarrstore"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// testLayout is the layout used by the golden, zarrita and S3 tests: two
// orders, three statistics of different types and codecs.
func testLayout() zarrstore.Layout {
	return zarrstore.Layout{
		ParentOrder: 1,
		Orders:      []int{4, 2},
		Latitude:    zarrstore.LatitudeAuthalic,
		Variables: []zarrstore.Variable{
			{Name: "h_mean", DataType: zarrstore.Float32, Attributes: map[string]any{"units": "m"}},
			{Name: "count", DataType: zarrstore.Int32},
			{Name: "h_sigma", DataType: zarrstore.Float64, Codecs: &zarrstore.Codecs{Compressor: zarrstore.Gzip, ShardInner: 4}},
		},
		Attributes: map[string]any{"title": "test"},
		Parents:    []uint64{3, 7, 40, 0, 1, 2, 45, 47},
		Project:    map[string]any{"version": "test"},
	}
}

func goldenCompare(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, pretty.Bytes())
	}
}

func TestSetupConsolidateGolden(t *testing.T) {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := s.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	b := s.Backend()
	for _, key := range []string{"4/zarr.json", "4/cell_ids/zarr.json", "4/h_mean/zarr.json", "4/h_sigma/zarr.json"} {
		got, err := b.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		goldenCompare(t, filepath.FromSlash(key), got)
	}
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}
	root, err := b.Get(ctx, "zarr.json")
	if err != nil {
		t.Fatal(err)
	}
	goldenCompare(t, "consolidated.json", root)
	// Consolidating again (e.g. a rerun's finalize) gives the same document.
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := b.Get(ctx, "zarr.json"); !bytes.Equal(again, root) {
		t.Errorf("second Consolidate changed the root:\n%s\n%s", root, again)
	}
	g, err := s.OpenGroup(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(g.Consolidated); n != 2+2*5 {
		t.Errorf("consolidated metadata has %d nodes, want 12", n)
	}
}

// TestDGGSAttributes checks the exact DGGS block of the notes, independent of
// the golden files.
func TestDGGSAttributes(t *testing.T) {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	l := testLayout()
	l.Orders = []int{12}
	l.ParentOrder = 6
	l.Variables = nil
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	g, err := s.OpenGroup(ctx, "12")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(map[string]any{"zarr_conventions": g.Attributes["zarr_conventions"], "dggs": g.Attributes["dggs"]})
	const want = `{"zarr_conventions": [{
    "schema_url": "https://raw.githubusercontent.com/zarr-conventions/dggs/refs/tags/v1/schema.json",
    "spec_url": "https://github.com/zarr-conventions/dggs/blob/v1/README.md",
    "uuid": "7b255807-140c-42ca-97f6-7a1cfecdbc38",
    "name": "dggs",
    "description": "Discrete Global Grid Systems convention for zarr"}],
  "dggs": {
    "name": "healpix",
    "refinement_level": 12,
    "indexing_scheme": "nested",
    "spatial_dimension": "cells",
    "ellipsoid": {"name": "WGS84", "semimajor_axis": 6378137.0, "inverse_flattening": 298.257223563},
    "coordinate": "cell_ids",
    "compression": "none"}}`
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("DGGS attributes = %s\nwant %s", got, want)
	}
	grid, err := zarrstore.GridFromAttributes(g.Attributes)
	if err != nil {
		t.Fatal(err)
	}
	if want := (zarrstore.Grid{Order: 12, ParentOrder: 6, Latitude: zarrstore.LatitudeAuthalic}); grid != want {
		t.Errorf("GridFromAttributes = %+v, want %+v", grid, want)
	}
	a12, err := s.OpenArray(ctx, "12/cell_ids")
	if err != nil {
		t.Fatal(err)
	}
	m := a12.Metadata()
	if m.Shape[0] != 8*4096 || m.ChunkShape[0] != 4096 || a12.NumChunks() != 8 {
		t.Errorf("12/cell_ids shape %v chunks %v, want [32768] [4096] (8 parents)", m.Shape, m.ChunkShape)
	}
	if a12.ChunkKey(2) != "12/cell_ids/c/2" {
		t.Errorf("ChunkKey(2) = %q", a12.ChunkKey(2))
	}
	if string(m.FillValue) != "201326592" {
		t.Errorf("cell_ids fill value %s, want 12·4^12 = 201326592 (no valid cell id)", m.FillValue)
	}
	for k := range m.Attributes {
		if !slices.Contains([]string{"grid_name", "level", "indexing_scheme", "ellipsoid"}, k) {
			t.Errorf("cell_ids attribute %q: xdggs passes every cell_ids attribute to its grid class, which rejects unknown ones", k)
		}
	}
	e, _ := m.Attributes["ellipsoid"].(map[string]any)
	if m.Attributes["grid_name"] != "healpix" || m.Attributes["indexing_scheme"] != "nested" || m.Attributes["level"] != json.Number("12") ||
		e["name"] != "WGS84" || e["semimajor_axis"] != json.Number("6378137.0") || e["inverse_flattening"] != json.Number("298.257223563") {
		t.Errorf("cell_ids attributes = %v, want the xdggs grid_name/level/indexing_scheme and the WGS84 ellipsoid", m.Attributes)
	}

	// Geodetic latitudes were hashed as if on a sphere: no ellipsoid in
	// either declaration.
	sg := zarrstore.New(zarrstore.NewMemBackend())
	l.Latitude = zarrstore.LatitudeGeodetic
	if _, err := sg.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	gg, _ := sg.OpenGroup(ctx, "12")
	ag, _ := sg.OpenArray(ctx, "12/cell_ids")
	if _, ok := gg.Attributes["dggs"].(map[string]any)["ellipsoid"]; ok {
		t.Errorf("geodetic dggs block declares an ellipsoid: %v", gg.Attributes["dggs"])
	}
	if _, ok := ag.Metadata().Attributes["ellipsoid"]; ok {
		t.Errorf("geodetic cell_ids attributes declare an ellipsoid: %v", ag.Metadata().Attributes)
	}
}

// TestSetupExtends adds parents to a store: the new ones get the next
// chunks with their coordinates, the arrays grow, the old chunks and
// values stay, and a rerun with the same parents changes nothing.
func TestSetupExtends(t *testing.T) {
	ctx := context.Background()
	b := zarrstore.NewMemBackend()
	s := zarrstore.New(b)
	l := testLayout()
	l.Parents = []uint64{40, 3}
	got, err := s.Setup(ctx, l)
	if err != nil || !reflect.DeepEqual(got, []uint64{40, 3}) {
		t.Fatalf("Setup = %v, %v", got, err)
	}
	if err := s.WriteChunk(ctx, "4/h_mean", 1, make([]float32, 64)); err != nil {
		t.Fatal(err)
	}
	before, _ := b.Get(ctx, "4/h_mean/c/1")
	l.Parents = []uint64{3, 7, 40, 0}
	got, err = s.Setup(ctx, l)
	if err != nil || !reflect.DeepEqual(got, []uint64{40, 3, 7, 0}) {
		t.Fatalf("extending Setup = %v, %v; want [40 3 7 0]", got, err)
	}
	if after, _ := b.Get(ctx, "4/h_mean/c/1"); !bytes.Equal(before, after) {
		t.Error("extending changed a written chunk")
	}
	for _, o := range []int{4, 2} {
		a, err := s.OpenArray(ctx, fmt.Sprintf("%d/cell_ids", o))
		if err != nil {
			t.Fatal(err)
		}
		n := int64(1) << (2 * (o - 1))
		if a.Len() != 4*n {
			t.Errorf("order %d: %d cells, want %d", o, a.Len(), 4*n)
		}
		for i, p := range got {
			ids, err := zarrstore.ReadChunkAs[uint64](ctx, a, int64(i))
			if err != nil {
				t.Fatal(err)
			}
			if ids[0] != p*uint64(n) || ids[len(ids)-1] != (p+1)*uint64(n)-1 {
				t.Errorf("order %d chunk %d: cells %d…%d, want the children of parent %d", o, i, ids[0], ids[len(ids)-1], p)
			}
		}
	}
	list, po, err := s.Parents(ctx)
	if err != nil || po != 1 || !reflect.DeepEqual(list, got) {
		t.Errorf("Parents = %v, %d, %v", list, po, err)
	}
	root1, _ := b.Get(ctx, "zarr.json")
	if again, err := s.Setup(ctx, l); err != nil || !reflect.DeepEqual(again, got) {
		t.Errorf("same Setup again = %v, %v", again, err)
	}
	if root2, _ := b.Get(ctx, "zarr.json"); !bytes.Equal(root1, root2) {
		t.Errorf("a repeated Setup changed the root:\n%s\n%s", root1, root2)
	}
	bad := testLayout()
	bad.Parents = []uint64{48}
	if _, err := s.Setup(ctx, bad); !errors.Is(err, zarrstore.ErrInvalidLayout) {
		t.Errorf("Setup with parent 48 at order 1 = %v, want ErrInvalidLayout", err)
	}
}

// TestResize grows and shrinks a coarse order's arrays the way Finalize
// does, dropping chunks past the end.
func TestResize(t *testing.T) {
	ctx := context.Background()
	b := zarrstore.NewMemBackend()
	s := zarrstore.New(b)
	l := testLayout()
	l.Orders = []int{4, 0}
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	a, err := s.Resize(ctx, "0/count", 2*zarrstore.CoarseChunkLen+5)
	if err != nil || a.NumChunks() != 3 {
		t.Fatalf("Resize = %v, %v", a, err)
	}
	for i := range int64(3) {
		n := zarrstore.CoarseChunkLen
		if i == 2 {
			n = 5
		}
		if err := a.WriteChunk(ctx, i, make([]int32, n)); err != nil {
			t.Fatal(err)
		}
	}
	a, err = s.Resize(ctx, "0/count", 7)
	if err != nil || a.Len() != 7 {
		t.Fatalf("Resize = %v, %v", a, err)
	}
	if chunks, _ := a.ListChunks(ctx); !reflect.DeepEqual(chunks, []int64{0}) {
		t.Errorf("chunks after shrinking = %v, want [0]", chunks)
	}
}

func TestSetupIdempotentAndMismatch(t *testing.T) {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	l := testLayout()
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Setup(ctx, l); err != nil {
		t.Errorf("second Setup with the same layout: %v", err)
	}
	other := testLayout()
	other.Latitude = zarrstore.LatitudeGeodetic
	if _, err := s.Setup(ctx, other); !errors.Is(err, zarrstore.ErrLayoutMismatch) {
		t.Errorf("Setup with another latitude convention = %v, want ErrLayoutMismatch", err)
	}
	more := testLayout()
	more.Variables = append(more.Variables, zarrstore.Variable{Name: "h_max", DataType: zarrstore.Float32})
	if _, err := s.Setup(ctx, more); !errors.Is(err, zarrstore.ErrLayoutMismatch) {
		t.Errorf("Setup with another variable = %v, want ErrLayoutMismatch", err)
	}
	// Fewer statistics: the arrays the run does not write would keep an
	// earlier run's values.
	fewer := testLayout()
	dropped := fewer.Variables[len(fewer.Variables)-1].Name
	fewer.Variables = fewer.Variables[:len(fewer.Variables)-1]
	if _, err := s.Setup(ctx, fewer); !errors.Is(err, zarrstore.ErrLayoutMismatch) || !strings.Contains(err.Error(), "/"+dropped+`" this run does not write`) {
		t.Errorf("Setup with a variable fewer = %v, want ErrLayoutMismatch naming %s", err, dropped)
	}
}

func TestLayoutErrors(t *testing.T) {
	base := testLayout
	tests := []struct {
		name string
		edit func(*zarrstore.Layout)
	}{
		{"no orders", func(l *zarrstore.Layout) { l.Orders = nil }},
		{"order too big", func(l *zarrstore.Layout) { l.Orders = []int{30} }},
		{"negative order", func(l *zarrstore.Layout) { l.Orders = []int{-1} }},
		{"repeated order", func(l *zarrstore.Layout) { l.Orders = []int{4, 4} }},
		{"legacy morton past 18", func(l *zarrstore.Layout) { l.Orders = []int{19} }},
		{"bad morton type", func(l *zarrstore.Layout) { l.MortonType = zarrstore.Float32 }},
		{"bad latitude", func(l *zarrstore.Layout) { l.Latitude = "flat" }},
		{"reserved name", func(l *zarrstore.Layout) { l.Variables[0].Name = "cell_ids" }},
		{"dunder name", func(l *zarrstore.Layout) { l.Variables[0].Name = "__x" }},
		{"slash name", func(l *zarrstore.Layout) { l.Variables[0].Name = "a/b" }},
		{"dots name", func(l *zarrstore.Layout) { l.Variables[0].Name = ".." }},
		{"repeated name", func(l *zarrstore.Layout) { l.Variables[1].Name = "h_mean" }},
		{"bad dtype", func(l *zarrstore.Layout) { l.Variables[0].DataType = "complex64" }},
		{"bad fill", func(l *zarrstore.Layout) { l.Variables[1].Fill = 1.5 }},
		{"fill out of range", func(l *zarrstore.Layout) { l.Variables[1].Fill = int64(1) << 40 }},
		{"bad compressor", func(l *zarrstore.Layout) { l.Codecs.Compressor = "lz4" }},
		{"bad gzip level", func(l *zarrstore.Layout) { l.Codecs = zarrstore.Codecs{Compressor: zarrstore.Gzip, Level: 10} }},
		{"shard does not divide", func(l *zarrstore.Layout) { l.Codecs.ShardInner = 6 }},
	}
	for _, tt := range tests {
		l := base()
		tt.edit(&l)
		if _, err := l.Nodes(); !errors.Is(err, zarrstore.ErrInvalidLayout) {
			t.Errorf("%s: Nodes() = %v, want ErrInvalidLayout", tt.name, err)
		}
	}
}

func TestParseCodecs(t *testing.T) {
	tests := []struct {
		in   string
		want zarrstore.Codecs
		ok   bool
	}{
		{"", zarrstore.Codecs{}, true},
		{"zstd", zarrstore.Codecs{Compressor: zarrstore.Zstd}, true},
		{"zstd:7", zarrstore.Codecs{Compressor: zarrstore.Zstd, Level: 7}, true},
		{"gzip+crc32c", zarrstore.Codecs{Compressor: zarrstore.Gzip, Checksum: true}, true},
		{"crc32c", zarrstore.Codecs{Compressor: zarrstore.None, Checksum: true}, true},
		{"none", zarrstore.Codecs{Compressor: zarrstore.None}, true},
		{"lz4", zarrstore.Codecs{}, false},
		{"zstd:x", zarrstore.Codecs{}, false},
		{"zstd+gzip", zarrstore.Codecs{}, false},
		{"none:3", zarrstore.Codecs{}, false},
	}
	for _, tt := range tests {
		got, err := zarrstore.ParseCodecs(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseCodecs(%q) = %+v, %v; want %+v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestConsolidatedKeyOrder(t *testing.T) {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	l := testLayout()
	l.ParentOrder = 0
	l.Parents = []uint64{5}
	l.Orders = []int{12, 6, 10, 11, 1}
	l.Variables = []zarrstore.Variable{{Name: "B", DataType: zarrstore.Int8}, {Name: "a", DataType: zarrstore.Int8}}
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}
	root, err := s.Backend().Get(ctx, "zarr.json")
	if err != nil {
		t.Fatal(err)
	}
	// Decode the keys in document order.
	var doc struct {
		CM struct {
			Metadata json.RawMessage `json:"metadata"`
		} `json:"consolidated_metadata"`
	}
	if err := json.Unmarshal(root, &doc); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(doc.CM.Metadata))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"1", "10", "11", "12", "6", "1/a", "1/B", "1/cell_ids", "1/morton"}
	if !reflect.DeepEqual(keys[:len(want)], want) {
		t.Errorf("consolidated keys start %v, want %v", keys[:len(want)], want)
	}
	if len(keys) != 5+5*4 {
		t.Errorf("%d consolidated keys, want 25", len(keys))
	}
}

func TestNodes(t *testing.T) {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := s.Nodes(ctx); !errors.Is(err, zarrstore.ErrNotFound) {
		t.Errorf("Nodes of an empty store = %v, want ErrNotFound", err)
	}
	if _, err := s.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	walked, err := s.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}
	consolidated, err := s.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(walked, consolidated) {
		t.Errorf("Nodes by walking %v\n != by consolidated metadata %v", walked, consolidated)
	}
	want := []zarrstore.Node{{Path: "2"}, {Path: "4"}, {Path: "2/cell_ids", Array: true}}
	if len(walked) != 12 || !reflect.DeepEqual(walked[:3], want) {
		t.Errorf("Nodes = %v, want 12 starting %v", walked, want)
	}
}

// recordingBackend records the keys of every Put.
type recordingBackend struct {
	zarrstore.Backend
	mu   sync.Mutex
	puts []string
}

func (r *recordingBackend) Put(ctx context.Context, key string, data []byte) error {
	r.mu.Lock()
	r.puts = append(r.puts, key)
	r.mu.Unlock()
	return r.Backend.Put(ctx, key, data)
}

// TestChunkWritesNeverTouchMetadata: after Setup, writing chunks puts only
// chunk keys, one Put per chunk.
func TestChunkWritesNeverTouchMetadata(t *testing.T) {
	ctx := context.Background()
	rb := &recordingBackend{Backend: zarrstore.NewMemBackend()}
	s := zarrstore.New(rb)
	if _, err := s.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	meta, coords := 0, 0
	for _, k := range rb.puts {
		if strings.HasSuffix(k, "zarr.json") {
			meta++
		} else if strings.Contains(k, "/cell_ids/c/") || strings.Contains(k, "/morton/c/") {
			coords++
		}
	}
	if n := len(rb.puts); meta != 13 || coords != 8*2*2 || n != meta+coords || rb.puts[n-1] != "zarr.json" {
		t.Errorf("Setup made %d puts (%d metadata, %d coordinate chunks) ending %q, want 13 + 32 with the root last", n, meta, coords, rb.puts[n-1])
	}
	rb.puts = nil
	if err := s.WriteChunk(ctx, "4/h_mean", 3, chunkValues(3)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteChunk(ctx, "4/h_sigma", 3, make([]float64, 64)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteChunk(ctx, "2/count", 3, []int32{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	want := []string{"4/h_mean/c/3", "4/h_sigma/c/3", "2/count/c/3"}
	if !reflect.DeepEqual(rb.puts, want) {
		t.Errorf("chunk writes put %v, want exactly %v", rb.puts, want)
	}
	// A second Setup of an existing store writes nothing.
	rb.puts = nil
	if _, err := s.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	if len(rb.puts) != 0 {
		t.Errorf("Setup of an existing store wrote %v", rb.puts)
	}
}

// TestConcurrentSetup: many workers calling Setup with the same layout at
// once all succeed and leave one consistent store.
func TestConcurrentSetup(t *testing.T) {
	ctx := context.Background()
	b := zarrstore.NewMemBackend()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = zarrstore.New(b).Setup(ctx, testLayout())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Setup %d: %v", i, err)
		}
	}
	nodes, err := zarrstore.New(b).Nodes(ctx)
	if err != nil || len(nodes) != 12 {
		t.Errorf("Nodes after concurrent setups = %d, %v; want 12", len(nodes), err)
	}
}

func TestGrid(t *testing.T) {
	tests := []struct {
		g                 zarrstore.Grid
		len3, chunk, ncel int64
		ok                bool
	}{
		{zarrstore.Grid{Order: 12, ParentOrder: 6, Latitude: zarrstore.LatitudeAuthalic}, 3 * 4096, 4096, 201326592, true},
		{zarrstore.Grid{Order: 6, ParentOrder: 6, Latitude: zarrstore.LatitudeGeodetic}, 3, 1, 49152, true},
		{zarrstore.Grid{Order: 3, ParentOrder: 6, Latitude: zarrstore.LatitudeAuthalic}, 0, zarrstore.CoarseChunkLen, 768, true},
		{zarrstore.Grid{Order: 0, ParentOrder: 0, Latitude: zarrstore.LatitudeAuthalic}, 3, 1, 12, true},
		{zarrstore.Grid{Order: 29, ParentOrder: 29, Latitude: zarrstore.LatitudeAuthalic}, 3, 1, 12 << 58, true},
		{zarrstore.Grid{Order: 30, ParentOrder: 6, Latitude: zarrstore.LatitudeAuthalic}, 0, 0, 0, false},
		{zarrstore.Grid{Order: 12, ParentOrder: -1, Latitude: zarrstore.LatitudeAuthalic}, 0, 0, 0, false},
		{zarrstore.Grid{Order: 12, ParentOrder: 6}, 0, 0, 0, false},
	}
	for _, tt := range tests {
		err := tt.g.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%+v.Validate() = %v, want ok=%v", tt.g, err, tt.ok)
			continue
		}
		if !tt.ok {
			if !errors.Is(err, zarrstore.ErrInvalidLayout) {
				t.Errorf("%+v.Validate() = %v, want ErrInvalidLayout", tt.g, err)
			}
			continue
		}
		if tt.g.Len(3) != tt.len3 || tt.g.ChunkLen() != tt.chunk || tt.g.NumCells() != uint64(tt.ncel) {
			t.Errorf("%+v: Len(3), ChunkLen, NumCells = %d, %d, %d; want %d, %d, %d", tt.g,
				tt.g.Len(3), tt.g.ChunkLen(), tt.g.NumCells(), tt.len3, tt.chunk, tt.ncel)
		}
	}
	fine := zarrstore.Grid{Order: 3, ParentOrder: 1, Latitude: zarrstore.LatitudeAuthalic}
	if ids := fine.CellIDs(nil, 47); len(ids) != 16 || ids[0] != 752 || ids[15] != 767 {
		t.Errorf("CellIDs(47) = %v, want 752…767", ids)
	}
	if _, err := zarrstore.GridFromAttributes(map[string]any{"dggs": map[string]any{"name": "h3"}}); !errors.Is(err, zarrstore.ErrInvalidMetadata) {
		t.Errorf("GridFromAttributes(h3) = %v, want ErrInvalidMetadata", err)
	}
}

// TestSetupRefusesWholeSphereStore: a store of the first (whole-sphere)
// layout has no parent list; a run refuses to add to it, with a message
// that says why, and the readers still open it.
func TestSetupRefusesWholeSphereStore(t *testing.T) {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	g := zarrstore.Grid{Order: 4, ParentOrder: 1, Latitude: zarrstore.LatitudeAuthalic}
	if err := s.CreateGroup(ctx, "", zarrstore.GroupMetadata{}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateGroup(ctx, "4", zarrstore.GroupMetadata{Attributes: g.GroupAttributes(nil)}); err != nil {
		t.Fatal(err)
	}
	fv, _ := zarrstore.FillValue(zarrstore.Uint64, 0)
	a, err := s.CreateArray(ctx, "4/cell_ids", zarrstore.ArrayMetadata{Shape: []int64{12 << 8}, DataType: zarrstore.Uint64,
		ChunkShape: []int64{64}, FillValue: fv, Codecs: []zarrstore.Codec{zarrstore.BytesCodec()}, DimensionNames: []string{"cells"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.WriteChunk(ctx, 40, g.CellIDs(nil, 40)); err != nil {
		t.Fatal(err)
	}
	_, err = s.Setup(ctx, testLayout())
	if !errors.Is(err, zarrstore.ErrLayoutMismatch) || !strings.Contains(err.Error(), "whole-sphere") {
		t.Errorf("Setup on a whole-sphere store = %v, want ErrLayoutMismatch naming the old layout", err)
	}
	og, err := s.OpenOrder(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := og.ReadCellIDs(ctx, 40)
	if err != nil || ids[0] != 40*64 {
		t.Errorf("reading the old store: %v, %v", ids[:1], err)
	}
}
