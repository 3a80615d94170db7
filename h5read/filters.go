package h5read

import (
	"bytes"
	"encoding/binary"
	"hash/adler32"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Filter ids this reader can undo.
const (
	filterDeflate    = 1
	filterShuffle    = 2
	filterFletcher32 = 3
)

var inflaters = sync.Pool{}

type inflater struct {
	r  io.ReadCloser
	br bytes.Reader
}

// inflate decodes a zlib stream into dst (exactly len(dst) bytes expected;
// fewer is reported through n, more is an error) and verifies the Adler-32
// trailer. The whole-buffer decoder (inflateInto) runs first; if it rejects
// the stream, klauspost/compress/flate decodes it as a second opinion, so a
// stream is refused only when both refuse it or the Adler-32 disagrees.
func inflate(dst, src []byte) (int, error) {
	if len(src) < 6 {
		return 0, errInflate("zlib stream of %d bytes", len(src))
	}
	cmf, flg := src[0], src[1]
	if cmf&0x0f != 8 || (uint16(cmf)<<8|uint16(flg))%31 != 0 {
		return 0, errInflate("bad zlib header %02x %02x", cmf, flg)
	}
	if flg&0x20 != 0 {
		return 0, errInflate("zlib preset dictionary")
	}
	body := src[2:]
	n, consumed, err := inflateInto(dst, body)
	if err != nil {
		n, consumed, err = inflateStream(dst, body)
		if err != nil {
			return n, err
		}
	}
	if consumed+4 > len(body) {
		return n, errInflate("missing Adler-32 trailer")
	}
	want := binary.BigEndian.Uint32(body[consumed:])
	if got := adler32.Checksum(dst[:n]); got != want {
		return n, &FormatError{Object: "deflate stream", Offset: -1, Msg: "Adler-32 mismatch", Err: ErrChecksum}
	}
	return n, nil
}

// inflateStream decodes with klauspost/compress/flate.
func inflateStream(dst, body []byte) (n, consumed int, err error) {
	inf, _ := inflaters.Get().(*inflater)
	if inf == nil {
		inf = &inflater{}
		inf.br.Reset(body)
		inf.r = flate.NewReader(&inf.br)
	} else {
		inf.br.Reset(body)
		if err := inf.r.(flate.Resetter).Reset(&inf.br, nil); err != nil {
			return 0, 0, errInflate("%v", err)
		}
	}
	defer inflaters.Put(inf)
	n, err = io.ReadFull(inf.r, dst)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return n, 0, errInflate("%v", err)
	}
	if err == nil {
		// The stream must end here.
		var one [1]byte
		if m, _ := inf.r.Read(one[:]); m != 0 {
			return n, 0, errInflate("stream longer than the %d-byte chunk", len(dst))
		}
	}
	return n, len(body) - inf.br.Len(), nil
}

func errInflate(format string, args ...any) error {
	return errf(ErrCorrupt, "deflate stream", -1, format, args...)
}

// unshuffle undoes the HDF5 shuffle filter: byte plane j of n elements of
// size s is at src[j*n : (j+1)*n]; trailing bytes are copied unchanged.
func unshuffle(dst, src []byte, s int) {
	if s <= 1 || len(src) < s {
		copy(dst, src)
		return
	}
	n := len(src) / s
	switch s {
	case 2:
		p0, p1 := src[:n], src[n:2*n]
		d := dst[:2*n]
		for i := range p0 {
			d[2*i] = p0[i]
			d[2*i+1] = p1[i]
		}
	case 4:
		p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		d := dst[:4*n]
		for i := range p0 {
			binary.LittleEndian.PutUint32(d[4*i:], uint32(p0[i])|uint32(p1[i])<<8|uint32(p2[i])<<16|uint32(p3[i])<<24)
		}
	case 8:
		p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		p4, p5, p6, p7 := src[4*n:5*n], src[5*n:6*n], src[6*n:7*n], src[7*n:8*n]
		d := dst[:8*n]
		for i := range p0 {
			lo := uint64(p0[i]) | uint64(p1[i])<<8 | uint64(p2[i])<<16 | uint64(p3[i])<<24
			hi := uint64(p4[i]) | uint64(p5[i])<<8 | uint64(p6[i])<<16 | uint64(p7[i])<<24
			binary.LittleEndian.PutUint64(d[8*i:], lo|hi<<32)
		}
	default:
		for j := 0; j < s; j++ {
			plane := src[j*n : (j+1)*n]
			d := dst[j:]
			for i, v := range plane {
				d[i*s] = v
			}
		}
	}
	copy(dst[n*s:], src[n*s:])
}

// unshuffleRef is the obvious definition, the reference for tests.
func unshuffleRef(dst, src []byte, s int) {
	n := len(src) / s
	for i := 0; i < n; i++ {
		for j := 0; j < s; j++ {
			dst[i*s+j] = src[j*n+i]
		}
	}
	copy(dst[n*s:], src[n*s:])
}

// fletcher32 is HDF5's H5_checksum_fletcher32 over big-endian 16-bit words.
func fletcher32(b []byte) uint32 {
	var s1, s2 uint32
	i := 0
	for len(b)-i >= 2 {
		// Process in blocks of 360 words so the sums cannot overflow.
		end := min(len(b)-(len(b)-i)%2, i+720)
		for ; i < end; i += 2 {
			s1 += uint32(b[i])<<8 | uint32(b[i+1])
			s2 += s1
		}
		s1 = (s1 & 0xffff) + (s1 >> 16)
		s2 = (s2 & 0xffff) + (s2 >> 16)
	}
	if i < len(b) {
		s1 += uint32(b[i]) << 8
		s2 += s1
		s1 = (s1 & 0xffff) + (s1 >> 16)
		s2 = (s2 & 0xffff) + (s2 >> 16)
	}
	s1 = (s1 & 0xffff) + (s1 >> 16)
	s2 = (s2 & 0xffff) + (s2 >> 16)
	return s2<<16 | s1
}

// checkFilters returns an error for any filter this reader cannot undo.
func checkFilters(fs []Filter, dataset string) error {
	for _, f := range fs {
		switch f.ID {
		case filterDeflate, filterShuffle, filterFletcher32:
		default:
			return &UnsupportedFilterError{Dataset: dataset, ID: f.ID, Name: f.Name}
		}
	}
	return nil
}

// decodeChunk undoes the filter pipeline on raw chunk bytes, writing exactly
// len(out) bytes into out. scratch is reused between stages.
func decodeChunk(fs []Filter, mask uint32, raw, out []byte, elemSize int, where string, off int64) error {
	cur := raw
	var tmp []byte
	// Shuffling 1-byte elements is the identity: treat it as skipped so the
	// stage before it can decode straight into out.
	for i, f := range fs {
		if f.ID == filterShuffle && i < 32 && shuffleSize(f, elemSize) <= 1 {
			mask |= 1 << i
		}
	}
	for i := len(fs) - 1; i >= 0; i-- {
		if i < 32 && mask&(1<<i) != 0 {
			continue
		}
		last := true
		for j := i - 1; j >= 0; j-- {
			if j >= 32 || mask&(1<<j) == 0 {
				last = false
				break
			}
		}
		switch fs[i].ID {
		case filterFletcher32:
			if len(cur) < 4 {
				return errf(ErrCorrupt, where, off, "chunk of %d bytes too short for Fletcher-32", len(cur))
			}
			data := cur[:len(cur)-4]
			stored := binary.LittleEndian.Uint32(cur[len(cur)-4:])
			if got := fletcher32(data); got != stored {
				return errf(ErrChecksum, where, off, "Fletcher-32 %#08x, stored %#08x", got, stored)
			}
			cur = data
		case filterDeflate:
			var dst []byte
			if last {
				dst = out
			} else {
				dst = make([]byte, len(out))
			}
			n, err := inflate(dst, cur)
			if err != nil {
				if fe, ok := err.(*FormatError); ok {
					fe.Object, fe.Offset = where+": "+fe.Object, off
				}
				return err
			}
			if n != len(out) {
				return errf(ErrCorrupt, where, off, "chunk inflates to %d bytes, want %d", n, len(out))
			}
			cur = dst[:n]
		case filterShuffle:
			s := shuffleSize(fs[i], elemSize)
			if last {
				if len(cur) != len(out) {
					return errf(ErrCorrupt, where, off, "shuffled chunk of %d bytes, want %d", len(cur), len(out))
				}
				unshuffle(out, cur, s)
				cur = out
			} else {
				if tmp == nil {
					tmp = make([]byte, len(cur))
				}
				unshuffle(tmp[:len(cur)], cur, s)
				cur = tmp[:len(cur)]
			}
		default:
			return &UnsupportedFilterError{Dataset: where, ID: fs[i].ID, Name: fs[i].Name}
		}
	}
	if len(cur) != len(out) {
		return errf(ErrCorrupt, where, off, "decoded chunk of %d bytes, want %d", len(cur), len(out))
	}
	if &cur[0] != &out[0] {
		copy(out, cur)
	}
	return nil
}

// shuffleSize is the element size the shuffle filter was applied with.
func shuffleSize(f Filter, elemSize int) int {
	if len(f.Params) > 0 {
		return int(f.Params[0])
	}
	return elemSize
}
