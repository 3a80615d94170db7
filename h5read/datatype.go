package h5read

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Class is an HDF5 datatype class.
type Class uint8

// Datatype classes (HDF5 File Format Specification, datatype message).
const (
	ClassFixed     Class = 0  // fixed-point (integer)
	ClassFloat     Class = 1  // IEEE floating point
	ClassTime      Class = 2  // time
	ClassString    Class = 3  // fixed-length string
	ClassBitfield  Class = 4  // bit field
	ClassOpaque    Class = 5  // opaque
	ClassCompound  Class = 6  // compound
	ClassReference Class = 7  // object or region reference
	ClassEnum      Class = 8  // enumeration
	ClassVarLen    Class = 9  // variable-length sequence or string
	ClassArray     Class = 10 // array
)

var classNames = [...]string{"fixed-point", "floating-point", "time", "string", "bitfield", "opaque",
	"compound", "reference", "enum", "variable-length", "array"}

// String returns the class name, e.g. "floating-point".
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// Dtype describes an element type. Numeric reads support ClassFixed (sizes
// 1, 2, 4, 8; signed or unsigned) and ClassFloat (sizes 4 and 8), in either
// byte order. Strings (fixed and variable length) are decoded for attributes.
type Dtype struct {
	Class     Class
	Size      int  // bytes per element
	Signed    bool // fixed-point: two's complement
	BigEndian bool // numeric byte order in the file
	VarString bool // ClassVarLen holding a string
}

// String returns the numpy-style type string, e.g. "<f8", "|i1", ">i4",
// "|S16", or "vlen-str" and the class name for other types.
func (d Dtype) String() string {
	order := byte('<')
	if d.BigEndian {
		order = '>'
	}
	if d.Size == 1 {
		order = '|'
	}
	switch d.Class {
	case ClassFixed:
		k := 'u'
		if d.Signed {
			k = 'i'
		}
		return fmt.Sprintf("%c%c%d", order, k, d.Size)
	case ClassFloat:
		return fmt.Sprintf("%cf%d", order, d.Size)
	case ClassString:
		return fmt.Sprintf("|S%d", d.Size)
	case ClassVarLen:
		if d.VarString {
			return "vlen-str"
		}
	}
	return d.Class.String()
}

// numeric reports whether values of this type can be read as numbers.
func (d Dtype) numeric() bool {
	switch d.Class {
	case ClassFixed:
		return d.Size == 1 || d.Size == 2 || d.Size == 4 || d.Size == 8
	case ClassFloat:
		return d.Size == 4 || d.Size == 8
	}
	return false
}

// parseDatatype decodes a datatype message. Unsupported classes return a Dtype
// with only Class and Size set (enough to skip over attribute data).
func parseDatatype(b []byte, addr int64, what string) (Dtype, error) {
	c := newCursor(b, addr, what+": datatype message", 8, 8)
	cv := c.u8()
	bf := c.take(3)
	size := c.u32()
	if c.err != nil {
		return Dtype{}, c.err
	}
	ver, class := cv>>4, Class(cv&0x0f)
	if ver < 1 || ver > 5 {
		return Dtype{}, errf(ErrCorrupt, what+": datatype message", addr, "version %d", ver)
	}
	if size == 0 || size > 1<<24 {
		return Dtype{}, errf(ErrCorrupt, what+": datatype message", addr, "element size %d", size)
	}
	d := Dtype{Class: class, Size: int(size)}
	switch class {
	case ClassFixed:
		d.BigEndian = bf[0]&1 != 0
		d.Signed = bf[0]&8 != 0
		off, prec := c.u16(), c.u16()
		if c.err == nil && (off != 0 || int(prec) != 8*d.Size) {
			return d, errf(ErrUnsupported, what+": datatype message", addr, "fixed-point with bit offset %d precision %d", off, prec)
		}
	case ClassFloat:
		d.BigEndian = bf[0]&1 != 0
		if bf[0]&0x40 != 0 {
			return d, errf(ErrUnsupported, what+": datatype message", addr, "VAX byte order")
		}
		off, prec := c.u16(), c.u16()
		if c.err == nil && (off != 0 || int(prec) != 8*d.Size) {
			return d, errf(ErrUnsupported, what+": datatype message", addr, "float with bit offset %d precision %d", off, prec)
		}
	case ClassVarLen:
		// bits 0-3: 0 sequence, 1 string.
		d.VarString = bf[0]&0x0f == 1
	}
	return d, c.err
}

// toLE converts n elements of raw file-order data in place to little-endian.
func (d Dtype) toLE(b []byte) {
	if !d.BigEndian || d.Size == 1 {
		return
	}
	swapBytes(b, d.Size)
}

func swapBytes(b []byte, size int) {
	switch size {
	case 2:
		for i := 0; i+1 < len(b); i += 2 {
			b[i], b[i+1] = b[i+1], b[i]
		}
	case 4:
		for i := 0; i+3 < len(b); i += 4 {
			binary.LittleEndian.PutUint32(b[i:], binary.BigEndian.Uint32(b[i:]))
		}
	case 8:
		for i := 0; i+7 < len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], binary.BigEndian.Uint64(b[i:]))
		}
	default:
		for i := 0; i+size <= len(b); i += size {
			e := b[i : i+size]
			for j, k := 0, size-1; j < k; j, k = j+1, k-1 {
				e[j], e[k] = e[k], e[j]
			}
		}
	}
}

// scalar decodes one little-endian element as int64, uint64 or float64.
func (d Dtype) scalar(le []byte) any {
	switch d.Class {
	case ClassFloat:
		if d.Size == 4 {
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(le)))
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(le))
	case ClassFixed:
		u := leUint(le[:d.Size])
		if d.Signed {
			shift := uint(64 - 8*d.Size)
			return int64(u<<shift) >> shift
		}
		return u
	}
	return nil
}

// float64At decodes element i of little-endian data as float64.
func (d Dtype) float64At(le []byte, i int) float64 {
	switch v := d.scalar(le[i*d.Size : (i+1)*d.Size]).(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	}
	return math.NaN()
}
