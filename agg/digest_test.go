package agg

import (
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// digestOf adds xs to a new digest, split into parts sub-digests merged in
// order when parts > 1, or sorted and added with AddSorted when parts is 0.
func digestOf(xs []float64, parts int, rng *rand.Rand) *Digest {
	if parts == 0 {
		var d Digest
		d.AddSorted(slices.Sorted(slices.Values(xs)))
		return &d
	}
	if parts == 1 {
		var d Digest
		for _, x := range xs {
			d.Add(x)
		}
		return &d
	}
	cuts := make([]int, parts-1)
	for i := range cuts {
		cuts[i] = rng.IntN(len(xs) + 1)
	}
	slices.Sort(cuts)
	cuts = append(append([]int{0}, cuts...), len(xs))
	var d Digest
	for i := range parts {
		var p Digest
		for _, x := range xs[cuts[i]:cuts[i+1]] {
			p.Add(x)
		}
		d.Merge(&p)
	}
	return &d
}

func TestDigestExactWhileSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 10, 99, 500} {
		for _, parts := range []int{0, 1, 7} {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = float64(float32(rng.NormFloat64() * 100))
				if i%5 == 0 {
					xs[i] = xs[i/2] // duplicates
				}
			}
			d := digestOf(xs, parts, rng)
			if !d.Exact() {
				t.Fatalf("n=%d parts=%d: not exact", n, parts)
			}
			s := slices.Sorted(slices.Values(xs))
			for _, q := range []float64{0, 0.1, 0.25, 0.5, 0.333, 0.75, 0.999, 1} {
				if got, want := d.Quantile(q), Quantile(q, s); got != want {
					t.Errorf("n=%d parts=%d: Quantile(%v) = %v, numpy %v", n, parts, q, got, want)
				}
				d.Float32 = true
				if got, want := d.Quantile(q), QuantileFloat32(q, s); got != want {
					t.Errorf("n=%d parts=%d: float32 Quantile(%v) = %v, numpy %v", n, parts, q, got, want)
				}
				d.Float32 = false
			}
			if got, want := d.Median(), Median(s); got != want {
				t.Errorf("n=%d parts=%d: Median = %v, numpy %v", n, parts, got, want)
			}
		}
	}
}

// rankError returns how far (as a fraction of n) the value v lies from rank
// q·(n−1) of the sorted s: 0 when some element equal to v, or a point
// between two neighbours that v falls between, has that rank.
func rankError(s []float64, q, v float64) float64 {
	n := len(s)
	t := q * float64(n-1)
	lo := sort.SearchFloat64s(s, v) // first ≥ v
	hi := lo
	for hi < n && s[hi] == v {
		hi++
	}
	// v occupies ranks [lo, hi−1] if present, or sits between lo−1 and lo.
	a, b := float64(lo), float64(hi-1)
	if hi == lo {
		a, b = float64(lo)-1, float64(lo)
	}
	switch {
	case t < a:
		return (a - t) / float64(n)
	case t > b:
		return (t - b) / float64(n)
	}
	return 0
}

// TestDigestAccuracy bounds the rank error of a compressed digest against
// the exact quantiles, for several distributions, built point by point and
// from 64 merged parts. The bounds are about twice the worst error seen.
func TestDigestAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 200_000
	dists := map[string]func(i int) float64{
		"uniform":    func(int) float64 { return rng.Float64() },
		"normal":     func(int) float64 { return rng.NormFloat64() },
		"lognormal":  func(int) float64 { return math.Exp(3 * rng.NormFloat64()) },
		"ascending":  func(i int) float64 { return float64(i) },
		"descending": func(i int) float64 { return -float64(i) },
		"elevations": func(i int) float64 { return float64(float32(2000 + 300*math.Sin(float64(i)/5000) + rng.NormFloat64())) },
	}
	qs := []float64{0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1}
	worst := map[[2]float64]float64{}
	for _, name := range slices.Sorted(maps.Keys(dists)) {
		gen := dists[name]
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = gen(i)
		}
		s := slices.Sorted(slices.Values(xs))
		for _, parts := range []int{0, 1, 64} {
			d := digestOf(xs, parts, rng)
			if d.Exact() {
				t.Fatalf("%s: %d points still exact", name, n)
			}
			if c := len(d.Centroids(nil)); c > DefaultCompression {
				t.Errorf("%s parts=%d: %d centroids, want ≤ %d", name, parts, c, DefaultCompression)
			}
			if d.Quantile(0) != s[0] || d.Quantile(1) != s[n-1] {
				t.Errorf("%s parts=%d: ends %v %v, want %v %v", name, parts, d.Quantile(0), d.Quantile(1), s[0], s[n-1])
			}
			for _, q := range qs {
				e := rankError(s, q, d.Quantile(q))
				key := [2]float64{float64(parts), q}
				worst[key] = max(worst[key], e)
				bound := 0.005 // middle
				if q <= 0.01 || q >= 0.99 {
					bound = 0.003
				}
				if e > bound {
					t.Errorf("%s parts=%d: Quantile(%v) = %v has rank error %.5f, want ≤ %v", name, parts, q, d.Quantile(q), e, bound)
				}
			}
			if e := rankError(s, 0.5, d.Median()); e > 0.005 {
				t.Errorf("%s parts=%d: Median rank error %.5f", name, parts, e)
			}
		}
	}
	for _, q := range qs {
		t.Logf("q=%-5v worst rank error: sorted %.4f%%, point by point %.4f%%, 64 parts merged %.4f%%",
			q, 100*worst[[2]float64{0, q}], 100*worst[[2]float64{1, q}], 100*worst[[2]float64{64, q}])
	}
}

// TestDigestFewValues shows the documented weakness on data with few
// distinct values: a quantile can fall between the exact answer and one of
// its neighbouring values (never beyond them).
func TestDigestFewValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	xs := make([]float64, 100_000)
	for i := range xs {
		xs[i] = float64(rng.IntN(7))
	}
	s := slices.Sorted(slices.Values(xs))
	for _, d := range []*Digest{digestOf(xs, 16, rng), digestOf(xs, 0, rng)} {
		for _, q := range []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9, 1} {
			exact := Quantile(q, s)
			v := d.Quantile(q)
			if !(math.Abs(v-exact) < 1) {
				t.Errorf("Quantile(%v) = %v, exact %v: not between the neighbouring values", q, v, exact)
			}
		}
	}
}

func TestDigestNaNAndInf(t *testing.T) {
	var d Digest
	for i := range 10_000 {
		switch i % 100 {
		case 0:
			d.Add(math.NaN())
		case 1:
			d.Add(math.Inf(1))
		case 2:
			d.Add(math.Inf(-1))
		default:
			d.Add(float64(i))
		}
	}
	if d.NaN() != 100 || d.Count() != 9_900 {
		t.Fatalf("NaN %d, count %d", d.NaN(), d.Count())
	}
	if d.Exact() {
		t.Fatal("still exact")
	}
	for _, q := range []float64{0, 0.005, 0.5, 0.995, 1} {
		if v := d.Quantile(q); v != v {
			t.Errorf("Quantile(%v) = NaN", q)
		}
	}
	if d.Quantile(0) != math.Inf(-1) || d.Quantile(1) != math.Inf(1) {
		t.Errorf("ends %v %v", d.Quantile(0), d.Quantile(1))
	}
	if m := d.Median(); m < 4000 || m > 6000 {
		t.Errorf("median %v", m)
	}
	var e Digest
	if !math.IsNaN(e.Quantile(0.5)) || !math.IsNaN(e.Median()) || !math.IsNaN(e.Min()) {
		t.Error("empty digest does not give NaN")
	}
	e.Add(math.NaN())
	e.Merge(&d)
	if e.NaN() != 101 || e.Count() != d.Count() || e.Min() != math.Inf(-1) {
		t.Errorf("merge into NaN-only digest: NaN %d count %d min %v", e.NaN(), e.Count(), e.Min())
	}
}

func TestDigestBinaryRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 17, 500, 501, 100_000} {
		var d Digest
		d.Float32 = n == 17
		for range n {
			d.Add(rng.NormFloat64())
		}
		d.Add(math.NaN())
		b, err := d.AppendBinary([]byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		var e Digest
		rest, err := e.DecodeDigest(append(b[1:], 'y'))
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if string(rest) != "y" {
			t.Errorf("n=%d: rest %q", n, rest)
		}
		if e.Float32 != d.Float32 || e.Count() != d.Count() || e.NaN() != d.NaN() || e.Exact() != d.Exact() {
			t.Errorf("n=%d: decoded %+v", n, e)
		}
		for _, q := range []float64{0, 0.3, 0.5, 1} {
			a, b := d.Quantile(q), e.Quantile(q)
			if a != b && !(a != a && b != b) {
				t.Errorf("n=%d: Quantile(%v) %v after decoding, %v before", n, q, b, a)
			}
		}
		if n == 100_000 && len(b) > digestHeader+1+16*DefaultCompression {
			t.Errorf("compressed digest takes %d bytes", len(b))
		}
	}
}

func TestDigestDecodeRejects(t *testing.T) {
	var d Digest
	for i := range 3 {
		d.Add(float64(i))
	}
	good, _ := d.AppendBinary(nil)
	set := func(off int, v ...byte) []byte {
		b := slices.Clone(good)
		copy(b[off:], v)
		return b
	}
	for name, b := range map[string][]byte{
		"short":            good[:digestHeader-1],
		"version":          set(0, 2),
		"flags":            set(1, 4),
		"compression":      set(2, 1, 0),
		"too many":         set(36, 0xff, 0xff, 0xff, 0x7f),
		"truncated":        good[:len(good)-1],
		"count mismatch":   set(4, 4),
		"negative count":   set(4, 0, 0, 0, 0, 0, 0, 0, 0x80),
		"zero centroid":    set(digestHeader+8, 0),
		"unsorted":         set(digestHeader+16, 0, 0, 0, 0, 0, 0, 0xf0, 0xbf), // -1 after 0
		"NaN mean":         set(digestHeader, 1, 0, 0, 0, 0, 0, 0xf8, 0x7f),
		"min above max":    set(20, 0, 0, 0, 0, 0, 0, 0x59, 0x40), // min 100
		"points, no cents": set(36, 0, 0, 0, 0),
	} {
		var e Digest
		if _, err := e.DecodeDigest(b); !errors.Is(err, ErrCorruptState) {
			t.Errorf("%s: err = %v, want ErrCorruptState", name, err)
		}
	}
}

func FuzzDecodeDigest(f *testing.F) {
	var d Digest
	f.Add([]byte{})
	for i := range 2000 {
		d.Add(float64(i % 37))
		if i == 3 || i == 1999 {
			b, _ := d.AppendBinary(nil)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Digest
		rest, err := e.DecodeDigest(b)
		if err != nil {
			return
		}
		for _, q := range []float64{0, 0.5, 1} {
			v := e.Quantile(q)
			if e.Count() > 0 && (v < e.Min() || v > e.Max()) {
				t.Fatalf("Quantile(%v) = %v outside [%v, %v]", q, v, e.Min(), e.Max())
			}
		}
		e.Merge(&d)
		out, _ := e.AppendBinary(nil)
		var g Digest
		if _, err := g.DecodeDigest(out); err != nil {
			t.Fatalf("re-encoded digest does not decode: %v", err)
		}
		_ = rest
	})
}

func BenchmarkDigestAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	xs := make([]float64, 1<<16)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	var d Digest
	b.SetBytes(int64(8 * len(xs)))
	b.ReportAllocs()
	for b.Loop() {
		d.Reset()
		for _, x := range xs {
			d.Add(x)
		}
		d.Quantile(0.5)
	}
}

func BenchmarkDigestAddSorted(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	xs := make([]float64, 1<<16)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	s := make([]float64, len(xs))
	var d Digest
	b.SetBytes(int64(8 * len(xs)))
	b.ReportAllocs()
	for b.Loop() {
		d.Reset()
		copy(s, xs)
		slices.Sort(s)
		d.AddSorted(s)
		d.Quantile(0.5)
	}
}

func BenchmarkDigestMerge(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	parts := make([]Digest, 64)
	for i := range parts {
		for range 10_000 {
			parts[i].Add(rng.NormFloat64())
		}
		parts[i].Quantile(0.5)
	}
	var d Digest
	b.ReportAllocs()
	for b.Loop() {
		d.Reset()
		for i := range parts {
			d.Merge(&parts[i])
		}
		d.Quantile(0.5)
	}
}
