package chunkindex

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/zagg-go/zagg/healpix"
)

// The encoding, version 1 (all integers unsigned LEB128 varints unless
// said otherwise):
//
//	"ZGIX" version(1 byte)
//	size digest(32 bytes) parent_order(1 byte) convention(1 byte)
//	groups, then per group:
//	  name rows block_rows blocks
//	  per block: cells, then the cells ascending, first absolute, then deltas
//	  datasets, then per dataset:
//	    path rows flags(1 byte: 1 chunked) chunk_rows index_addr+1 header_addr chunks
//	    per chunk: chunk number delta (from the previous chunk + 1) addr size mask
//	CRC-32C of everything before (4 bytes, little-endian)
//
// Strings are a length then bytes. Decode checks every count against the
// bytes left, every bound below, the cells against the parent order, rows
// against blocks and chunks, and chunk byte ranges against the size.
const (
	magic   = "ZGIX"
	version = 1

	// MaxEncodedSize bounds the bytes Decode accepts: an ATL06 index is a
	// few KiB.
	MaxEncodedSize = 4 << 20
	maxString      = 1024
	maxGroups      = 256
	maxDatasets    = 256
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode appends the encoding of ix to dst.
func (ix *Index) Encode(dst []byte) []byte {
	start := len(dst)
	dst = append(dst, magic...)
	dst = append(dst, version)
	dst = binary.AppendUvarint(dst, uint64(ix.Size))
	dst = append(dst, ix.Digest[:]...)
	dst = append(dst, byte(ix.ParentOrder), byte(ix.Convention))
	dst = binary.AppendUvarint(dst, uint64(len(ix.Groups)))
	for i := range ix.Groups {
		g := &ix.Groups[i]
		dst = appendString(dst, g.Name)
		dst = binary.AppendUvarint(dst, uint64(g.Rows))
		dst = binary.AppendUvarint(dst, uint64(g.BlockRows))
		dst = binary.AppendUvarint(dst, uint64(g.NumBlocks()))
		for b := range g.NumBlocks() {
			cells := g.BlockCells(b)
			dst = binary.AppendUvarint(dst, uint64(len(cells)))
			prev := uint64(0)
			for k, c := range cells {
				if k == 0 {
					dst = binary.AppendUvarint(dst, c)
				} else {
					dst = binary.AppendUvarint(dst, c-prev)
				}
				prev = c
			}
		}
		dst = binary.AppendUvarint(dst, uint64(len(g.Datasets)))
		for k := range g.Datasets {
			d := &g.Datasets[k]
			dst = appendString(dst, d.Path)
			dst = binary.AppendUvarint(dst, uint64(d.Rows))
			flags := byte(0)
			if d.Chunked {
				flags = 1
			}
			dst = append(dst, flags)
			dst = binary.AppendUvarint(dst, uint64(d.ChunkRows))
			dst = binary.AppendUvarint(dst, uint64(d.IndexAddr+1))
			dst = binary.AppendUvarint(dst, uint64(d.HeaderAddr))
			dst = binary.AppendUvarint(dst, uint64(len(d.Chunks)))
			next := int64(0) // chunk number expected next
			for _, c := range d.Chunks {
				num := c.Row / max(d.ChunkRows, 1)
				dst = binary.AppendUvarint(dst, uint64(num-next))
				next = num + 1
				dst = binary.AppendUvarint(dst, uint64(c.Addr))
				dst = binary.AppendUvarint(dst, uint64(c.Size))
				dst = binary.AppendUvarint(dst, uint64(c.FilterMask))
			}
		}
	}
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// Decode parses and validates an encoded index. Malformed input fails with
// an error wrapping ErrFormat (ErrVersion for an unknown version) that says
// what is wrong and at which byte; it never allocates more than a small
// multiple of len(b).
func Decode(b []byte) (*Index, error) {
	if len(b) > MaxEncodedSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrFormat, len(b), MaxEncodedSize)
	}
	if len(b) < len(magic)+1+4 || string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: not a chunk index (no %q header)", ErrFormat, magic)
	}
	if v := b[len(magic)]; v != version {
		return nil, fmt.Errorf("%w: version %d (this reader knows %d)", ErrVersion, v, version)
	}
	body := b[:len(b)-4]
	if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(b[len(b)-4:]); got != want {
		return nil, fmt.Errorf("%w: checksum %08x, want %08x", ErrFormat, got, want)
	}
	d := &decoder{b: body, pos: len(magic) + 1}
	ix := &Index{}
	ix.Size = d.int("granule size", math.MaxInt64)
	copy(ix.Digest[:], d.bytes("digest", 32))
	po := d.byte("parent order")
	conv := d.byte("latitude convention")
	if d.err == nil && po > healpix.MaxOrder {
		d.fail("parent order %d", po)
	}
	if d.err == nil && conv > byte(healpix.Geodetic) {
		d.fail("latitude convention %d", conv)
	}
	ix.ParentOrder, ix.Convention = int(po), healpix.LatitudeConvention(conv)
	ncells := uint64(12) << (2 * uint(min(po, healpix.MaxOrder)))
	ng := d.count("groups", maxGroups)
	for range ng {
		if d.err != nil {
			break
		}
		ix.Groups = append(ix.Groups, d.group(ix, ncells))
	}
	if d.err == nil && d.pos != len(d.b) {
		d.fail("%d bytes after the last group", len(d.b)-d.pos)
	}
	if d.err != nil {
		return nil, d.err
	}
	return ix, nil
}

// decoder reads varints and strings, remembering the first error.
type decoder struct {
	b   []byte
	pos int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrFormat, d.pos, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.pos:])
	if n <= 0 {
		d.fail("%s: truncated or overlong varint", what)
		return 0
	}
	d.pos += n
	return v
}

// int reads a varint that must be at most lim.
func (d *decoder) int(what string, lim int64) int64 {
	v := d.uvarint(what)
	if d.err == nil && v > uint64(lim) {
		d.fail("%s %d exceeds %d", what, v, lim)
		return 0
	}
	return int64(v)
}

// count reads a count of items that each take at least one byte.
func (d *decoder) count(what string, lim int) int {
	v := d.int(what, int64(lim))
	if d.err == nil && v > int64(len(d.b)-d.pos) {
		d.fail("%d %s in the %d bytes left", v, what, len(d.b)-d.pos)
		return 0
	}
	return int(v)
}

func (d *decoder) byte(what string) byte {
	if d.err != nil {
		return 0
	}
	if d.pos >= len(d.b) {
		d.fail("%s: truncated", what)
		return 0
	}
	d.pos++
	return d.b[d.pos-1]
}

func (d *decoder) bytes(what string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.pos {
		d.fail("%s: truncated", what)
		return nil
	}
	d.pos += n
	return d.b[d.pos-n : d.pos]
}

func (d *decoder) string(what string) string {
	return string(d.bytes(what, d.count(what+" length", maxString)))
}

func (d *decoder) group(ix *Index, ncells uint64) Group {
	g := Group{Name: d.string("group name")}
	g.Rows = d.int("rows", math.MaxInt64)
	g.BlockRows = d.int("block rows", math.MaxInt64)
	nb := d.count("blocks", math.MaxInt32)
	if d.err != nil {
		return g
	}
	if g.BlockRows <= 0 && g.Rows > 0 {
		d.fail("group %s: %d rows in blocks of %d", g.Name, g.Rows, g.BlockRows)
		return g
	}
	if g.BlockRows > 0 && int64(nb) != (g.Rows+g.BlockRows-1)/g.BlockRows {
		d.fail("group %s: %d blocks for %d rows in blocks of %d", g.Name, nb, g.Rows, g.BlockRows)
		return g
	}
	g.CellStart = make([]int, 1, nb+1)
	for range nb {
		nc := d.count("cells", int(ncells))
		prev := uint64(0)
		for k := range nc {
			v := d.uvarint("cell")
			if k > 0 {
				if v == 0 || v > ncells-prev {
					d.fail("group %s: cell delta %d after %d (cells must ascend below %d)", g.Name, v, prev, ncells)
				}
				v += prev
			}
			if d.err == nil && v >= ncells {
				d.fail("group %s: cell %d at order %d", g.Name, v, ix.ParentOrder)
			}
			if d.err != nil {
				return g
			}
			g.Cells = append(g.Cells, v)
			prev = v
		}
		g.CellStart = append(g.CellStart, len(g.Cells))
	}
	nd := d.count("datasets", maxDatasets)
	for range nd {
		if d.err != nil {
			return g
		}
		g.Datasets = append(g.Datasets, d.dataset(ix))
	}
	if d.err == nil && nd < 2 {
		d.fail("group %s: %d datasets, want the two coordinates at least", g.Name, nd)
	}
	if d.err == nil && (g.Datasets[0].Rows != g.Rows || g.Datasets[1].Rows != g.Rows) {
		d.fail("group %s: %d rows but coordinates of %d and %d", g.Name, g.Rows, g.Datasets[0].Rows, g.Datasets[1].Rows)
	}
	return g
}

func (d *decoder) dataset(ix *Index) Dataset {
	ds := Dataset{Path: d.string("dataset path")}
	ds.Rows = d.int("dataset rows", math.MaxInt64)
	flags := d.byte("dataset flags")
	ds.ChunkRows = d.int("chunk rows", math.MaxInt64)
	ds.IndexAddr = d.int("chunk index address", ix.Size) - 1
	ds.HeaderAddr = d.int("object header address", ix.Size-1)
	nc := d.count("chunks", math.MaxInt32)
	if d.err != nil {
		return ds
	}
	switch {
	case flags > 1:
		d.fail("dataset %s: flags %d", ds.Path, flags)
	case flags == 0 && (nc != 0 || ds.ChunkRows != 0):
		d.fail("dataset %s: not chunked but %d chunks of %d rows", ds.Path, nc, ds.ChunkRows)
	case flags == 1 && ds.ChunkRows <= 0:
		d.fail("dataset %s: chunked in chunks of %d rows", ds.Path, ds.ChunkRows)
	case flags == 1 && int64(nc) > (ds.Rows+ds.ChunkRows-1)/ds.ChunkRows:
		d.fail("dataset %s: %d chunks for %d rows in chunks of %d", ds.Path, nc, ds.Rows, ds.ChunkRows)
	}
	if d.err != nil {
		return ds
	}
	ds.Chunked = flags == 1
	ds.Chunks = make([]Chunk, 0, nc)
	limit := (ds.Rows + max(ds.ChunkRows, 1) - 1) / max(ds.ChunkRows, 1) // chunk numbers below it
	next := int64(0)
	for range nc {
		num := d.int("chunk number", limit-next) + next
		addr := d.int("chunk address", ix.Size)
		size := d.int("chunk size", ix.Size)
		mask := d.int("filter mask", math.MaxUint32)
		if d.err != nil {
			return ds
		}
		if num >= limit {
			d.fail("dataset %s: chunk %d of %d", ds.Path, num, limit)
			return ds
		}
		if size == 0 || addr > ix.Size-size {
			d.fail("dataset %s: chunk %d at %d of %d bytes outside the %d-byte granule", ds.Path, num, addr, size, ix.Size)
			return ds
		}
		ds.Chunks = append(ds.Chunks, Chunk{Row: num * ds.ChunkRows, Addr: addr, Size: size, FilterMask: uint32(mask)})
		next = num + 1
	}
	return ds
}
