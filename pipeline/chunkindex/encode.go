package chunkindex

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/varint"
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
	d := newDecoder(body, len(magic)+1)
	ix := &Index{}
	ix.Size = d.Int("granule size", math.MaxInt64)
	copy(ix.Digest[:], d.Bytes("digest", 32))
	po := d.Byte("parent order")
	conv := d.Byte("latitude convention")
	if d.Err == nil && po > healpix.MaxOrder {
		d.Fail("parent order %d", po)
	}
	if d.Err == nil && conv > byte(healpix.Geodetic) {
		d.Fail("latitude convention %d", conv)
	}
	ix.ParentOrder, ix.Convention = int(po), healpix.LatitudeConvention(conv)
	ncells := uint64(12) << (2 * uint(min(po, healpix.MaxOrder)))
	ng := d.Count("groups", maxGroups)
	for range ng {
		if d.Err != nil {
			break
		}
		ix.Groups = append(ix.Groups, d.group(ix, ncells))
	}
	if d.Err == nil && d.Pos != len(d.B) {
		d.Fail("%d bytes after the last group", len(d.B)-d.Pos)
	}
	if d.Err != nil {
		return nil, d.Err
	}
	return ix, nil
}

// decoder is the varint decoder of the format's errors (ErrFormat, the
// byte position in the index).
type decoder struct{ varint.Decoder }

func newDecoder(b []byte, pos int) *decoder {
	return &decoder{varint.Decoder{B: b, Pos: pos, Class: ErrFormat, Where: "at byte"}}
}

func (d *decoder) string(what string) string {
	return string(d.Bytes(what, d.Count(what+" length", maxString)))
}

func (d *decoder) group(ix *Index, ncells uint64) Group {
	g := Group{Name: d.string("group name")}
	g.Rows = d.Int("rows", math.MaxInt64)
	g.BlockRows = d.Int("block rows", math.MaxInt64)
	nb := d.Count("blocks", math.MaxInt32)
	if d.Err != nil {
		return g
	}
	if g.BlockRows <= 0 && g.Rows > 0 {
		d.Fail("group %s: %d rows in blocks of %d", g.Name, g.Rows, g.BlockRows)
		return g
	}
	if g.BlockRows > 0 && int64(nb) != (g.Rows+g.BlockRows-1)/g.BlockRows {
		d.Fail("group %s: %d blocks for %d rows in blocks of %d", g.Name, nb, g.Rows, g.BlockRows)
		return g
	}
	g.CellStart = make([]int, 1, nb+1)
	for range nb {
		nc := d.Count("cells", int(ncells))
		prev := uint64(0)
		for k := range nc {
			v := d.Uvarint("cell")
			if k > 0 {
				if v == 0 || v > ncells-prev {
					d.Fail("group %s: cell delta %d after %d (cells must ascend below %d)", g.Name, v, prev, ncells)
				}
				v += prev
			}
			if d.Err == nil && v >= ncells {
				d.Fail("group %s: cell %d at order %d", g.Name, v, ix.ParentOrder)
			}
			if d.Err != nil {
				return g
			}
			g.Cells = append(g.Cells, v)
			prev = v
		}
		g.CellStart = append(g.CellStart, len(g.Cells))
	}
	nd := d.Count("datasets", maxDatasets)
	for range nd {
		if d.Err != nil {
			return g
		}
		g.Datasets = append(g.Datasets, d.dataset(ix))
	}
	if d.Err == nil && nd < 2 {
		d.Fail("group %s: %d datasets, want the two coordinates at least", g.Name, nd)
	}
	if d.Err == nil && (g.Datasets[0].Rows != g.Rows || g.Datasets[1].Rows != g.Rows) {
		d.Fail("group %s: %d rows but coordinates of %d and %d", g.Name, g.Rows, g.Datasets[0].Rows, g.Datasets[1].Rows)
	}
	return g
}

func (d *decoder) dataset(ix *Index) Dataset {
	ds := Dataset{Path: d.string("dataset path")}
	ds.Rows = d.Int("dataset rows", math.MaxInt64)
	flags := d.Byte("dataset flags")
	ds.ChunkRows = d.Int("chunk rows", math.MaxInt64)
	ds.IndexAddr = d.Int("chunk index address", ix.Size) - 1
	ds.HeaderAddr = d.Int("object header address", ix.Size-1)
	nc := d.Count("chunks", math.MaxInt32)
	if d.Err != nil {
		return ds
	}
	switch {
	case flags > 1:
		d.Fail("dataset %s: flags %d", ds.Path, flags)
	case flags == 0 && (nc != 0 || ds.ChunkRows != 0):
		d.Fail("dataset %s: not chunked but %d chunks of %d rows", ds.Path, nc, ds.ChunkRows)
	case flags == 1 && ds.ChunkRows <= 0:
		d.Fail("dataset %s: chunked in chunks of %d rows", ds.Path, ds.ChunkRows)
	case flags == 1 && int64(nc) > (ds.Rows+ds.ChunkRows-1)/ds.ChunkRows:
		d.Fail("dataset %s: %d chunks for %d rows in chunks of %d", ds.Path, nc, ds.Rows, ds.ChunkRows)
	}
	if d.Err != nil {
		return ds
	}
	ds.Chunked = flags == 1
	ds.Chunks = make([]Chunk, 0, nc)
	limit := (ds.Rows + max(ds.ChunkRows, 1) - 1) / max(ds.ChunkRows, 1) // chunk numbers below it
	next := int64(0)
	for range nc {
		num := d.Int("chunk number", limit-next) + next
		addr := d.Int("chunk address", ix.Size)
		size := d.Int("chunk size", ix.Size)
		mask := d.Int("filter mask", math.MaxUint32)
		if d.Err != nil {
			return ds
		}
		if num >= limit {
			d.Fail("dataset %s: chunk %d of %d", ds.Path, num, limit)
			return ds
		}
		if size == 0 || addr > ix.Size-size {
			d.Fail("dataset %s: chunk %d at %d of %d bytes outside the %d-byte granule", ds.Path, num, addr, size, ix.Size)
			return ds
		}
		ds.Chunks = append(ds.Chunks, Chunk{Row: num * ds.ChunkRows, Addr: addr, Size: size, FilterMask: uint32(mask)})
		next = num + 1
	}
	return ds
}
