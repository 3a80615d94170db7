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
		if a.ChunkLen() <= 1<<12 {
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
