package h5read

import (
	"context"
	"encoding/binary"
	"fmt"
)

// Object header message types used by this reader.
const (
	msgNil          = 0x00
	msgDataspace    = 0x01
	msgLinkInfo     = 0x02
	msgDatatype     = 0x03
	msgFillOld      = 0x04
	msgFill         = 0x05
	msgLink         = 0x06
	msgExternal     = 0x07
	msgLayout       = 0x08
	msgBogus        = 0x09
	msgGroupInfo    = 0x0A
	msgFilters      = 0x0B
	msgAttribute    = 0x0C
	msgComment      = 0x0D
	msgModTimeOld   = 0x0E
	msgSharedTable  = 0x0F
	msgContinuation = 0x10
	msgSymbolTable  = 0x11
	msgModTime      = 0x12
	msgBTreeK       = 0x13
	msgDriverInfo   = 0x14
	msgAttrInfo     = 0x15
	msgRefCount     = 0x16
	msgFSInfo       = 0x17
)

// Limits that bound work on hostile files.
const (
	maxMessages      = 1 << 16 // messages in one object header
	maxContinuations = 1 << 12 // continuation blocks in one object header
	maxRank          = 32      // HDF5's H5S_MAX_RANK
	maxTreeNodes     = 1 << 16 // nodes visited in one index walk
	maxHeaderBlock   = 1 << 26 // bytes in one object header block
)

type message struct {
	typ   uint16
	flags uint8
	data  []byte
	addr  int64 // file offset of data
}

// objHeader is a parsed object header: all messages from all blocks, in
// order of appearance.
type objHeader struct {
	addr    int64
	version int
	msgs    []message
}

// detach copies the message bytes into one buffer of their own, so a
// cached header does not pin the metadata blocks it was read from (the
// block cache's byte cap then bounds what those blocks hold).
func (h *objHeader) detach() {
	n := 0
	for _, m := range h.msgs {
		n += len(m.data)
	}
	buf := make([]byte, 0, n)
	for i := range h.msgs {
		start := len(buf)
		buf = append(buf, h.msgs[i].data...)
		h.msgs[i].data = buf[start:len(buf):len(buf)]
	}
}

func (h *objHeader) find(typ uint16) *message {
	for i := range h.msgs {
		if h.msgs[i].typ == typ {
			return &h.msgs[i]
		}
	}
	return nil
}

// readObjHeader parses the object header at addr and follows every
// continuation block.
func (f *File) readObjHeader(ctx context.Context, addr uint64, name string) (*objHeader, error) {
	what := name + ": object header"
	if undef(addr, f.so) || int64(addr) >= f.size || addr > uint64(f.size) {
		return nil, errf(ErrCorrupt, what, int64(addr), "address outside the %d-byte file", f.size)
	}
	a := int64(addr)
	pre, err := f.st.meta(ctx, a, 16)
	if err != nil {
		return nil, wrapObj(what, err)
	}
	h := &objHeader{addr: a}
	type block struct {
		off, n int64
	}
	var pending []block
	seen := map[int64]bool{}
	if len(pre) >= 4 && string(pre[:4]) == "OHDR" {
		h.version = 2
		b, err := f.st.meta(ctx, a, 4+1+1+16+4+8)
		if err != nil {
			return nil, wrapObj(what, err)
		}
		c := newCursor(b, a, what, f.so, f.sl)
		c.skip(4)
		if v := c.u8(); v != 2 && c.err == nil {
			return nil, errf(ErrUnsupported, what, a, "OHDR version %d", v)
		}
		flags := c.u8()
		if flags&0x20 != 0 {
			c.skip(16)
		}
		if flags&0x10 != 0 {
			c.skip(4)
		}
		size0 := int64(c.uvar(1 << (flags & 3)))
		if c.err != nil {
			return nil, c.err
		}
		if size0 < 0 || size0 > maxHeaderBlock || size0 > f.size {
			return nil, errf(ErrTooLarge, what, a, "first block of %d bytes", size0)
		}
		prefix := int64(c.pos)
		whole, err := f.st.meta(ctx, a, prefix+size0+4)
		if err != nil {
			return nil, wrapObj(what, err)
		}
		if int64(len(whole)) < prefix+size0+4 {
			return nil, errf(ErrCorrupt, what, a, "header block runs past the end of the file")
		}
		if f.cfg.verify {
			if err := checkSum(whole, int(prefix+size0), what, a); err != nil {
				return nil, err
			}
		}
		conts, err := h.parseV2(whole[prefix:prefix+size0], a+prefix, flags, what, f)
		if err != nil {
			return nil, err
		}
		for _, cb := range conts {
			pending = append(pending, block(cb))
		}
		for len(pending) > 0 {
			cb := pending[0]
			pending = pending[1:]
			if seen[cb.off] || len(seen) >= maxContinuations {
				return nil, errf(ErrCorrupt, what, cb.off, "continuation loop or too many continuation blocks")
			}
			seen[cb.off] = true
			if cb.n < 8 || cb.n > maxHeaderBlock || cb.off+cb.n > f.size {
				return nil, errf(ErrCorrupt, what, cb.off, "continuation block of %d bytes", cb.n)
			}
			b, err := f.st.meta(ctx, cb.off, cb.n)
			if err != nil {
				return nil, wrapObj(what, err)
			}
			if string(b[:4]) != "OCHK" {
				return nil, errf(ErrCorrupt, what, cb.off, "continuation block without OCHK signature")
			}
			if f.cfg.verify {
				if err := checkSum(b, len(b)-4, what+" continuation", cb.off); err != nil {
					return nil, err
				}
			}
			more, err := h.parseV2(b[4:len(b)-4], cb.off+4, flags, what, f)
			if err != nil {
				return nil, err
			}
			for _, m := range more {
				pending = append(pending, block(m))
			}
		}
		return h, nil
	}
	// Version 1.
	c := newCursor(pre, a, what, f.so, f.sl)
	if v := c.u8(); v != 1 {
		return nil, errf(ErrCorrupt, what, a, "unknown object header version %d", v)
	}
	h.version = 1
	c.skip(1)
	c.u16() // number of messages: the blocks are parsed to their ends instead
	c.skip(4)
	size0 := int64(c.u32())
	if c.err != nil {
		return nil, c.err
	}
	if size0 > maxHeaderBlock || a+16+size0 > f.size {
		return nil, errf(ErrCorrupt, what, a, "header block of %d bytes runs past the end of the file", size0)
	}
	pending = append(pending, block{a + 16, size0})
	for len(pending) > 0 {
		cb := pending[0]
		pending = pending[1:]
		if seen[cb.off] || len(seen) > maxContinuations {
			return nil, errf(ErrCorrupt, what, cb.off, "continuation loop or too many continuation blocks")
		}
		seen[cb.off] = true
		if cb.n < 0 || cb.n > maxHeaderBlock || cb.off+cb.n > f.size {
			return nil, errf(ErrCorrupt, what, cb.off, "header block of %d bytes", cb.n)
		}
		b, err := f.st.meta(ctx, cb.off, cb.n)
		if err != nil {
			return nil, wrapObj(what, err)
		}
		more, err := h.parseV1(b, cb.off, what, f)
		if err != nil {
			return nil, err
		}
		for _, m := range more {
			pending = append(pending, block(m))
		}
	}
	return h, nil
}

type contBlock struct{ off, n int64 }

func (h *objHeader) add(m message, what string, f *File) ([]contBlock, error) {
	if len(h.msgs) >= maxMessages {
		return nil, errf(ErrTooLarge, what, m.addr, "more than %d messages", maxMessages)
	}
	if m.flags&0x02 != 0 && m.typ != msgNil {
		return nil, errf(ErrUnsupported, what, m.addr, "shared message of type %#x", m.typ)
	}
	if m.typ == msgContinuation {
		c := newCursor(m.data, m.addr, what+": continuation message", f.so, f.sl)
		off, n := c.addr(), c.length()
		if c.err != nil {
			return nil, c.err
		}
		if off >= uint64(f.size) || n > uint64(f.size) {
			return nil, errf(ErrCorrupt, what, m.addr, "continuation block at %d length %d outside the file", off, n)
		}
		return []contBlock{{int64(off), int64(n)}}, nil
	}
	if m.flags&0x80 != 0 && !knownMessage(m.typ) {
		return nil, errf(ErrUnsupported, what, m.addr, "message type %#x marked fail-if-unknown", m.typ)
	}
	h.msgs = append(h.msgs, m)
	return nil, nil
}

func knownMessage(t uint16) bool { return t <= msgFSInfo }

func (h *objHeader) parseV1(b []byte, base int64, what string, f *File) ([]contBlock, error) {
	var conts []contBlock
	pos := 0
	for pos+8 <= len(b) {
		typ := binary.LittleEndian.Uint16(b[pos:])
		size := int(binary.LittleEndian.Uint16(b[pos+2:]))
		flags := b[pos+4]
		if pos+8+size > len(b) {
			return nil, errf(ErrCorrupt, what, base+int64(pos), "message of %d bytes overruns its block", size)
		}
		m := message{typ: typ, flags: flags, data: b[pos+8 : pos+8+size], addr: base + int64(pos+8)}
		cs, err := h.add(m, what, f)
		if err != nil {
			return nil, err
		}
		conts = append(conts, cs...)
		pos += 8 + size
		// Version 1 messages are aligned to 8 bytes.
		pos = (pos + 7) &^ 7
	}
	return conts, nil
}

func (h *objHeader) parseV2(b []byte, base int64, hflags uint8, what string, f *File) ([]contBlock, error) {
	var conts []contBlock
	hdr := 4
	if hflags&0x04 != 0 {
		hdr = 6
	}
	pos := 0
	for pos+hdr <= len(b) {
		typ := uint16(b[pos])
		size := int(binary.LittleEndian.Uint16(b[pos+1:]))
		flags := b[pos+3]
		if pos+hdr+size > len(b) {
			return nil, errf(ErrCorrupt, what, base+int64(pos), "message of %d bytes overruns its block", size)
		}
		m := message{typ: typ, flags: flags, data: b[pos+hdr : pos+hdr+size], addr: base + int64(pos+hdr)}
		cs, err := h.add(m, what, f)
		if err != nil {
			return nil, err
		}
		conts = append(conts, cs...)
		pos += hdr + size
	}
	return conts, nil
}

// superblock fields needed after Open.
type superblock struct {
	version  int
	base     int64
	rootAddr uint64
	// Symbol-table root (v0/v1 with cache type 1).
	rootBTree, rootHeap uint64
	rootCached          bool
}

func (f *File) readSuperblock(ctx context.Context) error {
	// The superblock is at 0, 512, 1024, 2048, ...
	for off := int64(0); off < f.size; {
		b, err := f.st.meta(ctx, off, 8)
		if err != nil {
			return err
		}
		if string(b) == "\x89HDF\r\n\x1a\n" {
			return f.parseSuperblock(ctx, off)
		}
		if off == 0 {
			off = 512
		} else {
			off *= 2
		}
	}
	return fmt.Errorf("%w: no superblock signature in %d bytes", ErrNotHDF5, f.size)
}

func (f *File) parseSuperblock(ctx context.Context, at int64) error {
	const what = "superblock"
	b, err := f.st.meta(ctx, at, 256)
	if err != nil {
		return err
	}
	c := newCursor(b, at, what, 8, 8)
	c.skip(8)
	v := int(c.u8())
	f.sb.version = v
	switch v {
	case 0, 1:
		c.skip(4) // free-space, root entry, reserved, shared-header versions
		f.so, f.sl = int(c.u8()), int(c.u8())
		c.skip(1)
		if !validSize(f.so) || !validSize(f.sl) {
			return errf(ErrCorrupt, what, at+13, "size of offsets %d / lengths %d", f.so, f.sl)
		}
		c.so, c.sl = f.so, f.sl
		c.skip(4) // group K values
		c.skip(4) // consistency flags
		if v == 1 {
			c.skip(4)
		}
		f.sb.base = int64(c.addr())
		c.addr() // free-space info
		c.addr() // end of file
		c.addr() // driver info
		// Root group symbol table entry.
		c.addr() // link name offset
		f.sb.rootAddr = c.addr()
		cache := c.u32()
		c.skip(4)
		if cache == 1 {
			f.sb.rootBTree, f.sb.rootHeap = c.addr(), c.addr()
			f.sb.rootCached = true
		}
		if c.err != nil {
			return c.err
		}
	case 2, 3:
		f.so, f.sl = int(c.u8()), int(c.u8())
		if !validSize(f.so) || !validSize(f.sl) {
			return errf(ErrCorrupt, what, at+9, "size of offsets %d / lengths %d", f.so, f.sl)
		}
		c.so, c.sl = f.so, f.sl
		c.skip(1)
		f.sb.base = int64(c.addr())
		c.addr() // extension
		c.addr() // end of file
		f.sb.rootAddr = c.addr()
		if c.err != nil {
			return c.err
		}
		if f.cfg.verify {
			if err := checkSum(b, c.pos, what, at); err != nil {
				return err
			}
		}
	default:
		return errf(ErrUnsupported, what, at+8, "superblock version %d", v)
	}
	if f.sb.base != at {
		return errf(ErrUnsupported, what, at, "base address %d for a superblock at %d", f.sb.base, at)
	}
	if at > 0 {
		// A user block precedes the superblock: every address is relative
		// to the superblock, so the rest of the file is read from there.
		f.st.rebase(at)
		f.size -= at
	}
	return nil
}

func validSize(n int) bool { return n == 2 || n == 4 || n == 8 }
