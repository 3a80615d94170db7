package zarrstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"
)

// TestNDRoundTrip writes and reads back every chunk of 2-D and 3-D arrays
// under each codec choice, including shards whose inner chunks are not
// contiguous in the chunk's C order.
func TestNDRoundTrip(t *testing.T) {
	ctx := context.Background()
	inner := func(shape []int64, codecs []Codec) []Codec { return []Codec{ShardingCodecShape(shape, codecs)} }
	plain := []Codec{BytesCodec()}
	zstd := []Codec{BytesCodec(), ZstdCodec(3)}
	gz := []Codec{BytesCodec(), GzipCodec(5), CRC32CCodec()}
	tests := []struct {
		name         string
		shape, chunk []int64
		codecs       []Codec
		contiguous   bool
	}{
		{"2-D plain", []int64{3, 40}, []int64{1, 16}, plain, true},
		{"2-D zstd", []int64{3, 40}, []int64{1, 16}, zstd, true},
		{"2-D shard [1,4]", []int64{3, 40}, []int64{1, 16}, inner([]int64{1, 4}, zstd), true},
		{"2-D shard [2,4] of [4,8]", []int64{5, 17}, []int64{4, 8}, inner([]int64{2, 4}, gz), false},
		{"2-D shard [4,2] of [4,8]", []int64{4, 16}, []int64{4, 8}, inner([]int64{4, 2}, plain), false},
		{"2-D shard [2,8] of [4,8]", []int64{4, 16}, []int64{4, 8}, inner([]int64{2, 8}, plain), true},
		{"3-D shard [1,2,3] of [2,4,6]", []int64{3, 4, 7}, []int64{2, 4, 6}, inner([]int64{1, 2, 3}, zstd), false},
		{"3-D transpose identity", []int64{2, 3, 5}, []int64{1, 3, 5},
			append([]Codec{{Name: "transpose", Configuration: json.RawMessage(`{"order":[0,1,2]}`)}}, plain...), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(NewMemBackend())
			fv, _ := FillValue(Float32, nil)
			a, err := s.CreateArray(ctx, "x", ArrayMetadata{Shape: tt.shape, DataType: Float32, ChunkShape: tt.chunk,
				FillValue: fv, Codecs: tt.codecs, DimensionNames: make([]string, len(tt.shape))})
			if err != nil {
				t.Fatal(err)
			}
			if sc, ok := a.chain.a2b.(*shardingCodec); ok && sc.contiguous != tt.contiguous {
				t.Errorf("contiguous = %v, want %v", sc.contiguous, tt.contiguous)
			}
			if a.Rank() != len(tt.shape) || !slices.Equal(a.Shape(), tt.shape) {
				t.Fatalf("Rank %d Shape %v", a.Rank(), a.Shape())
			}
			n := a.ChunkElems()
			// Every chunk gets distinct values, with a run of fills so that
			// some inner chunks are empty.
			var all [][]int64
			var walk func(prefix []int64)
			walk = func(prefix []int64) {
				if len(prefix) == a.Rank() {
					all = append(all, slices.Clone(prefix))
					return
				}
				for i := range a.ChunkGrid()[len(prefix)] {
					walk(append(prefix, i))
				}
			}
			walk(nil)
			data := func(k int) []float32 {
				v := make([]float32, n)
				for e := range v {
					if e%7 < 2 {
						v[e] = float32(math.NaN())
					} else {
						v[e] = float32(k*1000 + e)
					}
				}
				return v
			}
			for k, idx := range all {
				if k == 1 {
					continue // never written: reads as fill
				}
				if err := a.WriteChunkAt(ctx, idx, data(k)); err != nil {
					t.Fatal(err)
				}
			}
			fresh, err := New(s.Backend()).OpenArray(ctx, "x")
			if err != nil {
				t.Fatal(err)
			}
			for k, idx := range all {
				got, err := fresh.ReadChunkAt(ctx, idx)
				if err != nil {
					t.Fatal(err)
				}
				want := data(k)
				if k == 1 {
					want = fresh.FillChunk().([]float32)
				}
				if !bytes.Equal(appendRaw(nil, got), appendRaw(nil, want)) {
					t.Errorf("chunk %v: read back differs", idx)
				}
				f, err := fresh.ReadChunkFloat64At(ctx, idx)
				if err != nil || len(f) != int(n) || !math.IsNaN(f[0]) || (k != 1 && f[2] != float64(k*1000+2)) {
					t.Errorf("ReadChunkFloat64At(%v) = %v…, %v", idx, f[:min(3, len(f))], err)
				}
				ok, err := fresh.ChunkExistsAt(ctx, idx)
				if err != nil || ok != (k != 1) {
					t.Errorf("ChunkExistsAt(%v) = %v, %v", idx, ok, err)
				}
			}
			listed, err := fresh.ListChunksAt(ctx)
			want := slices.Delete(slices.Clone(all), 1, 2)
			if err != nil || !slices.EqualFunc(listed, want, slices.Equal) {
				t.Errorf("ListChunksAt = %v, %v; want %v", listed, err, want)
			}
			if err := fresh.DeleteChunkAt(ctx, all[0]); err != nil {
				t.Fatal(err)
			}
			if err := fresh.DeleteChunkAt(ctx, all[0]); err != nil {
				t.Errorf("deleting a missing chunk: %v", err)
			}
			if ok, _ := fresh.ChunkExistsAt(ctx, all[0]); ok {
				t.Error("deleted chunk still exists")
			}
		})
	}
}

// TestNDErrors: the 1-D methods refuse N-D arrays with ErrChunkIndex or
// ErrUnsupported, and the N-D methods check coordinates and lengths.
func TestNDErrors(t *testing.T) {
	ctx := context.Background()
	s := New(NewMemBackend())
	fv, _ := FillValue(Int32, nil)
	a, err := s.CreateArray(ctx, "g/x", ArrayMetadata{Shape: []int64{2, 10}, DataType: Int32, ChunkShape: []int64{1, 4},
		FillValue: fv, Codecs: []Codec{BytesCodec()}, DimensionNames: []string{"time", "cells"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != 10 || a.ChunkLen() != 4 || a.NumChunks() != 3 || a.ChunkElems() != 4 {
		t.Errorf("Len %d ChunkLen %d NumChunks %d ChunkElems %d", a.Len(), a.ChunkLen(), a.NumChunks(), a.ChunkElems())
	}
	if k := a.ChunkKeyAt(1, 2); k != "g/x/c/1/2" {
		t.Errorf("ChunkKeyAt = %q", k)
	}
	if a.ChunkKey(1) != "" || a.ChunkKeyAt(1) != "" {
		t.Errorf("1-D keys of a 2-D array: %q %q", a.ChunkKey(1), a.ChunkKeyAt(1))
	}
	one := []int32{1, 2, 3, 4}
	checks := map[string]error{}
	checks["WriteChunk"] = a.WriteChunk(ctx, 0, one)
	_, checks["ReadChunk"] = a.ReadChunk(ctx, 0)
	_, checks["ChunkExists"] = a.ChunkExists(ctx, 0)
	checks["DeleteChunk"] = a.DeleteChunk(ctx, 0)
	_, checks["ListChunks"] = a.ListChunks(ctx)
	_, checks["ReadChunkFloat64"] = a.ReadChunkFloat64(ctx, 0)
	checks["WriteChunkAt 1 coordinate"] = a.WriteChunkAt(ctx, []int64{0}, one)
	checks["WriteChunkAt outside"] = a.WriteChunkAt(ctx, []int64{2, 0}, one)
	_, checks["ReadChunkAt outside"] = a.ReadChunkAt(ctx, []int64{0, 3})
	_, checks["ReadChunkAt negative"] = a.ReadChunkAt(ctx, []int64{-1, 0})
	checks["DeleteChunkAt 3 coordinates"] = a.DeleteChunkAt(ctx, []int64{0, 0, 0})
	_, checks["ChunkExistsAt nil"] = a.ChunkExistsAt(ctx, nil)
	for name, err := range checks {
		if !errors.Is(err, ErrChunkIndex) {
			t.Errorf("%s on a 2-D array = %v, want ErrChunkIndex", name, err)
		}
	}
	if _, err := a.ReadRange(ctx, 0, 4); !errors.Is(err, ErrUnsupported) {
		t.Errorf("ReadRange on a 2-D array = %v, want ErrUnsupported", err)
	}
	// N-D chunks are always whole, also at the edge.
	if err := a.WriteChunkAt(ctx, []int64{1, 2}, []int32{1, 2}); !errors.Is(err, ErrDataType) {
		t.Errorf("partial edge chunk of a 2-D array = %v, want ErrDataType", err)
	}
	if err := a.WriteChunkAt(ctx, []int64{1, 2}, []float32{1, 2, 3, 4}); !errors.Is(err, ErrDataType) {
		t.Errorf("wrong type = %v, want ErrDataType", err)
	}
	if err := s.WriteChunkAt(ctx, "g/x", []int64{1, 2}, one); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadChunkAtAs[int32](ctx, a, []int64{1, 2}); err != nil || !slices.Equal(got, one) {
		t.Errorf("ReadChunkAtAs = %v, %v", got, err)
	}
	if _, err := ReadChunkAtAs[float32](ctx, a, []int64{1, 2}); !errors.Is(err, ErrDataType) {
		t.Errorf("ReadChunkAtAs[float32] of int32 = %v, want ErrDataType", err)
	}
	if err := s.DeleteChunkAt(ctx, "g/x", []int64{1, 2}); err != nil {
		t.Fatal(err)
	}
	// Stray keys under the chunk prefix are not chunks.
	for _, k := range []string{"g/x/c/0", "g/x/c/0/01", "g/x/c/0/3", "g/x/c/0/1/2", "g/x/c/x/1"} {
		_ = s.Backend().Put(ctx, k, []byte("junk"))
	}
	if list, err := a.ListChunksAt(ctx); err != nil || len(list) != 0 {
		t.Errorf("ListChunksAt with stray keys = %v, %v", list, err)
	}
	// The 1-D methods keep working through the …At methods on 1-D arrays.
	b, err := s.CreateArray(ctx, "g/y", ArrayMetadata{Shape: []int64{10}, DataType: Int32, ChunkShape: []int64{4},
		FillValue: fv, Codecs: []Codec{BytesCodec()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteChunkAt(ctx, []int64{2}, []int32{5, 6}); err != nil {
		t.Errorf("partial edge chunk of a 1-D array via WriteChunkAt: %v", err)
	}
	if got, err := b.ReadChunk(ctx, 2); err != nil || !slices.Equal(got.([]int32), []int32{5, 6, 0, 0}) {
		t.Errorf("ReadChunk = %v, %v", got, err)
	}
	if b.ChunkKeyAt(2) != b.ChunkKey(2) {
		t.Errorf("ChunkKeyAt(2) = %q, ChunkKey(2) = %q", b.ChunkKeyAt(2), b.ChunkKey(2))
	}
}

// TestNDSeparatorAndLimits: the "." separator joins all coordinates; chunk
// shapes whose product exceeds 1 GiB, or overflow int64, are refused.
func TestNDSeparatorAndLimits(t *testing.T) {
	ctx := context.Background()
	s := New(NewMemBackend())
	fv, _ := FillValue(Uint8, nil)
	a, err := s.CreateArray(ctx, "d", ArrayMetadata{Shape: []int64{4, 4, 4}, DataType: Uint8, ChunkShape: []int64{2, 2, 2},
		FillValue: fv, Codecs: []Codec{BytesCodec()}, Separator: "."})
	if err != nil {
		t.Fatal(err)
	}
	if k := a.ChunkKeyAt(1, 0, 1); k != "d/c.1.0.1" {
		t.Errorf("ChunkKeyAt = %q", k)
	}
	if err := a.WriteChunkAt(ctx, []int64{1, 0, 1}, make([]uint8, 8)); err != nil {
		t.Fatal(err)
	}
	if list, err := a.ListChunksAt(ctx); err != nil || len(list) != 1 || !slices.Equal(list[0], []int64{1, 0, 1}) {
		t.Errorf("ListChunksAt = %v, %v", list, err)
	}
	for _, cs := range [][]int64{{1 << 16, 1 << 15}, {1 << 31, 1 << 31, 1 << 31}, {math.MaxInt64, 2}} {
		_, err := s.CreateArray(ctx, "big", ArrayMetadata{Shape: []int64{1, 1, 1}[:len(cs)], DataType: Uint8, ChunkShape: cs,
			FillValue: fv, Codecs: []Codec{BytesCodec()}})
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("chunk shape %v: %v, want ErrUnsupported", cs, err)
		}
	}
	// Sharding inner chunks must have the array's rank and divide the shard.
	for _, in := range [][]int64{{2}, {2, 3}, {3, 2}} {
		_, err := s.CreateArray(ctx, "sh", ArrayMetadata{Shape: []int64{4, 4}, DataType: Uint8, ChunkShape: []int64{2, 4},
			FillValue: fv, Codecs: []Codec{ShardingCodecShape(in, []Codec{BytesCodec()})}})
		if !errors.Is(err, ErrInvalidMetadata) {
			t.Errorf("inner chunk %v of a [2,4] shard: %v, want ErrInvalidMetadata", in, err)
		}
	}
	for _, order := range []string{`[1,0]`, `[0]`, `[0,0]`} {
		_, err := s.CreateArray(ctx, "tr", ArrayMetadata{Shape: []int64{4, 4}, DataType: Uint8, ChunkShape: []int64{2, 4},
			FillValue: fv, Codecs: []Codec{{Name: "transpose", Configuration: json.RawMessage(`{"order":` + order + `}`)}, BytesCodec()}})
		if err == nil {
			t.Errorf("transpose %s accepted", order)
		}
	}
}

// TestNDShardLayout checks where a 2-D shard puts its inner chunks: inner
// chunk k (C order of the inner grid) holds the block at its grid position,
// in C order, as the sharding specification says. Round trips alone cannot
// tell a transposed layout from the right one.
func TestNDShardLayout(t *testing.T) {
	shape, innerShape := []int64{4, 6}, []int64{2, 3}
	c, err := newChainShape([]Codec{ShardingCodecShape(innerShape, []Codec{BytesCodec()})}, Int16, shape, []byte{0xff, 0x7f})
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]int16, 24)
	for i := range vals {
		vals[i] = int16(i) // element (r, c) holds 6r + c
	}
	enc, err := c.encode(nil, appendRaw(nil, vals))
	if err != nil {
		t.Fatal(err)
	}
	idx := enc[len(enc)-4-16*4 : len(enc)-4]
	for k := 0; k < 4; k++ {
		off := int(idx[16*k]) | int(idx[16*k+1])<<8
		gr, gc := k/2, k%2
		var want []int16
		for r := gr * 2; r < gr*2+2; r++ {
			for col := gc * 3; col < gc*3+3; col++ {
				want = append(want, int16(6*r+col))
			}
		}
		got := fromRaw(Int16, enc[off:off+12]).([]int16)
		if !slices.Equal(got, want) {
			t.Errorf("inner chunk %d = %v, want %v", k, got, want)
		}
	}
	back, err := c.decode(nil, enc)
	if err != nil || !slices.Equal(fromRaw(Int16, back).([]int16), vals) {
		t.Errorf("decode = %v, %v", back, err)
	}
}
