package agg_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/zagg-go/zagg/agg"
	"gopkg.in/yaml.v3"
)

// jf is a float64 that decodes JSON null as NaN (mktrend.py writes NaN as
// null).
type jf float64

func (f *jf) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = jf(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	*f = jf(v)
	return err
}

func floats(v []jf) []float64 {
	if v == nil {
		return nil
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

type wantFit struct {
	N                  int `json:"n"`
	Span               jf  `json:"span"`
	Slope              *jf `json:"slope"`
	Intercept          *jf `json:"intercept"`
	SlopeErrFormal     *jf `json:"slope_err_formal"`
	InterceptErrFormal *jf `json:"intercept_err_formal"`
	SlopeErrScaled     *jf `json:"slope_err_scaled"`
	InterceptErrScaled *jf `json:"intercept_err_scaled"`
	RedChi2            *jf `json:"red_chi2"`
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/trend/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// close reports whether got equals want (nil: NaN) to a relative 1e-9.
func closeTo(got float64, want *jf) bool {
	if want == nil {
		return math.IsNaN(got)
	}
	w := float64(*want)
	return math.Abs(got-w) <= 1e-9*math.Max(1, math.Abs(w))
}

// checkFit compares a Trend computed with model to numpy's fit.
func checkFit(t *testing.T, name string, tr agg.Trend, w wantFit, model agg.ErrorModel, unweighted bool) {
	t.Helper()
	if tr.Windows != w.N || math.Abs(tr.Span-float64(w.Span)) > 1e-12 {
		t.Errorf("%s: %d windows over %v, numpy %d over %v", name, tr.Windows, tr.Span, w.N, w.Span)
	}
	se, ie := w.SlopeErrFormal, w.InterceptErrFormal
	switch {
	case unweighted || model == agg.ErrorScaled:
		se, ie = w.SlopeErrScaled, w.InterceptErrScaled
	case model == agg.ErrorMax && w.RedChi2 != nil && *w.RedChi2 > 1:
		se, ie = w.SlopeErrScaled, w.InterceptErrScaled
	}
	red := w.RedChi2
	if unweighted {
		red = nil
	}
	for _, c := range []struct {
		what string
		got  float64
		want *jf
	}{
		{"slope", tr.Slope, w.Slope}, {"intercept", tr.Intercept, w.Intercept},
		{"slope error", tr.SlopeErr, se}, {"intercept error", tr.InterceptErr, ie},
		{"reduced χ²", tr.RedChi2, red},
	} {
		if !closeTo(c.got, c.want) {
			want := "NaN"
			if c.want != nil {
				want = fmt.Sprint(float64(*c.want))
			}
			t.Errorf("%s (errors %d): %s = %v, numpy %s", name, model, c.what, c.got, want)
		}
	}
}

func TestFitTrendNumpy(t *testing.T) {
	var file struct {
		Cases []struct {
			Name    string  `json:"name"`
			T       []jf    `json:"t"`
			Y       []jf    `json:"y"`
			Sigma   []jf    `json:"sigma"`
			RefTime float64 `json:"ref_time"`
			Want    wantFit `json:"want"`
		} `json:"cases"`
	}
	readJSON(t, "fits.json", &file)
	if len(file.Cases) < 8 {
		t.Fatalf("%d cases", len(file.Cases))
	}
	for _, c := range file.Cases {
		ts, y, s := floats(c.T), floats(c.Y), floats(c.Sigma)
		t0, y0, s0 := slices.Clone(ts), slices.Clone(y), slices.Clone(s)
		for _, m := range []agg.ErrorModel{agg.ErrorMax, agg.ErrorFormal, agg.ErrorScaled} {
			tr := agg.FitTrend(ts, y, s, agg.TrendOptions{RefTime: c.RefTime, Errors: m})
			checkFit(t, c.Name, tr, c.Want, m, s == nil)
		}
		if !slices.Equal(ts, t0) || !slices.EqualFunc(y, y0, same) || !slices.Equal(s, s0) {
			t.Errorf("%s: FitTrend modified its input", c.Name)
		}
		// The flat batch form gives the same, cell by cell.
		dst := make([]agg.Trend, 3)
		means := slices.Concat(y, y, y)
		var sig []float64
		if s != nil {
			sig = slices.Concat(s, s, s)
		}
		agg.FitTrends(dst, ts, means, sig, agg.TrendOptions{RefTime: c.RefTime})
		one := agg.FitTrend(ts, y, s, agg.TrendOptions{RefTime: c.RefTime})
		for i := range dst {
			if !sameTrend(dst[i], one) {
				t.Errorf("%s: FitTrends cell %d = %+v, FitTrend %+v", c.Name, i, dst[i], one)
			}
		}
	}
}

func same(a, b float64) bool { return a == b || a != a && b != b }

func sameTrend(a, b agg.Trend) bool {
	return same(a.Slope, b.Slope) && same(a.SlopeErr, b.SlopeErr) && same(a.Intercept, b.Intercept) &&
		same(a.InterceptErr, b.InterceptErr) && same(a.RedChi2, b.RedChi2) && a.Windows == b.Windows && a.Span == b.Span
}

type wantCell struct {
	N          []int   `json:"n"`
	Mean       []jf    `json:"mean"`
	Var        []jf    `json:"var"`
	Pooled     float64 `json:"pooled"`
	Sigma      []jf    `json:"sigma"`
	Unweighted bool    `json:"unweighted"`
	Fit        wantFit `json:"fit"`
}

// TestFitStateTrendsNumpy builds per-window States of child cells from raw
// points, fits them, merges them into parents with CoarsenStates and fits
// again: per-window counts, means, variances, σ and trends equal numpy's on
// the concatenated points.
func TestFitStateTrendsNumpy(t *testing.T) {
	var file struct {
		Cases []struct {
			Name     string        `json:"name"`
			T        []float64     `json:"t"`
			Points   [][][]float64 `json:"points"`
			Parents  []wantCell    `json:"parents"`
			Children []wantCell    `json:"children"`
		} `json:"cases"`
	}
	readJSON(t, "states.json", &file)
	for _, c := range file.Cases {
		W := len(c.T)
		children := make([]agg.State, len(c.Points)*W)
		for ci, row := range c.Points {
			for k, pts := range row {
				for _, x := range pts {
					children[ci*W+k].Add(x, 1)
				}
			}
		}
		parents := make([]agg.State, len(children)/4)
		agg.CoarsenStates(parents, children, W)
		for _, level := range []struct {
			name   string
			states []agg.State
			want   []wantCell
		}{{"children", children, c.Children}, {"parents", parents, c.Parents}} {
			dst := make([]agg.Trend, len(level.want))
			for _, m := range []agg.ErrorModel{agg.ErrorMax, agg.ErrorFormal, agg.ErrorScaled} {
				agg.FitStateTrends(dst, c.T, level.states, agg.TrendOptions{Errors: m})
				for p, w := range level.want {
					name := fmt.Sprintf("%s %s %d", c.Name, level.name, p)
					checkFit(t, name, dst[p], w.Fit, m, w.Unweighted)
					if m != agg.ErrorMax {
						continue
					}
					for k := range W {
						s := &level.states[p*W+k]
						if int(s.Valid()) != w.N[k] {
							t.Errorf("%s window %d: n = %d, numpy %d", name, k, s.Valid(), w.N[k])
						}
						v := s.Variance(1)
						if w.N[k] < 2 {
							v = math.NaN()
						}
						pooled := w.Pooled
						mean, sigma := agg.WindowMean(s, agg.SigmaSEM, pooled)
						wantSigma := math.NaN()
						if w.Sigma != nil {
							wantSigma = float64(w.Sigma[k])
						}
						for _, x := range []struct {
							what      string
							got, want float64
						}{{"mean", mean, float64(w.Mean[k])}, {"variance", v, float64(w.Var[k])}, {"σ", sigma, wantSigma}} {
							if !(same(x.got, x.want) || math.Abs(x.got-x.want) <= 1e-9*math.Max(1, math.Abs(x.want))) {
								t.Errorf("%s window %d: %s = %v, numpy %v", name, k, x.what, x.got, x.want)
							}
						}
					}
				}
			}
		}
	}
}

// TestTrendRecoversImposedSlope draws points with an imposed trend and
// noise over several windows, many times: the fitted slope is within its
// own standard error about 68 % of the time (a calibrated error), and
// never beyond 4 standard errors.
func TestTrendRecoversImposedSlope(t *testing.T) {
	const (
		trials  = 400
		windows = 12
		slope   = -0.85 // m/a
	)
	times := make([]float64, windows)
	for k := range times {
		times[k] = 0.75 + 0.2486*float64(k) // cycle mid-times, years since 2018
	}
	for _, tc := range []struct {
		sigma    agg.SigmaModel
		errors   agg.ErrorModel
		min, max float64 // fraction within 1 SE
	}{
		{agg.SigmaSEM, agg.ErrorFormal, 0.6, 0.76},
		{agg.SigmaPooled, agg.ErrorFormal, 0.6, 0.76},
		{agg.SigmaSEM, agg.ErrorMax, 0.65, 0.9}, // never smaller than formal
	} {
		r := rand.New(rand.NewPCG(17, 2026))
		states := make([]agg.State, windows)
		dst := make([]agg.Trend, 1)
		within, worst := 0, 0.0
		for range trials {
			clear(states)
			for k := range windows {
				n := 1 + r.IntN(40)
				for range n {
					states[k].Add(1800+slope*times[k]+0.4*r.NormFloat64(), 1)
				}
			}
			agg.FitStateTrends(dst, times, states, agg.TrendOptions{Sigma: tc.sigma, Errors: tc.errors})
			z := math.Abs(dst[0].Slope-slope) / dst[0].SlopeErr
			if z <= 1 {
				within++
			}
			worst = math.Max(worst, z)
		}
		frac := float64(within) / trials
		if frac < tc.min || frac > tc.max || worst > 4 {
			t.Errorf("sigma %d errors %d: slope within 1 SE in %.1f%% of %d trials (want %.0f–%.0f%%), worst %.2f SE",
				tc.sigma, tc.errors, 100*frac, trials, 100*tc.min, 100*tc.max, worst)
		}
		t.Logf("sigma %d errors %d: within 1 SE in %.1f%%, worst %.2f SE", tc.sigma, tc.errors, 100*frac, worst)
	}
}

func TestTrendLimits(t *testing.T) {
	ts := []float64{1, 2, 3, 4}
	y := []float64{10, 9, math.NaN(), 7}
	s := []float64{1, 1, 1, 1}
	nan := math.NaN()
	tests := []struct {
		name    string
		t, y, s []float64
		opt     agg.TrendOptions
		windows int
		span    float64
		fitted  bool
	}{
		{"NaN window skipped", ts, y, s, agg.TrendOptions{}, 3, 3, true},
		{"min windows met", ts, y, s, agg.TrendOptions{MinWindows: 3}, 3, 3, true},
		{"min windows not met", ts, y, s, agg.TrendOptions{MinWindows: 4}, 3, 3, false},
		{"min span met", ts, y, s, agg.TrendOptions{MinSpan: 3}, 3, 3, true},
		{"min span not met", ts, y, s, agg.TrendOptions{MinSpan: 3.5}, 3, 3, false},
		{"one window", ts[:1], y[:1], s[:1], agg.TrendOptions{}, 1, 0, false},
		{"no window", ts[:0], y[:0], s[:0], agg.TrendOptions{}, 0, 0, false},
		{"zero sigma skipped", ts, y, []float64{1, 0, 1, 1}, agg.TrendOptions{}, 2, 3, true},
		{"NaN sigma skipped", ts, y, []float64{nan, 1, 1, 1}, agg.TrendOptions{}, 2, 2, true},
		{"Inf sigma skipped", ts, y, []float64{math.Inf(1), 1, 1, 1}, agg.TrendOptions{}, 2, 2, true},
		{"NaN time skipped", []float64{nan, 2, 3, 4}, y, s, agg.TrendOptions{}, 2, 2, true},
		{"same time", []float64{2, 2, 2, 2}, y, s, agg.TrendOptions{}, 3, 0, false},
	}
	for _, tt := range tests {
		tr := agg.FitTrend(tt.t, tt.y, tt.s, tt.opt)
		if tr.Windows != tt.windows || tr.Span != tt.span || math.IsNaN(tr.Slope) == tt.fitted {
			t.Errorf("%s: %+v; want %d windows, span %v, fitted %v", tt.name, tr, tt.windows, tt.span, tt.fitted)
		}
		if !tt.fitted && !(math.IsNaN(tr.SlopeErr) && math.IsNaN(tr.Intercept) && math.IsNaN(tr.InterceptErr)) {
			t.Errorf("%s: unfitted trend has values: %+v", tt.name, tr)
		}
	}
	// An exact line: slope −1 a year, intercept 11 at t = 0, zero χ².
	tr := agg.FitTrend(ts, y, s, agg.TrendOptions{})
	// t̄ = 7/3, Stt = (16 + 1 + 25)/9, so SE(slope) = √(9/42).
	if tr.Slope != -1 || tr.Intercept != 11 || tr.RedChi2 > 1e-20 || math.Abs(tr.SlopeErr-math.Sqrt(9.0/42)) > 1e-15 {
		t.Errorf("exact line: %+v", tr)
	}
}

// A window whose State went NaN (a var over NaN heights) is skipped and
// does not disturb the pooled variance of the others.
func TestFitStateTrendsNaNWindow(t *testing.T) {
	times := []float64{1, 2, 3, 4}
	states := make([]agg.State, 4)
	for k, pts := range [][]float64{{10, 10.2, 9.9}, {9, 9.3}, {8.1, 7.9, 8, 8.2}, {7}} {
		for _, x := range pts {
			states[k].Add(x, 1)
		}
	}
	want := make([]agg.Trend, 1)
	agg.FitStateTrends(want, times[:3], states[:3], agg.TrendOptions{})
	nanw := agg.State{Count: 3, SumW: 3, SumWX: math.NaN(), Mean: math.NaN(), M2: math.NaN()}
	withNaN := []agg.State{states[0], states[1], states[2], nanw}
	got := make([]agg.Trend, 1)
	agg.FitStateTrends(got, times, withNaN, agg.TrendOptions{})
	if !sameTrend(got[0], want[0]) || got[0].Windows != 3 {
		t.Errorf("with a NaN window: %+v, without it: %+v", got[0], want[0])
	}
	if p := agg.PooledVariance(withNaN); !(p > 0) {
		t.Errorf("PooledVariance with a NaN window = %v", p)
	}
}

func TestTrendOptionsValidate(t *testing.T) {
	var zero agg.TrendOptions
	if err := zero.Validate(); err != nil {
		t.Errorf("zero options: %v", err)
	}
	for _, o := range []agg.TrendOptions{
		{MinWindows: -1}, {MinSpan: -1}, {MinSpan: math.NaN()}, {MinSpan: math.Inf(1)},
		{RefTime: math.NaN()}, {Errors: 9}, {Sigma: 9},
	} {
		if err := o.Validate(); !errors.Is(err, agg.ErrInvalid) {
			t.Errorf("%+v: Validate() = %v, want ErrInvalid", o, err)
		}
	}
}

func TestTrendPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"FitTrend":       func() { agg.FitTrend(make([]float64, 3), make([]float64, 2), nil, agg.TrendOptions{}) },
		"FitTrend sigma": func() { agg.FitTrend(make([]float64, 3), make([]float64, 3), make([]float64, 2), agg.TrendOptions{}) },
		"FitTrends": func() {
			agg.FitTrends(make([]agg.Trend, 2), make([]float64, 3), make([]float64, 5), nil, agg.TrendOptions{})
		},
		"FitStateTrends": func() {
			agg.FitStateTrends(make([]agg.Trend, 2), make([]float64, 3), make([]agg.State, 5), agg.TrendOptions{})
		},
		"CoarsenStates": func() { agg.CoarsenStates(make([]agg.State, 2), make([]agg.State, 7), 2) },
		"CoarsenStates 0": func() {
			agg.CoarsenStates(make([]agg.State, 0), make([]agg.State, 0), 0)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// TestTrendState finds the States a trend needs in an Aggregator's
// Partial: WindowMean of h_li's variance State gives numpy's mean and the
// standard error of the mean, and of the average weighted by 1/σ² zagg's
// h_mean and h_sigma.
func TestTrendState(t *testing.T) {
	var spec agg.Spec
	if err := yaml.Unmarshal([]byte(`
variables:
  count:      {function: len, dtype: int32, fill_value: 0}
  h_mean:     {function: average, source: h_li, params: {weights: "1.0 / s_li**2"}}
  h_sigma:    {expression: "1.0 / np.sqrt(np.sum(1.0 / s_li**2))"}
  h_variance: {function: var, source: h_li}
  s_var:      {function: var, source: s_li}
  h_plain:    {function: mean, source: h_li}
`), &spec); err != nil {
		t.Fatal(err)
	}
	a, err := agg.Compile(&spec, []string{"h_li", "s_li"})
	if err != nil {
		t.Fatal(err)
	}
	h := []float32{120.5, 118.5, 10, 20}
	in := agg.Input{
		ParentOrder: 0, Parent: 0, ChildOrder: 1,
		Cells:   []uint64{0, 5, 2 << 56, 2<<56 + 9},
		Columns: []agg.Column{{F32: h}, {F32: []float32{0.5, 0.25, 1, 0.5}}},
	}
	var res agg.Result
	if err := a.Aggregate(&res, in); err != nil {
		t.Fatal(err)
	}
	vals := res.Level(0).Values
	idx := map[string]int{}
	for v := range a.NumVariables() {
		idx[a.Variable(v).Name] = v
	}
	v, r, ok := a.TrendState("h_li", agg.SigmaWeighted)
	if !ok || v != idx["h_mean"] {
		t.Fatalf("TrendState(h_li, weighted) = %d, %d, %v; want h_mean", v, r, ok)
	}
	mean, sigma := agg.WindowMean(&res.Partial.States[v][r], agg.SigmaWeighted, 0)
	if wm, ws := vals[idx["h_mean"]][0], vals[idx["h_sigma"]][0]; math.Abs(mean-wm) > 1e-12*wm || math.Abs(sigma-ws) > 1e-12*ws {
		t.Errorf("WindowMean(h_mean) = %v ± %v, the aggregation says %v ± %v", mean, sigma, wm, ws)
	}
	v, r, ok = a.TrendState("h_li", agg.SigmaSEM)
	if !ok || v != idx["h_variance"] {
		t.Fatalf("TrendState(h_li, SEM) = %d, %d, %v; want h_variance", v, r, ok)
	}
	st := res.Partial.States[v][r]
	x := []float64{120.5, 118.5, 10, 20}
	s2 := agg.Variance(x, 1)
	if p := agg.PooledVariance([]agg.State{st}); math.Abs(p-s2) > 1e-12*s2 {
		t.Errorf("PooledVariance = %v, want %v", p, s2)
	}
	mean, sigma = agg.WindowMean(&st, agg.SigmaSEM, s2)
	if math.Abs(mean-agg.Mean(x, nil)) > 1e-12 || math.Abs(sigma-math.Sqrt(s2/4)) > 1e-12 {
		t.Errorf("WindowMean(h_variance) = %v ± %v, want %v ± %v", mean, sigma, agg.Mean(x, nil), math.Sqrt(s2/4))
	}
	if _, _, ok := a.TrendState("t", agg.SigmaSEM); ok {
		t.Error("TrendState found a column that is not there")
	}
	// s_li has a variance but no weighted average.
	if _, _, ok := a.TrendState("s_li", agg.SigmaWeighted); ok {
		t.Error("TrendState(s_li, weighted) found a weighted average")
	}
}

// BenchmarkFitStateTrends fits the trends of 4,096 cells (an order-12
// parent's children at order 18... any 4^6 cells) over 20 windows.
func BenchmarkFitStateTrends(b *testing.B) {
	const cells, windows = 4096, 20
	times := make([]float64, windows)
	for k := range times {
		times[k] = 0.75 + 0.2486*float64(k)
	}
	r := rand.New(rand.NewPCG(1, 1))
	states := make([]agg.State, cells*windows)
	for i := range states {
		for range r.IntN(8) {
			states[i].Add(1000+r.NormFloat64(), 1)
		}
	}
	dst := make([]agg.Trend, cells)
	b.ReportAllocs()
	b.SetBytes(int64(len(states)) * 72) // the States' binary size
	fitted := 0
	for b.Loop() {
		agg.FitStateTrends(dst, times, states, agg.TrendOptions{})
		fitted += dst[0].Windows
	}
	if fitted == 0 {
		b.Fatal("nothing fitted")
	}
	b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mcells/s")
}

// Fit dh/dt to four cycle means of one cell (numpy's np.polyfit with
// w = 1/σ gives the same slope, −0.4806, and formal error, 0.0916).
func ExampleFitTrend() {
	years := []float64{1.0, 1.25, 1.5, 1.75}         // window mid-times
	means := []float64{1000.0, 999.9, 999.7, 999.65} // window mean heights, m
	sigmas := []float64{0.05, 0.05, 0.1, 0.05}       // their standard errors, m
	tr := agg.FitTrend(years, means, sigmas, agg.TrendOptions{RefTime: 1.0})
	fmt.Printf("dh/dt %.3f ± %.3f m/a over %d windows, %.2f years; h(1.0) = %.3f m\n",
		tr.Slope, tr.SlopeErr, tr.Windows, tr.Span, tr.Intercept)
	// Output:
	// dh/dt -0.481 ± 0.092 m/a over 4 windows, 0.75 years; h(1.0) = 1000.005 m
}

// TestCellWindowIndex builds the [children × windows] States of a parent
// from points in one pass and checks them against States built point by
// point from a naive child and window lookup.
func TestCellWindowIndex(t *testing.T) {
	const (
		po, co  = 3, 6
		parent  = uint64(77)
		windows = 5
	)
	r := rand.New(rand.NewPCG(9, 9))
	n := 5000
	cells := make([]uint64, n)
	win := make([]int32, n)
	x := make([]float64, n)
	for i := range cells {
		p := parent
		if r.IntN(10) == 0 {
			p = uint64(r.IntN(12 << (2 * po)))
		}
		cells[i] = p<<(2*(agg.MaxOrder-po)) | r.Uint64N(1<<(2*(agg.MaxOrder-po)))
		win[i] = int32(r.IntN(windows+1)) - 1
		x[i] = r.NormFloat64()
	}
	idx := make([]int32, n)
	agg.CellWindowIndex(idx, cells, win, po, parent, co, windows)
	got := make([]agg.State, (1<<(2*(co-po)))*windows)
	agg.AccumulateStates(got, idx, x, nil)
	want := make([]agg.State, len(got))
	for i, cell := range cells {
		if cell>>(2*(agg.MaxOrder-po)) != parent || win[i] < 0 {
			if idx[i] != -1 {
				t.Fatalf("point %d outside: index %d", i, idx[i])
			}
			continue
		}
		child := int(cell>>(2*(agg.MaxOrder-co))) - int(parent)<<(2*(co-po))
		want[child*windows+int(win[i])].Add(x[i], 1)
	}
	if !slices.Equal(got, want) {
		t.Error("AccumulateStates differs from the naive lookup")
	}
	// Down to the parent, the States equal those of all its points.
	for o := co; o > po; o-- {
		coarse := make([]agg.State, len(got)/4)
		agg.CoarsenStates(coarse, got, windows)
		got = coarse
	}
	for k := range windows {
		var all []float64
		for i := range cells {
			if idx[i] >= 0 && int(idx[i])%windows == k {
				all = append(all, x[i])
			}
		}
		if s := got[k]; int(s.Valid()) != len(all) || math.Abs(s.Mean-agg.Mean(all, nil)) > 1e-12 ||
			math.Abs(s.Variance(0)-agg.Variance(all, 0)) > 1e-12 {
			t.Errorf("window %d: n %d mean %v var %v; numpy-style %d %v %v", k, s.Valid(), s.Mean, s.Variance(0),
				len(all), agg.Mean(all, nil), agg.Variance(all, 0))
		}
	}
}

// BenchmarkCellWindowStates indexes 1M points of an order-6 parent by
// order-12 child and 20 windows and accumulates their States: the per-point
// cost of building per-window statistics in one pass.
func BenchmarkCellWindowStates(b *testing.B) {
	const (
		po, co  = 6, 12
		windows = 20
		n       = 1 << 20
	)
	r := rand.New(rand.NewPCG(3, 3))
	cells := make([]uint64, n)
	win := make([]int32, n)
	x := make([]float64, n)
	for i := range cells {
		cells[i] = 5<<(2*(agg.MaxOrder-po)) | r.Uint64N(1<<(2*(agg.MaxOrder-po)))
		win[i] = int32(i * windows / n) // time-ordered, as granules are
		x[i] = 1000 + r.NormFloat64()
	}
	idx := make([]int32, n)
	states := make([]agg.State, (1<<(2*(co-po)))*windows)
	b.ReportAllocs()
	b.SetBytes(n * (8 + 4 + 8))
	for b.Loop() {
		clear(states)
		agg.CellWindowIndex(idx, cells, win, po, 5, co, windows)
		agg.AccumulateStates(states, idx, x, nil)
	}
	if states[0].Count == 0 && states[1].Count == 0 {
		b.Fatal("no point accumulated")
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpts/s")
}
