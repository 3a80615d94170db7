// Package agg computes per-cell statistics of point observations with numpy
// semantics: the aggregation section of a zagg pipeline config (functions,
// expressions, filters), compiled once and applied to the points of one
// HEALPix parent cell at every order from the child order to the parent
// order, plus mergeable partial states for coarser orders.
//
// agg is pure computation: no I/O, no context, no knowledge of readers or
// stores. The pipeline package reads the points and writes the results.
//
// # Statistics
//
// The statistic names are numpy's (see Functions and LookupFunction): len
// (alias count, size), sum, min/amin, max/amax, mean, average (params.weights:
// a column or an element-wise expression), var and std (params.ddof, default
// 0: the population variance, numpy's default), median, quantile (params.q in
// [0, 1], numpy's default "linear" method, Hyndman & Fan type 7), percentile
// (q in [0, 100]), and the nan-prefixed variants (nansum, nanmin, nanmax,
// nanmean, nanvar, nanstd, nanmedian, nanquantile, nanpercentile). A "np." or
// "numpy." prefix is accepted.
//
// Conventions, all numpy's:
//
//   - Values are computed in float64 and returned as float64; the caller casts
//     them to the variable's DType. Inputs may be float32 (widened exactly).
//     The median of an even float32 count is (a+b)/2 in float64, where numpy's
//     float32 sum may overflow to ±Inf for values beyond ±1.7e38.
//   - Sums use numpy's pairwise summation and the variance numpy's two-pass
//     algorithm (mean, then Σ (x − x̄)²) on the points of a cell in input
//     order, so on float64 data sum, mean, average and var reproduce numpy bit
//     for bit; min, max, median and quantile are exact on any input. numpy on
//     float32 data computes in float32; those results agree with ours to float32
//     rounding.
//   - NaN: any NaN point (or NaN weight) makes sum, mean, average, min, max,
//     var, std, median and quantile NaN; the nan variants ignore NaN points and
//     return NaN when none remains (nansum returns 0).
//   - An empty cell gets the variable's fill value (NaN by default); a len /
//     count variable gets 0. numpy raises on empty min/max and on weights that
//     sum to zero; average returns NaN for a zero weight sum, and an infinite
//     weight (σ = 0) gives NaN as in numpy.
//   - var/std divide by max(n − ddof, 0), giving +Inf or NaN like numpy when
//     n ≤ ddof.
//
// The slice functions (Sum, Mean, Variance, Quantile, ...) follow gonum's
// conventions: data first, nil weights means unweighted, a length mismatch
// panics with an "agg: ..." message, inputs are never modified.
//
// # Expressions
//
// An expression is a numpy-style formula over the columns of a cell, such as
// zagg 0.1.0's h_sigma "1.0 / np.sqrt(np.sum(1.0 / s_li**2))". Columns are
// vectors (one value per point); operators + - * / % ** and the element-wise
// functions (np.sqrt, log, log10, exp, abs, square, sin, ..., power, maximum,
// minimum, hypot, arctan2) apply point by point with scalar broadcasting;
// reductions (np.sum, mean, min, max, var, std, median, quantile,
// percentile, average, len and the nan variants) turn a vector into one value
// per cell. The value of a variable's expression must be one value per cell.
// np.pi, np.e, np.nan and np.inf are constants; Python's len, sum, abs, float
// and int are accepted as zagg 0.1.0 allowed them.
//
// We wrote a small parser and evaluator rather than use a Go expression
// library: the general-purpose ones (expr-lang/expr, govaluate, cel-go)
// evaluate scalars per call and would need a call per point with boxing, do
// not know numpy's broadcasting and reductions, and accept far more than a
// statistics formula needs. Ours has no loops, no attribute access and no I/O;
// it is bounded by MaxExprLen, MaxExprDepth and MaxExprNodes, and its cost is
// linear in nodes × points. Identical sub-expressions are shared, and the
// element-wise parts are computed once for all points of the parent cell (in
// chunks of 1,024) rather than once per cell.
//
// # Filters
//
// A Filter keeps points whose column value satisfies ==, !=, <, <=, >, >=, in,
// not_in or between (inclusive). zagg 0.1.0's quality_filter {dataset, value}
// is the filter dataset == value. NaN fails every operator but != and not_in.
//
// # Cells, orders and merging
//
// Points arrive with their nested HEALPix cell at order 29. Aggregate puts
// them in cell order with one stable counting sort on the child index (cost
// O(n + 4^depth)), so every child cell, and every coarser cell down to the
// parent, is a contiguous run of points, each in input order (as numpy sees
// a cell's rows). For each mergeable reduction it builds, per child cell, a
// State (count, Σw, Σwx, Σwx², min, max, mean and M2) with numpy's
// algorithms, merges four children into their parent cell for the next
// order (Chan, Golub & LeVeque's parallel variance update), and finalises
// values from States; so coarser orders cost O(cells), not O(points).
//
// Order statistics (median, quantile, percentile) cannot be merged from
// States. Each value becomes an integer key ordered like the floats (uint32
// for float32 columns such as ATL06's h_li, uint64 for float64), and an MSD
// radix select picks, for every cell at every order, just the ranks it needs
// from the cell's contiguous keys: about one or two passes over the points per
// order, exact, with numpy's float32 interpolation reproduced bit for bit on
// float32 data. Input.MinOrder skips the orders a caller does not write.
//
// Result.Partial carries the parent cell's States so that orders coarser than
// the parent, whose cells span several workers, can be computed in a finalize
// step (MergePartial, Finalize; State.AppendBinary to ship them). Variables
// whose reductions are all mergeable are exact there (Aggregator.Mergeable;
// in the ATL06 config count, h_min, h_max, h_mean, h_sigma and h_variance).
//
// With Input.Sketches, Result.Partial also carries a quantile sketch (Digest,
// a merging t-digest with compression 100) of each order statistic's
// argument over the parent cell, built in one pass over the values radix
// sorted by their keys. Finalize then estimates the order statistics of
// coarser cells from the merged sketches (Aggregator.Sketched; in the ATL06
// config h_q25, h_q50 and h_q75): exact while a cell has at most 500
// points, and otherwise within a few tenths of a percent of the ranks (see
// Digest). Order statistics of expressions that are not element-wise, such
// as np.median(np.abs(h - np.median(h))), have no sketch and come out as
// the fill value.
//
// After its buffers have grown to the largest input, Aggregate allocates
// nothing. On one core of the development machine (AMD EPYC, shared) the
// ATL06 config aggregates 10M points of an order-6 parent into its order-12
// children at about 37 Mpts per CPU second, and into every order 12..6 at
// about 19; 1M points at 29 and 18 (bench/agg; numpy's vectorised
// sort-grouping does about 2–3, zagg 0.1.0's per-child loop 0.1).
package agg
