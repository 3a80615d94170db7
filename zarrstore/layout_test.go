package zarrstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
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
	if err := s.Setup(ctx, testLayout()); err != nil {
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
	if err := s.Setup(ctx, l); err != nil {
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
	if m.Shape[0] != 12<<24 || m.ChunkShape[0] != 4096 || a12.NumChunks() != 12<<12 {
		t.Errorf("12/cell_ids shape %v chunks %v, want [201326592] [4096]", m.Shape, m.ChunkShape)
	}
	if a12.ChunkKey(45763) != "12/cell_ids/c/45763" {
		t.Errorf("ChunkKey(45763) = %q", a12.ChunkKey(45763))
	}
	if m.Attributes["grid_name"] != "healpix" || m.Attributes["indexing_scheme"] != "nested" || m.Attributes["level"] != json.Number("12") {
		t.Errorf("cell_ids attributes = %v, want the xdggs grid_name/level/indexing_scheme", m.Attributes)
	}
}

func TestSetupIdempotentAndMismatch(t *testing.T) {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	l := testLayout()
	if err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Setup(ctx, l); err != nil {
		t.Errorf("second Setup with the same layout: %v", err)
	}
	other := testLayout()
	other.Latitude = zarrstore.LatitudeGeodetic
	if err := s.Setup(ctx, other); !errors.Is(err, zarrstore.ErrLayoutMismatch) {
		t.Errorf("Setup with another latitude convention = %v, want ErrLayoutMismatch", err)
	}
	more := testLayout()
	more.Variables = append(more.Variables, zarrstore.Variable{Name: "h_max", DataType: zarrstore.Float32})
	if err := s.Setup(ctx, more); !errors.Is(err, zarrstore.ErrLayoutMismatch) {
		t.Errorf("Setup with another variable = %v, want ErrLayoutMismatch", err)
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
	l.Orders = []int{12, 6, 10, 11, 1}
	l.Variables = []zarrstore.Variable{{Name: "B", DataType: zarrstore.Int8}, {Name: "a", DataType: zarrstore.Int8}}
	if err := s.Setup(ctx, l); err != nil {
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
	if err := s.Setup(ctx, testLayout()); err != nil {
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
	if err := s.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	if n := len(rb.puts); n != 13 || rb.puts[n-1] != "zarr.json" {
		t.Errorf("Setup made %d puts ending %q, want 13 with the root last", n, rb.puts[n-1])
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
	if err := s.Setup(ctx, testLayout()); err != nil {
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
			errs[i] = zarrstore.New(b).Setup(ctx, testLayout())
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
		g                   zarrstore.Grid
		len, chunk, nChunks int64
		ok                  bool
	}{
		{zarrstore.Grid{Order: 12, ParentOrder: 6, Latitude: zarrstore.LatitudeAuthalic}, 201326592, 4096, 49152, true},
		{zarrstore.Grid{Order: 6, ParentOrder: 6, Latitude: zarrstore.LatitudeGeodetic}, 49152, 1, 49152, true},
		{zarrstore.Grid{Order: 3, ParentOrder: 6, Latitude: zarrstore.LatitudeAuthalic}, 768, 768, 1, true},
		{zarrstore.Grid{Order: 0, ParentOrder: 0, Latitude: zarrstore.LatitudeAuthalic}, 12, 1, 12, true},
		{zarrstore.Grid{Order: 29, ParentOrder: 29, Latitude: zarrstore.LatitudeAuthalic}, 12 << 58, 1, 12 << 58, true},
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
		if tt.g.Len() != tt.len || tt.g.ChunkLen() != tt.chunk || tt.g.NumChunks() != tt.nChunks {
			t.Errorf("%+v: Len, ChunkLen, NumChunks = %d, %d, %d; want %d, %d, %d", tt.g,
				tt.g.Len(), tt.g.ChunkLen(), tt.g.NumChunks(), tt.len, tt.chunk, tt.nChunks)
		}
	}
	coarse := zarrstore.Grid{Order: 1, ParentOrder: 6, Latitude: zarrstore.LatitudeAuthalic}
	if ids := coarse.CellIDs(nil, 0); len(ids) != 48 || ids[47] != 47 {
		t.Errorf("coarse CellIDs(0) = %v, want 0…47", ids)
	}
	if _, err := zarrstore.GridFromAttributes(map[string]any{"dggs": map[string]any{"name": "h3"}}); !errors.Is(err, zarrstore.ErrInvalidMetadata) {
		t.Errorf("GridFromAttributes(h3) = %v, want ErrInvalidMetadata", err)
	}
}
