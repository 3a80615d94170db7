package h5read

import (
	"encoding/binary"
	"math/bits"
)

// cursor decodes little-endian fields from a byte slice with a sticky error:
// after the first out-of-bounds read every further read returns zero and the
// error names the structure and the absolute file offset.
type cursor struct {
	b    []byte
	pos  int
	base int64 // file address of b[0]
	what string
	err  error
	so   int // size of offsets
	sl   int // size of lengths
}

func newCursor(b []byte, base int64, what string, so, sl int) *cursor {
	return &cursor{b: b, base: base, what: what, so: so, sl: sl}
}

func (c *cursor) fail(n int) {
	if c.err == nil {
		c.err = errf(ErrCorrupt, c.what, c.base+int64(c.pos), "truncated: need %d bytes, have %d", n, len(c.b)-c.pos)
	}
}

// failf records a format error at the current position.
func (c *cursor) failf(sentinel error, format string, args ...any) {
	if c.err == nil {
		c.err = errf(sentinel, c.what, c.base+int64(c.pos), format, args...)
	}
}

func (c *cursor) off() int64 { return c.base + int64(c.pos) }

func (c *cursor) remaining() int {
	if c.err != nil {
		return 0
	}
	return len(c.b) - c.pos
}

func (c *cursor) take(n int) []byte {
	if c.err != nil {
		return nil
	}
	if n < 0 || n > len(c.b)-c.pos {
		c.fail(n)
		return nil
	}
	p := c.b[c.pos : c.pos+n]
	c.pos += n
	return p
}

func (c *cursor) skip(n int) { c.take(n) }

func (c *cursor) u8() uint8 {
	p := c.take(1)
	if p == nil {
		return 0
	}
	return p[0]
}

func (c *cursor) u16() uint16 {
	p := c.take(2)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint16(p)
}

func (c *cursor) u32() uint32 {
	p := c.take(4)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(p)
}

func (c *cursor) u64() uint64 {
	p := c.take(8)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
}

// uvar reads an n-byte little-endian unsigned integer (0 ≤ n ≤ 8).
func (c *cursor) uvar(n int) uint64 {
	if n > 8 {
		c.failf(ErrUnsupported, "%d-byte integer field", n)
		return 0
	}
	p := c.take(n)
	if p == nil {
		return 0
	}
	return leUint(p)
}

func (c *cursor) addr() uint64   { return c.uvar(c.so) }
func (c *cursor) length() uint64 { return c.uvar(c.sl) }

// sig checks a 4-byte signature.
func (c *cursor) sig(s string) {
	p := c.take(4)
	if p != nil && string(p) != s {
		c.pos -= 4
		c.failf(ErrCorrupt, "bad signature %q, want %q", p, s)
	}
}

func leUint(p []byte) uint64 {
	var v uint64
	for i := len(p) - 1; i >= 0; i-- {
		v = v<<8 | uint64(p[i])
	}
	return v
}

// undef reports whether an address of the file's offset size is the
// "undefined address" (all bits set).
func undef(a uint64, so int) bool {
	if so >= 8 {
		return a == ^uint64(0)
	}
	return a == (uint64(1)<<(8*so))-1
}

// bytesFor returns the number of bytes HDF5 uses to encode values up to m:
// floor(log2(m))/8 + 1 (H5VM_limit_enc_size).
func bytesFor(m uint64) int {
	if m == 0 {
		return 1
	}
	return (bits.Len64(m)-1)/8 + 1
}

// log2 of a power of two (or floor log2).
func log2(v uint64) int {
	if v == 0 {
		return 0
	}
	return bits.Len64(v) - 1
}
