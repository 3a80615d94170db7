package h5read

import (
	"encoding/binary"
	"math/bits"
	"sync"
)

// inflateInto decodes a raw DEFLATE stream (RFC 1951) from src into dst,
// which must have exactly the decoded size: the whole-buffer case of HDF5
// chunks, where the output is its own history window. That avoids the
// window copy of a streaming decoder. It returns the bytes written and the
// bytes of src consumed (the final block rounded up to a byte). Errors are
// ErrCorrupt; a stream that would write past dst is an error.
//
// It is checked differentially against compress/flate (TestInflateInto,
// FuzzInflateInto), and its output is verified by the zlib Adler-32.
func inflateInto(dst, src []byte) (n, consumed int, err error) {
	tabs, _ := tablePool.Get().(*[2]huffman)
	if tabs == nil {
		tabs = new([2]huffman)
	}
	defer tablePool.Put(tabs)
	lit, dist := &tabs[0], &tabs[1]
	br := bitReader{src: src}
	o := 0
	for {
		br.refill()
		final := br.take(1)
		typ := br.take(2)
		switch typ {
		case 0: // stored
			br.alignByte()
			p, ok := br.bytePos()
			if !ok || p+4 > len(src) {
				return o, 0, errInflate("truncated stored block header")
			}
			ln := int(binary.LittleEndian.Uint16(src[p:]))
			nln := int(binary.LittleEndian.Uint16(src[p+2:]))
			if ln != ^nln&0xffff {
				return o, 0, errInflate("stored block length %d does not match its complement", ln)
			}
			p += 4
			if p+ln > len(src) {
				return o, 0, errInflate("truncated stored block")
			}
			if o+ln > len(dst) {
				return o, 0, errInflate("stream longer than the %d-byte chunk", len(dst))
			}
			copy(dst[o:], src[p:p+ln])
			o += ln
			br.reset(p + ln)
		case 1:
			fixedOnce.Do(buildFixed)
			if o, err = br.decodeBlock(dst, o, &fixedLit, &fixedDist); err != nil {
				return o, 0, err
			}
		case 2:
			if err := br.readDynamic(lit, dist); err != nil {
				return o, 0, err
			}
			if o, err = br.decodeBlock(dst, o, lit, dist); err != nil {
				return o, 0, err
			}
		default:
			return o, 0, errInflate("reserved block type 3")
		}
		if br.overrun() {
			return o, 0, errInflate("truncated deflate stream")
		}
		if final == 1 {
			break
		}
	}
	used := br.usedBits()
	return o, (used + 7) / 8, nil
}

// bitReader reads DEFLATE's LSB-first bits; past the end of src it feeds
// zero bytes and counts them so overruns can be reported.
type bitReader struct {
	src   []byte
	pos   int
	bits  uint64
	nb    uint
	zeros int
}

func (b *bitReader) refill() {
	if b.pos+8 <= len(b.src) {
		b.bits |= binary.LittleEndian.Uint64(b.src[b.pos:]) << b.nb
		b.pos += int(63-b.nb) >> 3
		b.nb |= 56
		return
	}
	for b.nb <= 56 {
		if b.pos < len(b.src) {
			b.bits |= uint64(b.src[b.pos]) << b.nb
			b.pos++
		} else {
			b.zeros++
		}
		b.nb += 8
	}
}

func (b *bitReader) take(n uint) uint32 {
	v := uint32(b.bits & (1<<n - 1))
	b.bits >>= n
	b.nb -= n
	return v
}

func (b *bitReader) usedBits() int { return (b.pos+b.zeros)*8 - int(b.nb) }

func (b *bitReader) overrun() bool { return b.usedBits() > len(b.src)*8 }

func (b *bitReader) alignByte() { b.take(b.nb % 8) }

// bytePos returns the src offset of the next unread (byte-aligned) bit.
func (b *bitReader) bytePos() (int, bool) {
	u := b.usedBits()
	return u / 8, u <= len(b.src)*8
}

func (b *bitReader) reset(p int) {
	b.pos, b.bits, b.nb, b.zeros = p, 0, 0, 0
}

// huffman is a two-level decoding table: 10 bits first, then a subtable for
// longer codes. An entry is value<<16 | flags | length, with the code length
// in bits 0–4 (0 = invalid code) and the value and flags given by the
// alphabet's symbol table (see litLenSyms and distSyms: a literal byte, or
// the base and extra-bit count of a length or distance, so that the decoder
// needs no second lookup); or, for a link, subtableOffset<<16 | linkFlag |
// subtableBits.
type huffman struct {
	primary [1 << primaryBits]uint32
	sub     []uint32
}

const (
	primaryBits = 10
	linkFlag    = 1 << 5
	literalFlag = 1 << 6 // literal/length alphabet: the value is a literal byte
	endFlag     = 1 << 7 // literal/length alphabet: end of block
	// Bits 8–11 of a length or distance entry hold its extra-bit count.
	extraShift = 8
	// invalidSym in a symbol table marks a symbol that may be coded but
	// must not occur (lengths 286–287 and distances 30–31 of the fixed
	// code): its entries are 0, like those of an unused code.
	invalidSym = ^uint32(0)
)

// Symbol tables for build: the entry bits (without the code length) of each
// symbol of the literal/length and distance alphabets.
var litLenSyms, distSyms = func() (ll [288]uint32, d [32]uint32) {
	for i := range 256 {
		ll[i] = uint32(i)<<16 | literalFlag
	}
	ll[256] = endFlag
	for i := range 29 {
		ll[257+i] = uint32(lenBase[i])<<16 | uint32(lenExtra[i])<<extraShift
	}
	ll[286], ll[287] = invalidSym, invalidSym
	for i := range 30 {
		d[i] = distBase[i]<<16 | uint32(distExtra[i])<<extraShift
	}
	d[30], d[31] = invalidSym, invalidSym
	return ll, d
}()

// build makes the canonical Huffman table for code lengths lens (0 =
// unused), with the entry bits of symbol s taken from syms[s], or s<<16
// when syms is nil. Over-subscribed codes are rejected; incomplete codes
// leave invalid entries that fail when hit.
func (h *huffman) build(lens []uint8, syms []uint32) error {
	var count [16]int
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	left := 1
	for l := 1; l < 16; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return errInflate("over-subscribed Huffman code")
		}
	}
	var next [16]int
	code := 0
	for l := 1; l < 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	clear(h.primary[:])
	h.sub = h.sub[:0]
	// Subtable sizes: the longest code under each 10-bit prefix.
	var subBits [1 << primaryBits]uint8
	type long struct {
		rev uint32
		l   uint8
		e   uint32
	}
	var longs []long
	for sym, l := range lens {
		if l == 0 {
			continue
		}
		c := next[l]
		next[l]++
		rev := uint32(bits.Reverse16(uint16(c)) >> (16 - l))
		e := uint32(sym) << 16
		if syms != nil {
			e = syms[sym]
		}
		if e == invalidSym {
			e = 0
		} else {
			e |= uint32(l)
		}
		if l <= primaryBits {
			for k := rev; k < 1<<primaryBits; k += 1 << l {
				h.primary[k] = e
			}
			continue
		}
		p := rev & (1<<primaryBits - 1)
		subBits[p] = max(subBits[p], l-primaryBits)
		longs = append(longs, long{rev, l, e})
	}
	if len(longs) == 0 {
		return nil
	}
	for p, sb := range subBits {
		if sb == 0 {
			continue
		}
		h.primary[p] = uint32(len(h.sub))<<16 | linkFlag | uint32(sb)
		for range 1 << sb {
			h.sub = append(h.sub, 0)
		}
	}
	for _, lc := range longs {
		p := lc.rev & (1<<primaryBits - 1)
		link := h.primary[p]
		base, sb := link>>16, uint(link&31)
		hi := lc.rev >> primaryBits
		for k := hi; k < 1<<sb; k += 1 << (uint(lc.l) - primaryBits) {
			h.sub[base+k] = lc.e
		}
	}
	return nil
}

// decode returns the next symbol (the caller keeps ≥ 15 bits buffered).
func (b *bitReader) decode(h *huffman) (int, bool) {
	e := h.primary[b.bits&(1<<primaryBits-1)]
	if e&linkFlag != 0 {
		e = h.sub[(e>>16)+uint32(b.bits>>primaryBits)&(1<<(e&31)-1)]
	}
	n := uint(e & 31)
	if n == 0 {
		return 0, false
	}
	b.bits >>= n
	b.nb -= n
	return int(e >> 16), true
}

var (
	lenBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
		1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clOrder   = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

	fixedOnce           sync.Once
	fixedLit, fixedDist huffman

	tablePool sync.Pool
)

func buildFixed() {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	_ = fixedLit.build(l[:], litLenSyms[:])
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	_ = fixedDist.build(d[:], distSyms[:])
}

func (b *bitReader) readDynamic(lit, dist *huffman) error {
	b.refill()
	nlit := int(b.take(5)) + 257
	ndist := int(b.take(5)) + 1
	ncl := int(b.take(4)) + 4
	if nlit > 286 || ndist > 30 {
		return errInflate("%d literal/length or %d distance codes", nlit, ndist)
	}
	var cl [19]uint8
	for i := 0; i < ncl; i++ {
		if i%16 == 0 {
			b.refill()
		}
		cl[clOrder[i]] = uint8(b.take(3))
	}
	var clh huffman
	if err := clh.build(cl[:], nil); err != nil {
		return err
	}
	var lens [286 + 30]uint8
	n := nlit + ndist
	for i := 0; i < n; {
		b.refill()
		sym, ok := b.decode(&clh)
		if !ok {
			return errInflate("invalid code-length code")
		}
		switch {
		case sym < 16:
			lens[i] = uint8(sym)
			i++
		case sym == 16:
			if i == 0 {
				return errInflate("repeat with no previous length")
			}
			r := 3 + int(b.take(2))
			if i+r > n {
				return errInflate("code-length repeat overflows")
			}
			for k := 0; k < r; k++ {
				lens[i+k] = lens[i-1]
			}
			i += r
		default:
			var r int
			if sym == 17 {
				r = 3 + int(b.take(3))
			} else {
				r = 11 + int(b.take(7))
			}
			if i+r > n {
				return errInflate("code-length repeat overflows")
			}
			clear(lens[i : i+r])
			i += r
		}
		if b.overrun() {
			return errInflate("truncated dynamic block header")
		}
	}
	if lens[256] == 0 {
		return errInflate("no end-of-block code")
	}
	if err := lit.build(lens[:nlit], litLenSyms[:]); err != nil {
		return err
	}
	return dist.build(lens[nlit:n], distSyms[:])
}

// decodeBlock decodes symbols until end of block into dst from o. The bit
// buffer lives in locals inside the loop (the hot path of the package). A
// table entry carries the literal, or the base and extra-bit count of a
// length or distance, so each symbol costs one table lookup. Away from the
// ends of dst and src it hands over to decodeFast.
func (b *bitReader) decodeBlock(dst []byte, o int, lit, dist *huffman) (int, error) {
	// The bit buffer is written back at the end of the block only (after an
	// error the stream is abandoned): a deferred closure capturing these
	// locals would keep them in memory instead of registers.
	bitsv, nb := b.bits, b.nb
	src, pos := b.src, b.pos
	if o+fastOut <= len(dst) && pos+fastIn <= len(src) {
		var end bool
		o, pos, bitsv, nb, end = decodeFast(dst, o, src, pos, bitsv, nb, lit, dist)
		if end {
			b.bits, b.nb, b.pos = bitsv, nb, pos
			return o, nil
		}
	}
	for {
		if nb < 48 {
			if pos+8 <= len(src) {
				bitsv |= binary.LittleEndian.Uint64(src[pos:]) << nb
				pos += int(63-nb) >> 3
				nb |= 56
			} else {
				b.bits, b.nb, b.pos = bitsv, nb, pos
				b.refill()
				bitsv, nb, pos = b.bits, b.nb, b.pos
				if b.zeros > 8 {
					return o, errInflate("truncated deflate stream")
				}
			}
		}
		e := lit.primary[bitsv&(1<<primaryBits-1)]
		if e&linkFlag != 0 {
			e = lit.sub[(e>>16)+uint32(bitsv>>primaryBits)&(1<<(e&31)-1)]
		}
		n := uint(e & 31)
		bitsv >>= n
		nb -= n
		if e&literalFlag != 0 {
			if o >= len(dst) {
				return o, errInflate("stream longer than the %d-byte chunk", len(dst))
			}
			dst[o] = byte(e >> 16)
			o++
			continue
		}
		if n == 0 {
			return o, errInflate("invalid literal/length code")
		}
		if e&endFlag != 0 {
			b.bits, b.nb, b.pos = bitsv, nb, pos
			return o, nil
		}
		xb := uint(e>>extraShift) & 15
		length := int(e>>16) + int(bitsv&(1<<xb-1))
		bitsv >>= xb
		nb -= xb
		e = dist.primary[bitsv&(1<<primaryBits-1)]
		if e&linkFlag != 0 {
			e = dist.sub[(e>>16)+uint32(bitsv>>primaryBits)&(1<<(e&31)-1)]
		}
		n = uint(e & 31)
		if n == 0 {
			return o, errInflate("invalid distance code")
		}
		xb = uint(e>>extraShift) & 15
		d := int(e>>16) + int(bitsv>>n&(1<<xb-1))
		bitsv >>= n + xb
		nb -= n + xb
		if d > o {
			return o, errInflate("distance %d before the start of the chunk", d)
		}
		if length > len(dst)-o {
			return o, errInflate("stream longer than the %d-byte chunk", len(dst))
		}
		copyMatch(dst, o, d, length)
		o += length
	}
}

// copyMatch writes the match of the given length at distance d to
// dst[o:], which has room for it: one copy when source and destination do
// not overlap, a fill for d = 1, else the d-byte pattern repeated by
// doubling.
func copyMatch(dst []byte, o, d, length int) {
	switch {
	case d >= length:
		copy(dst[o:o+length], dst[o-d:o-d+length])
	case d == 1:
		v := dst[o-1]
		seg := dst[o : o+length]
		for k := range seg {
			seg[k] = v
		}
	default:
		seg := dst[o-d : o+length]
		for k := d; k < len(seg); k *= 2 {
			copy(seg[k:], seg[:k])
		}
	}
}

// Margins of decodeFast: it runs while at least fastOut bytes of dst (a
// longest match and a word of overshoot) and fastIn bytes of src (a whole
// refill) remain.
const (
	fastOut = 258 + 8
	fastIn  = 8
)

// decodeFast is decodeBlock's main loop for the part of a block that is far
// from both ends of dst and src, where no symbol needs a bounds or refill
// check of its own: it refills the bit buffer once per symbol without a
// branch (a symbol with its match takes at most 48 bits), and copies short
// matches a word at a time. It stops at the end of the block (end), at an
// invalid code (leaving it to decodeBlock, which reports it), or when a
// margin runs out, and returns the decoder state.
func decodeFast(dst []byte, o int, src []byte, pos int, bitsv uint64, nb uint, lit, dist *huffman) (int, int, uint64, uint, bool) {
	oEnd, pEnd := len(dst)-fastOut, len(src)-fastIn
	for o <= oEnd && pos <= pEnd {
		if nb < 48 {
			bitsv |= binary.LittleEndian.Uint64(src[pos:]) << (nb & 63)
			pos += int(63-nb) >> 3
			nb |= 56
		}
		save, saveNb := bitsv, nb
		e := lit.primary[bitsv&(1<<primaryBits-1)]
		if e&linkFlag != 0 {
			e = lit.sub[(e>>16)+uint32(bitsv>>primaryBits)&(1<<(e&31)-1)]
		}
		n := uint(e & 31)
		bitsv >>= n
		nb -= n
		if e&literalFlag != 0 {
			dst[o] = byte(e >> 16)
			o++
			// A second literal from the bits still buffered (a code
			// in the primary table takes at most 10 bits).
			if nb >= primaryBits {
				e = lit.primary[bitsv&(1<<primaryBits-1)]
				if e&(literalFlag|linkFlag) == literalFlag {
					n = uint(e & 31)
					bitsv >>= n
					nb -= n
					dst[o] = byte(e >> 16)
					o++
				}
			}
			continue
		}
		if n == 0 {
			return o, pos, save, saveNb, false // decodeBlock reports it
		}
		if e&endFlag != 0 {
			return o, pos, bitsv, nb, true
		}
		xb := uint(e>>extraShift) & 15
		length := int(e>>16) + int(bitsv&(1<<xb-1))
		bitsv >>= xb
		nb -= xb
		e = dist.primary[bitsv&(1<<primaryBits-1)]
		if e&linkFlag != 0 {
			e = dist.sub[(e>>16)+uint32(bitsv>>primaryBits)&(1<<(e&31)-1)]
		}
		n = uint(e & 31)
		xb = uint(e>>extraShift) & 15
		d := int(e>>16) + int(bitsv>>n&(1<<xb-1))
		if n == 0 || d > o {
			return o, pos, save, saveNb, false // decodeBlock reports it
		}
		bitsv >>= (n + xb) & 63
		nb -= n + xb
		if d >= 8 {
			// Eight bytes at a time: each word read ends at or before
			// the position being written, so overlap (d < length) repeats
			// correctly; the up to 7 bytes written past the match are
			// overwritten later (fastOut leaves room for them).
			s := o - d
			for k := 0; k < length; k += 8 {
				binary.LittleEndian.PutUint64(dst[o+k:], binary.LittleEndian.Uint64(dst[s+k:]))
			}
		} else {
			copyMatch(dst, o, d, length)
		}
		o += length
	}
	return o, pos, bitsv, nb, false
}
