package pipeline

import (
	"fmt"
	"math"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/timewin"
	"github.com/zagg-go/zagg/zarrstore"
)

// timeAxis returns the store's time coordinate for windows: CF seconds
// since 2018-01-01 (timewin.CFUnits) of each window's midpoint and bounds.
func timeAxis(windows []timewin.Window) *zarrstore.TimeAxis {
	b := timewin.AppendBounds(nil, windows)
	t := &zarrstore.TimeAxis{
		Mid:              timewin.AppendMid(nil, windows),
		Bounds:           make([][2]float64, len(windows)),
		Attributes:       timewin.TimeAttributes(),
		BoundsAttributes: timewin.BoundsAttributes(),
	}
	for k := range t.Bounds {
		t.Bounds[k] = [2]float64{b[2*k], b[2*k+1]}
	}
	return t
}

// trendVar is one of the four arrays of output.trend.
type trendVar struct {
	name   string
	dtype  zarrstore.DataType
	adtype agg.DType
	fill   any     // for zarrstore
	fillF  float64 // for castValues
}

// trendVars returns the arrays of tr: the slope, its standard error (float32,
// NaN fill), the number of windows fitted (int16, fill 0) and the span
// (float32 years).
func trendVars(tr *config.Trend) []trendVar {
	n := tr.Names()
	f32 := func(name string) trendVar {
		return trendVar{name: name, dtype: zarrstore.Float32, adtype: agg.Float32, fillF: math.NaN()}
	}
	return []trendVar{
		f32(n[0]), f32(n[1]),
		{name: n[2], dtype: zarrstore.Int16, adtype: agg.Int16, fill: 0, fillF: 0},
		f32(n[3]),
	}
}

// errorModels names agg.ErrorModel values in attributes.
var errorModels = map[agg.ErrorModel]string{
	agg.ErrorMax:    "the larger of the formal and the chi-square-scaled standard errors",
	agg.ErrorFormal: "the formal standard error from the window uncertainties",
	agg.ErrorScaled: "the standard error scaled by the reduced chi-square",
}

// attributes returns the array attributes of trend array tv; units are the
// fitted value's units ("" when unknown).
func (tv trendVar) attributes(tr *config.Trend, units string) map[string]any {
	n := tr.Names()
	weights := "unweighted"
	if tr.Sigma != "" {
		weights = "weights 1/" + tr.Sigma + "^2"
	}
	rate := ""
	if units != "" {
		rate = units + " year-1"
	}
	a := map[string]any{}
	switch tv.name {
	case n[0]:
		a["long_name"] = fmt.Sprintf("rate of change of %s: least-squares slope over the time windows (%s; window mid-times in years of 365.25 days; no firn, surface mass balance or GIA correction)", tr.Value, weights)
		if rate != "" {
			a["units"] = rate
		}
	case n[1]:
		a["long_name"] = fmt.Sprintf("standard error of %s (%s)", n[0], errorModels[tr.Options.Errors])
		if rate != "" {
			a["units"] = rate
		}
	case n[2]:
		a["long_name"] = fmt.Sprintf("number of time windows with a value of %s (the fit needs %d)", tr.Value, max(2, tr.Options.MinWindows))
		a["units"] = "1"
	case n[3]:
		a["long_name"] = fmt.Sprintf("years between the first and the last time window with a value of %s", tr.Value)
		a["units"] = "years"
	}
	return a
}

// trendFits fits tr over the windows (mid-times years) of ncell cells;
// at(k, c) returns window k's value and sigma for cell c (NaN when the
// window has none).
func trendFits(tr *config.Trend, years []float64, ncell int, at func(k, c int) (y, s float64)) []agg.Trend {
	nw := len(years)
	ys := make([]float64, ncell*nw)
	var ss []float64
	if tr.Sigma != "" {
		ss = make([]float64, ncell*nw)
	}
	for c := range ncell {
		for k := range nw {
			y, s := at(k, c)
			ys[c*nw+k] = y
			if ss != nil {
				ss[c*nw+k] = s
			}
		}
	}
	fits := make([]agg.Trend, ncell)
	agg.FitTrends(fits, years, ys, ss, tr.Options)
	return fits
}

// trendColumns returns the four trend arrays' values of fits.
func trendColumns(fits []agg.Trend) [4][]float64 {
	var out [4][]float64
	for i := range out {
		out[i] = make([]float64, len(fits))
	}
	for c, f := range fits {
		out[0][c], out[1][c], out[2][c], out[3][c] = f.Slope, f.SlopeErr, float64(f.Windows), f.Span
	}
	return out
}

// fitTrends fits output.trend at every order of the windows' results, from
// the child order down to parentOrder.
func (a *Aggregator) fitTrends(windows []*agg.Result, parentOrder int) []TrendLevel {
	var levels []TrendLevel
	for o := a.childOrder; o >= parentOrder; o-- {
		lvs := make([]*agg.Level, len(windows))
		for k, r := range windows {
			if r != nil {
				lvs[k] = r.Level(o)
			}
		}
		fits := trendFits(a.trend, a.years, 1<<(2*uint(o-parentOrder)), func(k, c int) (float64, float64) {
			lv := lvs[k]
			if lv == nil {
				return math.NaN(), math.NaN()
			}
			s := math.NaN()
			if a.sigma >= 0 {
				s = lv.Values[a.sigma][c]
			}
			return lv.Values[a.value][c], s
		})
		levels = append(levels, TrendLevel{Order: o, Fits: fits})
	}
	return levels
}

// trendWrites returns the chunk writes of the trend arrays of every order
// the store writes.
func (s *Store) trendWrites(levels []TrendLevel) ([]chunkWrite, error) {
	var out []chunkWrite
	for _, o := range s.orders {
		var lv *TrendLevel
		for i := range levels {
			if levels[i].Order == o {
				lv = &levels[i]
			}
		}
		if lv == nil {
			return nil, fmt.Errorf("pipeline: write: no trend at order %d", o)
		}
		cols := trendColumns(lv.Fits)
		for t, tv := range s.trendVars {
			data, err := castValues(cols[t], tv.adtype, tv.fillF)
			if err != nil {
				return nil, err
			}
			out = append(out, chunkWrite{path: fmt.Sprintf("%d/%s", o, tv.name), window: -1, data: data})
		}
	}
	return out, nil
}

// coarseTrend fits the trend of n coarse cells from their merged window
// values cols[window][variable][cell] (Finalize).
func (s *Store) coarseTrend(cols [][][]float64, n int) [4][]float64 {
	value, sigma := -1, -1
	for v, va := range s.vars {
		switch va.Name {
		case s.trend.Value:
			value = v
		case s.trend.Sigma:
			sigma = v
		}
	}
	years := timewin.AppendMidYears(nil, s.cfg.Output.Time.Windows)
	fits := trendFits(s.trend, years, n, func(k, c int) (float64, float64) {
		sg := math.NaN()
		if sigma >= 0 {
			sg = cols[k][sigma][c]
		}
		return cols[k][value][c], sg
	})
	return trendColumns(fits)
}
