package agg_test

import (
	"fmt"
	"slices"

	"github.com/zagg-go/zagg/agg"
	"gopkg.in/yaml.v3"
)

// Compile the aggregation section of a pipeline config and aggregate the
// points of one parent cell (order 0, cell 0) into its four order-1 children.
func ExampleCompile() {
	var spec agg.Spec
	err := yaml.Unmarshal([]byte(`
variables:
  count:   {function: len, dtype: int32, fill_value: 0}
  h_mean:  {function: average, source: h_li, params: {weights: "1.0 / s_li**2"}}
  h_sigma: {expression: "1.0 / np.sqrt(np.sum(1.0 / s_li**2))"}
  h_q50:   {function: quantile, source: h_li, params: {q: 0.5}}
`), &spec)
	if err != nil {
		panic(err)
	}
	a, err := agg.Compile(&spec, []string{"h_li", "s_li"})
	if err != nil {
		panic(err)
	}
	fmt.Println("columns:", a.Columns())

	// Points carry their order-29 nested cell; child k of parent 0 at
	// order 1 holds cells k<<56 .. (k+1)<<56 - 1.
	in := agg.Input{
		ParentOrder: 0, Parent: 0, ChildOrder: 1,
		Cells: []uint64{0, 5, 2 << 56, 2<<56 + 9},
		Columns: []agg.Column{
			{F32: []float32{120.5, 118.5, 10, 20}},
			{F32: []float32{0.5, 0.5, 1, 0.5}},
		},
	}
	var r agg.Result
	if err := a.Aggregate(&r, in); err != nil {
		panic(err)
	}
	for _, l := range r.Levels {
		for v := 0; v < a.NumVariables(); v++ {
			fmt.Printf("order %d %-7s %v\n", l.Order, a.Variable(v).Name, l.Values[v])
		}
	}
	// Output:
	// columns: [h_li s_li]
	// order 1 count   [2 0 2 0]
	// order 1 h_mean  [119.5 NaN 18 NaN]
	// order 1 h_sigma [0.35355339059327373 NaN 0.4472135954999579 NaN]
	// order 1 h_q50   [119.5 NaN 15 NaN]
	// order 0 count   [4]
	// order 0 h_mean  [80.46153846153847]
	// order 0 h_sigma [0.2773500981126146]
	// order 0 h_q50   [69.25]
}

// Quantile uses numpy's default linear interpolation on sorted data.
func ExampleQuantile() {
	x := []float64{118.3, 122.1, 120.5, 119.7, 121.0}
	slices.Sort(x)
	fmt.Println(agg.Quantile(0.25, x), agg.Quantile(0.5, x), agg.Median(x))
	// Output: 119.7 120.5 120.5
}

// States of disjoint point sets merge into the state of their union.
func ExampleState_Merge() {
	var a, b agg.State
	for _, x := range []float64{1, 2, 3} {
		a.Add(x, 1)
	}
	for _, x := range []float64{4, 5} {
		b.Add(x, 1)
	}
	a.Merge(&b)
	fmt.Println(a.Count, a.Mean, a.Variance(0), a.Min, a.Max)
	// Output: 5 3 2 1 5
}

// Filters keep the points whose column satisfies a comparison.
func ExampleParseOp() {
	op, _ := agg.ParseOp("between")
	f := agg.Filter{Column: "h_li", Op: op, Values: []float64{-500, 9000}}
	fmt.Println(f, f.Keep(120.5), f.Keep(9001))
	// Output: h_li between [-500 9000] true false
}

// Two workers summarise their halves of a set of elevations in Digests;
// the merged digest estimates quantiles of the whole set. Up to 500 points
// a digest is exact (numpy's values); beyond, it keeps about 100 centroids.
func ExampleDigest() {
	var west, east agg.Digest
	for i := range 20_000 {
		h := 1000 + float64(i%1000) // 1000..1999, evenly
		if i%2 == 0 {
			west.Add(h)
		} else {
			east.Add(h)
		}
	}
	// Ship east's summary to the worker holding west.
	b, err := east.AppendBinary(nil)
	if err != nil {
		panic(err)
	}
	var shipped agg.Digest
	if _, err := shipped.DecodeDigest(b); err != nil {
		panic(err)
	}
	west.Merge(&shipped)
	fmt.Println(west.Count(), west.Exact(), len(b) < 2000)
	fmt.Printf("median %.0f, q90 %.0f\n", west.Median(), west.Quantile(0.9)) // numpy: 1499.5, 1899.1

	var few agg.Digest
	for _, h := range []float64{3, 1, 2, 10} {
		few.Add(h)
	}
	fmt.Println(few.Exact(), few.Median(), few.Quantile(0.25))
	// Output:
	// 20000 false true
	// median 1500, q90 1899
	// true 2.5 1.75
}
