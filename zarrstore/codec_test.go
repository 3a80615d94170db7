package zarrstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestFillValue(t *testing.T) {
	tests := []struct {
		dt   DataType
		in   any
		want string // "" means an error
	}{
		{Float32, nil, `"NaN"`},
		{Float64, math.NaN(), `"NaN"`},
		{Float64, math.Inf(-1), `"-Infinity"`},
		{Float32, "Infinity", `"Infinity"`},
		{Float32, 1.5, `1.5`},
		{Float64, 3, `3.0`},
		{Float64, math.Copysign(0, -1), `-0.0`},
		{Float32, 1e39, ``},
		{Float64, 1e300, `1e+300`},
		{Int32, nil, `0`},
		{Int32, -2147483648, `-2147483648`},
		{Int32, int64(2147483648), ``},
		{Int8, 127, `127`},
		{Int8, -129, ``},
		{Uint8, -1, ``},
		{Uint16, uint64(65535), `65535`},
		{Uint64, uint64(math.MaxUint64), `18446744073709551615`},
		{Int64, uint64(math.MaxUint64), ``},
		{Int32, 1.5, ``},
		{Int32, 2.0, `2`},
		{Int32, "NaN", ``},
		{Bool, true, `true`},
		{Bool, nil, `false`},
		{Bool, 1, ``},
		{Int32, true, ``},
		{Float32, struct{}{}, ``},
		{"complex64", 0, ``},
	}
	for _, tt := range tests {
		got, err := FillValue(tt.dt, tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("FillValue(%s, %v) = %s, want an error", tt.dt, tt.in, got)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("FillValue(%s, %v) = %s, %v; want %s", tt.dt, tt.in, got, err, tt.want)
		}
		// And it parses back to the same canonical JSON.
		bits, err := parseFill(tt.dt, got)
		if err != nil || string(formatFill(tt.dt, bits)) != tt.want {
			t.Errorf("parseFill(%s, %s) = %x, %v", tt.dt, got, bits, err)
		}
	}
}

func TestParseFill(t *testing.T) {
	tests := []struct {
		dt   DataType
		in   string
		bits uint64
		ok   bool
	}{
		{Float32, `"NaN"`, nan32Bits, true},
		{Float64, `"NaN"`, nan64Bits, true},
		{Float32, `"0x7fc00001"`, 0x7fc00001, true},
		{Float64, `"0x7ff0000000000000"`, 0x7ff0000000000000, true},
		{Float32, `"0x7ff0000000000000"`, 0, false},
		{Float64, `"nan"`, 0, false},
		{Float64, `1e400`, 0, false},
		{Int16, `-1`, 0xffff, true},
		{Int16, `1.0`, 0, false},
		{Int16, `1e2`, 0, false},
		{Uint32, `4294967296`, 0, false},
		{Bool, `0`, 0, false},
		{Int32, `null`, 0, false},
		{Int32, ``, 0, false},
	}
	for _, tt := range tests {
		bits, err := parseFill(tt.dt, json.RawMessage(tt.in))
		if (err == nil) != tt.ok || bits != tt.bits {
			t.Errorf("parseFill(%s, %s) = %#x, %v; want %#x, ok=%v", tt.dt, tt.in, bits, err, tt.bits, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidMetadata) {
			t.Errorf("parseFill(%s, %s) error %v does not wrap ErrInvalidMetadata", tt.dt, tt.in, err)
		}
	}
	// Non-canonical NaN payloads survive a round trip as raw bits.
	if got := formatFill(Float32, 0x7fc00001); string(got) != `"0x7fc00001"` {
		t.Errorf("formatFill(NaN payload) = %s", got)
	}
}

const validArray = `{"zarr_format":3,"node_type":"array","shape":[100],"data_type":"float32",
"chunk_grid":{"name":"regular","configuration":{"chunk_shape":[10]}},
"chunk_key_encoding":{"name":"default","configuration":{"separator":"/"}},
"fill_value":"NaN","codecs":[{"name":"bytes","configuration":{"endian":"little"}}],
"attributes":{},"dimension_names":["cells"],"storage_transformers":[]}`

func TestArrayMetadataErrors(t *testing.T) {
	var m ArrayMetadata
	if err := json.Unmarshal([]byte(validArray), &m); err != nil {
		t.Fatalf("valid metadata: %v", err)
	}
	edit := func(fromTo ...string) string {
		doc := []byte(validArray)
		for k := 0; k+1 < len(fromTo); k += 2 {
			doc = bytes.Replace(doc, []byte(fromTo[k]), []byte(fromTo[k+1]), 1)
		}
		return string(doc)
	}
	tests := []struct {
		name, doc string
		want      error
	}{
		{"not json", `{`, ErrInvalidMetadata},
		{"v2", edit(`"zarr_format":3`, `"zarr_format":2`), ErrUnsupported},
		{"group", edit(`"node_type":"array"`, `"node_type":"group"`), ErrInvalidMetadata},
		{"5-D", edit(`"shape":[100]`, `"shape":[1,1,1,1,100]`), ErrUnsupported},
		{"chunk rank", edit(`"shape":[100]`, `"shape":[10,10]`), ErrInvalidMetadata},
		{"2-D zero chunk", edit(`"shape":[100]`, `"shape":[10,10]`, `"chunk_shape":[10]`, `"chunk_shape":[0,10]`), ErrInvalidMetadata},
		{"2-D negative", edit(`"shape":[100]`, `"shape":[10,-1]`, `"chunk_shape":[10]`, `"chunk_shape":[1,10]`), ErrInvalidMetadata},
		{"2-D dims", edit(`"shape":[100]`, `"shape":[10,10]`, `"chunk_shape":[10]`, `"chunk_shape":[1,10]`, `["cells"]`, `["time","cells","x"]`), ErrInvalidMetadata},
		{"negative shape", edit(`"shape":[100]`, `"shape":[-1]`), ErrInvalidMetadata},
		{"dtype", edit(`"float32"`, `"complex64"`), ErrUnsupported},
		{"grid", edit(`"name":"regular"`, `"name":"rectilinear"`), ErrUnsupported},
		{"zero chunk", edit(`"chunk_shape":[10]`, `"chunk_shape":[0]`), ErrInvalidMetadata},
		{"key encoding", edit(`"name":"default"`, `"name":"fancy"`), ErrUnsupported},
		{"separator", edit(`"separator":"/"`, `"separator":"-"`), ErrInvalidMetadata},
		{"fill", edit(`"fill_value":"NaN"`, `"fill_value":"none"`), ErrInvalidMetadata},
		{"no fill", edit(`"fill_value":"NaN",`, ``), ErrInvalidMetadata},
		{"transformers", edit(`"storage_transformers":[]`, `"storage_transformers":[{"name":"x"}]`), ErrUnsupported},
		{"must understand", edit(`"attributes":{}`, `"attributes":{},"ext":{"name":"x"}`), ErrUnsupported},
		{"bad codec object", edit(`{"name":"bytes","configuration":{"endian":"little"}}`, `{"nom":"bytes"}`), ErrInvalidMetadata},
		{"dims", edit(`["cells"]`, `["a","b"]`), ErrInvalidMetadata},
	}
	for _, tt := range tests {
		var m ArrayMetadata
		if err := m.UnmarshalJSON([]byte(tt.doc)); !errors.Is(err, tt.want) {
			t.Errorf("%s: Unmarshal = %v, want %v", tt.name, err, tt.want)
		}
	}
	// An extension that need not be understood is accepted.
	if err := json.Unmarshal([]byte(edit(`"attributes":{}`, `"attributes":{},"ext":{"name":"x","must_understand":false}`)), &m); err != nil {
		t.Errorf("must_understand false extension: %v", err)
	}
}

func TestCodecListErrors(t *testing.T) {
	fill := []byte{0, 0, 0, 0}
	bad := []struct {
		name   string
		codecs string
		want   error
	}{
		{"empty", `[]`, ErrInvalidMetadata},
		{"unknown", `[{"name":"bytes","configuration":{"endian":"little"}},{"name":"blosc","configuration":{}}]`, ErrUnsupported},
		{"two a2b", `[{"name":"bytes","configuration":{"endian":"little"}},{"name":"bytes","configuration":{"endian":"little"}}]`, ErrInvalidMetadata},
		{"b2b first", `[{"name":"crc32c"},{"name":"bytes","configuration":{"endian":"little"}}]`, ErrInvalidMetadata},
		{"no endian", `[{"name":"bytes"}]`, ErrInvalidMetadata},
		{"endian", `[{"name":"bytes","configuration":{"endian":"middle"}}]`, ErrInvalidMetadata},
		{"gzip level", `[{"name":"bytes","configuration":{"endian":"little"}},{"name":"gzip","configuration":{"level":12}}]`, ErrInvalidMetadata},
		{"zstd level", `[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":23}}]`, ErrInvalidMetadata},
		{"zstd extra", `[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":1,"x":1}}]`, ErrInvalidMetadata},
		{"transpose 2-D", `[{"name":"transpose","configuration":{"order":[1,0]}},{"name":"bytes","configuration":{"endian":"little"}}]`, ErrInvalidMetadata},
		{"shard inner", `[{"name":"sharding_indexed","configuration":{"chunk_shape":[3],"codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}}]}}]`, ErrInvalidMetadata},
		{"shard index gzip", `[{"name":"sharding_indexed","configuration":{"chunk_shape":[4],"codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"gzip","configuration":{"level":1}}]}}]`, ErrInvalidMetadata},
		{"shard too many inner", `[{"name":"sharding_indexed","configuration":{"chunk_shape":[1],"codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}}]}}]`, ErrUnsupported},
		{"shard location", `[{"name":"sharding_indexed","configuration":{"chunk_shape":[4],"codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_location":"middle"}}]`, ErrInvalidMetadata},
	}
	for _, tt := range bad {
		var codecs []Codec
		if err := json.Unmarshal([]byte(tt.codecs), &codecs); err != nil {
			t.Fatal(err)
		}
		n := int64(16)
		if tt.name == "shard too many inner" {
			n = 1<<20 + 1
		}
		if _, err := newChain(codecs, Float32, n, fill); !errors.Is(err, tt.want) {
			t.Errorf("%s: newChain = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestBigEndianAndIndexAtStart reads stores written by other tools with
// options we never write: big-endian bytes, index at the start.
func TestBigEndianAndIndexAtStart(t *testing.T) {
	be := Codec{Name: "bytes", Configuration: json.RawMessage(`{"endian":"big"}`)}
	c, err := newChain([]Codec{be}, Int32, 2, []byte{0, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.decode(nil, []byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe})
	if err != nil {
		t.Fatal(err)
	}
	if got := fromRaw(Int32, raw).([]int32); got[0] != 1 || got[1] != -2 {
		t.Errorf("big-endian decode = %v, want [1 -2]", got)
	}
	shard := Codec{Name: "sharding_indexed", Configuration: json.RawMessage(
		`{"chunk_shape":[2],"codecs":[{"name":"bytes","configuration":{"endian":"big"}}],` +
			`"index_codecs":[{"name":"bytes","configuration":{"endian":"big"}},{"name":"crc32c"}],"index_location":"start"}`)}
	c, err = newChain([]Codec{shard}, Int32, 4, []byte{9, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	in := appendRaw(nil, []int32{9, 9, 5, 6})
	enc, err := c.encode(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	// Index first: inner chunk 0 empty, inner chunk 1 right after the index.
	if off := binary.BigEndian.Uint64(enc[16:]); off != 36 || binary.BigEndian.Uint64(enc[0:]) != emptyInner {
		t.Errorf("index at start: offsets %x %x, want empty then 36", binary.BigEndian.Uint64(enc[0:]), off)
	}
	out, err := c.decode(nil, enc)
	if err != nil || !bytes.Equal(out, in) {
		t.Errorf("index-at-start round trip = %v, %v; want %v", out, err, in)
	}
}

func TestCorruptChunks(t *testing.T) {
	ctx := context.Background()
	mk := func(c Codecs) *Array {
		codecs, err := c.List(64)
		if err != nil {
			t.Fatal(err)
		}
		s := New(NewMemBackend())
		a, err := s.CreateArray(ctx, "v", ArrayMetadata{Shape: []int64{128}, DataType: Float64, ChunkShape: []int64{64},
			FillValue: json.RawMessage(`"NaN"`), Codecs: codecs})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	data := make([]float64, 64)
	for i := range data {
		data[i] = float64(i)
	}
	encode := func(a *Array) []byte {
		b, err := a.EncodeChunk(nil, data)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	zeros := zstdFrame(t, make([]byte, 10<<20))
	zeroStream := zstdStream(t, make([]byte, 10<<20))
	tests := []struct {
		name  string
		a     *Array
		chunk func(enc []byte) []byte
	}{
		{"raw too short", mk(Codecs{Compressor: None}), func(b []byte) []byte { return b[:len(b)-1] }},
		{"raw too long", mk(Codecs{Compressor: None}), func(b []byte) []byte { return append(b, 0) }},
		{"crc mismatch", mk(Codecs{Compressor: None, Checksum: true}), func(b []byte) []byte { b[3] ^= 1; return b }},
		{"crc short", mk(Codecs{Compressor: None, Checksum: true}), func(b []byte) []byte { return b[:3] }},
		{"zstd garbage", mk(Codecs{}), func(b []byte) []byte { return []byte("not zstd at all") }},
		{"zstd truncated", mk(Codecs{}), func(b []byte) []byte { return b[:len(b)/2] }},
		{"zstd bomb", mk(Codecs{}), func(b []byte) []byte { return zeros }},
		{"zstd bomb without size", mk(Codecs{}), func(b []byte) []byte { return zeroStream }},
		{"gzip garbage", mk(Codecs{Compressor: Gzip}), func(b []byte) []byte { b[12] ^= 0xff; return b }},
		{"gzip truncated", mk(Codecs{Compressor: Gzip}), func(b []byte) []byte { return b[:len(b)-6] }},
		{"shard short", mk(Codecs{ShardInner: 8}), func(b []byte) []byte { return b[:20] }},
		{"shard index crc", mk(Codecs{ShardInner: 8}), func(b []byte) []byte { b[len(b)-10] ^= 1; return b }},
		{"shard offset out of range", mk(Codecs{Compressor: None, ShardInner: 8}), func(b []byte) []byte {
			return reindex(b, 8, 0, 1<<40, 8)
		}},
		{"shard length overflow", mk(Codecs{Compressor: None, ShardInner: 8}), func(b []byte) []byte {
			return reindex(b, 8, 0, 8, math.MaxUint64-4)
		}},
		{"shard inner wrong size", mk(Codecs{Compressor: None, ShardInner: 8}), func(b []byte) []byte {
			return reindex(b, 8, 0, 0, 7)
		}},
	}
	for _, tt := range tests {
		_, err := tt.a.DecodeChunk(tt.chunk(encode(tt.a)))
		if !errors.Is(err, ErrCorruptChunk) {
			t.Errorf("%s: DecodeChunk = %v, want ErrCorruptChunk", tt.name, err)
		}
		// Through the store too, with the key in the message.
		if err := tt.a.s.b.Put(ctx, tt.a.ChunkKey(1), tt.chunk(encode(tt.a))); err != nil {
			t.Fatal(err)
		}
		if _, err := tt.a.ReadChunk(ctx, 1); !errors.Is(err, ErrCorruptChunk) || !bytes.Contains([]byte(err.Error()), []byte("v/c/1")) {
			t.Errorf("%s: ReadChunk = %v, want ErrCorruptChunk naming v/c/1", tt.name, err)
		}
	}
}

func zstdFrame(t *testing.T, b []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}

// zstdStream compresses b as a streaming frame without a content size.
func zstdStream(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	enc, err := zstd.NewWriter(&buf, zstd.WithSingleSegment(false))
	if err != nil {
		t.Fatal(err)
	}
	// Two writes with a flush between: the size is not known up front.
	half := len(b) / 2
	if _, err := enc.Write(b[:half]); err != nil {
		t.Fatal(err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := enc.Write(b[half:]); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	var h zstd.Header
	if err := h.Decode(buf.Bytes()); err != nil || h.HasFCS {
		t.Fatalf("streaming frame header %+v, %v: want no content size", h, err)
	}
	return buf.Bytes()
}

// TestZstdStreamFrame reads a valid frame without a content size (as other
// writers produce).
func TestZstdStreamFrame(t *testing.T) {
	raw := appendRaw(nil, []float64{1, 2, 3, 4, 5, 6, 7, 8})
	c, err := newChain([]Codec{BytesCodec(), ZstdCodec(3)}, Float64, 8, fillBytes(Float64, nan64Bits))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.decode(nil, zstdStream(t, raw))
	if err != nil || !bytes.Equal(out, raw) {
		t.Errorf("decode of a streaming zstd frame = %v, %v", out, err)
	}
}

// reindex rewrites entry i of an uncompressed bytes+crc32c shard index.
func reindex(shard []byte, n, i int, off, nb uint64) []byte {
	idx := shard[len(shard)-16*n-4 : len(shard)-4]
	binary.LittleEndian.PutUint64(idx[16*i:], off)
	binary.LittleEndian.PutUint64(idx[16*i+8:], nb)
	enc, _ := crc32cCodec{}.encode(nil, idx)
	copy(shard[len(shard)-16*n-4:], enc)
	return shard
}

// TestZstdDecodeSizing: concatenated frames decode (the output grows past
// the first frame's declared size), and a small frame under a huge limit
// allocates about its own size, not the limit.
func TestZstdDecodeSizing(t *testing.T) {
	z, err := getZstd(3, false)
	if err != nil {
		t.Fatal(err)
	}
	a := bytes.Repeat([]byte("abcdefgh"), 1000)
	b := bytes.Repeat([]byte{1, 2, 3}, 5000)
	two := append(zstdFrame(t, a), zstdFrame(t, b)...)
	out, err := z.decode(nil, two, len(a)+len(b))
	if err != nil || !bytes.Equal(out, append(append([]byte(nil), a...), b...)) {
		t.Errorf("two frames: %d bytes, %v; want %d bytes", len(out), err, len(a)+len(b))
	}
	if _, err := z.decode(nil, two, len(a)+len(b)-1); !errors.Is(err, ErrCorruptChunk) {
		t.Errorf("two frames one byte over the limit: %v, want ErrCorruptChunk", err)
	}
	for _, frame := range [][]byte{zstdFrame(t, a), zstdStream(t, a)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		out, err := z.decode(nil, frame, 1<<30)
		runtime.ReadMemStats(&after)
		if err != nil || !bytes.Equal(out, a) {
			t.Fatalf("decode: %v", err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
			t.Errorf("decoding %d bytes under a 1 GiB limit allocated %d bytes", len(a), grew)
		}
	}
}
