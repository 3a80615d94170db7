package zarrstore

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Codec is one entry of an array's "codecs" list in object form,
// {"name": …, "configuration": {…}}. Build them with [BytesCodec],
// [ZstdCodec], [GzipCodec], [CRC32CCodec] and [ShardingCodec].
type Codec struct {
	Name          string          `json:"name"`
	Configuration json.RawMessage `json:"configuration,omitempty"`
}

// BytesCodec returns the array→bytes codec that stores elements little
// endian in C order.
func BytesCodec() Codec {
	return Codec{Name: "bytes", Configuration: json.RawMessage(`{"endian":"little"}`)}
}

// ZstdCodec returns the zstd bytes→bytes codec at a compression level
// (-131072…22; 0 means the library default, 3). The checksum flag is omitted
// as the extension asks.
func ZstdCodec(level int) Codec {
	return Codec{Name: "zstd", Configuration: json.RawMessage(fmt.Sprintf(`{"level":%d}`, level))}
}

// GzipCodec returns the gzip bytes→bytes codec at a level 0…9.
func GzipCodec(level int) Codec {
	return Codec{Name: "gzip", Configuration: json.RawMessage(fmt.Sprintf(`{"level":%d}`, level))}
}

// CRC32CCodec returns the crc32c bytes→bytes codec, which appends the
// CRC-32C of its input as a little-endian uint32.
func CRC32CCodec() Codec { return Codec{Name: "crc32c"} }

// ShardingCodec returns the sharding_indexed array→bytes codec: the array's
// chunk becomes a shard of inner chunks of innerLen elements, each encoded
// with codecs, followed by an index encoded with bytes + crc32c
// (index_location "end").
func ShardingCodec(innerLen int64, codecs []Codec) Codec {
	return ShardingCodecShape([]int64{innerLen}, codecs)
}

// ShardingCodecShape is [ShardingCodec] for an array of any rank: the inner
// chunks have the shape inner (one entry per dimension, e.g. [1, 256] for
// the [time, cells] arrays).
func ShardingCodecShape(inner []int64, codecs []Codec) Codec {
	cfg := struct {
		ChunkShape    []int64 `json:"chunk_shape"`
		Codecs        []Codec `json:"codecs"`
		IndexCodecs   []Codec `json:"index_codecs"`
		IndexLocation string  `json:"index_location"`
	}{slices.Clone(inner), codecs, []Codec{BytesCodec(), CRC32CCodec()}, "end"}
	b, err := json.Marshal(cfg)
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return Codec{Name: "sharding_indexed", Configuration: b}
}

// maxChunkBytes bounds the decoded size of one chunk (and so every
// allocation a stored object can cause): 1 GiB.
const maxChunkBytes = 1 << 30

// bytesToBytes is a bytes→bytes codec. encode appends the encoding of src to
// dst; decode appends the decoding of src to dst, refusing outputs longer
// than limit bytes. Both are safe for concurrent use.
type bytesToBytes interface {
	encode(dst, src []byte) ([]byte, error)
	decode(dst, src []byte, limit int) ([]byte, error)
	// growth bounds how much larger than its input an encoding can be.
	growth(n int) int
	fixedSize() bool
}

// arrayToBytes turns the little-endian raw bytes of one chunk (n elements)
// into stored bytes and back.
type arrayToBytes interface {
	encode(dst, raw []byte) ([]byte, error)
	decode(dst, src []byte) ([]byte, error)
}

// chain is a parsed codec list for chunks of n elements of one data type.
type chain struct {
	dt    DataType
	shape []int64 // chunk shape
	n     int64   // elements per chunk, the product of shape
	fill  []byte  // one element, little endian
	a2b   arrayToBytes
	b2b   []bytesToBytes
	// limits bounds the decoded size of each bytes→bytes stage.
	limits []int
}

// rawLen is the decoded size of one chunk in bytes.
func (c *chain) rawLen() int { return int(c.n) * c.dt.Size() }

func (c *chain) encode(dst, raw []byte) ([]byte, error) {
	if len(c.b2b) == 0 {
		return c.a2b.encode(dst, raw)
	}
	// Ping-pong between two pooled buffers; the last codec appends to dst.
	b1, b2 := getBuf(), getBuf()
	defer putBuf(b1)
	defer putBuf(b2)
	cur, err := c.a2b.encode((*b1)[:0], raw)
	*b1 = cur
	if err != nil {
		return dst, err
	}
	for _, b := range c.b2b[:len(c.b2b)-1] {
		out, err := b.encode((*b2)[:0], cur)
		*b2 = out
		if err != nil {
			return dst, err
		}
		b1, b2 = b2, b1
		cur = out
	}
	return c.b2b[len(c.b2b)-1].encode(dst, cur)
}

// decode appends the raw chunk bytes decoded from src to dst.
func (c *chain) decode(dst, src []byte) ([]byte, error) {
	if len(c.b2b) == 0 {
		return c.a2b.decode(dst, src)
	}
	// Ping-pong between two pooled buffers, as in encode.
	b1, b2 := getBuf(), getBuf()
	defer putBuf(b1)
	defer putBuf(b2)
	cur := src
	for i := len(c.b2b) - 1; i >= 0; i-- {
		out, err := c.b2b[i].decode((*b1)[:0], cur, c.limits[i])
		*b1 = out
		if err != nil {
			return dst, err
		}
		cur = out
		b1, b2 = b2, b1
	}
	return c.a2b.decode(dst, cur)
}

// a2bLimit bounds the size of the array→bytes output.
func (c *chain) a2bLimit() int {
	if s, ok := c.a2b.(*shardingCodec); ok {
		return s.maxEncoded()
	}
	return c.rawLen()
}

// maxRank is the highest array rank this package reads or writes.
const maxRank = 4

// chunkElems returns the number of elements of a chunk of the given shape,
// checking that every extent is positive and that the chunk holds at most
// maxChunkBytes bytes of elements of size bytes (without overflowing).
func chunkElems(shape []int64, size int) (int64, error) {
	if len(shape) == 0 || len(shape) > maxRank {
		return 0, fmt.Errorf("%w: chunk shape %v (rank 1…%d)", ErrUnsupported, shape, maxRank)
	}
	if size <= 0 {
		return 0, fmt.Errorf("%w: element size %d", ErrUnsupported, size)
	}
	limit := int64(maxChunkBytes / size)
	n := int64(1)
	for _, d := range shape {
		if d <= 0 {
			return 0, fmt.Errorf("%w: chunk shape %v has an extent ≤ 0", ErrInvalidMetadata, shape)
		}
		if d > limit/n {
			return 0, fmt.Errorf("%w: chunk shape %v of %d-byte elements exceeds %d bytes", ErrUnsupported, shape, size, maxChunkBytes)
		}
		n *= d
	}
	return n, nil
}

// newChain parses a codec list for 1-D chunks of n elements of type dt
// whose fill element is fill.
func newChain(codecs []Codec, dt DataType, n int64, fill []byte) (*chain, error) {
	return newChainShape(codecs, dt, []int64{n}, fill)
}

// newChainShape parses a codec list for chunks of the given shape of type
// dt whose fill element is fill.
func newChainShape(codecs []Codec, dt DataType, shape []int64, fill []byte) (*chain, error) {
	n, err := chunkElems(shape, dt.Size())
	if err != nil {
		return nil, err
	}
	c := &chain{dt: dt, shape: slices.Clone(shape), n: n, fill: fill}
	for i, cd := range codecs {
		where := func(err error) error { return fmt.Errorf("codecs[%d] %q: %w", i, cd.Name, err) }
		switch cd.Name {
		case "bytes", "sharding_indexed":
			if c.a2b != nil {
				return nil, where(fmt.Errorf("%w: more than one array→bytes codec", ErrInvalidMetadata))
			}
			if cd.Name == "bytes" {
				b, err := parseBytesCodec(cd.Configuration, dt)
				if err != nil {
					return nil, where(err)
				}
				c.a2b = b
			} else {
				s, err := parseSharding(cd.Configuration, dt, shape, fill)
				if err != nil {
					return nil, where(err)
				}
				c.a2b = s
			}
		case "zstd", "gzip", "crc32c":
			if c.a2b == nil {
				return nil, where(fmt.Errorf("%w: bytes→bytes codec before the array→bytes codec", ErrInvalidMetadata))
			}
			b, err := parseBytesToBytes(cd)
			if err != nil {
				return nil, where(err)
			}
			c.b2b = append(c.b2b, b)
		case "transpose":
			if c.a2b != nil {
				return nil, where(fmt.Errorf("%w: array→array codec after the array→bytes codec", ErrInvalidMetadata))
			}
			var cfg struct {
				Order []int `json:"order"`
			}
			if err := strictUnmarshal(cd.Configuration, &cfg); err != nil || len(cfg.Order) != len(shape) {
				return nil, where(fmt.Errorf("%w: transpose configuration %s for a %d-D array", ErrInvalidMetadata, cd.Configuration, len(shape)))
			}
			for k, o := range cfg.Order {
				if o != k {
					return nil, where(fmt.Errorf("%w: transpose order %v (only the identity)", ErrUnsupported, cfg.Order))
				}
			}
			// The identity permutation: nothing to do.
		default:
			return nil, where(fmt.Errorf("%w: codec", ErrUnsupported))
		}
	}
	if c.a2b == nil {
		return nil, fmt.Errorf("%w: codecs lack an array→bytes codec", ErrInvalidMetadata)
	}
	// Decode limits per stage: the input of bytes→bytes codec i on encode
	// is bounded by the array→bytes size grown by the codecs before it.
	lim := c.a2bLimit()
	for _, b := range c.b2b {
		c.limits = append(c.limits, lim)
		lim = b.growth(lim)
	}
	return c, nil
}

func strictUnmarshal(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// ---- bytes ----

type bytesCodec struct {
	size int
	big  bool
}

func parseBytesCodec(raw json.RawMessage, dt DataType) (*bytesCodec, error) {
	var cfg struct {
		Endian *string `json:"endian"`
	}
	if err := strictUnmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("%w: bytes configuration: %v", ErrInvalidMetadata, err)
	}
	b := &bytesCodec{size: dt.Size()}
	switch {
	case cfg.Endian == nil:
		if dt.Size() > 1 {
			return nil, fmt.Errorf("%w: bytes codec needs \"endian\" for %s", ErrInvalidMetadata, dt)
		}
	case *cfg.Endian == "little":
	case *cfg.Endian == "big":
		b.big = dt.Size() > 1
	default:
		return nil, fmt.Errorf("%w: bytes endian %q", ErrInvalidMetadata, *cfg.Endian)
	}
	return b, nil
}

func (b *bytesCodec) encode(dst, raw []byte) ([]byte, error) {
	if !b.big {
		return append(dst, raw...), nil
	}
	return appendSwapped(dst, raw, b.size), nil
}

func (b *bytesCodec) decode(dst, src []byte) ([]byte, error) {
	// The caller checks the length against the chunk size.
	if !b.big {
		return append(dst, src...), nil
	}
	return appendSwapped(dst, src, b.size), nil
}

func appendSwapped(dst, src []byte, size int) []byte {
	for i := 0; i+size <= len(src); i += size {
		for j := size - 1; j >= 0; j-- {
			dst = append(dst, src[i+j])
		}
	}
	return dst
}

// ---- bytes→bytes ----

func parseBytesToBytes(cd Codec) (bytesToBytes, error) {
	switch cd.Name {
	case "crc32c":
		if err := strictUnmarshal(cd.Configuration, &struct{}{}); err != nil {
			return nil, fmt.Errorf("%w: crc32c configuration: %v", ErrInvalidMetadata, err)
		}
		return crc32cCodec{}, nil
	case "gzip":
		var cfg struct {
			Level *int `json:"level"`
		}
		if err := strictUnmarshal(cd.Configuration, &cfg); err != nil || cfg.Level == nil || *cfg.Level < 0 || *cfg.Level > 9 {
			return nil, fmt.Errorf("%w: gzip configuration %s (want level 0…9)", ErrInvalidMetadata, cd.Configuration)
		}
		return newGzipCodec(*cfg.Level), nil
	case "zstd":
		var cfg struct {
			Level    *int `json:"level"`
			Checksum bool `json:"checksum"`
		}
		if err := strictUnmarshal(cd.Configuration, &cfg); err != nil || cfg.Level == nil || *cfg.Level < -131072 || *cfg.Level > 22 {
			return nil, fmt.Errorf("%w: zstd configuration %s (want level -131072…22)", ErrInvalidMetadata, cd.Configuration)
		}
		return getZstd(*cfg.Level, cfg.Checksum)
	}
	return nil, fmt.Errorf("%w: codec %q", ErrUnsupported, cd.Name)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type crc32cCodec struct{}

func (crc32cCodec) encode(dst, src []byte) ([]byte, error) {
	dst = append(dst, src...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(src, castagnoli)), nil
}

func (crc32cCodec) decode(dst, src []byte, limit int) ([]byte, error) {
	if len(src) < 4 {
		return dst, fmt.Errorf("%w: crc32c: %d bytes, need at least 4", ErrCorruptChunk, len(src))
	}
	body := src[:len(src)-4]
	if len(body) > limit {
		return dst, fmt.Errorf("%w: crc32c: %d bytes exceed the limit %d", ErrCorruptChunk, len(body), limit)
	}
	want := binary.LittleEndian.Uint32(src[len(src)-4:])
	if got := crc32.Checksum(body, castagnoli); got != want {
		return dst, fmt.Errorf("%w: crc32c mismatch: stored %08x, computed %08x", ErrCorruptChunk, want, got)
	}
	return append(dst, body...), nil
}

func (crc32cCodec) growth(n int) int { return n + 4 }
func (crc32cCodec) fixedSize() bool  { return true }

// gzipCodec pools writers and readers; compress/gzip objects are not safe
// for concurrent use but are cheap to Reset.
type gzipCodec struct {
	level   int
	writers sync.Pool
	readers sync.Pool
}

func newGzipCodec(level int) *gzipCodec {
	return &gzipCodec{level: level}
}

func (g *gzipCodec) encode(dst, src []byte) ([]byte, error) {
	w := bytes.NewBuffer(dst)
	zw, _ := g.writers.Get().(*gzip.Writer)
	if zw == nil {
		var err error
		if zw, err = gzip.NewWriterLevel(w, g.level); err != nil {
			return dst, err
		}
	} else {
		zw.Reset(w)
	}
	if _, err := zw.Write(src); err != nil {
		return dst, err
	}
	if err := zw.Close(); err != nil {
		return dst, err
	}
	g.writers.Put(zw)
	return w.Bytes(), nil
}

func (g *gzipCodec) decode(dst, src []byte, limit int) ([]byte, error) {
	zr, _ := g.readers.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(src))
	} else {
		err = zr.Reset(bytes.NewReader(src))
	}
	if err != nil {
		return dst, fmt.Errorf("%w: gzip: %v", ErrCorruptChunk, err)
	}
	defer g.readers.Put(zr)
	w := bytes.NewBuffer(dst)
	n, err := io.Copy(w, io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return dst, fmt.Errorf("%w: gzip: %v", ErrCorruptChunk, err)
	}
	if n > int64(limit) {
		return dst, fmt.Errorf("%w: gzip: decodes to more than %d bytes", ErrCorruptChunk, limit)
	}
	return w.Bytes(), nil
}

// gzip adds a header, a trailer and at most 5 bytes per 32 KiB stored block.
func (g *gzipCodec) growth(n int) int { return n + n/1000*5 + 64 }
func (g *gzipCodec) fixedSize() bool  { return false }

// zstdCodec shares one encoder per (level, checksum) process-wide: EncodeAll
// and DecodeAll are safe for concurrent use.
type zstdCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

// zstdMaxWindow bounds the history buffer a frame may ask for: 32 MiB,
// above libzstd's default windows up to level 19 (8 MiB).
const zstdMaxWindow = 32 << 20

var (
	zstdMu     sync.Mutex
	zstdCodecs = map[[2]int]*zstdCodec{}
	zstdDec    *zstd.Decoder
)

func getZstd(level int, checksum bool) (*zstdCodec, error) {
	key := [2]int{level, 0}
	if checksum {
		key[1] = 1
	}
	zstdMu.Lock()
	defer zstdMu.Unlock()
	if c, ok := zstdCodecs[key]; ok {
		return c, nil
	}
	if zstdDec == nil {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderMaxMemory(maxChunkBytes+1<<20), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, err
		}
		zstdDec = d
	}
	lvl := zstd.EncoderLevelFromZstd(level)
	if level == 0 {
		lvl = zstd.EncoderLevelFromZstd(3)
	}
	// Concurrency GOMAXPROCS (the default): EncodeAll takes one of that
	// many internal encoders, so parallel writers do not queue.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(lvl), zstd.WithEncoderCRC(checksum),
		zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)), zstd.WithZeroFrames(true))
	if err != nil {
		return nil, err
	}
	c := &zstdCodec{enc: enc, dec: zstdDec}
	zstdCodecs[key] = c
	return c, nil
}

func (z *zstdCodec) encode(dst, src []byte) ([]byte, error) {
	return z.enc.EncodeAll(src, dst), nil
}

func (z *zstdCodec) decode(dst, src []byte, limit int) ([]byte, error) {
	// Refuse frames that declare more content than the chunk can hold before
	// allocating for them.
	var h zstd.Header
	if err := h.Decode(src); err != nil {
		return dst, fmt.Errorf("%w: zstd header: %v", ErrCorruptChunk, err)
	}
	if h.HasFCS && h.FrameContentSize > uint64(limit) {
		return dst, fmt.Errorf("%w: zstd frame declares %d bytes, more than the limit %d", ErrCorruptChunk, h.FrameContentSize, limit)
	}
	// The decoder limits DecodeAll to the capacity it is given, so frames
	// without a declared size and multi-frame inputs cannot grow the output
	// beyond limit either. Start with room for the declared size (or a
	// guess) and double up to limit only while the data really is larger,
	// so a small chunk of an array with huge declared chunks stays small.
	start := len(dst)
	want := limit
	if h.HasFCS {
		want = int(h.FrameContentSize)
	} else {
		want = min(limit, max(4*len(src), 64<<10))
	}
	for {
		room := min(cap(dst)-start, limit)
		if room < want {
			dst = append(make([]byte, 0, start+want), dst...)
			room = want
		}
		out, err := z.dec.DecodeAll(src, dst[:start:start+room])
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) && room < limit {
			want = min(limit, 2*room+1)
			continue
		}
		if err != nil {
			return dst[:start], fmt.Errorf("%w: zstd: %v", ErrCorruptChunk, err)
		}
		if len(out)-start > limit || cap(out) != start+room {
			return dst[:start], fmt.Errorf("%w: zstd: decodes to more than %d bytes", ErrCorruptChunk, limit)
		}
		// Hand back dst's full capacity (out shares its array), so pooled
		// buffers keep their size.
		return dst[:len(out)], nil
	}
}

func (z *zstdCodec) growth(n int) int { return n + n/128 + 1024 }
func (z *zstdCodec) fixedSize() bool  { return false }

// ---- sharding_indexed ----

const emptyInner = math.MaxUint64

// maxInnerChunks bounds the inner chunks per shard, and so the shard index
// (16 bytes each) built when writing: 2^20, a 16 MiB index.
const maxInnerChunks = 1 << 20

type shardingCodec struct {
	inner      *chain  // chain for one inner chunk
	nInner     int     // inner chunks per shard
	shape      []int64 // shard shape
	grid       []int64 // inner chunks per dimension of the shard
	contiguous bool    // every inner chunk is one run of the shard's C-order elements
	index      []bytesToBytes
	indexBig   bool
	indexAtEnd bool
	indexLen   int // encoded index size
}

func parseSharding(raw json.RawMessage, dt DataType, shape []int64, fill []byte) (*shardingCodec, error) {
	var cfg struct {
		ChunkShape    []int64 `json:"chunk_shape"`
		Codecs        []Codec `json:"codecs"`
		IndexCodecs   []Codec `json:"index_codecs"`
		IndexLocation *string `json:"index_location"`
	}
	if err := strictUnmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("%w: sharding_indexed configuration: %v", ErrInvalidMetadata, err)
	}
	if len(cfg.ChunkShape) != len(shape) {
		return nil, fmt.Errorf("%w: sharding chunk_shape %v for a %d-D shard %v", ErrInvalidMetadata, cfg.ChunkShape, len(shape), shape)
	}
	grid := make([]int64, len(shape))
	nInner := int64(1)
	for d, in := range cfg.ChunkShape {
		if in <= 0 || shape[d]%in != 0 {
			return nil, fmt.Errorf("%w: sharding inner chunk %v does not divide the shard %v", ErrInvalidMetadata, cfg.ChunkShape, shape)
		}
		grid[d] = shape[d] / in
		if grid[d] > maxInnerChunks/nInner {
			return nil, fmt.Errorf("%w: more than %d inner chunks per shard (%v in %v)", ErrUnsupported, maxInnerChunks, cfg.ChunkShape, shape)
		}
		nInner *= grid[d]
	}
	inner, err := newChainShape(cfg.Codecs, dt, cfg.ChunkShape, fill)
	if err != nil {
		return nil, fmt.Errorf("sharding codecs: %w", err)
	}
	s := &shardingCodec{inner: inner, nInner: int(nInner), shape: slices.Clone(shape), grid: grid,
		contiguous: contiguousBlocks(shape, cfg.ChunkShape), indexAtEnd: true}
	if cfg.IndexLocation != nil {
		switch *cfg.IndexLocation {
		case "end":
		case "start":
			s.indexAtEnd = false
		default:
			return nil, fmt.Errorf("%w: sharding index_location %q", ErrInvalidMetadata, *cfg.IndexLocation)
		}
	}
	// Index codecs: bytes (endian) then fixed-size bytes→bytes codecs.
	if len(cfg.IndexCodecs) == 0 || cfg.IndexCodecs[0].Name != "bytes" {
		return nil, fmt.Errorf("%w: sharding index_codecs must start with bytes", ErrUnsupported)
	}
	ib, err := parseBytesCodec(cfg.IndexCodecs[0].Configuration, Uint64)
	if err != nil {
		return nil, fmt.Errorf("sharding index_codecs: %w", err)
	}
	s.indexBig = ib.big
	s.indexLen = 16 * s.nInner
	for _, cd := range cfg.IndexCodecs[1:] {
		b, err := parseBytesToBytes(cd)
		if err != nil {
			return nil, fmt.Errorf("sharding index_codecs: %w", err)
		}
		if !b.fixedSize() {
			return nil, fmt.Errorf("%w: sharding index codec %q is not fixed-size", ErrInvalidMetadata, cd.Name)
		}
		s.index = append(s.index, b)
		s.indexLen = b.growth(s.indexLen)
	}
	return s, nil
}

// contiguousBlocks reports whether the blocks of shape block tiling an
// array of shape outer are, taken in C order, consecutive runs of the
// outer array's C-order elements: all extents before some dimension k are
// 1 and all after k are whole.
func contiguousBlocks(outer, block []int64) bool {
	k := 0
	for k < len(block)-1 && block[k] == 1 {
		k++
	}
	for d := k + 1; d < len(block); d++ {
		if block[d] != outer[d] {
			return false
		}
	}
	return true
}

// copyBlock copies the block number i (in C order of the block grid) of
// shape block between the C-order raw bytes of an array of shape outer
// (elements of size bytes) and the block's own C-order bytes: from outer
// into blk when gather is set, from blk into outer otherwise.
func copyBlock(outer []byte, outerShape, block []int64, grid []int64, i int64, blk []byte, size int, gather bool) {
	rank := len(outerShape)
	var origin, pos [maxRank]int64
	for d := rank - 1; d >= 0; d-- {
		origin[d] = i % grid[d] * block[d]
		i /= grid[d]
	}
	row := int(block[rank-1]) * size // bytes per run along the last dimension
	for off := 0; off < len(blk); off += row {
		// pos[:rank-1] is the position of this run within the block.
		o := int64(0)
		for d := 0; d < rank; d++ {
			o = o*outerShape[d] + origin[d] + pos[d]
		}
		at := int(o) * size
		if gather {
			copy(blk[off:off+row], outer[at:at+row])
		} else {
			copy(outer[at:at+row], blk[off:off+row])
		}
		for d := rank - 2; d >= 0; d-- {
			if pos[d]++; pos[d] < block[d] {
				break
			}
			pos[d] = 0
		}
	}
}

func (s *shardingCodec) maxEncoded() int {
	return s.nInner*s.inner.maxEncoded() + s.indexLen
}

// maxEncoded bounds the encoded size of one chunk of this chain.
func (c *chain) maxEncoded() int {
	n := c.a2bLimit()
	for _, b := range c.b2b {
		n = b.growth(n)
	}
	return n
}

func (s *shardingCodec) encode(dst, raw []byte) ([]byte, error) {
	innerRaw := s.inner.rawLen()
	idx := make([]uint64, 2*s.nInner)
	base := len(dst)
	if !s.indexAtEnd {
		dst = append(dst, make([]byte, s.indexLen)...)
	}
	var tmp *[]byte
	if !s.contiguous {
		tmp = getBuf()
		defer putBuf(tmp)
		*tmp = slices.Grow((*tmp)[:0], innerRaw)[:innerRaw]
	}
	for i := 0; i < s.nInner; i++ {
		var part []byte
		if s.contiguous {
			part = raw[i*innerRaw : (i+1)*innerRaw]
		} else {
			part = *tmp
			copyBlock(raw, s.shape, s.inner.shape, s.grid, int64(i), part, s.inner.dt.Size(), true)
		}
		if isFill(part, s.inner.fill) {
			idx[2*i], idx[2*i+1] = emptyInner, emptyInner
			continue
		}
		start := len(dst)
		var err error
		if dst, err = s.inner.encode(dst, part); err != nil {
			return dst, err
		}
		idx[2*i], idx[2*i+1] = uint64(start-base), uint64(len(dst)-start)
	}
	enc, err := s.encodeIndex(idx)
	if err != nil {
		return dst, err
	}
	if s.indexAtEnd {
		return append(dst, enc...), nil
	}
	copy(dst[base:], enc)
	return dst, nil
}

func (s *shardingCodec) encodeIndex(idx []uint64) ([]byte, error) {
	b := make([]byte, 0, s.indexLen)
	for _, v := range idx {
		if s.indexBig {
			b = binary.BigEndian.AppendUint64(b, v)
		} else {
			b = binary.LittleEndian.AppendUint64(b, v)
		}
	}
	for _, c := range s.index {
		var err error
		if b, err = c.encode(nil, b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (s *shardingCodec) decode(dst, src []byte) ([]byte, error) {
	if len(src) < s.indexLen {
		return dst, fmt.Errorf("%w: shard of %d bytes is shorter than its index (%d bytes)", ErrCorruptChunk, len(src), s.indexLen)
	}
	var ib []byte
	if s.indexAtEnd {
		ib = src[len(src)-s.indexLen:]
	} else {
		ib = src[:s.indexLen]
	}
	for i := len(s.index) - 1; i >= 0; i-- {
		var err error
		if ib, err = s.index[i].decode(nil, ib, len(ib)); err != nil {
			return dst, fmt.Errorf("shard index: %w", err)
		}
	}
	if len(ib) != 16*s.nInner {
		return dst, fmt.Errorf("%w: shard index decodes to %d bytes, want %d", ErrCorruptChunk, len(ib), 16*s.nInner)
	}
	innerRaw := s.inner.rawLen()
	// Without contiguous inner chunks, each is decoded into tmp and
	// scattered into the shard's raw bytes, dst[start:].
	var tmp *[]byte
	start0 := len(dst)
	if !s.contiguous {
		tmp = getBuf()
		defer putBuf(tmp)
		dst = slices.Grow(dst, s.nInner*innerRaw)[:start0+s.nInner*innerRaw]
	}
	for i := 0; i < s.nInner; i++ {
		var off, nb uint64
		if s.indexBig {
			off, nb = binary.BigEndian.Uint64(ib[16*i:]), binary.BigEndian.Uint64(ib[16*i+8:])
		} else {
			off, nb = binary.LittleEndian.Uint64(ib[16*i:]), binary.LittleEndian.Uint64(ib[16*i+8:])
		}
		var part []byte
		if off == emptyInner && nb == emptyInner {
			if s.contiguous {
				dst = appendFill(dst, s.inner.fill, int(s.inner.n))
				continue
			}
			part = appendFill((*tmp)[:0], s.inner.fill, int(s.inner.n))
			*tmp = part
		} else {
			if off > uint64(len(src)) || nb > uint64(len(src))-off {
				return dst, fmt.Errorf("%w: shard inner chunk %d at [%d, +%d) outside the %d-byte shard", ErrCorruptChunk, i, off, nb, len(src))
			}
			out := dst
			if !s.contiguous {
				out = (*tmp)[:0]
			}
			start := len(out)
			var err error
			if out, err = s.inner.decode(out, src[off:off+nb]); err != nil {
				return dst, fmt.Errorf("shard inner chunk %d: %w", i, err)
			}
			if got := len(out) - start; got != innerRaw {
				return dst, fmt.Errorf("%w: shard inner chunk %d decodes to %d bytes, want %d", ErrCorruptChunk, i, got, innerRaw)
			}
			if s.contiguous {
				dst = out
				continue
			}
			*tmp = out
			part = out
		}
		copyBlock(dst[start0:], s.shape, s.inner.shape, s.grid, int64(i), part, s.inner.dt.Size(), false)
	}
	return dst, nil
}

func isFill(b, fill []byte) bool {
	k := len(fill)
	for i := 0; i < len(b); i += k {
		if !bytes.Equal(b[i:i+k], fill) {
			return false
		}
	}
	return true
}

func appendFill(dst, fill []byte, n int) []byte {
	for range n {
		dst = append(dst, fill...)
	}
	return dst
}

// ---- buffers ----

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > 64<<20 {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}
