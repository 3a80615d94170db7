package agg

import (
	"math"
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
