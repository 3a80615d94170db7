package agg

import (
	"encoding/binary"
	"math"
	"slices"
)

// DefaultCompression is the compression δ of a zero Digest: at most about δ
// centroids once compressed, a rank error that is largest in the middle of
// the distribution (well under 1 % of the points there, see digest_test.go)
// and much smaller in the tails.
const DefaultCompression = 100

// exactFactor times the compression is the largest number of points a
// Digest keeps one by one (and so answers exactly); it is also the size of
// the buffer of points added between two compressions.
const exactFactor = 5

// DefaultExactPoints is the largest number of points a Digest of
// compression DefaultCompression answers exactly (500).
const DefaultExactPoints = exactFactor * DefaultCompression

// Centroid is a cluster of a Digest: the mean of Count points.
type Centroid struct {
	Mean  float64
	Count int64
}

// Digest is a mergeable quantile sketch of a set of numbers: a merging
// t-digest with the k₁ scale function (Dunning & Ertl, "Computing extremely
// accurate quantiles using t-digests", 2019). Statistics that need the
// order of the values (median, quantiles) cannot be merged exactly from
// summaries of parts of a set; a Digest is the summary that merges
// approximately, so orders coarser than one worker's cell still get them.
//
// A Digest holds every point one by one until it has more than 5δ of them
// (δ the compression); until then Quantile and Median are exactly numpy's.
// Beyond that, adjacent points are merged into centroids whose size is
// bounded by the scale function
//
//	k(q) = δ/(2π)·asin(2q − 1),
//
// which allows a centroid to span one unit of k: centroids are small in the
// tails (q near 0 or 1) and large in the middle. A Digest keeps the exact
// minimum and maximum, and quantiles interpolate linearly between the
// centroids' centres (a centroid of Count points starting at rank R is
// centred at rank R + (Count−1)/2, the minimum at rank 0 and the maximum at
// rank n − 1), following numpy's "linear" convention that quantile q lies
// at rank q·(n − 1).
//
// On data with few distinct values (flags, counts) an estimate can fall
// between the exact answer and a neighbouring value, since centroids do not
// record whether their points were all equal.
//
// NaN values are counted (NaN) and otherwise ignored; ±Inf are values like
// any other and never merge with finite ones. The zero Digest is empty,
// with compression DefaultCompression. Results depend on the order of
// Add and Merge calls only through rounding of the centroid means; the
// same calls in the same order give the same bits.
type Digest struct {
	// Float32 marks data that numpy holds as float32: while the digest is
	// exact, Quantile then rounds the interpolation step as numpy does on
	// float32 arrays (see QuantileFloat32).
	Float32 bool

	compression int
	cs          []Centroid // sorted by Mean
	buf         []float64  // points added since the last flush, unsorted
	tmp         []Centroid // merge scratch
	vals        []float64  // exact-mode scratch for Quantile
	n, nan      int64      // non-NaN points (buffered included), NaN points
	min, max    float64
}

// NewDigest returns an empty Digest with compression δ, clamped to
// [10, 10000].
func NewDigest(compression int) *Digest {
	return &Digest{compression: clampCompression(compression)}
}

func clampCompression(c int) int {
	return min(max(c, 10), 10000)
}

// Compression returns δ.
func (d *Digest) Compression() int {
	if d.compression == 0 {
		return DefaultCompression
	}
	return d.compression
}

// Reset empties d, keeping its compression, Float32 flag and buffers.
func (d *Digest) Reset() {
	d.cs, d.buf = d.cs[:0], d.buf[:0]
	d.n, d.nan = 0, 0
}

// Count returns the number of non-NaN points added.
func (d *Digest) Count() int64 { return d.n }

// NaN returns the number of NaN points added.
func (d *Digest) NaN() int64 { return d.nan }

// Exact reports whether d still holds every point by itself, so that its
// quantiles are exact.
func (d *Digest) Exact() bool { return int64(len(d.cs)+len(d.buf)) == d.n }

// Min returns the smallest non-NaN point (NaN if none).
func (d *Digest) Min() float64 {
	if d.n == 0 {
		return math.NaN()
	}
	return d.min
}

// Max returns the largest non-NaN point (NaN if none).
func (d *Digest) Max() float64 {
	if d.n == 0 {
		return math.NaN()
	}
	return d.max
}

func (d *Digest) exactLimit() int64 { return int64(exactFactor * d.Compression()) }

// Add adds the point x.
func (d *Digest) Add(x float64) {
	if x != x {
		d.nan++
		return
	}
	if d.n == 0 {
		d.min, d.max = x, x
	} else {
		d.min = math.Min(d.min, x)
		d.max = math.Max(d.max, x)
	}
	d.n++
	d.buf = append(d.buf, x)
	if int64(len(d.buf)) >= d.exactLimit() {
		d.flush()
	}
}

// AddSorted adds the points xs, which must be in ascending order with any
// NaN first (as slices.Sort leaves them). Into an empty digest it builds
// the centroids in one pass, which is both faster than Add and more
// accurate (every centroid is a run of adjacent ranks); otherwise, or if xs
// is not sorted, it adds the points one by one.
func (d *Digest) AddSorted(xs []float64) {
	i := 0
	for i < len(xs) && xs[i] != xs[i] {
		i++
	}
	d.nan += int64(i)
	xs = xs[i:]
	if d.n > 0 || int64(len(xs)) <= d.exactLimit() || !slices.IsSorted(xs) {
		for _, x := range xs {
			d.Add(x)
		}
		return
	}
	d.min, d.max, d.n = xs[0], xs[len(xs)-1], int64(len(xs))
	delta := float64(d.Compression())
	w := float64(d.n)
	d.cs = d.cs[:0]
	lo := 0 // first point of the current centroid
	sum := xs[0]
	limit := w * qLimit(0, delta)
	for j := 1; j < len(xs); j++ {
		x := xs[j]
		if float64(j+1) <= limit && mergeable(xs[lo], x) {
			sum += x
			continue
		}
		d.cs = append(d.cs, runCentroid(xs[lo:j], sum))
		limit = w * qLimit(float64(j)/w, delta)
		lo, sum = j, x
	}
	d.cs = append(d.cs, runCentroid(xs[lo:], sum))
}

// runCentroid returns the centroid of the sorted run xs whose sum is sum,
// its mean kept inside the run whatever the rounding.
func runCentroid(xs []float64, sum float64) Centroid {
	m := xs[0]
	if xs[0] != xs[len(xs)-1] {
		m = math.Max(xs[0], math.Min(xs[len(xs)-1], sum/float64(len(xs))))
	}
	return Centroid{m, int64(len(xs))}
}

// Merge adds the points summarised by o to d. o is flushed but otherwise
// unchanged; d keeps its own compression.
func (d *Digest) Merge(o *Digest) {
	if o == d {
		panic("agg: Digest.Merge with itself")
	}
	d.nan += o.nan
	if o.n == 0 {
		return
	}
	o.flush()
	d.flush()
	if d.n == 0 {
		d.min, d.max = o.min, o.max
		d.Float32 = o.Float32
	} else {
		d.min = math.Min(d.min, o.min)
		d.max = math.Max(d.max, o.max)
	}
	d.n += o.n
	d.tmp = mergeSorted(d.tmp[:0], d.cs, o.cs)
	d.cs, d.tmp = d.tmp, d.cs
	d.compress()
}

// mergeSorted appends the merge of the sorted a and b to dst (a first on
// ties).
func mergeSorted(dst, a, b []Centroid) []Centroid {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if b[j].Mean < a[i].Mean {
			dst = append(dst, b[j])
			j++
		} else {
			dst = append(dst, a[i])
			i++
		}
	}
	dst = append(dst, a[i:]...)
	return append(dst, b[j:]...)
}

// flush merges the buffered points into the centroids.
func (d *Digest) flush() {
	if len(d.buf) == 0 {
		return
	}
	slices.Sort(d.buf)
	d.tmp = slices.Grow(d.tmp[:0], len(d.cs)+len(d.buf))
	i := 0
	for _, x := range d.buf {
		for i < len(d.cs) && d.cs[i].Mean <= x {
			d.tmp = append(d.tmp, d.cs[i])
			i++
		}
		d.tmp = append(d.tmp, Centroid{x, 1})
	}
	d.tmp = append(d.tmp, d.cs[i:]...)
	d.cs, d.tmp = d.tmp, d.cs
	d.buf = d.buf[:0]
	d.compress()
}

// compress merges neighbouring centroids (sorted) in one pass while the
// merged centroid spans at most one unit of the scale function; it does
// nothing while the digest is exact.
func (d *Digest) compress() {
	if d.n <= d.exactLimit() || len(d.cs) < 2 {
		return
	}
	delta := float64(d.Compression())
	w := float64(d.n)
	out := d.cs[:1]
	cur := &out[0]
	before := 0.0 // points left of cur
	limit := w * qLimit(0, delta)
	for _, c := range d.cs[1:] {
		sum := float64(cur.Count + c.Count)
		if before+sum <= limit && mergeable(cur.Mean, c.Mean) {
			cur.Count += c.Count
			if cur.Mean != c.Mean {
				// Between the two means (and so within [min, max])
				// whatever the rounding.
				m := cur.Mean + (c.Mean-cur.Mean)*float64(c.Count)/sum
				cur.Mean = math.Max(cur.Mean, math.Min(c.Mean, m))
			}
			continue
		}
		before += float64(cur.Count)
		limit = w * qLimit(before/w, delta)
		out = append(out, c)
		cur = &out[len(out)-1]
	}
	d.cs = out
}

// mergeable reports whether centroids with means a and b may merge: never
// an infinite mean with a different one (the weighted mean would be NaN or
// lose the infinity).
func mergeable(a, b float64) bool {
	return a == b || (!math.IsInf(a, 0) && !math.IsInf(b, 0))
}

// qLimit returns the quantile one unit of k₁ above q:
// k⁻¹(k(q) + 1) with k(q) = δ/(2π)·asin(2q − 1), k⁻¹(k) = (sin(2πk/δ) + 1)/2.
func qLimit(q, delta float64) float64 {
	k := delta/(2*math.Pi)*math.Asin(2*q-1) + 1
	if k >= delta/4 {
		return 1
	}
	return (math.Sin(2*math.Pi*k/delta) + 1) / 2
}

// Quantile returns the q-quantile (q in [0, 1]) of the non-NaN points,
// numpy's "linear" method when Exact and the interpolation between
// centroid centres otherwise; NaN for an empty digest. It panics if q is
// outside [0, 1]. Callers wanting numpy's NaN propagation check NaN first.
func (d *Digest) Quantile(q float64) float64 {
	if !(q >= 0 && q <= 1) {
		panic("agg: quantile q out of [0, 1]")
	}
	if d.n == 0 {
		return math.NaN()
	}
	d.flush()
	if int64(len(d.cs)) == d.n {
		return lerp(q, d.means(), d.Float32)
	}
	return d.interpolate(q * float64(d.n-1))
}

// Median returns the median of the non-NaN points: numpy's (the mean of the
// two middle values for an even count) when Exact, Quantile(0.5) otherwise.
func (d *Digest) Median() float64 {
	if d.n == 0 {
		return math.NaN()
	}
	d.flush()
	if int64(len(d.cs)) == d.n {
		return Median(d.means())
	}
	return d.interpolate(0.5 * float64(d.n-1))
}

func (d *Digest) means() []float64 {
	d.vals = slices.Grow(d.vals[:0], len(d.cs))
	for _, c := range d.cs {
		d.vals = append(d.vals, c.Mean)
	}
	return d.vals
}

// interpolate returns the value at rank p ∈ [0, n−1] on the piecewise
// linear curve through (0, min), the centroid centres and (n−1, max).
func (d *Digest) interpolate(p float64) float64 {
	// The ends are exact. (A singleton centroid at rank n−1 need not be the
	// maximum when digests with overlapping ranges were merged.)
	if p <= 0 {
		return d.min
	}
	if p >= float64(d.n-1) {
		return d.max
	}
	r0, v0 := 0.0, d.min
	start := 0.0 // rank of the first point of the current centroid
	for _, c := range d.cs {
		centre := start + float64(c.Count-1)/2
		if p <= centre {
			return d.clamp(line(r0, v0, centre, c.Mean, p))
		}
		r0, v0 = centre, c.Mean
		start += float64(c.Count)
	}
	return d.clamp(line(r0, v0, float64(d.n-1), d.max, p))
}

func line(r0, v0, r1, v1, p float64) float64 {
	if r1 <= r0 || v0 == v1 {
		return v1
	}
	return v0 + (v1-v0)*((p-r0)/(r1-r0))
}

func (d *Digest) clamp(v float64) float64 {
	return math.Max(d.min, math.Min(d.max, v))
}

// Centroids appends d's centroids, in ascending order of their means, to dst.
func (d *Digest) Centroids(dst []Centroid) []Centroid {
	d.flush()
	return append(dst, d.cs...)
}

// digestHeader is the length of the fixed part of a Digest's binary form.
const digestHeader = 1 + 1 + 2 + 8 + 8 + 8 + 8 + 4

const digestVersion = 1

// AppendBinary appends the binary form of d (little-endian) to b, after
// merging its buffered points: a version byte (1), a flag byte (bit 0:
// Float32), the compression (uint16), the non-NaN and NaN counts (int64),
// the minimum and maximum (float64), the number of centroids (uint32), then
// per centroid its mean (float64) and count (int64). An exact digest of n
// points takes 40 + 16n bytes, a compressed one at most about 40 + 16δ.
func (d *Digest) AppendBinary(b []byte) ([]byte, error) {
	d.flush()
	var flags byte
	if d.Float32 {
		flags = 1
	}
	b = append(b, digestVersion, flags)
	b = binary.LittleEndian.AppendUint16(b, uint16(d.Compression()))
	b = binary.LittleEndian.AppendUint64(b, uint64(d.n))
	b = binary.LittleEndian.AppendUint64(b, uint64(d.nan))
	mn, mx := d.min, d.max
	if d.n == 0 {
		mn, mx = 0, 0
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(mn))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(mx))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(d.cs)))
	for _, c := range d.cs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.Mean))
		b = binary.LittleEndian.AppendUint64(b, uint64(c.Count))
	}
	return b, nil
}

// DecodeDigest decodes the Digest at the start of b (written by
// AppendBinary) into d, reusing d's buffers, and returns the rest of b. It
// checks the form before allocating: a wrong version, a centroid count the
// bytes cannot hold, counts that do not add up, unsorted means or means
// outside [minimum, maximum], or a minimum above the maximum give an error
// wrapping ErrCorruptState.
func (d *Digest) DecodeDigest(b []byte) ([]byte, error) {
	if len(b) < digestHeader {
		return nil, errf(ErrCorruptState, "digest: %d bytes, want at least %d", len(b), digestHeader)
	}
	if b[0] != digestVersion || b[1]&^1 != 0 {
		return nil, errf(ErrCorruptState, "digest: version %d, flags %#x", b[0], b[1])
	}
	f32 := b[1]&1 != 0
	comp := int(binary.LittleEndian.Uint16(b[2:]))
	n := int64(binary.LittleEndian.Uint64(b[4:]))
	nan := int64(binary.LittleEndian.Uint64(b[12:]))
	mn := math.Float64frombits(binary.LittleEndian.Uint64(b[20:]))
	mx := math.Float64frombits(binary.LittleEndian.Uint64(b[28:]))
	nc := int64(binary.LittleEndian.Uint32(b[36:]))
	b = b[digestHeader:]
	switch {
	case comp < 10 || comp > 10000:
		return nil, errf(ErrCorruptState, "digest: compression %d outside [10, 10000]", comp)
	case n < 0 || nan < 0:
		return nil, errf(ErrCorruptState, "digest: counts %d and %d", n, nan)
	case nc*16 > int64(len(b)):
		return nil, errf(ErrCorruptState, "digest: %d centroids in %d bytes", nc, len(b))
	case nc > n || (n > 0 && nc == 0):
		return nil, errf(ErrCorruptState, "digest: %d centroids for %d points", nc, n)
	case n > 0 && !(mn <= mx):
		return nil, errf(ErrCorruptState, "digest: minimum %v, maximum %v", mn, mx)
	}
	cs := slices.Grow(d.cs[:0], int(nc))
	var total int64
	for i := range int(nc) {
		c := Centroid{
			Mean:  math.Float64frombits(binary.LittleEndian.Uint64(b[16*i:])),
			Count: int64(binary.LittleEndian.Uint64(b[16*i+8:])),
		}
		if c.Count < 1 || c.Count > n-total {
			return nil, errf(ErrCorruptState, "digest: centroid %d counts %d points, %d left", i, c.Count, n-total)
		}
		if !(c.Mean >= mn && c.Mean <= mx) || (i > 0 && c.Mean < cs[i-1].Mean) {
			return nil, errf(ErrCorruptState, "digest: centroid %d mean %v out of order or outside [%v, %v]", i, c.Mean, mn, mx)
		}
		total += c.Count
		cs = append(cs, c)
	}
	if total != n {
		return nil, errf(ErrCorruptState, "digest: centroids count %d points, header %d", total, n)
	}
	*d = Digest{Float32: f32, compression: comp, cs: cs, buf: d.buf[:0], tmp: d.tmp, vals: d.vals, n: n, nan: nan, min: mn, max: mx}
	return b[16*nc:], nil
}
