package zarrstore

import (
	"context"
	"encoding/json"
	"math"
	"testing"
)

// TestReadChunkFloat64: every element type converts to float64, and the
// fill value (and NaN) reads as NaN, as xarray masks it; a chunk never
// written is all fill.
func TestReadChunkFloat64(t *testing.T) {
	ctx := context.Background()
	s := New(NewMemBackend())
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		dt   DataType
		fill string
		data any
		want []float64
	}{
		{"int32", Int32, "0", []int32{0, 5, -3, 0}, []float64{nan, 5, -3, nan}},
		{"uint64", Uint64, "7", []uint64{7, 1 << 53, 2, 7}, []float64{nan, 1 << 53, 2, nan}},
		{"float32", Float32, `"NaN"`, []float32{1.5, float32(nan), -2, 0}, []float64{1.5, nan, -2, 0}},
		{"float64 fill -9999", Float64, "-9999", []float64{-9999, 3, nan, 4}, []float64{nan, 3, nan, 4}},
		{"int8", Int8, "-128", []int8{-128, 127, 0, 1}, []float64{nan, 127, 0, 1}},
		{"bool", Bool, "false", []bool{true, false, true, false}, []float64{1, nan, 1, nan}},
	} {
		a, err := s.CreateArray(ctx, tc.name, ArrayMetadata{Shape: []int64{8}, DataType: tc.dt, ChunkShape: []int64{4},
			FillValue: json.RawMessage(tc.fill), Codecs: []Codec{BytesCodec()}})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.WriteChunk(ctx, 0, tc.data); err != nil {
			t.Fatal(err)
		}
		got, err := a.ReadChunkFloat64(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for k := range tc.want {
			if !(got[k] == tc.want[k] || math.IsNaN(got[k]) && math.IsNaN(tc.want[k])) {
				t.Errorf("%s: element %d = %v, want %v", tc.name, k, got[k], tc.want[k])
			}
		}
		empty, err := a.ReadChunkFloat64(ctx, 1)
		if err != nil || len(empty) != 4 {
			t.Fatalf("%s: unwritten chunk: %v, %v", tc.name, empty, err)
		}
		for _, v := range empty {
			if !math.IsNaN(v) {
				t.Errorf("%s: unwritten chunk holds %v", tc.name, v)
			}
		}
	}
}
