package zarrstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

var allTypes = []DataType{Bool, Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64, Float32, Float64}

// codecCases are the codec choices every data type is tested with.
var codecCases = []struct {
	name string
	c    Codecs
}{
	{"none", Codecs{Compressor: None}},
	{"zstd", Codecs{}},
	{"zstd-19-crc", Codecs{Compressor: Zstd, Level: 19, Checksum: true}},
	{"gzip", Codecs{Compressor: Gzip}},
	{"crc32c", Codecs{Compressor: None, Checksum: true}},
	{"shard-none", Codecs{Compressor: None, ShardInner: 16}},
	{"shard-zstd", Codecs{ShardInner: 16}},
	{"shard-gzip-crc", Codecs{Compressor: Gzip, Level: 9, Checksum: true, ShardInner: 8}},
}

// testData returns n elements of type dt whose first quarter is the fill
// value (an empty inner chunk when sharded) and the rest pseudo-random.
func testData(dt DataType, fillBits uint64, n int, seed uint64) any {
	r := rand.New(rand.NewPCG(seed, 7))
	raw := make([]byte, 0, n*dt.Size())
	fill := fillBytes(dt, fillBits)
	for i := range n {
		if i < n/4 {
			raw = append(raw, fill...)
			continue
		}
		var v [8]byte
		x := r.Uint64()
		switch dt {
		case Bool:
			x &= 1
		case Float32:
			x = uint64(math.Float32bits(float32(r.NormFloat64() * 1000)))
			if i%17 == 0 {
				x = uint64(math.Float32bits(float32(math.Inf(1))))
			}
		case Float64:
			x = math.Float64bits(r.NormFloat64() * 1e6)
			if i%19 == 0 {
				x = math.Float64bits(math.Copysign(0, -1))
			}
		}
		for j := range 8 {
			v[j] = byte(x >> (8 * j))
		}
		raw = append(raw, v[:dt.Size()]...)
	}
	return fromRaw(dt, raw)
}

func rawOf(data any) []byte { return appendRaw(nil, data) }

func TestRoundTripAllTypesAndCodecs(t *testing.T) {
	ctx := context.Background()
	for _, dt := range allTypes {
		for _, cc := range codecCases {
			for _, fill := range []any{nil, 1} {
				if dt == Bool && fill != nil {
					fill = true
				}
				name := fmt.Sprintf("%s/%s/fill=%v", dt, cc.name, fill)
				t.Run(name, func(t *testing.T) {
					s := New(NewMemBackend())
					fv, err := FillValue(dt, fill)
					if err != nil {
						t.Fatal(err)
					}
					codecs, err := cc.c.List(64)
					if err != nil {
						t.Fatal(err)
					}
					a, err := s.CreateArray(ctx, "g/v", ArrayMetadata{
						Shape: []int64{64 * 5}, DataType: dt, ChunkShape: []int64{64},
						FillValue: fv, Codecs: codecs, DimensionNames: []string{"cells"},
					})
					if err != nil {
						t.Fatal(err)
					}
					data := testData(dt, a.fillBits, 64, uint64(len(name)))
					if err := a.WriteChunk(ctx, 3, data); err != nil {
						t.Fatal(err)
					}
					// Reopen from the stored metadata to test the parser too.
					s2 := New(s.Backend())
					a2, err := s2.OpenArray(ctx, "g/v")
					if err != nil {
						t.Fatal(err)
					}
					got, err := a2.ReadChunk(ctx, 3)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(rawOf(got), rawOf(data)) {
						t.Errorf("ReadChunk(3) = %v, want %v", got, data)
					}
					missing, err := a2.ReadChunk(ctx, 1)
					if err != nil {
						t.Fatal(err)
					}
					if want := appendFill(nil, fillBytes(dt, a.fillBits), 64); !bytes.Equal(rawOf(missing), want) {
						t.Errorf("ReadChunk(missing) = %v, want fill %s", missing, fv)
					}
				})
			}
		}
	}
}

func TestEncodeChunkErrors(t *testing.T) {
	ctx := context.Background()
	s := New(NewMemBackend())
	a, err := s.CreateArray(ctx, "v", ArrayMetadata{
		Shape: []int64{100}, DataType: Float32, ChunkShape: []int64{32},
		FillValue: []byte(`"NaN"`), Codecs: []Codec{BytesCodec()},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		i    int64
		data any
		want error
	}{
		{"wrong type", 0, make([]float64, 32), ErrDataType},
		{"short", 0, make([]float32, 31), ErrDataType},
		{"edge length for an inner chunk", 1, make([]float32, 4), ErrDataType},
		{"not a slice", 0, 3.0, ErrDataType},
		{"index negative", -1, make([]float32, 32), ErrChunkIndex},
		{"index past end", 4, make([]float32, 32), ErrChunkIndex},
	}
	for _, tt := range tests {
		if err := a.WriteChunk(ctx, tt.i, tt.data); !errors.Is(err, tt.want) {
			t.Errorf("%s: WriteChunk = %v, want %v", tt.name, err, tt.want)
		}
	}
	// The edge chunk (elements 96…99) accepts 4 or 32 elements.
	if err := a.WriteChunk(ctx, 3, []float32{1, 2, 3, 4}); err != nil {
		t.Fatalf("edge chunk: %v", err)
	}
	got, err := ReadChunkAs[float32](ctx, a, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 32 || got[3] != 4 || !math.IsNaN(float64(got[4])) {
		t.Errorf("edge chunk = %v, want 1 2 3 4 then NaN padding", got)
	}
	if _, err := ReadChunkAs[int32](ctx, a, 3); !errors.Is(err, ErrDataType) {
		t.Errorf("ReadChunkAs[int32] = %v, want ErrDataType", err)
	}
}

func TestReadRange(t *testing.T) {
	ctx := context.Background()
	s := New(NewMemBackend())
	a, err := s.CreateArray(ctx, "v", ArrayMetadata{Shape: []int64{50}, DataType: Int16, ChunkShape: []int64{8},
		FillValue: []byte(`-1`), Codecs: []Codec{BytesCodec(), ZstdCodec(1)}})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int16, 56)
	for i := range want {
		want[i] = -1
	}
	for _, c := range []int64{1, 2, 6} {
		chunk := make([]int16, 8)
		for i := range chunk {
			chunk[i] = int16(c*8) + int16(i)
		}
		if c == 6 {
			chunk = chunk[:2] // edge chunk: elements 48, 49
		}
		if err := a.WriteChunk(ctx, c, chunk); err != nil {
			t.Fatal(err)
		}
		copy(want[c*8:], chunk)
	}
	for _, r := range [][2]int64{{0, 50}, {3, 4}, {7, 17}, {8, 16}, {15, 49}, {49, 50}, {20, 20}} {
		got, err := a.ReadRange(ctx, r[0], r[1])
		if err != nil {
			t.Fatalf("ReadRange(%d, %d): %v", r[0], r[1], err)
		}
		if g := got.([]int16); !slices.Equal(g, want[r[0]:r[1]]) {
			t.Errorf("ReadRange(%d, %d) = %v, want %v", r[0], r[1], g, want[r[0]:r[1]])
		}
	}
	for _, r := range [][2]int64{{-1, 3}, {5, 4}, {0, 51}} {
		if _, err := a.ReadRange(ctx, r[0], r[1]); !errors.Is(err, ErrChunkIndex) {
			t.Errorf("ReadRange(%d, %d) = %v, want ErrChunkIndex", r[0], r[1], err)
		}
	}
	if err := s.b.Put(ctx, a.ChunkKey(2), []byte("junk")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ReadRange(ctx, 0, 50); !errors.Is(err, ErrCorruptChunk) {
		t.Errorf("ReadRange over a corrupt chunk = %v, want ErrCorruptChunk", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	s := New(NewMemBackend())
	put := func(key, doc string) {
		if err := s.b.Put(ctx, key, []byte(doc)); err != nil {
			t.Fatal(err)
		}
	}
	put("junk/zarr.json", "{not json")
	put("grp/zarr.json", `{"zarr_format":3,"node_type":"group","attributes":{}}`)
	put("arr/zarr.json", validArray)
	put("huge/zarr.json", strings.Replace(validArray, `"chunk_shape":[10]`, `"chunk_shape":[1000000000000]`, 1))
	put("overflow/zarr.json", strings.Replace(validArray, `"chunk_shape":[10]`, `"chunk_shape":[4611686018427387904]`, 1))
	tests := []struct {
		name  string
		open  func() error
		want  error
		where string
	}{
		{"missing array", func() error { _, err := s.OpenArray(ctx, "nope"); return err }, ErrNotFound, "nope"},
		{"junk array", func() error { _, err := s.OpenArray(ctx, "junk"); return err }, ErrInvalidMetadata, "junk"},
		{"group as array", func() error { _, err := s.OpenArray(ctx, "grp"); return err }, ErrInvalidMetadata, "grp"},
		{"array as group", func() error { _, err := s.OpenGroup(ctx, "arr"); return err }, ErrInvalidMetadata, "arr"},
		{"junk group", func() error { _, err := s.OpenGroup(ctx, "junk"); return err }, ErrInvalidMetadata, "junk"},
		{"huge chunk", func() error { _, err := s.OpenArray(ctx, "huge"); return err }, ErrUnsupported, "huge"},
		{"chunk bytes overflow", func() error { _, err := s.OpenArray(ctx, "overflow"); return err }, ErrUnsupported, "overflow"},
		{"bad path", func() error { _, err := s.OpenArray(ctx, "a/../b"); return err }, ErrInvalidKey, "a/../b"},
		{"write to missing", func() error { return s.WriteChunk(ctx, "nope", 0, []float32{1}) }, ErrNotFound, "nope"},
		{"root array", func() error { _, err := s.CreateArray(ctx, "", ArrayMetadata{}); return err }, ErrInvalidKey, "root"},
	}
	for _, tt := range tests {
		err := tt.open()
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.where) {
			t.Errorf("%s: %v, want %v naming %q", tt.name, err, tt.want, tt.where)
		}
	}
}

func TestHugeShape(t *testing.T) {
	ctx := context.Background()
	s := New(NewMemBackend())
	put := strings.Replace(validArray, `"shape":[100]`, `"shape":[9223372036854775807]`, 1)
	if err := s.b.Put(ctx, "big/zarr.json", []byte(put)); err != nil {
		t.Fatal(err)
	}
	a, err := s.OpenArray(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	if n := a.NumChunks(); n != math.MaxInt64/10+1 {
		t.Errorf("NumChunks = %d, want %d", n, int64(math.MaxInt64/10+1))
	}
	last := a.NumChunks() - 1
	if err := a.WriteChunk(ctx, last, make([]float32, 7)); err != nil {
		t.Fatalf("edge chunk of a 2^63-1 array: %v", err)
	}
	if got, err := a.ListChunks(ctx); err != nil || !slices.Equal(got, []int64{last}) {
		t.Errorf("ListChunks = %v, %v", got, err)
	}
	if _, err := a.ReadRange(ctx, 0, math.MaxInt64); err == nil {
		t.Errorf("ReadRange of 2^63 elements succeeded")
	}
}
