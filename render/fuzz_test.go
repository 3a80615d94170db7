package render

import (
	"context"
	"math"
	"testing"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/zarrstore"
)

// FuzzReadLayer feeds ReadLayer a store whose group metadata, array
// metadata and one chunk are replaced by the fuzzer's bytes: every input
// must give a clear error or a consistent layer, never a panic or a hang.
func FuzzReadLayer(f *testing.F) {
	ctx := context.Background()
	base := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := base.Setup(ctx, zarrstore.Layout{
		ParentOrder: 1,
		Orders:      []int{3},
		Variables:   []zarrstore.Variable{{Name: "v", DataType: zarrstore.Float32, Attributes: map[string]any{"units": "m"}}},
		Codecs:      zarrstore.Codecs{Checksum: true},
		Parents:     []uint64{40, 41},
	}); err != nil {
		f.Fatal(err)
	}
	vals := make([]float32, 16)
	for i := range vals {
		vals[i] = float32(i)
	}
	vals[3] = float32(math.NaN())
	if err := base.WriteChunk(ctx, "3/v", 0, vals); err != nil {
		f.Fatal(err)
	}
	get := func(k string) []byte {
		b, err := base.Backend().Get(ctx, k)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	group, array, chunk := get("3/zarr.json"), get("3/v/zarr.json"), get("3/v/c/0")
	f.Add(group, array, chunk)
	f.Add(group, array, chunk[:len(chunk)/2])
	f.Add(group, []byte(`{"zarr_format":3,"node_type":"array","shape":[32],"data_type":"int8","chunk_grid":{"name":"regular","configuration":{"chunk_shape":[16]}},"chunk_key_encoding":{"name":"default"},"fill_value":0,"codecs":[{"name":"bytes"}]}`), []byte("0123456789abcdef"))
	f.Add([]byte(`{"zarr_format":3,"node_type":"group","attributes":{}}`), array, chunk)

	f.Fuzz(func(t *testing.T, group, array, chunk []byte) {
		mem := zarrstore.NewMemBackend()
		for k, v := range map[string][]byte{
			"zarr.json":   get("zarr.json"),
			"3/zarr.json": group, "3/v/zarr.json": array, "3/v/c/0": chunk,
			"3/v/c/1":              get("3/v/c/0"),
			"3/cell_ids/zarr.json": get("3/cell_ids/zarr.json"),
			"3/cell_ids/c/0":       get("3/cell_ids/c/0"),
			"3/cell_ids/c/1":       get("3/cell_ids/c/1"),
		} {
			if err := mem.Put(ctx, k, v); err != nil {
				t.Fatal(err)
			}
		}
		l, err := ReadLayer(ctx, zarrstore.New(mem), "v", -1, ReadOptions{MaxCells: 1 << 16})
		if err != nil {
			return
		}
		n := 0
		for c, v := range l.All() {
			if c >= healpix.NPix(l.Order()) || math.IsNaN(v) || l.Value(c) != v {
				t.Fatalf("inconsistent cell %d = %g", c, v)
			}
			n++
		}
		if n != l.Len() {
			t.Fatalf("All yields %d cells, Len() = %d", n, l.Len())
		}
		if n > 0 {
			if _, err := Render(l, Options{Width: 16, Height: 16, TextScale: 1}); err != nil {
				t.Fatalf("Render of a valid layer: %v", err)
			}
		}
	})
}

// FuzzParse checks that the name parsers never panic and round-trip.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"EPSG:3031", "north", "auto", "viridis_r", "rdbu", "", "_r", "eqc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := ParseProjection(s); err == nil && p != nil {
			if x, y := p.Forward(-80, 10); math.IsNaN(x) != math.IsNaN(y) {
				t.Fatalf("%v: half-NaN forward", p)
			}
		}
		if c, err := ParseColormap(s); err == nil && c != nil {
			again, err := ParseColormap(c.Name())
			if err != nil || again.Name() != c.Name() {
				t.Fatalf("%q → %q does not round-trip: %v", s, c.Name(), err)
			}
		}
	})
}
