package cellmap

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/varint"
)

// Version is the format version this package writes and reads.
const Version = 1

// magic ends every object.
const magic = "ZCMAP\x00"

// TrailerSize is the size of the fixed trailer at the end of an object.
const TrailerSize = 4 + 4 + 2 + len(magic)

// Limits of the decoder.
const (
	maxColumns = 256
	maxString  = 4096
	maxPoints  = 1 << 40
	// MaxFooterSize bounds the footer of an object.
	MaxFooterSize = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Codec is how the blocks of an object are stored.
type Codec uint8

// Codecs.
const (
	// None stores the values as they are (little-endian).
	None Codec = 0
	// Zstd byte-shuffles each block (the i-th bytes of all values, then the
	// next) and compresses it with zstd (one frame, content size set).
	Zstd Codec = 1
)

// String returns the codec's name.
func (c Codec) String() string {
	switch c {
	case None:
		return "none"
	case Zstd:
		return "zstd"
	}
	return fmt.Sprintf("codec(%d)", uint8(c))
}

// ParseCodec returns the codec named s ("none" or "zstd").
func ParseCodec(s string) (Codec, error) {
	switch s {
	case "none":
		return None, nil
	case "zstd":
		return Zstd, nil
	}
	return 0, fmt.Errorf("%w: codec %q (want none or zstd)", ErrSpec, s)
}

// Column is one stored column.
type Column struct {
	// Name says what the column holds (the dataset path template the
	// reader reads it from).
	Name string
	// F32 columns hold float32 values, the others float64.
	F32 bool
}

// Meta says what an object was built from and for.
type Meta struct {
	// Size and Digest are the granule's identity: its size in bytes and
	// the SHA-256 of its first 4 KiB (h5read.File.HeadDigest).
	Size   int64
	Digest [32]byte
	// Spec is a digest of the reader settings the points were read with
	// (groups, paths, columns, fill rules, latitude convention); a reader
	// with other settings does not use the object.
	Spec [32]byte
	// ParentOrder is the order of the cells the points are grouped by.
	ParentOrder int
	// Columns are the stored columns, in order.
	Columns []Column
}

// Counts are a cell reader's counters for the points of one cell of one
// granule (pipeline.ReadStats): the rows from the first to the last point
// inside the cell, summed over the groups; the points inside it; those of
// them dropped for a fill value. The points stored are Inside −
// FillDropped.
type Counts struct {
	Rows, Inside, FillDropped int64
}

// Fragment is the points of one parent cell of one granule.
type Fragment struct {
	// Nest is the parent cell (nested id at Meta.ParentOrder).
	Nest uint64
	Counts
	// Cells are the points' order-29 nested cells.
	Cells []uint64
	// F32 and F64 hold one slice per column: F32[c] for the float32
	// columns, F64[c] for the others (the other one is nil), each as long
	// as Cells.
	F32 [][]float32
	F64 [][]float64
}

// Cell is the footer entry of one parent cell.
type Cell struct {
	Nest uint64
	Counts
	// Points is the number of points stored.
	Points int64
	// Offset is the cell's first byte in the object; Lens the stored
	// length of its blocks: the cells, then each column.
	Offset int64
	Lens   []int64
	// CRC is the CRC-32C of the cell's bytes.
	CRC uint32
}

// Len returns the number of bytes of the cell in the object.
func (c *Cell) Len() int64 {
	var n int64
	for _, l := range c.Lens {
		n += l
	}
	return n
}

// Footer is the index of an object.
type Footer struct {
	Meta
	Codec Codec
	// Cells are in ascending Nest order.
	Cells []Cell
	// Size is the size of the object.
	Size int64
}

// Cell returns the entry of the parent cell nest, or nil when the granule
// has no point in it.
func (f *Footer) Cell(nest uint64) *Cell {
	i := sort.Search(len(f.Cells), func(i int) bool { return f.Cells[i].Nest >= nest })
	if i < len(f.Cells) && f.Cells[i].Nest == nest {
		return &f.Cells[i]
	}
	return nil
}

var (
	encOnce sync.Once
	zenc    *zstd.Encoder
	zdec    *zstd.Decoder
)

func codecs() {
	encOnce.Do(func() {
		var err error
		zenc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
			zstd.WithWindowSize(4<<20), zstd.WithEncoderCRC(false))
		if err != nil {
			panic(err)
		}
		// DecodeAll writes at most cap(dst) − len(dst) bytes: what the
		// footer says the block holds, bounded by the caller's limit.
		zdec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(runtime.GOMAXPROCS(0)), zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderMaxWindow(8<<20), zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			panic(err)
		}
	})
}

// Encode appends to dst the object of a granule's fragments, which must be
// in ascending Nest order, each with one column per meta.Columns of its
// type and as long as its Cells.
func Encode(dst []byte, meta *Meta, codec Codec, frags []*Fragment) ([]byte, error) {
	if codec != None && codec != Zstd {
		return nil, fmt.Errorf("%w: codec %d", ErrSpec, codec)
	}
	if meta.ParentOrder < 0 || meta.ParentOrder > healpix.MaxOrder || len(meta.Columns) > maxColumns || meta.Size < 0 {
		return nil, fmt.Errorf("%w: parent order %d, %d columns, size %d", ErrSpec, meta.ParentOrder, len(meta.Columns), meta.Size)
	}
	for _, c := range meta.Columns {
		if len(c.Name) > maxString {
			return nil, fmt.Errorf("%w: column name of %d bytes", ErrSpec, len(c.Name))
		}
	}
	ncells := uint64(12) << (2 * uint(meta.ParentOrder))
	base := len(dst)
	cells := make([]Cell, len(frags))
	// One allocation for the whole object: its blocks stored raw, or
	// compressed (zstd output is at most a little larger than its input),
	// and the footer.
	rowBytes := 8
	for _, c := range meta.Columns {
		rowBytes += 8
		if c.F32 {
			rowBytes -= 4
		}
	}
	total := 1024
	for _, fr := range frags {
		total += len(fr.Cells)*rowBytes + 64*(2+len(meta.Columns))
	}
	dst = slices.Grow(dst, total)
	var enc blockEncoder
	for i, fr := range frags {
		n := len(fr.Cells)
		if fr.Nest >= ncells || (i > 0 && fr.Nest <= frags[i-1].Nest) {
			return nil, fmt.Errorf("%w: fragment %d: cell %d not in ascending order below %d", ErrSpec, i, fr.Nest, ncells)
		}
		if fr.Inside != int64(n)+fr.FillDropped || fr.Rows < fr.Inside || fr.FillDropped < 0 {
			return nil, fmt.Errorf("%w: fragment of cell %d: %d points, counts %+v", ErrSpec, fr.Nest, n, fr.Counts)
		}
		c := Cell{Nest: fr.Nest, Counts: fr.Counts, Points: int64(n), Offset: int64(len(dst) - base), Lens: make([]int64, 1+len(meta.Columns))}
		start := len(dst)
		dst = enc.append64(dst, codec, fr.Cells)
		c.Lens[0] = int64(len(dst) - start)
		for k, col := range meta.Columns {
			at := len(dst)
			if col.F32 {
				if k >= len(fr.F32) || len(fr.F32[k]) != n {
					return nil, fmt.Errorf("%w: fragment of cell %d: column %d is not %d float32 values", ErrSpec, fr.Nest, k, n)
				}
				enc.u32 = slices.Grow(enc.u32[:0], n)[:n]
				for j, v := range fr.F32[k] {
					enc.u32[j] = math.Float32bits(v)
				}
				dst = enc.append32(dst, codec, enc.u32)
			} else {
				if k >= len(fr.F64) || len(fr.F64[k]) != n {
					return nil, fmt.Errorf("%w: fragment of cell %d: column %d is not %d float64 values", ErrSpec, fr.Nest, k, n)
				}
				enc.u64 = slices.Grow(enc.u64[:0], n)[:n]
				for j, v := range fr.F64[k] {
					enc.u64[j] = math.Float64bits(v)
				}
				dst = enc.append64(dst, codec, enc.u64)
			}
			c.Lens[1+k] = int64(len(dst) - at)
		}
		c.CRC = crc32.Checksum(dst[start:], castagnoli)
		cells[i] = c
	}
	// Footer.
	fstart := len(dst)
	dst = binary.AppendUvarint(dst, uint64(meta.Size))
	dst = append(dst, meta.Digest[:]...)
	dst = append(dst, meta.Spec[:]...)
	dst = append(dst, byte(meta.ParentOrder), byte(codec))
	dst = binary.AppendUvarint(dst, uint64(len(meta.Columns)))
	for _, c := range meta.Columns {
		dst = binary.AppendUvarint(dst, uint64(len(c.Name)))
		dst = append(dst, c.Name...)
		f := byte(0)
		if c.F32 {
			f = 1
		}
		dst = append(dst, f)
	}
	dst = binary.AppendUvarint(dst, uint64(len(cells)))
	for _, c := range cells {
		for _, v := range []int64{int64(c.Nest), c.Points, c.Rows, c.Inside, c.FillDropped} {
			dst = binary.AppendUvarint(dst, uint64(v))
		}
		for _, l := range c.Lens {
			dst = binary.AppendUvarint(dst, uint64(l))
		}
		dst = binary.LittleEndian.AppendUint32(dst, c.CRC)
	}
	flen := len(dst) - fstart
	if flen > MaxFooterSize {
		return nil, fmt.Errorf("%w: footer of %d bytes, more than %d", ErrSpec, flen, MaxFooterSize)
	}
	crc := crc32.Checksum(dst[fstart:], castagnoli)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(flen))
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	dst = binary.LittleEndian.AppendUint16(dst, Version)
	return append(dst, magic...), nil
}

// blockEncoder holds the buffers of Encode.
type blockEncoder struct {
	u64 []uint64
	u32 []uint32
	sh  []byte
}

// append64 appends the block of 8-byte values v in codec: little-endian,
// or byte-shuffled (every value's byte 0, then every byte 1, …) and
// zstd-compressed.
func (e *blockEncoder) append64(dst []byte, codec Codec, v []uint64) []byte {
	n := len(v)
	if codec == None || n == 0 {
		at := len(dst)
		dst = slices.Grow(dst, 8*n)[:at+8*n]
		for i, x := range v {
			binary.LittleEndian.PutUint64(dst[at+8*i:], x)
		}
		return dst
	}
	e.sh = slices.Grow(e.sh[:0], 8*n)[:8*n]
	for b := range 8 {
		row, s := e.sh[b*n:(b+1)*n], 8*b
		for i, x := range v {
			row[i] = byte(x >> s)
		}
	}
	codecs()
	return zenc.EncodeAll(e.sh, dst)
}

// append32 is append64 for 4-byte values.
func (e *blockEncoder) append32(dst []byte, codec Codec, v []uint32) []byte {
	n := len(v)
	if codec == None || n == 0 {
		at := len(dst)
		dst = slices.Grow(dst, 4*n)[:at+4*n]
		for i, x := range v {
			binary.LittleEndian.PutUint32(dst[at+4*i:], x)
		}
		return dst
	}
	e.sh = slices.Grow(e.sh[:0], 4*n)[:4*n]
	for b := range 4 {
		row, s := e.sh[b*n:(b+1)*n], 8*b
		for i, x := range v {
			row[i] = byte(x >> s)
		}
	}
	codecs()
	return zenc.EncodeAll(e.sh, dst)
}

// FooterLen returns how many bytes at the end of an object of size bytes
// hold its footer and trailer, from at least its last TrailerSize bytes
// (tail).
func FooterLen(tail []byte, size int64) (int64, error) {
	if len(tail) < TrailerSize || size < int64(TrailerSize) || int64(len(tail)) > size {
		return 0, fmt.Errorf("%w: %d bytes of an object of %d, need the last %d", ErrFormat, len(tail), size, TrailerSize)
	}
	t := tail[len(tail)-TrailerSize:]
	if string(t[10:]) != magic {
		return 0, fmt.Errorf("%w: not a cell map (no %q trailer)", ErrFormat, magic)
	}
	if v := binary.LittleEndian.Uint16(t[8:10]); v != Version {
		return 0, fmt.Errorf("%w: version %d (this reader knows %d)", ErrVersion, v, Version)
	}
	flen := int64(binary.LittleEndian.Uint32(t[0:4]))
	if flen > MaxFooterSize || flen+int64(TrailerSize) > size {
		return 0, fmt.Errorf("%w: footer of %d bytes in an object of %d", ErrFormat, flen, size)
	}
	return flen + int64(TrailerSize), nil
}

// DecodeFooter parses and validates the footer of an object of size
// bytes, given at least its last FooterLen bytes (tail). Malformed input
// fails with an error wrapping ErrFormat (ErrVersion for another version)
// saying what is wrong and where; it allocates at most a small multiple of
// len(tail).
func DecodeFooter(tail []byte, size int64) (*Footer, error) {
	need, err := FooterLen(tail, size)
	if err != nil {
		return nil, err
	}
	if int64(len(tail)) < need {
		return nil, fmt.Errorf("%w: %d bytes of the object's end, the footer needs %d", ErrFormat, len(tail), need)
	}
	fb := tail[int64(len(tail))-need : len(tail)-TrailerSize]
	t := tail[len(tail)-TrailerSize:]
	if got, want := crc32.Checksum(fb, castagnoli), binary.LittleEndian.Uint32(t[4:8]); got != want {
		return nil, fmt.Errorf("%w: footer checksum %08x, want %08x", ErrFormat, got, want)
	}
	d := &varint.Decoder{B: fb, Class: ErrFormat, Where: "footer byte"}
	f := &Footer{Size: size}
	f.Meta.Size = d.Int("granule size", math.MaxInt64)
	copy(f.Digest[:], d.Bytes("digest", 32))
	copy(f.Spec[:], d.Bytes("spec digest", 32))
	po := d.Byte("parent order")
	codec := d.Byte("codec")
	if d.Err == nil && po > healpix.MaxOrder {
		d.Fail("parent order %d", po)
	}
	if d.Err == nil && Codec(codec) != None && Codec(codec) != Zstd {
		d.Fail("codec %d", codec)
	}
	f.ParentOrder, f.Codec = int(po), Codec(codec)
	ncol := d.Count("columns", maxColumns)
	for range ncol {
		name := string(d.Bytes("column name", d.Count("column name length", maxString)))
		flag := d.Byte("column type")
		if d.Err == nil && flag > 1 {
			d.Fail("column %q: type %d", name, flag)
		}
		f.Columns = append(f.Columns, Column{Name: name, F32: flag == 1})
	}
	data := size - need // bytes before the footer
	ncells := uint64(12) << (2 * uint(min(po, healpix.MaxOrder)))
	nc := d.Count("cells", math.MaxInt32)
	if d.Err == nil {
		f.Cells = make([]Cell, 0, nc)
	}
	var off int64
	for i := range nc {
		if d.Err != nil {
			break
		}
		c := Cell{Offset: off}
		c.Nest = d.Uvarint("cell")
		c.Points = d.Int("points", maxPoints)
		c.Rows = d.Int("rows", math.MaxInt64)
		c.Inside = d.Int("points inside", math.MaxInt64)
		c.FillDropped = d.Int("points dropped", math.MaxInt64)
		c.Lens = make([]int64, 1+ncol)
		for k := range c.Lens {
			c.Lens[k] = d.Int("block length", data)
			if d.Err == nil && c.Lens[k] > data-off {
				d.Fail("cell %d: block %d of %d bytes past the data (%d bytes)", c.Nest, k, c.Lens[k], data)
			}
			off += c.Lens[k]
		}
		c.CRC = binary.LittleEndian.Uint32(pad4(d.Bytes("cell checksum", 4)))
		switch {
		case d.Err != nil:
		case c.Nest >= ncells:
			d.Fail("cell %d at order %d", c.Nest, po)
		case i > 0 && c.Nest <= f.Cells[i-1].Nest:
			d.Fail("cell %d after %d: not in ascending order", c.Nest, f.Cells[i-1].Nest)
		case c.Inside != c.Points+c.FillDropped || c.Rows < c.Inside || c.Points > c.Inside:
			d.Fail("cell %d: %d points, %d inside, %d dropped, %d rows", c.Nest, c.Points, c.Inside, c.FillDropped, c.Rows)
		}
		if d.Err == nil && f.Codec == None {
			for k, l := range c.Lens {
				if l != c.Points*int64(f.elemSize(k)) {
					d.Fail("cell %d: block %d of %d bytes for %d points", c.Nest, k, l, c.Points)
					break
				}
			}
		}
		f.Cells = append(f.Cells, c)
	}
	if d.Err == nil && d.Pos != len(d.B) {
		d.Fail("%d bytes after the last cell", len(d.B)-d.Pos)
	}
	if d.Err == nil && off != data {
		d.Fail("the cells hold %d bytes, the object %d before its footer", off, data)
	}
	if d.Err != nil {
		return nil, d.Err
	}
	return f, nil
}

func pad4(b []byte) []byte {
	if len(b) < 4 {
		return make([]byte, 4)
	}
	return b
}

// elemSize is the byte size of the values of block k (0: the cells).
func (f *Footer) elemSize(k int) int {
	if k > 0 && f.Columns[k-1].F32 {
		return 4
	}
	return 8
}

// DecodeCell decodes the bytes of cell c of the object (b: the c.Len()
// bytes at c.Offset) into a fragment. A cell of more than maxPoints points
// fails with ErrLimit before anything is allocated; malformed bytes with
// ErrFormat.
func (f *Footer) DecodeCell(c *Cell, b []byte, maxPoints int64) (*Fragment, error) {
	if c.Points > maxPoints {
		return nil, fmt.Errorf("%w: cell %d holds %d points, at most %d allowed", ErrLimit, c.Nest, c.Points, maxPoints)
	}
	if int64(len(b)) != c.Len() {
		return nil, fmt.Errorf("%w: cell %d: %d bytes, want %d", ErrFormat, c.Nest, len(b), c.Len())
	}
	if got := crc32.Checksum(b, castagnoli); got != c.CRC {
		return nil, fmt.Errorf("%w: cell %d: checksum %08x, want %08x", ErrFormat, c.Nest, got, c.CRC)
	}
	n := int(c.Points)
	fr := &Fragment{Nest: c.Nest, Counts: c.Counts, F32: make([][]float32, len(f.Columns)), F64: make([][]float64, len(f.Columns))}
	var buf []byte
	off := int64(0)
	for k, l := range c.Lens {
		size := f.elemSize(k)
		raw, err := f.block(b[off:off+l], n*size, buf)
		if err != nil {
			return nil, fmt.Errorf("cell %d block %d: %w", c.Nest, k, err)
		}
		if f.Codec != None {
			buf = raw
		}
		off += l
		switch {
		case k == 0:
			fr.Cells = make([]uint64, n)
			get64(fr.Cells, raw, f.Codec)
		case size == 4:
			v := make([]float32, n)
			bits := make([]uint32, n)
			get32(bits, raw, f.Codec)
			for i, x := range bits {
				v[i] = math.Float32frombits(x)
			}
			fr.F32[k-1] = v
		default:
			v := make([]float64, n)
			bits := make([]uint64, n)
			get64(bits, raw, f.Codec)
			for i, x := range bits {
				v[i] = math.Float64frombits(x)
			}
			fr.F64[k-1] = v
		}
	}
	return fr, nil
}

// get64 decodes the 8-byte values of a block's raw bytes (shuffled unless
// codec is None) into v.
func get64(v []uint64, raw []byte, codec Codec) {
	n := len(v)
	if codec == None {
		for i := range v {
			v[i] = binary.LittleEndian.Uint64(raw[8*i:])
		}
		return
	}
	for b := range 8 {
		row, s := raw[b*n:(b+1)*n], 8*b
		for i, x := range row {
			v[i] |= uint64(x) << s
		}
	}
}

// get32 is get64 for 4-byte values.
func get32(v []uint32, raw []byte, codec Codec) {
	n := len(v)
	if codec == None {
		for i := range v {
			v[i] = binary.LittleEndian.Uint32(raw[4*i:])
		}
		return
	}
	for b := range 4 {
		row, s := raw[b*n:(b+1)*n], 8*b
		for i, x := range row {
			v[i] |= uint32(x) << s
		}
	}
}

// block returns the rawLen bytes of a stored block (in the object's codec),
// decompressed into buf's storage when it is large enough.
func (f *Footer) block(stored []byte, rawLen int, buf []byte) ([]byte, error) {
	if f.Codec == None || rawLen == 0 {
		if len(stored) != rawLen {
			return nil, fmt.Errorf("%w: %d bytes, want %d", ErrFormat, len(stored), rawLen)
		}
		return stored, nil
	}
	var h zstd.Header
	if err := h.Decode(stored); err != nil || (h.HasFCS && h.FrameContentSize != uint64(rawLen)) {
		return nil, fmt.Errorf("%w: a zstd frame of %d bytes, want %d (%v)", ErrFormat, h.FrameContentSize, rawLen, err)
	}
	codecs()
	if cap(buf) < rawLen {
		buf = make([]byte, 0, rawLen)
	}
	raw, err := zdec.DecodeAll(stored, buf[:0:rawLen])
	if err != nil {
		return nil, fmt.Errorf("%w: zstd: %v", ErrFormat, err)
	}
	if len(raw) != rawLen {
		return nil, fmt.Errorf("%w: zstd: %d bytes, want %d", ErrFormat, len(raw), rawLen)
	}
	return raw, nil
}

// Decode parses a whole object: its footer and every cell, each cell of at
// most maxPoints points. It is what the fuzz test exercises; readers read a
// cell at a time (Store).
func Decode(obj []byte, maxPoints int64) (*Footer, []*Fragment, error) {
	f, err := DecodeFooter(obj, int64(len(obj)))
	if err != nil {
		return nil, nil, err
	}
	var out []*Fragment
	for i := range f.Cells {
		c := &f.Cells[i]
		fr, err := f.DecodeCell(c, obj[c.Offset:c.Offset+c.Len()], maxPoints)
		if err != nil {
			return f, nil, err
		}
		out = append(out, fr)
	}
	return f, out, nil
}
