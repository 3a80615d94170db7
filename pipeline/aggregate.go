package pipeline

import (
	"fmt"
	"slices"
	"sync"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/timewin"
)

// Aggregator computes the configured statistics of one parent cell's points
// at every order from the config's child order down to the parent order
// (package agg, compiled once from the config's aggregation section). With
// output.time it computes them for every time window separately, and with
// output.trend it fits each cell's trend over the windows. It is safe for
// concurrent use: each call borrows its own clone of the compiled statistics
// and their scratch buffers.
type Aggregator struct {
	compiled   *agg.Aggregator
	childOrder int
	orders     []int     // output.orders, if set
	pool       sync.Pool // of *agg.Aggregator clones

	columns []string        // compiled columns, then the time column if not among them
	timeCol int             // index of the time column in columns, or -1
	binner  *timewin.Binner // output.time's windows, or nil
	years   []float64       // the windows' mid-times in years (trend abscissae)
	trend   *config.Trend
	value   int // index of the trend's value variable
	sigma   int // index of its sigma variable, or -1
}

// NewAggregator compiles cfg's aggregation section against its data source.
func NewAggregator(cfg *config.Config) (*Aggregator, error) {
	a, err := cfg.CompileAggregation()
	if err != nil {
		return nil, err
	}
	out := &Aggregator{compiled: a, childOrder: cfg.Output.Grid.ChildOrder, orders: slices.Clone(cfg.Output.Orders),
		columns: slices.Clone(a.Columns()), timeCol: -1, value: -1, sigma: -1}
	if t := cfg.Output.Time; t != nil {
		out.binner, err = t.Epoch.Binner(t.Windows)
		if err != nil {
			return nil, fmt.Errorf("pipeline: output.time: %w", err)
		}
		out.timeCol = slices.Index(out.columns, t.Source)
		if out.timeCol < 0 {
			out.timeCol = len(out.columns)
			out.columns = append(out.columns, t.Source)
		}
		out.years = timewin.AppendMidYears(nil, t.Windows)
	}
	if tr := cfg.Output.Trend; tr != nil && out.binner != nil {
		out.trend = tr
		for i := range a.NumVariables() {
			switch a.Variable(i).Name {
			case tr.Value:
				out.value = i
			case tr.Sigma:
				out.sigma = i
			}
		}
		if out.value < 0 || (tr.Sigma != "") != (out.sigma >= 0) {
			return nil, fmt.Errorf("pipeline: output.trend: %q or %q is not an aggregation variable", tr.Value, tr.Sigma)
		}
	}
	return out, nil
}

// Columns returns the columns the reader must deliver, in the order
// Points.Columns must follow: the columns the statistics and filters need
// (see agg.Aggregator.Columns), then output.time's source when the
// statistics do not use it.
func (a *Aggregator) Columns() []string { return a.columns }

// Compiled returns the compiled statistics, for their names, dtypes and
// fill values. Do not call its Aggregate method concurrently.
func (a *Aggregator) Compiled() *agg.Aggregator { return a.compiled }

// ChildOrder returns the finest order computed.
func (a *Aggregator) ChildOrder() int { return a.childOrder }

// NumWindows returns the number of time windows: those of output.time, or
// 1 without it.
func (a *Aggregator) NumWindows() int {
	if a.binner == nil {
		return 1
	}
	return a.binner.Len()
}

// Trend returns output.trend, or nil.
func (a *Aggregator) Trend() *config.Trend { return a.trend }

// CellStats is what Aggregator.Aggregate computes for one parent cell.
type CellStats struct {
	// Windows[k] holds the statistics of time window k (output.time), or
	// of all the points (one entry) without output.time. An entry is nil
	// when no point of the cell fell in the window.
	Windows []*agg.Result
	// Trend holds output.trend's fits, or is nil: Trend[k] is order
	// ChildOrder − k, down to the parent order (as agg.Result.Levels).
	Trend []TrendLevel
	// Points counts the points given, Outside those outside the parent,
	// OutsideTime those inside it but in no window, and Filtered those
	// the filters removed.
	Points, Outside, OutsideTime, Filtered int
}

// TrendLevel is the trend of every cell of one order inside a parent cell,
// in nested order.
type TrendLevel struct {
	Order int
	Fits  []agg.Trend
}

// Observations returns the number of points the statistics of order o
// used over all windows, and the number of cells of o with any.
func (s *CellStats) Observations(o int) (points int64, cells int) {
	var has []bool
	for _, r := range s.Windows {
		if r == nil {
			continue
		}
		lv := r.Level(o)
		if lv == nil {
			continue
		}
		if has == nil {
			has = make([]bool, len(lv.Counts))
		}
		for i, n := range lv.Counts {
			points += n
			if n > 0 && !has[i] {
				has[i] = true
				cells++
			}
		}
	}
	return points, cells
}

// Aggregate computes every statistic of the points of parent at every order
// from the child order down to parent's order, for each time window (see
// CellStats), and the trends. Points outside parent are counted in
// CellStats.Outside and ignored; the filters' rejects are counted in
// CellStats.Filtered.
func (a *Aggregator) Aggregate(parent morton.Cell, pts *Points) (*CellStats, error) {
	if !parent.IsValid() {
		return nil, fmt.Errorf("pipeline: aggregate: invalid parent cell %v", parent)
	}
	if len(pts.Columns) != len(a.columns) {
		return nil, fmt.Errorf("pipeline: aggregate: %d columns given, the config needs %d (%v)",
			len(pts.Columns), len(a.columns), a.columns)
	}
	for i, c := range pts.Columns {
		if c.Len() != len(pts.Cells) {
			return nil, fmt.Errorf("pipeline: aggregate: column %q has %d values for %d points",
				a.columns[i], c.Len(), len(pts.Cells))
		}
	}
	c, _ := a.pool.Get().(*agg.Aggregator)
	if c == nil {
		c = a.compiled.Clone()
	}
	defer a.pool.Put(c)
	in := agg.Input{
		ParentOrder: parent.Order(),
		Parent:      parent.Nest(),
		ChildOrder:  a.childOrder,
		// Quantile sketches only when Store.Finalize will need them.
		Sketches: a.compiled.NumSketches() > 0 && slices.ContainsFunc(a.orders, func(o int) bool { return o < parent.Order() }),
	}
	ncol := len(a.compiled.Columns())
	out := &CellStats{Points: len(pts.Cells)}
	if a.binner == nil {
		in.Cells, in.Columns = pts.Cells, pts.Columns[:ncol]
		res := &agg.Result{}
		if err := c.Aggregate(res, in); err != nil {
			return nil, err
		}
		out.Windows = []*agg.Result{res}
		out.Outside, out.Filtered = res.Outside, res.Filtered
		return out, nil
	}
	parts, outside, outTime := a.split(parent, pts)
	out.Outside, out.OutsideTime = outside, outTime
	out.Windows = make([]*agg.Result, a.binner.Len())
	for k, p := range parts {
		if len(p.Cells) == 0 {
			continue
		}
		in.Cells, in.Columns = p.Cells, p.Columns[:ncol]
		res := &agg.Result{}
		if err := c.Aggregate(res, in); err != nil {
			return nil, err
		}
		out.Filtered += res.Filtered
		if lv := res.Level(a.childOrder); lv != nil && slices.ContainsFunc(lv.Counts, func(n int64) bool { return n > 0 }) {
			out.Windows[k] = res
		}
	}
	if a.trend != nil {
		out.Trend = a.fitTrends(out.Windows, parent.Order())
	}
	return out, nil
}

// split sorts the points inside parent by time window (stable, so each
// window keeps the input order), returning one Points per window and the
// numbers of points outside parent and outside every window.
func (a *Aggregator) split(parent morton.Cell, pts *Points) (parts []Points, outside, outTime int) {
	n := len(pts.Cells)
	tc := pts.Columns[a.timeCol]
	t := tc.F64
	if t == nil {
		t = make([]float64, n)
		for i, v := range tc.F32 {
			t[i] = float64(v)
		}
	}
	win := make([]int32, n)
	a.binner.Index(win, t)
	nw := a.binner.Len()
	counts := make([]int, nw)
	pshift := 2 * uint(morton.MaxOrder-parent.Order())
	for i, cell := range pts.Cells {
		switch {
		case cell>>pshift != parent.Nest() || cell>>(2*morton.MaxOrder) >= 12:
			win[i] = -1
			outside++
		case win[i] < 0:
			outTime++
		default:
			counts[win[i]]++
		}
	}
	parts = make([]Points, nw)
	for k := range parts {
		parts[k].Cells = make([]uint64, 0, counts[k])
		parts[k].Columns = make([]agg.Column, len(pts.Columns))
		for j, col := range pts.Columns {
			if col.F64 != nil {
				parts[k].Columns[j].F64 = make([]float64, 0, counts[k])
			} else {
				parts[k].Columns[j].F32 = make([]float32, 0, counts[k])
			}
		}
	}
	for i, k := range win {
		if k < 0 {
			continue
		}
		p := &parts[k]
		p.Cells = append(p.Cells, pts.Cells[i])
		for j, col := range pts.Columns {
			if col.F64 != nil {
				p.Columns[j].F64 = append(p.Columns[j].F64, col.F64[i])
			} else {
				p.Columns[j].F32 = append(p.Columns[j].F32, col.F32[i])
			}
		}
	}
	return parts, outside, outTime
}
