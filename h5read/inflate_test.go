package h5read

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"testing"
)

// deflateCorpus returns inputs of many shapes compressed at every level.
func deflateCorpus(t testing.TB) (plain, comp [][]byte) {
	r := rand.New(rand.NewPCG(5, 6))
	var inputs [][]byte
	inputs = append(inputs, nil, []byte{0}, bytes.Repeat([]byte{7}, 100000))
	for _, n := range []int{1, 10, 258, 1000, 40000, 80000, 200000} {
		rnd := make([]byte, n)
		for i := range rnd {
			rnd[i] = byte(r.IntN(256))
		}
		low := make([]byte, n)
		for i := range low {
			low[i] = byte(r.IntN(4)) + 'a'
		}
		text := make([]byte, 0, n)
		for len(text) < n {
			text = append(text, []byte("ICESat-2 land ice height h_li ")[:1+r.IntN(30)]...)
		}
		inputs = append(inputs, rnd, low, text[:n])
	}
	// Float64 series like ATL06 latitudes (matches at distance 8), and
	// periodic bytes for every short distance the match copy special-cases
	// (1, 2–7 by doubling, 8 and up by words) with matches of every length.
	series := make([]byte, 0, 80000)
	for k := range 10000 {
		series = binary.LittleEndian.AppendUint64(series, math.Float64bits(-71.5+float64(k)*1.7e-4+r.Float64()*1e-9))
	}
	inputs = append(inputs, series)
	for period := 1; period <= 17; period++ {
		p := make([]byte, 0, 20000)
		for len(p) < 20000 {
			run := 1 + r.IntN(300)
			for k := 0; k < run && len(p) < 20000; k++ {
				p = append(p, byte('A'+(len(p)%period)))
			}
			p = append(p, byte(r.IntN(256)))
		}
		inputs = append(inputs, p)
	}
	for _, in := range inputs {
		for _, lvl := range []int{flate.NoCompression, flate.BestSpeed, 6, flate.BestCompression, flate.HuffmanOnly} {
			var buf bytes.Buffer
			w, err := flate.NewWriter(&buf, lvl)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(in)
			w.Close()
			plain = append(plain, in)
			comp = append(comp, buf.Bytes())
		}
	}
	return plain, comp
}

func TestInflateInto(t *testing.T) {
	plain, comp := deflateCorpus(t)
	for i := range plain {
		dst := make([]byte, len(plain[i]))
		n, used, err := inflateInto(dst, comp[i])
		if err != nil || n != len(dst) || !bytes.Equal(dst, plain[i]) {
			t.Fatalf("case %d (%d bytes): n=%d err=%v equal=%v", i, len(plain[i]), n, err, bytes.Equal(dst, plain[i]))
		}
		if used != len(comp[i]) {
			t.Errorf("case %d: consumed %d of %d bytes", i, used, len(comp[i]))
		}
		if len(dst) > 0 {
			if _, _, err := inflateInto(dst[:len(dst)-1], comp[i]); err == nil {
				t.Errorf("case %d: a too-small destination was accepted", i)
			}
		}
		for _, cut := range []int{len(comp[i]) / 2, len(comp[i]) - 1} {
			if cut <= 0 {
				continue
			}
			if n, _, err := inflateInto(dst, comp[i][:cut]); err == nil && n == len(dst) && len(dst) > 0 {
				// A cut stream may still decode to the end if only padding
				// was lost; it must then equal the input.
				if !bytes.Equal(dst, plain[i]) {
					t.Errorf("case %d cut at %d: wrong data without an error", i, cut)
				}
			}
		}
	}
}

// FuzzInflateInto compares the whole-buffer decoder with compress/flate on
// arbitrary streams: when the standard library decodes a stream, ours must
// produce the same bytes; when it refuses one, ours must not produce the
// same number of bytes without an error and with different content.
func FuzzInflateInto(f *testing.F) {
	_, comp := deflateCorpus(f)
	for i, c := range comp {
		if len(c) < 4096 && i%3 == 0 {
			f.Add(c)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(b)), 1<<20))
		if werr != nil || len(want) >= 1<<20 {
			dst := make([]byte, 1<<16)
			inflateInto(dst, b) // must not panic or hang
			return
		}
		dst := make([]byte, len(want))
		n, _, err := inflateInto(dst, b)
		if err != nil {
			t.Fatalf("stdlib decodes %d bytes, inflateInto fails: %v", len(want), err)
		}
		if n != len(want) || !bytes.Equal(dst, want) {
			t.Fatalf("inflateInto output differs from compress/flate")
		}
	})
}
