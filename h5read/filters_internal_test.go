package h5read

import (
	"bytes"
	"compress/zlib"
	"errors"
	"math/rand/v2"
	"testing"
)

func TestUnshuffleMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []int{1, 2, 3, 4, 5, 8, 16} {
		for _, n := range []int{0, 1, 7, 64, 1001} {
			src := make([]byte, n)
			for i := range src {
				src[i] = byte(r.IntN(256))
			}
			got, want := make([]byte, n), make([]byte, n)
			unshuffle(got, src, s)
			if s > 1 && n >= s {
				unshuffleRef(want, src, s)
			} else {
				copy(want, src)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("unshuffle(size %d, %d bytes) differs from the reference", s, n)
			}
		}
	}
}

// fletcherRef is Fletcher-32 by definition: 16-bit big-endian words, sums
// modulo 65535 (HDF5 folds the same way; 0 and 65535 are congruent, and
// folding keeps 65535, so compare after the same final fold).
func fletcherRef(b []byte) uint32 {
	var s1, s2 uint64
	for i := 0; i < len(b); i += 2 {
		w := uint64(b[i]) << 8
		if i+1 < len(b) {
			w |= uint64(b[i+1])
		}
		s1 = (s1 + w) % 65535
		s2 = (s2 + s1) % 65535
	}
	return uint32(s2)<<16 | uint32(s1)
}

func TestFletcher32(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 3, 719, 720, 721, 1440, 5000, 40001} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		got, want := fletcher32(b), fletcherRef(b)
		// HDF5's folding can leave 0xffff where the modulo gives 0.
		norm := func(x uint32) uint32 {
			lo, hi := x&0xffff, x>>16
			if lo == 0xffff {
				lo = 0
			}
			if hi == 0xffff {
				hi = 0
			}
			return hi<<16 | lo
		}
		if norm(got) != norm(want) {
			t.Errorf("fletcher32(%d bytes) = %#x, want %#x", n, got, want)
		}
	}
}

func TestInflate(t *testing.T) {
	data := bytes.Repeat([]byte("ICESat-2 ATL06 "), 1000)
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(data)
	w.Close()
	good := z.Bytes()
	dst := make([]byte, len(data))
	if n, err := inflate(dst, good); err != nil || n != len(data) || !bytes.Equal(dst, data) {
		t.Fatalf("inflate = %d, %v", n, err)
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 1 // Adler-32
	if _, err := inflate(dst, bad); !errors.Is(err, ErrChecksum) {
		t.Errorf("corrupt Adler-32: err = %v, want ErrChecksum", err)
	}
	if _, err := inflate(make([]byte, len(data)-1), good); !errors.Is(err, ErrCorrupt) {
		t.Errorf("stream longer than the chunk: err = %v, want ErrCorrupt", err)
	}
	if _, err := inflate(dst, good[:len(good)/2]); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated stream: err = %v, want ErrCorrupt", err)
	}
	if _, err := inflate(dst, []byte{0x78, 0x9c}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("empty stream: err = %v, want ErrCorrupt", err)
	}
}
