package agg

import (
	"math"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

const atl06Agg = `
coordinates:
  cell_ids: {dtype: uint64, fill_value: 0}
  morton: {dtype: int64, fill_value: 0}
variables:
  count: {function: len, source: h_li, dtype: int32, fill_value: 0}
  h_min: {function: min, source: h_li, dtype: float32}
  h_max: {function: max, source: h_li, dtype: float32}
  h_mean: {function: average, source: h_li, params: {weights: "1.0 / s_li**2"}, dtype: float32}
  h_sigma: {expression: "1.0 / np.sqrt(np.sum(1.0 / s_li**2))", dtype: float32}
  h_variance: {function: var, source: h_li, dtype: float32}
  h_q25: {function: quantile, source: h_li, params: {q: 0.25}, dtype: float32}
  h_q50: {function: quantile, source: h_li, params: {q: 0.50}, dtype: float32}
  h_q75: {function: quantile, source: h_li, params: {q: 0.75}, dtype: float32}
`

func TestAggregateSmallCell(t *testing.T) {
	var s Spec
	if err := yaml.Unmarshal([]byte(atl06Agg), &s); err != nil {
		t.Fatal(err)
	}
	a, err := Compile(&s, []string{"h_li", "s_li"})
	if err != nil {
		t.Fatal(err)
	}
	h := []float32{120.5, 118.3, 122.1, 119.7, 121.0}
	sg := []float32{0.05, 0.10, 0.03, 0.08, 0.06}
	cells := []uint64{0, 1, 2, 3, 1 << 40}
	var r Result
	if err := a.Aggregate(&r, Input{ParentOrder: 0, Parent: 0, ChildOrder: 1, Cells: cells, Columns: []Column{{F32: h}, {F32: sg}}}); err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 5)
	w := make([]float64, 5)
	for i := range h {
		x[i] = float64(h[i])
		w[i] = 1 / (float64(sg[i]) * float64(sg[i]))
	}
	sorted := append([]float64(nil), x...)
	slices.Sort(sorted)
	want := []float64{5, Min(x), Max(x), Mean(x, w), 1 / math.Sqrt(Sum(w, nil)), Variance(x, 0),
		Quantile(0.25, sorted), Quantile(0.5, sorted), Quantile(0.75, sorted)}
	for _, l := range r.Levels {
		if l.Counts[0] != 5 {
			t.Errorf("order %d: count %d, want 5", l.Order, l.Counts[0])
		}
		for v := range l.Values {
			if got := l.Values[v][0]; got != want[v] {
				t.Errorf("order %d %s = %v, want %v", l.Order, a.Variable(v).Name, got, want[v])
			}
			for j := 1; j < len(l.Values[v]); j++ {
				if got := l.Values[v][j]; !(math.IsNaN(got) || (a.IsCount(v) && got == 0)) {
					t.Errorf("order %d %s[%d] = %v for an empty cell", l.Order, a.Variable(v).Name, j, got)
				}
			}
		}
	}
}
