package zarrstore

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// fuzzChains are the codec chains FuzzDecodeChunk attacks, for 32 int16
// elements with fill 7.
var fuzzChains = []Codecs{
	{Compressor: None},
	{},
	{Compressor: Gzip},
	{Compressor: None, Checksum: true},
	{Compressor: None, ShardInner: 8},
	{ShardInner: 4, Checksum: true},
	{Compressor: Gzip, ShardInner: 16},
}

func fuzzChain(t testing.TB, i int) *chain {
	codecs, err := fuzzChains[i%len(fuzzChains)].List(32)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newChain(codecs, Int16, 32, []byte{7, 0})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func FuzzDecodeChunk(f *testing.F) {
	raw := appendRaw(nil, []int16{7, 7, 7, 7, 7, 7, 7, 7, 1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 7, 7, 7, 7, 0, 0, 0, 0})
	for i := range fuzzChains {
		enc, err := fuzzChain(f, i).encode(nil, raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), enc)
	}
	f.Fuzz(func(t *testing.T, which uint8, src []byte) {
		c := fuzzChain(t, int(which))
		out, err := c.decode(nil, src)
		if err != nil {
			return
		}
		if len(out) != c.rawLen() {
			// Only the array-level check catches a wrong-size plain chunk;
			// a sharded chunk must always decode to the full size.
			if _, sharded := c.a2b.(*shardingCodec); sharded {
				t.Fatalf("sharded chunk decoded to %d bytes, want %d", len(out), c.rawLen())
			}
			return
		}
		// A decodable chunk re-encodes to something that decodes the same.
		enc, err := c.encode(nil, out)
		if err != nil {
			t.Fatal(err)
		}
		again, err := c.decode(nil, enc)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("re-encoded chunk decodes to %v, %v; want %v", again, err, out)
		}
	})
}

func FuzzArrayMetadata(f *testing.F) {
	f.Add([]byte(validArray))
	f.Add([]byte(strings.Replace(validArray, `"chunk_shape":[10]`, `"chunk_shape":[4611686018427387904]`, 1)))
	f.Add([]byte(strings.Replace(validArray, `"shape":[100]`, `"shape":[9223372036854775807]`, 1)))
	l := Layout{ParentOrder: 1, Orders: []int{3}, Variables: []Variable{
		{Name: "s", DataType: Uint8, Codecs: &Codecs{Compressor: Gzip, ShardInner: 4, Checksum: true}},
	}}
	nodes, err := l.Nodes()
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{"3/cell_ids", "3/s", "3/morton"} {
		f.Add(nodes[p])
	}
	// N-D: a [time, cells] layout with sharded per-window arrays and the
	// time coordinates, a 3-D array and a non-contiguous 2-D shard.
	l.Time = &TimeAxis{Mid: []float64{1, 2}, Bounds: [][2]float64{{0, 1.5}, {1.5, 3}}, Attributes: map[string]any{"units": "s"}}
	l.Variables[0].PerWindow = true
	if nodes, err = l.Nodes(); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{"3/s", "3/time", "3/time_bnds"} {
		f.Add(nodes[p])
	}
	f.Add([]byte(strings.NewReplacer(`"shape":[100]`, `"shape":[3,4,100]`, `"chunk_shape":[10]`, `"chunk_shape":[1,2,10]`,
		`["cells"]`, `["t","y","x"]`).Replace(validArray)))
	f.Add([]byte(strings.NewReplacer(`"shape":[100]`, `"shape":[5,17]`, `"chunk_shape":[10]`, `"chunk_shape":[4,8]`,
		`["cells"]`, `["a","b"]`, `[{"name":"bytes","configuration":{"endian":"little"}}]`,
		`[{"name":"sharding_indexed","configuration":{"chunk_shape":[2,4],"codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}}]}}]`).Replace(validArray)))
	f.Add([]byte(strings.NewReplacer(`"shape":[100]`, `"shape":[9223372036854775807,9223372036854775807]`,
		`"chunk_shape":[10]`, `"chunk_shape":[1073741824,2]`, `["cells"]`, `["a","b"]`).Replace(validArray)))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var m ArrayMetadata
		if err := m.UnmarshalJSON(doc); err != nil {
			return
		}
		// Must not panic; may reject codecs.
		a, err := newArray(New(NewMemBackend()), "a", m)
		if err != nil {
			return
		}
		_ = a.NumChunks()
		_ = a.ChunkKeyAt(make([]int64, a.Rank())...)
		if a.ChunkElems() <= 1<<12 {
			// A fill chunk encodes and decodes back under any accepted codecs.
			fill := a.FillChunk()
			enc, err := a.EncodeChunk(nil, fill)
			if err != nil {
				t.Fatalf("EncodeChunk(fill): %v", err)
			}
			back, err := a.DecodeChunk(enc)
			if err != nil {
				t.Fatalf("DecodeChunk(EncodeChunk(fill)): %v", err)
			}
			if !bytes.Equal(appendRaw(nil, back), appendRaw(nil, fill)) {
				t.Fatalf("fill chunk round trip changed it")
			}
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal of parsed metadata: %v", err)
		}
		var m2 ArrayMetadata
		if err := m2.UnmarshalJSON(b); err != nil {
			t.Fatalf("re-parse of %s: %v", b, err)
		}
		b2, _ := json.Marshal(m2)
		if !bytes.Equal(b, b2) {
			t.Fatalf("metadata round trip differs:\n%s\n%s", b, b2)
		}
	})
}

func FuzzGroupMetadata(f *testing.F) {
	nodes, err := Layout{ParentOrder: 0, Orders: []int{2}}.Nodes()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(nodes["2"])
	f.Add([]byte(`{"zarr_format":3,"node_type":"group","attributes":{},"consolidated_metadata":{"kind":"inline","must_understand":false,"metadata":{"a":{}}}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var g GroupMetadata
		if err := g.UnmarshalJSON(doc); err != nil {
			return
		}
		b, err := json.Marshal(g)
		if err != nil {
			return // consolidated entries that are not JSON objects
		}
		var g2 GroupMetadata
		if err := g2.UnmarshalJSON(b); err != nil {
			t.Fatalf("re-parse of %s: %v", b, err)
		}
		_, _ = GridFromAttributes(g2.Attributes)
	})
}

// fuzzNDChains are the 2-D codec chains FuzzDecodeChunkND attacks, for
// [4, 8] chunks of int16 with fill 7: plain, and shards with contiguous
// ([1, 8], [2, 8]) and non-contiguous ([2, 4], [4, 2]) inner chunks.
var fuzzNDChains = [][]Codec{
	{BytesCodec(), ZstdCodec(1)},
	{ShardingCodecShape([]int64{1, 8}, []Codec{BytesCodec()})},
	{ShardingCodecShape([]int64{2, 8}, []Codec{BytesCodec(), CRC32CCodec()})},
	{ShardingCodecShape([]int64{2, 4}, []Codec{BytesCodec(), GzipCodec(1)})},
	{ShardingCodecShape([]int64{4, 2}, []Codec{BytesCodec()})},
}

func FuzzDecodeChunkND(f *testing.F) {
	vals := make([]int16, 32)
	for i := range vals {
		if i%8 >= 4 {
			vals[i] = int16(i*3 - 40)
		} else {
			vals[i] = 7
		}
	}
	raw := appendRaw(nil, vals)
	chainOf := func(t testing.TB, i uint8) *chain {
		c, err := newChainShape(fuzzNDChains[int(i)%len(fuzzNDChains)], Int16, []int64{4, 8}, []byte{7, 0})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for i := range fuzzNDChains {
		enc, err := chainOf(f, uint8(i)).encode(nil, raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), enc)
	}
	f.Fuzz(func(t *testing.T, which uint8, src []byte) {
		c := chainOf(t, which)
		out, err := c.decode(nil, src)
		if err != nil {
			return
		}
		if len(out) != c.rawLen() {
			if _, sharded := c.a2b.(*shardingCodec); sharded {
				t.Fatalf("sharded chunk decoded to %d bytes, want %d", len(out), c.rawLen())
			}
			return
		}
		enc, err := c.encode(nil, out)
		if err != nil {
			t.Fatal(err)
		}
		again, err := c.decode(nil, enc)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("re-encoded chunk decodes to %v, %v; want %v", again, err, out)
		}
	})
}
