package agg

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// bruteSpec exercises every reduction kind, weights, ddof, expressions with
// element-wise and per-cell (non-pure) arguments, and the nan variants.
var bruteSpec = []Variable{
	{Name: "n", Function: "count"},
	{Name: "sum", Function: "np.sum", Source: "h"},
	{Name: "nansum", Function: "nansum", Source: "h"},
	{Name: "min", Function: "min", Source: "h"},
	{Name: "max", Function: "amax", Source: "h"},
	{Name: "nanmin", Function: "nanmin", Source: "h"},
	{Name: "nanmax", Function: "nanmax", Source: "h"},
	{Name: "mean", Function: "mean", Source: "h"},
	{Name: "nanmean", Function: "nanmean", Source: "h"},
	{Name: "avg", Function: "average", Source: "h", Params: Params{Weights: "1.0 / s**2"}},
	{Name: "avg_col", Function: "average", Source: "h", Params: Params{Weights: "s"}},
	{Name: "var", Function: "var", Source: "h"},
	{Name: "var1", Function: "var", Source: "h", Params: Params{DDof: 1}},
	{Name: "std", Function: "std", Source: "h"},
	{Name: "nanvar", Function: "nanvar", Source: "h"},
	{Name: "nanstd", Function: "nanstd", Source: "h", Params: Params{DDof: 1}},
	{Name: "median", Function: "median", Source: "h"},
	{Name: "nanmedian", Function: "nanmedian", Source: "h"},
	{Name: "q10", Function: "quantile", Source: "h", Params: Params{Q: ptr(0.1)}},
	{Name: "nq90", Function: "nanquantile", Source: "h", Params: Params{Q: ptr(0.9)}},
	{Name: "p75", Function: "percentile", Source: "h", Params: Params{Q: ptr(75)}},
	{Name: "np25", Function: "nanpercentile", Source: "h", Params: Params{Q: ptr(25)}},
	{Name: "sigma", Expression: "1.0 / np.sqrt(np.sum(1.0 / s**2))"},
	{Name: "range", Expression: "np.max(h) - np.min(h)"},
	{Name: "rms", Expression: "np.sqrt(np.mean(h**2))"},
	{Name: "m2", Expression: "np.sum((h - np.mean(h))**2)"},
	{Name: "medabs", Expression: "np.median(np.abs(h - np.median(h)))"},
	{Name: "q_expr", Expression: "numpy.quantile(h * 2, 0.3) + len(h) + sum(s)"},
	{Name: "ratio", Expression: "np.nanmean(h) / np.std(s, ddof=1)"},
}

func ptr(f float64) *float64 { return &f }

// bruteValue computes variable v on the points of one cell, in the order
// given, with the slice functions: the reference for Aggregate.
func bruteValue(v Variable, h, s []float64, f32 bool) float64 {
	if len(h) == 0 {
		if v.Function == "count" {
			return 0
		}
		return v.FillValue
	}
	sorted := slices.Clone(h)
	slices.Sort(sorted)
	q := func(p float64) float64 {
		if f32 {
			return QuantileFloat32(p, sorted)
		}
		return Quantile(p, sorted)
	}
	nq := func(p float64) float64 {
		if f32 {
			return QuantileFloat32(p, skipNaN(sorted))
		}
		return NanQuantile(p, sorted)
	}
	w := make([]float64, len(s))
	for i := range s {
		w[i] = 1 / (s[i] * s[i])
	}
	switch v.Name {
	case "n":
		return float64(len(h))
	case "sum":
		return Sum(h, nil)
	case "nansum":
		return NanSum(h, nil)
	case "min":
		return Min(h)
	case "max":
		return Max(h)
	case "nanmin":
		return NanMin(h)
	case "nanmax":
		return NanMax(h)
	case "mean":
		return Mean(h, nil)
	case "nanmean":
		return NanMean(h, nil)
	case "avg":
		return Mean(h, w)
	case "avg_col":
		return Mean(h, s)
	case "var":
		return Variance(h, 0)
	case "var1":
		return Variance(h, 1)
	case "std":
		return StdDev(h, 0)
	case "nanvar":
		return NanVariance(h, 0)
	case "nanstd":
		return NanStdDev(h, 1)
	case "median":
		return Median(sorted)
	case "nanmedian":
		return NanMedian(sorted)
	case "q10":
		return q(0.1)
	case "nq90":
		return nq(0.9)
	case "p75":
		return q(0.75)
	case "np25":
		return nq(0.25)
	case "sigma":
		return 1 / math.Sqrt(Sum(w, nil))
	case "range":
		return Max(h) - Min(h)
	case "rms":
		sq := make([]float64, len(h))
		for i := range h {
			sq[i] = h[i] * h[i]
		}
		return math.Sqrt(Mean(sq, nil))
	case "m2":
		m := Mean(h, nil)
		d := make([]float64, len(h))
		for i := range h {
			d[i] = (h[i] - m) * (h[i] - m)
		}
		return Sum(d, nil)
	case "medabs":
		m := Median(sorted)
		d := make([]float64, len(h))
		for i := range h {
			d[i] = math.Abs(h[i] - m)
		}
		slices.Sort(d)
		return Median(d)
	case "q_expr":
		d := make([]float64, len(h))
		for i := range h {
			d[i] = h[i] * 2
		}
		slices.Sort(d)
		return Quantile(0.3, d) + float64(len(h)) + Sum(s, nil)
	case "ratio":
		return NanMean(h, nil) / StdDev(s, 1)
	}
	panic("no reference for " + v.Name)
}

// exactAt reports whether a variable must match the reference bit for bit at
// a coarser level (order statistics and counts; sums there come from merged
// states or concatenated runs and differ in rounding only).
func exactAt(name string) bool {
	switch name {
	case "n", "min", "max", "nanmin", "nanmax", "median", "nanmedian", "q10", "nq90", "p75", "np25", "range":
		return true
	}
	return false
}

func TestAggregateMatchesBruteForce(t *testing.T) {
	for _, tc := range []struct {
		name      string
		f32       bool
		nanFrac   float64
		po, co, n int
	}{
		{"float64", false, 0, 8, 11, 3000},
		{"float32", true, 0, 8, 11, 3000},
		{"float64-nan", false, 0.02, 7, 10, 4000},
		{"float32-nan", true, 0.02, 7, 10, 4000},
		{"depth0", false, 0, 9, 9, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(tc.n)))
			spec := Spec{Variables: slices.Clone(bruteSpec)}
			for i := range spec.Variables {
				spec.Variables[i].FillValue = math.NaN()
			}
			a, err := Compile(&spec, []string{"h", "s"})
			if err != nil {
				t.Fatal(err)
			}
			const parent = 77
			shift := 2 * uint(MaxOrder-tc.po)
			cells := make([]uint64, tc.n)
			h, s := make([]float64, tc.n), make([]float64, tc.n)
			for i := range cells {
				// Cluster points in a few children so that runs are long
				// and some cells stay empty.
				sub := r.Uint64N(1 << shift)
				if r.IntN(2) == 0 {
					sub &= 0xffff_ffff << (shift - 6)
				}
				cells[i] = parent<<shift | sub
				h[i] = 100 + 10*r.NormFloat64()
				s[i] = 0.05 + r.Float64()
				if r.Float64() < tc.nanFrac {
					h[i] = math.NaN()
				}
				if tc.f32 {
					h[i], s[i] = float64(float32(h[i])), float64(float32(s[i]))
				}
			}
			cols := make([]Column, 2)
			hi, si := a.colIndex("h"), a.colIndex("s")
			if tc.f32 {
				h32, s32 := make([]float32, tc.n), make([]float32, tc.n)
				for i := range h {
					h32[i], s32[i] = float32(h[i]), float32(s[i])
				}
				cols[hi], cols[si] = Column{F32: h32}, Column{F32: s32}
			} else {
				cols[hi], cols[si] = Column{F64: h}, Column{F64: s}
			}
			hIn, cIn := slices.Clone(h), slices.Clone(cells)
			var res Result
			if err := a.Aggregate(&res, Input{ParentOrder: tc.po, Parent: parent, ChildOrder: tc.co, Cells: cells, Columns: cols}); err != nil {
				t.Fatal(err)
			}
			if len(res.Levels) != tc.co-tc.po+1 {
				t.Fatalf("%d levels, want %d", len(res.Levels), tc.co-tc.po+1)
			}
			for _, l := range res.Levels {
				oshift := 2 * uint(MaxOrder-l.Order)
				base := uint64(parent) << (2 * uint(l.Order-tc.po))
				for j := range l.Counts {
					var ch, cs []float64
					for i, c := range cells {
						if c>>oshift == base+uint64(j) {
							ch = append(ch, h[i])
							cs = append(cs, s[i])
						}
					}
					if int(l.Counts[j]) != len(ch) {
						t.Fatalf("order %d cell %d: count %d, want %d", l.Order, j, l.Counts[j], len(ch))
					}
					for vi, v := range spec.Variables {
						got := l.Values[vi][j]
						want := bruteValue(v, ch, cs, tc.f32)
						if l.Order == tc.co || exactAt(v.Name) {
							if !same(got, want) {
								t.Errorf("order %d cell %d %s = %v, want %v", l.Order, j, v.Name, got, want)
							}
						} else if !(same(got, want) || math.Abs(got-want) <= 1e-9*math.Abs(want)) {
							t.Errorf("order %d cell %d %s = %v, want %v (merged)", l.Order, j, v.Name, got, want)
						}
					}
				}
			}
			if !slices.EqualFunc(h, hIn, same) || !slices.Equal(cells, cIn) {
				t.Error("inputs modified")
			}
		})
	}
}

func TestAggregateNoAllocs(t *testing.T) {
	a := atl06Aggregator(t)
	cells, cols := atl06Points(20000, 3)
	in := Input{ParentOrder: 6, Parent: 1234, ChildOrder: 12, Cells: cells, Columns: cols}
	var r Result
	if err := a.Aggregate(&r, in); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(5, func() {
		if err := a.Aggregate(&r, in); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Aggregate allocates %v times per call after warm-up, want 0", n)
	}
}

func TestAggregateDropsAndMinOrder(t *testing.T) {
	a := atl06Aggregator(t)
	cells, cols := atl06Points(5000, 4)
	// Move 100 points to another parent.
	for i := 0; i < 100; i++ {
		cells[i] += 1 << (2 * (MaxOrder - 6))
	}
	var r Result
	if err := a.Aggregate(&r, Input{ParentOrder: 6, Parent: 1234, ChildOrder: 12, MinOrder: 10, Cells: cells, Columns: cols}); err != nil {
		t.Fatal(err)
	}
	if r.Outside != 100 {
		t.Errorf("Outside = %d, want 100", r.Outside)
	}
	q := cols[2].F64
	wantFiltered := 0
	for i := 100; i < len(q); i++ {
		if q[i] != 0 {
			wantFiltered++
		}
	}
	if r.Filtered != wantFiltered {
		t.Errorf("Filtered = %d, want %d", r.Filtered, wantFiltered)
	}
	if len(r.Levels) != 3 || r.Level(10) == nil || r.Level(9) != nil {
		t.Fatalf("levels %d, want orders 12..10", len(r.Levels))
	}
	total := int64(0)
	for _, c := range r.Level(10).Counts {
		total += c
	}
	if int(total) != len(cells)-r.Outside-r.Filtered {
		t.Errorf("order 10 holds %d points, want %d", total, len(cells)-r.Outside-r.Filtered)
	}
	if r.Partial.States[0][0].Count != total {
		t.Errorf("partial count %d, want %d", r.Partial.States[0][0].Count, total)
	}
}

func TestAggregateBadInput(t *testing.T) {
	a := atl06Aggregator(t)
	var r Result
	for _, in := range []Input{
		{ParentOrder: 6, ChildOrder: 5},
		{ParentOrder: 6, ChildOrder: 30},
		{ParentOrder: -1, ChildOrder: 3},
		{ParentOrder: 0, ChildOrder: 13},
		{ParentOrder: 1, Parent: 48, ChildOrder: 3},
	} {
		in.Columns = make([]Column, 3)
		if err := a.Aggregate(&r, in); err == nil || !strings.Contains(err.Error(), "order") {
			t.Errorf("Aggregate(%+v) = %v, want an order error", in, err)
		}
	}
	mustPanic(t, "column count", func() { _ = a.Aggregate(&r, Input{ParentOrder: 0, ChildOrder: 1}) })
	mustPanic(t, "column length", func() {
		_ = a.Aggregate(&r, Input{ParentOrder: 0, ChildOrder: 1, Cells: []uint64{1}, Columns: make([]Column, 3)})
	})
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", what)
		} else if !strings.HasPrefix(fmt.Sprint(r), "agg: ") {
			t.Errorf("%s: panic %q without the agg: prefix", what, r)
		}
	}()
	f()
}

// TestPartialMergeFinalize merges the partial states of two parts of a
// parent cell and checks Finalize against the whole cell: exact for the
// mergeable variables; for the sketched ones exact while the union has at
// most 500 points and within the digest's error beyond; the fill value
// without sketches.
func TestPartialMergeFinalize(t *testing.T) {
	spec := Spec{Variables: slices.Clone(bruteSpec)}
	for i := range spec.Variables {
		spec.Variables[i].FillValue = -999
	}
	a, err := Compile(&spec, []string{"h", "s"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n        int
		sketches bool
	}{{4000, true}, {400, true}, {4000, false}} {
		r := rand.New(rand.NewPCG(1, 2))
		n := tc.n
		cells := make([]uint64, n)
		h, s := make([]float64, n), make([]float64, n)
		for i := range cells {
			cells[i] = 5<<(2*(MaxOrder-4)) | r.Uint64N(1<<(2*(MaxOrder-4)))
			h[i], s[i] = 50+r.NormFloat64(), 0.1+r.Float64()
		}
		in := func(lo, hi int) Input {
			return Input{ParentOrder: 4, Parent: 5, ChildOrder: 8, Cells: cells[lo:hi],
				Columns: []Column{{F64: h[lo:hi]}, {F64: s[lo:hi]}}, Sketches: tc.sketches}
		}
		var all, p1, p2 Result
		for _, x := range []struct {
			r      *Result
			lo, hi int
		}{{&all, 0, n}, {&p1, 0, n * 3 / 8}, {&p2, n * 3 / 8, n}} {
			if err := a.Aggregate(x.r, in(x.lo, x.hi)); err != nil {
				t.Fatal(err)
			}
		}
		var merged Partial
		a.MergePartial(&merged, &p1.Partial)
		a.MergePartial(&merged, &p2.Partial)
		got := a.Finalize(nil, &merged)
		top := all.Level(4)
		for vi, v := range spec.Variables {
			want := top.Values[vi][0]
			switch {
			case a.Mergeable(vi):
				if math.Abs(got[vi]-want) > 1e-9*math.Abs(want) {
					t.Errorf("n=%d: %s merged = %v, whole = %v", n, v.Name, got[vi], want)
				}
			case !a.Sketched(vi) || !tc.sketches:
				if got[vi] != -999 {
					t.Errorf("n=%d sketches=%v: %s = %v, want the fill value", n, tc.sketches, v.Name, got[vi])
				}
			case n <= 500:
				if got[vi] != want {
					t.Errorf("n=%d: %s from exact sketches = %v, whole = %v", n, v.Name, got[vi], want)
				}
			default:
				// h ~ N(50, 1): 0.5 % of the ranks is at most 0.02 in value
				// (0.04 for the quantile of 2h).
				if math.Abs(got[vi]-want) > 0.04 {
					t.Errorf("n=%d: %s from sketches = %v, whole = %v", n, v.Name, got[vi], want)
				}
			}
		}
		if tc.sketches && n == 4000 {
			// A part without sketches drops them from the union.
			var noSk Result
			inNo := in(0, 100)
			inNo.Sketches = false
			if err := a.Aggregate(&noSk, inNo); err != nil {
				t.Fatal(err)
			}
			a.MergePartial(&merged, &noSk.Partial)
			if len(merged.Sketches) != 0 {
				t.Errorf("merge with a partial without sketches kept %d sketches", len(merged.Sketches))
			}
		}
	}
	kind := map[string]string{}
	for vi, v := range spec.Variables {
		switch {
		case a.Mergeable(vi):
			kind[v.Name] = "exact"
		case a.Sketched(vi):
			kind[v.Name] = "sketch"
		default:
			kind[v.Name] = "fill"
		}
	}
	for name, want := range map[string]string{"n": "exact", "avg": "exact", "var1": "exact", "sigma": "exact", "range": "exact", "rms": "exact",
		"median": "sketch", "nanmedian": "sketch", "q10": "sketch", "np25": "sketch", "q_expr": "sketch", "m2": "fill", "medabs": "fill"} {
		if kind[name] != want {
			t.Errorf("%s is merged as %q, want %q", name, kind[name], want)
		}
	}
	// Empty partials finalise to fill values (0 for counts).
	var empty Partial
	var one Result
	cells := []uint64{5 << (2 * (MaxOrder - 4))}
	if err := a.Aggregate(&one, Input{ParentOrder: 4, Parent: 5, ChildOrder: 8, Cells: cells,
		Columns: []Column{{F64: []float64{1}}, {F64: []float64{1}}}, Sketches: true}); err != nil {
		t.Fatal(err)
	}
	a.MergePartial(&empty, &one.Partial)
	for i := range empty.States {
		for j := range empty.States[i] {
			empty.States[i][j] = State{}
		}
	}
	for i := range empty.Sketches {
		empty.Sketches[i].Reset()
	}
	// Partials of another shape: an error from CheckPartial, a panic from
	// MergePartial and Finalize.
	for name, bad := range map[string]*Partial{
		"variables": {States: empty.States[1:]},
		"states":    {States: append([][]State{nil}, empty.States[1:]...)},
		"sketches":  {States: empty.States, Sketches: empty.Sketches[:1]},
	} {
		if err := a.CheckPartial(bad); !errors.Is(err, ErrCorruptState) {
			t.Errorf("CheckPartial(%s): %v, want ErrCorruptState", name, err)
		}
		mustPanic(t, "MergePartial "+name, func() { a.MergePartial(&Partial{}, bad) })
		mustPanic(t, "Finalize "+name, func() { a.Finalize(nil, bad) })
	}
	if err := a.CheckPartial(&empty); err != nil {
		t.Errorf("CheckPartial of a good partial: %v", err)
	}
	for vi, x := range a.Finalize(nil, &empty) {
		want := -999.0
		if a.IsCount(vi) {
			want = 0
		}
		if x != want {
			t.Errorf("%s of nothing = %v, want %v", spec.Variables[vi].Name, x, want)
		}
	}
}

func TestCloneConcurrent(t *testing.T) {
	a := atl06Aggregator(t)
	cells, cols := atl06Points(30000, 9)
	in := Input{ParentOrder: 6, Parent: 1234, ChildOrder: 12, Cells: cells, Columns: cols}
	var want Result
	if err := a.Aggregate(&want, in); err != nil {
		t.Fatal(err)
	}
	done := make(chan Result, 4)
	for range 4 {
		b := a.Clone()
		if !slices.Equal(b.Columns(), a.Columns()) || b.NumVariables() != a.NumVariables() {
			t.Fatalf("clone columns %v, variables %d", b.Columns(), b.NumVariables())
		}
		go func() {
			var r Result
			if err := b.Aggregate(&r, in); err != nil {
				t.Error(err)
			}
			done <- r
		}()
	}
	for range 4 {
		r := <-done
		for k := range want.Levels {
			for v := range want.Levels[k].Values {
				if !slices.EqualFunc(r.Levels[k].Values[v], want.Levels[k].Values[v], same) {
					t.Fatalf("clone differs at level %d variable %d", k, v)
				}
			}
		}
	}
}

func TestAggregateEmpty(t *testing.T) {
	a := atl06Aggregator(t)
	for _, n := range []int{0, 10} {
		cells, cols := atl06Points(n, 5)
		for i := range cells {
			cells[i] += 1 << (2 * (MaxOrder - 6)) // all in the next parent
		}
		var r Result
		if err := a.Aggregate(&r, Input{ParentOrder: 6, Parent: 1234, ChildOrder: 9, Cells: cells, Columns: cols}); err != nil {
			t.Fatal(err)
		}
		if r.Outside != n || len(r.Levels) != 4 {
			t.Fatalf("n=%d: outside %d, %d levels", n, r.Outside, len(r.Levels))
		}
		for _, l := range r.Levels {
			for vi := range l.Values {
				for _, v := range l.Values[vi] {
					if a.IsCount(vi) && v != 0 || !a.IsCount(vi) && !math.IsNaN(v) {
						t.Fatalf("n=%d order %d %s: %v for an empty cell", n, l.Order, a.Variable(vi).Name, v)
					}
				}
			}
		}
		got := a.Finalize(nil, &r.Partial)
		if got[0] != 0 || !math.IsNaN(got[1]) {
			t.Errorf("finalized empty partials %v", got)
		}
	}
}
