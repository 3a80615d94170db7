package h5read

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
)

// Attribute is a decoded attribute.
//
// Value holds, for numeric types, int64 (signed), uint64 (unsigned) or
// float64 for a scalar and []int64, []uint64 or []float64 for an array; for
// strings, string or []string (fixed-length strings are cut at the first NUL
// and, like h5py, keep trailing spaces). Attributes of other classes
// (references, compounds, variable-length sequences such as
// DIMENSION_LIST) and attributes using features this reader does not
// implement (shared datatypes) are listed with Value nil, so they never make
// the object they belong to unreadable.
type Attribute struct {
	Name  string
	Dtype Dtype
	Shape []int // nil for a scalar
	Value any
}

func (f *File) attributes(ctx context.Context, h *objHeader, what string) ([]Attribute, error) {
	var out []Attribute
	for i := range h.msgs {
		m := &h.msgs[i]
		if m.typ != msgAttribute {
			continue
		}
		a, err := f.parseAttribute(ctx, m.data, m.addr, what)
		if err != nil && !errors.Is(err, ErrUnsupported) {
			return nil, err
		}
		out = append(out, a) // unsupported: listed with Value nil
	}
	if m := h.find(msgAttrInfo); m != nil {
		ai, err := parseAttrInfo(m, what, f.so)
		if err != nil {
			return nil, err
		}
		if !undef(ai.heap, f.so) {
			heap, err := f.openHeap(ctx, ai.heap, what+": attributes")
			if err != nil {
				return nil, err
			}
			bt, err := f.openBTree2(ctx, ai.nameIdx, what+": attribute name index")
			if err != nil {
				return nil, err
			}
			if bt.typ != 8 {
				return nil, errf(ErrCorrupt, what, bt.addr, "attribute name index has record type %d", bt.typ)
			}
			err = f.walkBTree2(ctx, bt, nil, func(rec []byte) (bool, error) {
				if len(rec) < heap.idLen {
					return true, errf(ErrCorrupt, what, bt.addr, "short attribute record")
				}
				obj, err := f.heapObject(ctx, heap, rec[:heap.idLen])
				if err != nil {
					return true, err
				}
				a, err := f.parseAttribute(ctx, obj, heap.addr, what)
				if err != nil && !errors.Is(err, ErrUnsupported) {
					return true, err
				}
				out = append(out, a)
				return len(out) > 1<<16, nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (f *File) parseAttribute(ctx context.Context, b []byte, addr int64, what string) (Attribute, error) {
	w := what + ": attribute message"
	c := newCursor(b, addr, w, f.so, f.sl)
	ver := c.u8()
	flags := c.u8()
	nameLen := int(c.u16())
	dtLen := int(c.u16())
	dsLen := int(c.u16())
	pad := func(n int) int { return n }
	switch ver {
	case 1:
		pad = func(n int) int { return (n + 7) &^ 7 }
	case 2:
	case 3:
		c.u8() // name charset
	default:
		return Attribute{}, errf(ErrCorrupt, w, addr, "version %d", ver)
	}
	name := cstring(c.take(pad(nameLen)))
	if flags&3 != 0 {
		return Attribute{Name: name}, errf(ErrUnsupported, w, addr, "shared datatype or dataspace in attribute %q", name)
	}
	dtb := c.take(pad(dtLen))
	dsOff := c.off()
	dsb := c.take(pad(dsLen))
	if c.err != nil {
		return Attribute{}, c.err
	}
	a := Attribute{Name: name}
	aw := what + ": attribute " + name
	dt, err := parseDatatype(dtb, dsOff-int64(pad(dtLen)), aw)
	a.Dtype = dt
	if err != nil && dt.Size == 0 {
		return a, err
	}
	supported := err == nil
	ds, err := parseDataspace(&message{data: dsb, addr: dsOff}, aw)
	if err != nil {
		return a, err
	}
	n, ok := ds.nelems()
	if !ok || n > uint64(c.remaining()) {
		return a, errf(ErrCorrupt, aw, c.off(), "%d elements do not fit the message", n)
	}
	if !ds.scalar {
		a.Shape = make([]int, len(ds.dims))
		for i, d := range ds.dims {
			a.Shape[i] = int(d)
		}
	}
	esize := dt.Size
	if dt.Class == ClassVarLen {
		esize = 4 + f.so + 4
	}
	if n*uint64(esize) > uint64(c.remaining()) {
		return a, errf(ErrCorrupt, aw, c.off(), "%d elements of %d bytes do not fit the message", n, esize)
	}
	data := c.take(int(n) * esize)
	if !supported || ds.null {
		return a, nil
	}
	switch {
	case dt.numeric():
		le := make([]byte, len(data))
		copy(le, data)
		dt.toLE(le)
		switch {
		case dt.Class == ClassFloat:
			v := make([]float64, n)
			for i := range v {
				v[i] = dt.float64At(le, i)
			}
			a.Value = scalarOrSlice(v, ds.scalar)
		case dt.Signed:
			v := make([]int64, n)
			for i := range v {
				v[i] = dt.scalar(le[i*dt.Size:]).(int64)
			}
			a.Value = scalarOrSlice(v, ds.scalar)
		default:
			v := make([]uint64, n)
			for i := range v {
				v[i] = dt.scalar(le[i*dt.Size:]).(uint64)
			}
			a.Value = scalarOrSlice(v, ds.scalar)
		}
	case dt.Class == ClassString:
		v := make([]string, n)
		for i := range v {
			v[i] = fixedString(data[i*esize : (i+1)*esize])
		}
		a.Value = scalarOrSlice(v, ds.scalar)
	case dt.Class == ClassVarLen && dt.VarString:
		v := make([]string, n)
		for i := range v {
			e := data[i*esize : (i+1)*esize]
			ln := binary.LittleEndian.Uint32(e)
			gaddr := leUint(e[4 : 4+f.so])
			idx := binary.LittleEndian.Uint32(e[4+f.so:])
			s, err := f.globalHeapObject(ctx, gaddr, idx, aw)
			if err != nil {
				return a, err
			}
			if uint64(ln) < uint64(len(s)) {
				s = s[:ln]
			}
			v[i] = strings.TrimRight(string(s), "\x00")
		}
		a.Value = scalarOrSlice(v, ds.scalar)
	}
	return a, nil
}

func scalarOrSlice[T any](v []T, scalar bool) any {
	if scalar && len(v) == 1 {
		return v[0]
	}
	return v
}

func fixedString(b []byte) string { return cstring(b) }

// globalHeapObject returns object idx of the global heap collection at addr.
func (f *File) globalHeapObject(ctx context.Context, addr uint64, idx uint32, what string) ([]byte, error) {
	w := what + ": global heap"
	if addr == 0 && idx == 0 {
		return nil, nil // empty string
	}
	b, err := f.st.meta(ctx, int64(addr), int64(8+f.sl))
	if err != nil {
		return nil, wrapObj(w, err)
	}
	c := newCursor(b, int64(addr), w, f.so, f.sl)
	c.sig("GCOL")
	c.skip(4)
	size := c.length()
	if c.err != nil {
		return nil, c.err
	}
	if size < uint64(8+f.sl) || size > uint64(f.size) || size > 1<<30 {
		return nil, errf(ErrCorrupt, w, int64(addr), "collection size %d", size)
	}
	b, err = f.st.meta(ctx, int64(addr), int64(size))
	if err != nil {
		return nil, wrapObj(w, err)
	}
	c = newCursor(b, int64(addr), w, f.so, f.sl)
	c.skip(8 + f.sl)
	for c.remaining() >= 8+f.sl {
		id := c.u16()
		c.skip(6)
		n := c.length()
		if id == 0 {
			break
		}
		if n > uint64(c.remaining()) {
			return nil, errf(ErrCorrupt, w, c.off(), "object %d of %d bytes overruns the collection", id, n)
		}
		data := c.take(int(n))
		c.skip(int((n+7)&^7 - n))
		if uint32(id) == idx {
			return data, nil
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	return nil, errf(ErrCorrupt, w, int64(addr), "object %d not in the collection", idx)
}
