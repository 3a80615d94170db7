package agg

import "math"

// Elevation change (dh/dt) per cell from per-window statistics.
//
// A multi-window run aggregates the points of every (time window, cell)
// separately. The trend of a cell is then a weighted least-squares straight
// line through its per-window mean heights ȳ_k against the windows' mid-times
// t_k (Julian years; timewin.AppendMidYears), with weights w_k = 1/σ_k², σ_k
// the uncertainty of window k's mean. This is the rate of change of the
// cell's mean surface height as ICESat-2 sampled it. It is NOT a
// glaciological mass balance: no firn-densification or surface-mass-balance
// correction, no glacial isostatic adjustment, no correction for the
// different places a cell's tracks sample in different windows (no
// along-track slope removal, no repeat-track or crossover analysis), no
// seasonal term, and no outlier editing beyond the config's filters.
//
// Per-window statistics merge exactly to coarser cells and across workers
// (State.Merge, CoarsenStates), so the trend of a coarse cell is the fit of
// its merged window means, not an average of its children's trends. The
// pieces, for one parent cell with W windows:
//
//	timewin.Binner.Index      point → window (−1 outside)
//	CellWindowIndex           point → child·W + window (−1 outside)
//	AccumulateStates          [children × W] States in one pass (Welford)
//	CoarsenStates             [children/4 × W], repeated down to the parent
//	FitStateTrends            one Trend per cell at each order
//
// and, across workers, the parents' [W] States merged with State.Merge
// window by window for the orders coarser than the parent. Alternatively
// TrendState names the reduction of an Aggregator whose Partial States
// (one Aggregate call per window) serve at the parent order and coarser.

// Trend is a straight-line fit y = Intercept + Slope·(t − RefTime) through
// the used windows of one cell. When the fit is not possible (fewer than
// TrendOptions.MinWindows usable windows, a span shorter than MinSpan, or
// all windows at one time) Slope, SlopeErr, Intercept, InterceptErr and
// RedChi2 are NaN; Windows and Span still describe the usable windows.
type Trend struct {
	Slope        float64 // dy/dt, units of y per unit of t (per year)
	SlopeErr     float64 // standard error of Slope (see ErrorModel)
	Intercept    float64 // fitted y at TrendOptions.RefTime
	InterceptErr float64 // standard error of Intercept
	RedChi2      float64 // χ²/(n − 2), NaN when n ≤ 2 or unweighted
	Windows      int     // number of windows used, n
	Span         float64 // last − first used window time (0 if n ≤ 1)
}

// ErrorModel chooses how SlopeErr and InterceptErr are computed.
type ErrorModel uint8

const (
	// ErrorMax (the default) takes the larger of the formal and the scaled
	// errors: the formal error √(1/Stt) when the scatter of the window means
	// about the line is no larger than their σ predict (χ²/(n−2) ≤ 1), and the
	// scaled one otherwise; with two windows it is the formal error. Window
	// means of real ice vary more than their sampling error (seasons,
	// different tracks), so the formal error alone is too optimistic.
	ErrorMax ErrorModel = iota
	// ErrorFormal propagates the σ_k only: Var(slope) = 1/Stt, numpy's
	// np.polyfit(t, y, 1, w=1/σ, cov="unscaled").
	ErrorFormal
	// ErrorScaled multiplies the formal variances by χ²/(n − 2), numpy's
	// np.polyfit(t, y, 1, w=1/σ, cov=True); NaN for n = 2.
	ErrorScaled
)

// SigmaModel chooses how a window's mean and its σ follow from the window's
// State (FitStateTrends).
type SigmaModel uint8

const (
	// SigmaSEM (the default) uses the unweighted mean of the window's points
	// (State.Mean, numpy's mean up to rounding) and the standard error of
	// that mean, σ_k² = max(s_k², s_p²)/n_k, where s_k² = M2_k/(n_k − 1) is
	// the window's sample variance (0 for one point) and s_p² = Σ M2_j /
	// Σ (n_j − 1) the cell's pooled within-window variance over its windows
	// with n_j ≥ 2. The pooled variance is a floor because a variance from
	// a few points is itself very uncertain: two nearly equal heights would
	// otherwise give a window an almost infinite weight and the fit a far
	// too small error (TestTrendRecoversImposedSlope measures it). A cell
	// without any variance (every window has one point, or all points are
	// equal) is fitted unweighted, with scaled errors.
	SigmaSEM SigmaModel = iota
	// SigmaPooled uses σ_k² = s_p²/n_k for every window: the right weights
	// when the points scatter alike in every window, and calibrated errors
	// then; noisier windows are not down-weighted.
	SigmaPooled
	// SigmaWeighted uses the weighted mean ΣwX/Σw and σ² = 1/Σw: for States
	// built with point weights w = 1/σ_i² (an "average" with weights
	// 1/h_li_sigma², whose uncertainty is zagg's h_sigma
	// 1/√Σ(1/h_li_sigma²)). It ignores the scatter of the points, so pair it
	// with ErrorMax.
	SigmaWeighted
)

// TrendOptions configures the fits. The zero value is valid: at least two
// windows, any span, intercept at t = 0, ErrorMax, SigmaSEM.
type TrendOptions struct {
	// MinWindows is the least number of usable windows for a fit; values
	// below 2 mean 2.
	MinWindows int
	// MinSpan is the least time between the first and last usable window
	// (in the unit of t, years); 0 accepts any span > 0.
	MinSpan float64
	// RefTime is the time at which Intercept is reported.
	RefTime float64
	// Errors chooses the standard errors.
	Errors ErrorModel
	// Sigma chooses the window σ for FitStateTrends (FitTrend is given σ).
	Sigma SigmaModel
}

// Validate checks the options; the error wraps ErrInvalid.
func (o *TrendOptions) Validate() error {
	switch {
	case o.MinWindows < 0:
		return errf(ErrInvalid, "trend: min_windows %d is negative", o.MinWindows)
	case !(o.MinSpan >= 0) || math.IsInf(o.MinSpan, 0):
		return errf(ErrInvalid, "trend: min_span %v is not a finite number ≥ 0", o.MinSpan)
	case math.IsNaN(o.RefTime) || math.IsInf(o.RefTime, 0):
		return errf(ErrInvalid, "trend: reference time %v is not finite", o.RefTime)
	case o.Errors > ErrorScaled:
		return errf(ErrInvalid, "trend: error model %d", o.Errors)
	case o.Sigma > SigmaWeighted:
		return errf(ErrInvalid, "trend: sigma model %d", o.Sigma)
	}
	return nil
}

// series is the windows of one cell: time, value and σ of window k, and
// whether k is usable. sigma ≤ 0 marks an unweighted series (all σ = 1).
type series interface {
	len() int
	at(k int) (t, y, sigma float64, ok bool)
}

// sliceSeries is FitTrend's input.
type sliceSeries struct{ t, y, s []float64 }

func (s sliceSeries) len() int { return len(s.t) }

func (s sliceSeries) at(k int) (t, y, sigma float64, ok bool) {
	t, y, sigma = s.t[k], s.y[k], 1
	if s.s != nil {
		sigma = s.s[k]
		if !(sigma > 0) || math.IsInf(sigma, 0) {
			return t, y, sigma, false
		}
	}
	return t, y, sigma, finite(t) && finite(y)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// FitTrend fits y = a + b·(t − RefTime) to the windows (t[k], y[k]) by
// weighted least squares with weights w_k = 1/sigma[k]² (nil sigma:
// unweighted, errors always scaled as for ordinary least squares). Windows
// whose t or y is NaN or ±Inf, or whose sigma is not a finite number > 0,
// are skipped (a window without data has a NaN mean). With n used windows,
//
//	W = Σ w_k,  t̄ = Σ w_k t_k / W,  ȳ = Σ w_k y_k / W,
//	Stt = Σ w_k (t_k − t̄)²,  Sty = Σ w_k (t_k − t̄)(y_k − ȳ),
//	b = Sty / Stt,  a = ȳ + b·(RefTime − t̄),
//	χ² = Σ w_k (y_k − ȳ − b·(t_k − t̄))²,
//	Var(b) = f/Stt,  Var(a) = f·(1/W + (RefTime − t̄)²/Stt),
//
// with f = 1 (ErrorFormal), χ²/(n − 2) (ErrorScaled) or the larger of the
// two (ErrorMax). Centring on t̄ keeps the sums accurate for times far
// from 0. The result equals numpy's np.polyfit(t, y, 1, w=1/sigma) (whose
// weights multiply the unsquared residuals, hence 1/σ) and its cov="unscaled"
// and cov=True covariances. t, y and sigma must have the same length (it
// panics otherwise).
func FitTrend(t, y, sigma []float64, opt TrendOptions) Trend {
	if len(y) != len(t) || sigma != nil && len(sigma) != len(t) {
		panic("agg: FitTrend: slice lengths differ")
	}
	return fitLine(sliceSeries{t, y, sigma}, sigma == nil, &opt)
}

// FitTrends fits every cell of a flat [cells × windows] layout: the
// windows of cell c are means[c·W : (c+1)·W] with σ sigmas[c·W : (c+1)·W]
// (nil: unweighted) at times t (W = len(t)), and its Trend goes to dst[c].
// It panics unless len(means) = len(dst)·W and sigmas is nil or as long as
// means. It allocates nothing.
func FitTrends(dst []Trend, t, means, sigmas []float64, opt TrendOptions) {
	w := len(t)
	if len(means) != len(dst)*w || sigmas != nil && len(sigmas) != len(means) {
		panic("agg: FitTrends: means and sigmas must be [len(dst) × len(t)]")
	}
	for c := range dst {
		var s []float64
		if sigmas != nil {
			s = sigmas[c*w : (c+1)*w]
		}
		dst[c] = fitLine(sliceSeries{t, means[c*w : (c+1)*w], s}, sigmas == nil, &opt)
	}
}

// fitLine is FitTrend on any series (three passes over the windows).
func fitLine[S series](s S, unweighted bool, opt *TrendOptions) Trend {
	nan := math.NaN()
	tr := Trend{Slope: nan, SlopeErr: nan, Intercept: nan, InterceptErr: nan, RedChi2: nan}
	var sw, swt, swy float64
	tmin, tmax := math.Inf(1), math.Inf(-1)
	for k := range s.len() {
		t, y, sg, ok := s.at(k)
		if !ok {
			continue
		}
		w := 1 / (sg * sg)
		sw += w
		swt += w * t
		swy += w * y
		tmin, tmax = math.Min(tmin, t), math.Max(tmax, t)
		tr.Windows++
	}
	if tr.Windows == 0 {
		return tr
	}
	tr.Span = tmax - tmin
	if tr.Windows < max(opt.MinWindows, 2) || tr.Span < opt.MinSpan || !(tr.Span > 0) {
		return tr
	}
	tbar, ybar := swt/sw, swy/sw
	var stt, sty float64
	for k := range s.len() {
		t, y, sg, ok := s.at(k)
		if !ok {
			continue
		}
		w := 1 / (sg * sg)
		dt := t - tbar
		stt += w * dt * dt
		sty += w * dt * (y - ybar)
	}
	if !(stt > 0) || math.IsInf(stt, 0) {
		return tr
	}
	b := sty / stt
	var chi2 float64
	for k := range s.len() {
		t, y, sg, ok := s.at(k)
		if !ok {
			continue
		}
		r := y - ybar - b*(t-tbar)
		chi2 += r * r / (sg * sg)
	}
	n := tr.Windows
	red := nan
	if n > 2 {
		red = chi2 / float64(n-2)
	}
	f := 1.0
	switch {
	case unweighted || opt.Errors == ErrorScaled:
		f = red
	case opt.Errors == ErrorMax && n > 2:
		f = math.Max(1, red)
	}
	if !unweighted {
		tr.RedChi2 = red
	}
	dr := opt.RefTime - tbar
	tr.Slope = b
	tr.Intercept = ybar + b*dr
	tr.SlopeErr = math.Sqrt(f / stt)
	tr.InterceptErr = math.Sqrt(f * (1/sw + dr*dr/stt))
	return tr
}

// stateSeries is one cell's window States under a SigmaModel.
type stateSeries struct {
	t      []float64
	st     []State
	model  SigmaModel
	pooled float64 // pooled within-window variance (SigmaSEM); ≤ 0: unweighted
}

func (s stateSeries) len() int { return len(s.t) }

func (s stateSeries) at(k int) (t, y, sigma float64, ok bool) {
	st := &s.st[k]
	n := st.Valid()
	t = s.t[k]
	if n == 0 || !finite(t) {
		return t, math.NaN(), math.NaN(), false
	}
	switch s.model {
	case SigmaWeighted:
		if !(st.SumW > 0) {
			return t, math.NaN(), math.NaN(), false
		}
		y, sigma = st.SumWX/st.SumW, 1/math.Sqrt(st.SumW)
	default:
		// pooled ≤ 0 means no window of the cell has a variance: the
		// cell is fitted unweighted (σ = 1 for all).
		y = st.Mean
		v := s.pooled
		if s.model == SigmaSEM && n >= 2 {
			v = math.Max(v, st.M2/float64(n-1))
		}
		sigma = 1
		if s.pooled > 0 {
			sigma = math.Sqrt(v / float64(n))
		}
	}
	return t, y, sigma, finite(y) && sigma > 0 && !math.IsInf(sigma, 0)
}

// WindowMean returns the mean and σ FitStateTrends uses for a window whose
// State is s under model; pooled is the cell's pooled within-window
// variance s_p² for SigmaSEM and SigmaPooled (see SigmaModel; PooledVariance
// computes it). The mean is NaN for a window without non-NaN rows, σ is NaN
// when there is no usable σ (no pooled variance).
func WindowMean(s *State, model SigmaModel, pooled float64) (mean, sigma float64) {
	if s.Valid() == 0 {
		return math.NaN(), math.NaN()
	}
	ss := stateSeries{t: []float64{0}, st: []State{*s}, model: model, pooled: pooled}
	_, mean, sigma, ok := ss.at(0)
	if !ok || model != SigmaWeighted && !(pooled > 0) {
		sigma = math.NaN()
	}
	return mean, sigma
}

// PooledVariance returns the pooled within-window variance of one cell's
// window States, s_p² = Σ M2_k / Σ (n_k − 1) over the windows with
// n_k ≥ 2 and a finite mean and M2 (0 if there is none or it is 0).
func PooledVariance(states []State) float64 {
	var m2, dof float64
	for k := range states {
		if n := states[k].Valid(); n >= 2 && finite(states[k].M2) && finite(states[k].Mean) {
			m2 += states[k].M2
			dof += float64(n - 1)
		}
	}
	if dof > 0 && m2 > 0 && !math.IsInf(m2, 0) {
		return m2 / dof
	}
	return 0
}

// FitStateTrends fits the trend of every cell from per-window States in a
// flat [cells × windows] layout: the windows of cell c are
// states[c·W : (c+1)·W] at times t (W = len(t)), each window's mean and σ
// taken as opt.Sigma says (SigmaModel), then fitted as FitTrend does; the
// Trend goes to dst[c]. Rows counted as NaN in a State (State.Add, nanvar)
// are ignored, so the mean of a window is of its non-NaN values; a var
// State over NaN heights has a NaN mean (numpy's rule), and that window is
// not used. It panics unless len(states) =
// len(dst)·W, and allocates nothing.
func FitStateTrends(dst []Trend, t []float64, states []State, opt TrendOptions) {
	w := len(t)
	if len(states) != len(dst)*w {
		panic("agg: FitStateTrends: states must be [len(dst) × len(t)]")
	}
	for c := range dst {
		s := stateSeries{t: t, st: states[c*w : (c+1)*w], model: opt.Sigma}
		unweighted := false
		if opt.Sigma != SigmaWeighted {
			s.pooled = PooledVariance(s.st)
			unweighted = s.pooled <= 0
		}
		dst[c] = fitLine(s, unweighted, &opt)
	}
}

// CoarsenStates merges per-window States one order coarser: src is
// [4·P cells × W windows] of child cells in nested order (the four
// children of parent p are cells 4p … 4p+3, as in a Level), dst is
// [P × W], and dst[p·W + k] becomes the merge (State.Merge, Chan et al.) of
// the four children's window k. Applied repeatedly it gives every order
// from the child order to the parent; across workers, merge the parents'
// States window by window with State.Merge. It panics unless
// len(src) = 4·len(dst) and len(dst) is a multiple of windows.
func CoarsenStates(dst, src []State, windows int) {
	if windows <= 0 || len(dst)%windows != 0 || len(src) != 4*len(dst) {
		panic("agg: CoarsenStates: want len(src) = 4·len(dst), len(dst) a multiple of windows")
	}
	for p := range len(dst) / windows {
		d := dst[p*windows : (p+1)*windows]
		base := 4 * p * windows
		copy(d, src[base:base+windows])
		for c := 1; c < 4; c++ {
			ch := src[base+c*windows : base+(c+1)*windows]
			for k := range d {
				d[k].Merge(&ch[k])
			}
		}
	}
}

// TrendState finds the reduction whose per-window States a trend of column
// needs under model, and returns its place in Result.Partial.States[v][r]
// (the Aggregator fills only the State fields a reduction reads):
//
//   - SigmaSEM, SigmaPooled: a var, std, nanvar or nanstd of the column
//     itself (any ddof), whose States carry n, the mean and M2 (ATL06:
//     h_variance).
//   - SigmaWeighted: an average of the column with weights (ATL06: h_mean,
//     weights 1/h_li_sigma²), whose States carry Σw and Σwx.
//
// ok is false when the config has no such reduction.
func (a *Aggregator) TrendState(column string, model SigmaModel) (v, r int, ok bool) {
	for vi := range a.vars {
		for ri, red := range a.vars[vi].reds {
			if red.arg == nil || red.arg.op != opCol || a.columns[red.arg.col] != column {
				continue
			}
			switch red.kind {
			case rVar, rStd, rNanVar, rNanStd:
				ok = model != SigmaWeighted
			case rAverage:
				ok = model == SigmaWeighted && red.w != nil
			}
			if ok {
				return vi, ri, true
			}
		}
	}
	return 0, 0, false
}

// CellWindowIndex stores in dst[i] the flat [cells × windows] index
// child·nWindows + window[i] of point i, where child is the point's child
// cell of order childOrder inside parent (order parentOrder; cells holds
// order-29 nested ids, as Input.Cells), or −1 when the point is outside the
// parent or window[i] < 0 (outside every time window, see
// timewin.Binner.Index). With AccumulateStates it builds the per-child,
// per-window States of one parent in one pass over the points. It panics if
// the slices' lengths differ, the orders are invalid (as Aggregate rejects
// them) or nWindows is not positive, and allocates nothing.
func CellWindowIndex(dst []int32, cells []uint64, window []int32, parentOrder int, parent uint64, childOrder, nWindows int) {
	if len(dst) != len(cells) || len(window) != len(cells) {
		panic("agg: CellWindowIndex: slice lengths differ")
	}
	p, c := parentOrder, childOrder
	if p < 0 || c > MaxOrder || c < p || c-p > MaxDepth || nWindows <= 0 || int64(nWindows)<<(2*uint(c-p)) > math.MaxInt32 {
		panic("agg: CellWindowIndex: bad orders or window count")
	}
	pshift := 2 * uint(MaxOrder-p)
	cshift := 2 * uint(MaxOrder-c)
	mask := uint64(1)<<(2*uint(c-p)) - 1
	nw := int32(nWindows)
	for i, cell := range cells {
		k := window[i]
		if k < 0 || k >= nw || cell>>pshift != parent || cell>>(2*MaxOrder) >= 12 {
			dst[i] = -1
			continue
		}
		dst[i] = int32((cell>>cshift)&mask)*nw + k
	}
}

// AccumulateStates adds point i (value x[i], weight w[i], or 1 when w is
// nil) to dst[idx[i]] with State.Add (Welford's update; NaN values and
// weights are counted in State.NaN), skipping points with idx[i] < 0. It
// panics if the lengths differ or an index is ≥ len(dst).
func AccumulateStates(dst []State, idx []int32, x, w []float64) {
	if len(idx) != len(x) || w != nil && len(w) != len(x) {
		panic("agg: AccumulateStates: slice lengths differ")
	}
	for i, j := range idx {
		if j < 0 {
			continue
		}
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		dst[j].Add(x[i], wi)
	}
}
