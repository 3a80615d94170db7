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
// longer codes. An entry is sym<<16 | length (length 0 = invalid code), or,
// for a link, subtableOffset<<16 | linkFlag | subtableBits.
type huffman struct {
	primary [1 << primaryBits]uint32
	sub     []uint32
}

const (
	primaryBits = 10
	linkFlag    = 1 << 5
)

// build makes the canonical Huffman table for code lengths lens (0 =
// unused). Over-subscribed codes are rejected; incomplete codes leave
// invalid entries that fail when hit.
func (h *huffman) build(lens []uint8) error {
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
		sym int
	}
	var longs []long
	for sym, l := range lens {
		if l == 0 {
			continue
		}
		c := next[l]
		next[l]++
		rev := uint32(bits.Reverse16(uint16(c)) >> (16 - l))
		if l <= primaryBits {
			e := uint32(sym)<<16 | uint32(l)
			for k := rev; k < 1<<primaryBits; k += 1 << l {
				h.primary[k] = e
			}
			continue
		}
		p := rev & (1<<primaryBits - 1)
		subBits[p] = max(subBits[p], l-primaryBits)
		longs = append(longs, long{rev, l, sym})
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
		e := uint32(lc.sym)<<16 | uint32(lc.l)
		for k := hi; k < 1<<sb; k += 1 << (uint(lc.l) - primaryBits) {
			h.sub[base+k] = e
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
	_ = fixedLit.build(l[:])
	var d [30]uint8
	for i := range d {
		d[i] = 5
	}
	_ = fixedDist.build(d[:])
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
	if err := clh.build(cl[:]); err != nil {
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
	if err := lit.build(lens[:nlit]); err != nil {
		return err
	}
	return dist.build(lens[nlit:n])
}

// decodeBlock decodes symbols until end of block into dst from o. The bit
// buffer lives in locals inside the loop (the hot path of the package).
func (b *bitReader) decodeBlock(dst []byte, o int, lit, dist *huffman) (int, error) {
	bitsv, nb := b.bits, b.nb
	src, pos := b.src, b.pos
	defer func() { b.bits, b.nb, b.pos = bitsv, nb, pos }()
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
		if n == 0 {
			return o, errInflate("invalid literal/length code")
		}
		bitsv >>= n
		nb -= n
		sym := int(e >> 16)
		if sym < 256 {
			if o >= len(dst) {
				return o, errInflate("stream longer than the %d-byte chunk", len(dst))
			}
			dst[o] = byte(sym)
			o++
			continue
		}
		if sym == 256 {
			return o, nil
		}
		sym -= 257
		if sym >= 29 {
			return o, errInflate("invalid length symbol %d", sym+257)
		}
		xb := uint(lenExtra[sym])
		length := int(lenBase[sym]) + int(bitsv&(1<<xb-1))
		bitsv >>= xb
		nb -= xb
		e = dist.primary[bitsv&(1<<primaryBits-1)]
		if e&linkFlag != 0 {
			e = dist.sub[(e>>16)+uint32(bitsv>>primaryBits)&(1<<(e&31)-1)]
		}
		n = uint(e & 31)
		ds := int(e >> 16)
		if n == 0 || ds >= 30 {
			return o, errInflate("invalid distance code")
		}
		bitsv >>= n
		nb -= n
		xb = uint(distExtra[ds])
		d := int(distBase[ds]) + int(bitsv&(1<<xb-1))
		bitsv >>= xb
		nb -= xb
		if d > o {
			return o, errInflate("distance %d before the start of the chunk", d)
		}
		if length > len(dst)-o {
			return o, errInflate("stream longer than the %d-byte chunk", len(dst))
		}
		if d >= length {
			copy(dst[o:o+length], dst[o-d:o-d+length])
		} else {
			// Overlapping: repeat the d-byte pattern, doubling.
			seg := dst[o-d : o+length]
			for k := d; k < len(seg); k *= 2 {
				copy(seg[k:], seg[:k])
			}
		}
		o += length
	}
}
