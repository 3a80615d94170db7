package agg

import (
	"math"
)

// This file holds the slice statistics. They follow gonum's conventions: the
// data come first, a nil weights slice means "unweighted", and a length
// mismatch between x and weights is a programmer error that panics with an
// "agg: ..." message. They never modify their inputs.
//
// Summation is numpy's pairwise summation (numpy/core/src/umath/loops_utils.h,
// pairwise_sum): blocks of 128 values summed with eight accumulators, larger
// inputs split in halves. On float64 input this reproduces numpy's sums, means
// and variances bit for bit; on float32 input numpy sums in float32 and we sum
// in float64, so results agree to float32 rounding.

const pairwiseBlock = 128

// pairwiseSum returns Σ x[i] with numpy's pairwise summation.
func pairwiseSum(x []float64) float64 {
	n := len(x)
	if n < 8 {
		s := 0.0 // numpy 1.24 starts from +0, so a sum of -0s is +0
		for _, v := range x {
			s += v
		}
		return s
	}
	if n <= pairwiseBlock {
		r0, r1, r2, r3 := x[0], x[1], x[2], x[3]
		r4, r5, r6, r7 := x[4], x[5], x[6], x[7]
		i := 8
		for ; i+8 <= n; i += 8 {
			b := x[i : i+8 : i+8]
			r0 += b[0]
			r1 += b[1]
			r2 += b[2]
			r3 += b[3]
			r4 += b[4]
			r5 += b[5]
			r6 += b[6]
			r7 += b[7]
		}
		s := ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
		for ; i < n; i++ {
			s += x[i]
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSum(x[:n2]) + pairwiseSum(x[n2:])
}

// pairwiseSumProd returns Σ x[i]·w[i] with numpy's pairwise summation of the
// products (what np.multiply(x, w).sum() computes).
func pairwiseSumProd(x, w []float64) float64 {
	n := len(x)
	w = w[:n]
	if n < 8 {
		s := 0.0
		for i, v := range x {
			s += v * w[i]
		}
		return s
	}
	if n <= pairwiseBlock {
		r0, r1, r2, r3 := x[0]*w[0], x[1]*w[1], x[2]*w[2], x[3]*w[3]
		r4, r5, r6, r7 := x[4]*w[4], x[5]*w[5], x[6]*w[6], x[7]*w[7]
		i := 8
		for ; i+8 <= n; i += 8 {
			b := x[i : i+8 : i+8]
			c := w[i : i+8 : i+8]
			r0 += b[0] * c[0]
			r1 += b[1] * c[1]
			r2 += b[2] * c[2]
			r3 += b[3] * c[3]
			r4 += b[4] * c[4]
			r5 += b[5] * c[5]
			r6 += b[6] * c[6]
			r7 += b[7] * c[7]
		}
		s := ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
		for ; i < n; i++ {
			s += x[i] * w[i]
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSumProd(x[:n2], w[:n2]) + pairwiseSumProd(x[n2:], w[n2:])
}

// pairwiseSumSqDev returns Σ (x[i]-m)² with numpy's pairwise summation (the
// second pass of np.var).
func pairwiseSumSqDev(x []float64, m float64) float64 {
	n := len(x)
	if n < 8 {
		s := 0.0
		for _, v := range x {
			d := v - m
			s += d * d
		}
		return s
	}
	if n <= pairwiseBlock {
		sq := func(v float64) float64 { d := v - m; return d * d }
		r0, r1, r2, r3 := sq(x[0]), sq(x[1]), sq(x[2]), sq(x[3])
		r4, r5, r6, r7 := sq(x[4]), sq(x[5]), sq(x[6]), sq(x[7])
		i := 8
		for ; i+8 <= n; i += 8 {
			b := x[i : i+8 : i+8]
			r0 += sq(b[0])
			r1 += sq(b[1])
			r2 += sq(b[2])
			r3 += sq(b[3])
			r4 += sq(b[4])
			r5 += sq(b[5])
			r6 += sq(b[6])
			r7 += sq(b[7])
		}
		s := ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
		for ; i < n; i++ {
			s += sq(x[i])
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSumSqDev(x[:n2], m) + pairwiseSumSqDev(x[n2:], m)
}

func checkWeights(x, weights []float64) {
	if weights != nil && len(weights) != len(x) {
		panic("agg: slice length mismatch")
	}
}

// Sum returns Σ w_i·x_i, or Σ x_i when weights is nil (np.sum). The empty sum
// is 0. NaN in x or weights propagates to the result.
func Sum(x, weights []float64) float64 {
	checkWeights(x, weights)
	if weights == nil {
		return pairwiseSum(x)
	}
	return pairwiseSumProd(x, weights)
}

// NanSum is Sum ignoring the elements where x or the weight is NaN (np.nansum).
// The sum of no values is 0.
func NanSum(x, weights []float64) float64 {
	checkWeights(x, weights)
	if weights == nil {
		_, s, _, _ := nanMoments(x, false)
		return s
	}
	s := 0.0
	for i, v := range x {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		if v != v || w != w {
			continue
		}
		s += w * v
	}
	return s
}

// Mean returns the weighted mean Σ w_i·x_i / Σ w_i (np.average), or the
// arithmetic mean Σ x_i / n when weights is nil (np.mean). It returns NaN for
// empty input, when any x or weight is NaN, and when the weights sum to zero
// (numpy raises ZeroDivisionError there; a zero weight sum has no mean). An
// infinite weight (σ = 0 for inverse-variance weights) gives NaN, as in numpy.
func Mean(x, weights []float64) float64 {
	checkWeights(x, weights)
	if len(x) == 0 {
		return math.NaN()
	}
	if weights == nil {
		return pairwiseSum(x) / float64(len(x))
	}
	sw := pairwiseSum(weights)
	if sw == 0 {
		return math.NaN()
	}
	return pairwiseSumProd(x, weights) / sw
}

// NanMean is Mean over the elements where neither x nor the weight is NaN
// (np.nanmean). It returns NaN when no such element exists.
func NanMean(x, weights []float64) float64 {
	checkWeights(x, weights)
	if weights == nil {
		n, s, _, _ := nanMoments(x, false)
		if n == 0 {
			return math.NaN()
		}
		return s / float64(n)
	}
	var s, sw float64
	for i, v := range x {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		if v != v || w != w {
			continue
		}
		s += w * v
		sw += w
	}
	if sw == 0 {
		return math.NaN()
	}
	return s / sw
}

// Min returns the smallest element of x (np.min). It returns NaN when x is
// empty or contains a NaN (numpy propagates NaN; the empty case raises in
// numpy and is the fill value in a cell).
func Min(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	m := x[0]
	for _, v := range x {
		if v < m {
			m = v
		} else if v != v {
			return v
		}
	}
	return m
}

// Max returns the largest element of x (np.max), with Min's NaN behaviour.
func Max(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	m := x[0]
	for _, v := range x {
		if v > m {
			m = v
		} else if v != v {
			return v
		}
	}
	return m
}

// NanMin returns the smallest non-NaN element of x (np.nanmin), NaN if there
// is none.
func NanMin(x []float64) float64 {
	m := math.Inf(1)
	seen := false
	for _, v := range x {
		if v == v {
			seen = true
			if v < m {
				m = v
			}
		}
	}
	if !seen {
		return math.NaN()
	}
	return m
}

// NanMax returns the largest non-NaN element of x (np.nanmax), NaN if there
// is none.
func NanMax(x []float64) float64 {
	m := math.Inf(-1)
	seen := false
	for _, v := range x {
		if v == v {
			seen = true
			if v > m {
				m = v
			}
		}
	}
	if !seen {
		return math.NaN()
	}
	return m
}

// Variance returns the unweighted variance of x with ddof delta degrees of
// freedom (np.var): Σ (x_i − x̄)² / max(n − ddof, 0), computed in two passes
// as numpy does (mean first, then the squared deviations). ddof 0 is the
// population variance (numpy's default), ddof 1 the unbiased sample estimator.
// When n − ddof ≤ 0 the division yields NaN or +Inf exactly as in numpy. Any
// NaN in x gives NaN; empty x gives NaN.
func Variance(x []float64, ddof int) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	m := pairwiseSum(x) / float64(len(x))
	return pairwiseSumSqDev(x, m) / dof(len(x), ddof)
}

func dof(n, ddof int) float64 {
	d := n - ddof
	if d < 0 {
		d = 0
	}
	return float64(d)
}

// StdDev returns √Variance(x, ddof) (np.std).
func StdDev(x []float64, ddof int) float64 { return math.Sqrt(Variance(x, ddof)) }

// NanVariance is Variance over the non-NaN elements of x (np.nanvar), with
// numpy's NaN-as-zero pairwise sums. Unlike Variance it returns NaN (not
// +Inf) when the non-NaN count n satisfies n − ddof ≤ 0, as numpy does.
func NanVariance(x []float64, ddof int) float64 {
	n, _, _, m2 := nanMoments(x, true)
	return nanVar(n, m2, ddof)
}

// nanVar is np.nanvar's division: NaN (not Inf) when n − ddof ≤ 0.
func nanVar(n int, m2 float64, ddof int) float64 {
	if n-ddof <= 0 {
		return math.NaN()
	}
	return m2 / float64(n-ddof)
}

// NanStdDev returns √NanVariance(x, ddof) (np.nanstd).
func NanStdDev(x []float64, ddof int) float64 { return math.Sqrt(NanVariance(x, ddof)) }

// Quantile returns the q-th quantile (0 ≤ q ≤ 1) of sorted with numpy's
// default "linear" method (Hyndman & Fan type 7): at virtual index
// p = q·(n−1), with lower neighbour a = sorted[⌊p⌋], upper b = sorted[⌊p⌋+1]
// and g = p − ⌊p⌋, the result is a + (b−a)·g for g < 0.5 and b − (b−a)·(1−g)
// otherwise (numpy's _lerp, which is monotone and exact at the ends).
//
// sorted must be in ascending order as slices.Sort leaves a []float64, that is
// with NaNs first; Quantile returns NaN when it starts with a NaN (numpy
// propagates NaN) or is empty, and panics if q is outside [0, 1] or NaN.
func Quantile(q float64, sorted []float64) float64 {
	if !(q >= 0 && q <= 1) {
		panic("agg: quantile q out of [0, 1]")
	}
	if len(sorted) == 0 || sorted[0] != sorted[0] {
		return math.NaN()
	}
	return lerpQuantile(q, sorted)
}

// NanQuantile is Quantile ignoring NaNs (np.nanquantile): the leading NaNs of
// sorted are skipped. It returns NaN if nothing else remains.
func NanQuantile(q float64, sorted []float64) float64 {
	if !(q >= 0 && q <= 1) {
		panic("agg: quantile q out of [0, 1]")
	}
	return lerpQuantile(q, skipNaN(sorted))
}

func skipNaN(sorted []float64) []float64 {
	i := 0
	for i < len(sorted) && sorted[i] != sorted[i] {
		i++
	}
	return sorted[i:]
}

// lerpQuantile is numpy's linear quantile on a NaN-free sorted slice.
func lerpQuantile(q float64, s []float64) float64 { return lerp(q, s, false) }

// lerp implements numpy's _quantile/_lerp. With f32 set the difference b − a
// is rounded to float32 first, which is what numpy does for float32 input (the
// subtraction happens in the array's dtype, the rest in float64), so results
// on float32 data match numpy's bit for bit. At the top end numpy evaluates
// the lerp with a = b = the maximum, so an infinite maximum gives NaN there;
// we keep that.
func lerp(q float64, s []float64, f32 bool) float64 {
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	p := float64(n-1) * q
	if p >= float64(n-1) {
		b := s[n-1]
		return b - (b-b)*(1-float64(n)) // b, or NaN for an infinite b
	}
	lo := math.Floor(p)
	i := int(lo)
	g := p - lo
	a, b := s[i], s[i+1]
	d := b - a
	if f32 {
		d = float64(float32(d))
	}
	if g >= 0.5 {
		return b - d*(1-g)
	}
	return a + d*g
}

// QuantileFloat32 is Quantile for data that numpy holds as float32 (widened
// exactly to float64 in sorted): it reproduces numpy's result on the float32
// array bit for bit.
func QuantileFloat32(q float64, sorted []float64) float64 {
	if !(q >= 0 && q <= 1) {
		panic("agg: quantile q out of [0, 1]")
	}
	if len(sorted) == 0 || sorted[0] != sorted[0] {
		return math.NaN()
	}
	return lerp(q, sorted, true)
}

// Median returns the median of sorted (np.median): the middle element for odd
// n, the mean (a+b)/2 of the two middle elements for even n. NaN handling and
// the ordering requirement are those of Quantile.
func Median(sorted []float64) float64 {
	if len(sorted) == 0 || sorted[0] != sorted[0] {
		return math.NaN()
	}
	return median(sorted)
}

// NanMedian is Median ignoring NaNs (np.nanmedian).
func NanMedian(sorted []float64) float64 { return median(skipNaN(sorted)) }

func median(s []float64) float64 {
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// pairwiseSumF returns Σ f(x[i]) with numpy's pairwise summation (used by the
// nan variants, where numpy replaces NaN by 0 before summing).
func pairwiseSumF(x []float64, f func(float64) float64) float64 {
	n := len(x)
	if n < 8 {
		s := 0.0
		for _, v := range x {
			s += f(v)
		}
		return s
	}
	if n <= pairwiseBlock {
		var r [8]float64
		for k := range r {
			r[k] = f(x[k])
		}
		i := 8
		for ; i+8 <= n; i += 8 {
			for k := range r {
				r[k] += f(x[i+k])
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += f(x[i])
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSumF(x[:n2], f) + pairwiseSumF(x[n2:], f)
}

func nanToZero(v float64) float64 {
	if v != v {
		return 0
	}
	return v
}

// nanMoments returns the non-NaN count, NaN-as-zero pairwise sum, and (when
// moments is set) the mean and Σ (x − mean)² over the non-NaN values, as
// np.nansum / np.nanmean / np.nanvar compute them.
func nanMoments(x []float64, moments bool) (n int, sum, mean, m2 float64) {
	for _, v := range x {
		if v == v {
			n++
		}
	}
	sum = pairwiseSumF(x, nanToZero)
	if !moments || n == 0 {
		return n, sum, 0, 0
	}
	mean = sum / float64(n)
	m2 = pairwiseSumF(x, func(v float64) float64 {
		if v != v {
			return 0
		}
		d := v - mean
		return d * d
	})
	return n, sum, mean, m2
}
