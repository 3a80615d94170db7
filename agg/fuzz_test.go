package agg

import (
	"math"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// runSmall aggregates a few points (with a NaN and an Inf) through a.
func runSmall(t *testing.T, a *Aggregator) {
	x := []float64{1, 2.5, math.NaN(), -3, math.Inf(1), 7, 7, 0}
	y := []float32{0.5, 0.1, 2, 4, 1, 0, -1, 3}
	cols := make([]Column, len(a.Columns()))
	for i := range cols {
		if i%2 == 0 {
			cols[i] = Column{F64: x}
		} else {
			cols[i] = Column{F32: y}
		}
	}
	cells := []uint64{0, 1 << 56, 2 << 56, 3 << 56, 0, 1 << 55, 3 << 56, 1}
	var r Result
	if err := a.Aggregate(&r, Input{ParentOrder: 0, Parent: 0, ChildOrder: 2, Cells: cells, Columns: cols}); err != nil {
		t.Fatal(err)
	}
}

func FuzzExpression(f *testing.F) {
	for _, s := range []string{
		"1.0 / np.sqrt(np.sum(1.0 / y**2))",
		"np.median(np.abs(x - np.median(x)))",
		"np.quantile(x, 0.3) + np.var(y, ddof=1) - len(x) % 3",
		"np.average(x, weights=1/y) * np.pi",
		"-(2**-x[0])", "np.sum(", "np.sum(x, q=)", "((((", "1e309 + np.nanmax(x)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		spec := Spec{Variables: []Variable{{Name: "v", Expression: src, FillValue: math.NaN()}}}
		a, err := Compile(&spec, []string{"x", "y"})
		if err != nil {
			return
		}
		runSmall(t, a)
	})
}

func FuzzSpecYAML(f *testing.F) {
	f.Add([]byte(atl06Agg))
	f.Add([]byte("variables: {a: {function: quantile, source: x, params: {q: 0.5}}}"))
	f.Add([]byte("variables: {a: {expression: 'np.sum(x) / np.sum(y)', dtype: f8, fill_value: -inf}}"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var s Spec
		if err := yaml.Unmarshal(doc, &s); err != nil {
			return
		}
		a, err := Compile(&s, []string{"x", "y", "h_li", "s_li"})
		if err != nil {
			return
		}
		runSmall(t, a)
	})
}

// FuzzOrderStatistics compares the radix-select order statistics of
// Aggregate (every cell, every order) with sorting each cell's values and
// calling the slice functions: a differential test of the fast path. The
// fuzzer's bytes become the values (any bit pattern: NaN, ±Inf, ±0,
// subnormals) and their cells.
func FuzzOrderStatistics(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, false)
	f.Add([]byte{0xff, 0xc0, 0, 0, 0x7f, 0x80, 0, 0, 0, 0, 0, 0x80, 1, 2, 3, 4, 0x42, 0x28, 0, 0}, true)
	f.Fuzz(func(t *testing.T, b []byte, f32 bool) {
		spec := Spec{Variables: []Variable{
			{Name: "median", Function: "median", Source: "x"},
			{Name: "nanmedian", Function: "nanmedian", Source: "x"},
			{Name: "q", Function: "quantile", Source: "x", Params: Params{Q: ptr(0.37)}},
			{Name: "nq", Function: "nanquantile", Source: "x", Params: Params{Q: ptr(0.9)}},
			{Name: "p0", Function: "percentile", Source: "x", Params: Params{Q: ptr(0)}},
			{Name: "p100", Function: "nanpercentile", Source: "x", Params: Params{Q: ptr(100)}},
		}}
		for i := range spec.Variables {
			spec.Variables[i].FillValue = -7
		}
		a, err := Compile(&spec, []string{"x"})
		if err != nil {
			t.Fatal(err)
		}
		size := 8
		if f32 {
			size = 4
		}
		n := min(len(b)/size, 4096)
		x := make([]float64, n)
		x32 := make([]float32, n)
		cells := make([]uint64, n)
		for i := range n {
			w := b[i*size : (i+1)*size]
			if f32 {
				x32[i] = math.Float32frombits(uint32(w[0]) | uint32(w[1])<<8 | uint32(w[2])<<16 | uint32(w[3])<<24)
				x[i] = float64(x32[i])
			} else {
				var u uint64
				for k := 7; k >= 0; k-- {
					u = u<<8 | uint64(w[k])
				}
				x[i] = math.Float64frombits(u)
			}
			cells[i] = uint64(w[0]%16) << (2*MaxOrder - 4) // 16 children of parent 0 at order 2
		}
		col := Column{F64: x}
		if f32 {
			col = Column{F32: x32}
		}
		var r Result
		if err := a.Aggregate(&r, Input{ParentOrder: 0, Parent: 0, ChildOrder: 2, Cells: cells, Columns: []Column{col}}); err != nil {
			t.Fatal(err)
		}
		for _, l := range r.Levels {
			shift := 2 * uint(MaxOrder-l.Order)
			for j := range l.Counts {
				var v []float64
				for i, c := range cells {
					if c>>shift == uint64(j) {
						v = append(v, x[i])
					}
				}
				slices.Sort(v)
				quant := func(q float64, nan bool) float64 {
					s := v
					if nan {
						s = skipNaN(v)
					} else if len(s) > 0 && s[0] != s[0] {
						return math.NaN()
					}
					if f32 {
						return QuantileFloat32(q, s)
					}
					return Quantile(q, s)
				}
				want := []float64{Median(v), NanMedian(v), quant(0.37, false), quant(0.9, true), quant(0, false), quant(1, true)}
				for vi := range want {
					if len(v) == 0 {
						want[vi] = -7
					}
					if got := l.Values[vi][j]; !same(got, want[vi]) {
						t.Fatalf("order %d cell %d %s = %v, want %v (values %v)", l.Order, j, spec.Variables[vi].Name, got, want[vi], v)
					}
				}
			}
		}
	})
}
