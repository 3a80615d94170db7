// Package varint reads the varint-coded binary forms of zagg's sidecar
// objects (the chunk indexes of pipeline/chunkindex and the cell maps of
// pipeline/cellmap). A Decoder remembers its first error, after which every
// read returns zero values, so a decoder is a straight sequence of reads
// followed by one error check; and it bounds every count by the bytes left,
// so a hostile object never makes its reader allocate more than the object
// holds.
package varint

import (
	"encoding/binary"
	"fmt"
)

// Decoder reads from B starting at Pos. Err is the first error; it wraps
// Class and names the position as Where (e.g. "at byte") and Pos.
type Decoder struct {
	B     []byte
	Pos   int
	Err   error
	Class error
	Where string
}

// Left returns the number of bytes not read yet.
func (d *Decoder) Left() int { return len(d.B) - d.Pos }

// Fail records an error at the current position, unless one is recorded
// already.
func (d *Decoder) Fail(format string, args ...any) {
	if d.Err == nil {
		d.Err = fmt.Errorf("%w: %s %d: %s", d.Class, d.Where, d.Pos, fmt.Sprintf(format, args...))
	}
}

// Uvarint reads an unsigned varint; what names it in the error.
func (d *Decoder) Uvarint(what string) uint64 {
	if d.Err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.B[d.Pos:])
	if n <= 0 {
		d.Fail("%s: truncated or overlong varint", what)
		return 0
	}
	d.Pos += n
	return v
}

// Int reads a varint that must be at most lim.
func (d *Decoder) Int(what string, lim int64) int64 {
	v := d.Uvarint(what)
	if d.Err == nil && v > uint64(lim) {
		d.Fail("%s %d exceeds %d", what, v, lim)
		return 0
	}
	return int64(v)
}

// Count reads a count, at most lim, of items that each take at least one
// byte: a count larger than the bytes left is an error.
func (d *Decoder) Count(what string, lim int) int {
	v := d.Int(what, int64(lim))
	if d.Err == nil && v > int64(d.Left()) {
		d.Fail("%d %s in the %d bytes left", v, what, d.Left())
		return 0
	}
	return int(v)
}

// Byte reads one byte.
func (d *Decoder) Byte(what string) byte {
	b := d.Bytes(what, 1)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// Bytes returns the next n bytes (a subslice of B, not a copy).
func (d *Decoder) Bytes(what string, n int) []byte {
	if d.Err != nil {
		return nil
	}
	if n < 0 || n > d.Left() {
		d.Fail("%s: truncated", what)
		return nil
	}
	d.Pos += n
	return d.B[d.Pos-n : d.Pos]
}
