package zarrstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zagg-go/zagg/zarrstore"
)

// ndExpected tracks what an N-D array should contain, flat in C order: the
// fill value everywhere except the chunks written.
type ndExpected struct {
	dt           zarrstore.DataType
	fill         string
	shape, chunk []int64
	values       []string
}

func newNDExpected(a *zarrstore.Array, fill string) *ndExpected {
	e := &ndExpected{dt: a.DataType(), fill: fill, shape: a.Shape(), chunk: a.ChunkShape()}
	n := int64(1)
	for _, d := range e.shape {
		n *= d
	}
	fc := toStrings(a.FillChunk())[0]
	for range n {
		e.values = append(e.values, fc)
	}
	return e
}

// put records chunk idx (a flat C-order chunk of values) at its place.
func (e *ndExpected) put(idx []int64, vals []string) {
	rank := len(e.shape)
	pos := make([]int64, rank)
	for k, v := range vals {
		// k → position within the chunk → flat index in the array.
		rem := int64(k)
		flat, inside := int64(0), true
		for d := rank - 1; d >= 0; d-- {
			pos[d] = idx[d]*e.chunk[d] + rem%e.chunk[d]
			rem /= e.chunk[d]
			if pos[d] >= e.shape[d] {
				inside = false
			}
		}
		if !inside {
			continue
		}
		for d := range rank {
			flat = flat*e.shape[d] + pos[d]
		}
		e.values[flat] = v
	}
}

func (e *ndExpected) write(t *testing.T, ctx context.Context, a *zarrstore.Array, idx []int64, data any) {
	t.Helper()
	if err := a.WriteChunkAt(ctx, idx, data); err != nil {
		t.Fatalf("%s chunk %v: %v", a.Path(), idx, err)
	}
	e.put(idx, toStrings(data))
}

// TestZarritaReadsOurTimeStore: zarrita reads a store with a time
// dimension written by Setup, workers' WriteChunkAt and a second Setup that
// appends two windows (the chunks written before stay where they are), and
// 2-D and 3-D arrays with shards whose inner chunks are not contiguous.
func TestZarritaReadsOurTimeStore(t *testing.T) {
	node := needZarrita(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "time.zarr")
	s, err := zarrstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Setup(ctx, timeLayout(3)); err != nil {
		t.Fatal(err)
	}
	type written struct {
		idx  []int64
		data any
	}
	inner := func(i int) bool { return i/4%3 == 1 }
	writes := map[string][]written{
		"4/h_mean": {
			{[]int64{0, 0}, typedValues(zarrstore.Float32, 64, 1, inner)},
			{[]int64{2, 1}, typedValues(zarrstore.Float32, 64, 2, inner)},
		},
		"4/h_sigma": { // sharded, inner chunks [1, 4], some all fill
			{[]int64{1, 2}, typedValues(zarrstore.Float64, 64, 3, inner)},
			{[]int64{0, 0}, typedValues(zarrstore.Float64, 64, 4, func(int) bool { return true })},
		},
		"4/count":   {{[]int64{2, 2}, typedValues(zarrstore.Int32, 64, 5, inner)}},
		"4/h_trend": {{[]int64{1}, typedValues(zarrstore.Float32, 64, 6, inner)}},
		"2/count":   {{[]int64{1, 0}, []int32{1, 2, 3, 4}}},
	}
	for path, ws := range writes {
		for _, w := range ws {
			if err := s.WriteChunkAt(ctx, path, w.idx, w.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Two more windows: shapes grow along time only.
	if _, err := s.Setup(ctx, timeLayout(5)); err != nil {
		t.Fatal(err)
	}
	want := map[string]*ndExpected{}
	fills := map[string]string{"4/h_mean": "NaN", "4/h_sigma": "NaN", "4/count": "0", "4/h_trend": "NaN", "2/count": "0"}
	for path, fill := range fills {
		a, err := s.OpenArray(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		want[path] = newNDExpected(a, fill)
		for _, w := range writes[path] {
			want[path].put(w.idx, toStrings(w.data))
		}
	}
	axis := testAxis(5)
	for _, p := range []string{"4/time", "4/time_bnds"} {
		a, err := s.OpenArray(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		want[p] = newNDExpected(a, "NaN")
	}
	want["4/time"].put([]int64{0}, toStrings(axis.Mid))
	var bnds []float64
	for _, b := range axis.Bounds {
		bnds = append(bnds, b[0], b[1])
	}
	want["4/time_bnds"].put([]int64{0, 0}, toStrings(bnds))

	// Shards whose inner chunks are not contiguous, and 3-D.
	if err := s.CreateGroup(ctx, "nd", zarrstore.GroupMetadata{}); err != nil {
		t.Fatal(err)
	}
	fv, _ := zarrstore.FillValue(zarrstore.Int16, -3)
	shard, err := s.CreateArray(ctx, "nd/shard", zarrstore.ArrayMetadata{
		Shape: []int64{5, 17}, DataType: zarrstore.Int16, ChunkShape: []int64{4, 8}, FillValue: fv,
		Codecs:         []zarrstore.Codec{zarrstore.ShardingCodecShape([]int64{2, 4}, []zarrstore.Codec{zarrstore.BytesCodec(), zarrstore.ZstdCodec(1)})},
		DimensionNames: []string{"y", "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want["nd/shard"] = newNDExpected(shard, "-3")
	for k, idx := range [][]int64{{0, 0}, {0, 2}, {1, 1}} {
		want["nd/shard"].write(t, ctx, shard, idx, typedValues(zarrstore.Int16, 32, uint64(k), func(i int) bool { return i%8 < 4 }))
	}
	fv, _ = zarrstore.FillValue(zarrstore.Uint32, 9)
	cube, err := s.CreateArray(ctx, "nd/cube", zarrstore.ArrayMetadata{
		Shape: []int64{2, 3, 5}, DataType: zarrstore.Uint32, ChunkShape: []int64{1, 2, 4}, FillValue: fv,
		Codecs: []zarrstore.Codec{zarrstore.BytesCodec(), zarrstore.GzipCodec(1), zarrstore.CRC32CCodec()},
	})
	if err != nil {
		t.Fatal(err)
	}
	want["nd/cube"] = newNDExpected(cube, "9")
	for k, idx := range [][]int64{{0, 0, 0}, {1, 1, 1}, {1, 0, 1}} {
		want["nd/cube"].write(t, ctx, cube, idx, typedValues(zarrstore.Uint32, 8, uint64(k), func(int) bool { return false }))
	}
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range want {
			if !yield(p) {
				return
			}
		}
	})
	for _, consolidated := range []bool{true, false} {
		out := runZarrita(t, node, dir, consolidated, []string{"4"}, paths)
		for _, p := range paths {
			got, ok := out.Arrays[p]
			e := want[p]
			if !ok {
				t.Errorf("%s: not read", p)
				continue
			}
			if !slices.Equal(got.Shape, e.shape) || got.FillValue != e.fill {
				t.Errorf("%s: zarrita shape %v fill %s, want %v %s", p, got.Shape, got.FillValue, e.shape, e.fill)
			}
			if len(got.Data) != len(e.values) {
				t.Errorf("%s: zarrita read %d values, want %d", p, len(got.Data), len(e.values))
				continue
			}
			bad := 0
			for i := range e.values {
				if !sameValue(e.dt, got.Data[i], e.values[i]) {
					if bad++; bad <= 3 {
						t.Errorf("%s[%d]: zarrita %s, want %s", p, i, got.Data[i], e.values[i])
					}
				}
			}
		}
		if g := out.Groups["4"]; !g.Valid {
			t.Errorf("group 4 does not validate against the DGGS schema: %s", g.Errors)
		}
	}
}

// TestReadZarritaNDStore reads N-D arrays written by zarrita (chunks over
// several rows, partial edge chunks in both dimensions, big endian, the
// "." separator, an identity transpose, 3-D) and compares with the values
// zarrita wrote.
func TestReadZarritaNDStore(t *testing.T) {
	node := needZarrita(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "zarrita-nd.zarr")
	cmd := exec.Command(node, "write_nd.mjs", dir)
	cmd.Dir = zarritaDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node write_nd.mjs: %v\n%s", err, stderr.Bytes())
	}
	var written struct {
		Arrays map[string]struct {
			DType  string     `json:"dtype"`
			Fill   string     `json:"fill"`
			Shape  []int64    `json:"shape"`
			Chunks []int64    `json:"chunks"`
			Region [][2]int64 `json:"region"`
			Data   []string   `json:"data"`
		} `json:"arrays"`
	}
	if err := json.Unmarshal(stdout, &written); err != nil {
		t.Fatalf("write_nd.mjs output: %v", err)
	}
	if len(written.Arrays) != 4 {
		t.Fatalf("write_nd.mjs wrote %d arrays, want 4", len(written.Arrays))
	}
	s, err := zarrstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for path, w := range written.Arrays {
		a, err := s.OpenArray(ctx, path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if string(a.DataType()) != w.DType || !slices.Equal(a.Shape(), w.Shape) || !slices.Equal(a.ChunkShape(), w.Chunks) {
			t.Errorf("%s: %s %v chunks %v, want %s %v %v", path, a.DataType(), a.Shape(), a.ChunkShape(), w.DType, w.Shape, w.Chunks)
			continue
		}
		// The chunks zarrita stored are those the region touches.
		var wantChunks [][]int64
		var walk func(prefix []int64)
		walk = func(prefix []int64) {
			d := len(prefix)
			if d == a.Rank() {
				wantChunks = append(wantChunks, slices.Clone(prefix))
				return
			}
			for c := w.Region[d][0] / w.Chunks[d]; c <= (w.Region[d][1]-1)/w.Chunks[d]; c++ {
				walk(append(prefix, c))
			}
		}
		walk(nil)
		if got, err := a.ListChunksAt(ctx); err != nil || !slices.EqualFunc(got, wantChunks, slices.Equal) {
			t.Errorf("%s: ListChunksAt = %v, %v; want %v", path, got, err, wantChunks)
		}
		e := newNDExpected(a, w.Fill)
		var all [][]int64
		walk = func(prefix []int64) {
			if len(prefix) == a.Rank() {
				all = append(all, slices.Clone(prefix))
				return
			}
			for c := range a.ChunkGrid()[len(prefix)] {
				walk(append(prefix, c))
			}
		}
		walk(nil)
		for _, idx := range all {
			v, err := a.ReadChunkAt(ctx, idx)
			if err != nil {
				t.Fatalf("%s chunk %v: %v", path, idx, err)
			}
			e.put(idx, toStrings(v))
		}
		for i := range w.Data {
			if !sameValue(a.DataType(), e.values[i], w.Data[i]) {
				t.Errorf("%s[%d] = %s, zarrita wrote %s", path, i, e.values[i], w.Data[i])
				break
			}
		}
	}
}
