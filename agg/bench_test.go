package agg

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gopkg.in/yaml.v3"
)

// atl06Points makes n synthetic ATL06 points in order-6 parent 1234: cells
// spread over the 4,096 order-12 children, float32 h_li and h_li_sigma, and a
// quality flag that removes ~5 % of the points.
func atl06Points(n int, seed uint64) (cells []uint64, cols []Column) {
	r := rand.New(rand.NewPCG(seed, 1))
	cells = make([]uint64, n)
	h, s := make([]float32, n), make([]float32, n)
	q := make([]float64, n)
	const parent, po = 1234, 6
	for i := range cells {
		cells[i] = parent<<(2*(MaxOrder-po)) | r.Uint64N(1<<(2*(MaxOrder-po)))
		h[i] = float32(1500 + 30*r.NormFloat64())
		s[i] = float32(0.02 + 0.5*r.Float64())
		if r.Float64() < 0.05 {
			q[i] = 1
		}
	}
	return cells, []Column{{F32: h}, {F32: s}, {F64: q}}
}

func atl06Aggregator(tb testing.TB) *Aggregator {
	tb.Helper()
	var s Spec
	if err := yaml.Unmarshal([]byte(atl06Agg), &s); err != nil {
		tb.Fatal(err)
	}
	a, err := Compile(&s, []string{"h_li", "s_li"}, Filter{Column: "quality", Op: OpEq, Values: []float64{0}})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// BenchmarkAggregateATL06 aggregates n points of one order-6 parent into its
// order-12 children with the ATL06 statistics: "child" computes order 12 only
// (zagg 0.1.0's output), "all" every order 12..6, "all+sketches" also the
// quantile sketches for orders coarser than the parent. Besides wall-clock
// throughput it reports Mpts per CPU second (the machine may be shared) and
// the allocations per output cell.
func BenchmarkAggregateATL06(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000, 10_000_000} {
		cells, cols := atl06Points(n, 1)
		a := atl06Aggregator(b)
		for _, orders := range []string{"child", "all", "all+sketches"} {
			in := Input{ParentOrder: 6, Parent: 1234, ChildOrder: 12, Cells: cells, Columns: cols}
			if orders == "child" {
				in.MinOrder = 12
			}
			in.Sketches = orders == "all+sketches"
			var r Result
			b.Run(fmt.Sprintf("n=%d/orders=%s", n, orders), func(b *testing.B) {
				if err := a.Aggregate(&r, in); err != nil { // grow the buffers
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.SetBytes(int64(n) * (8 + 4 + 4 + 8))
				var ms0, ms1 runtime.MemStats
				runtime.ReadMemStats(&ms0)
				cpu0 := cpuSeconds()
				for b.Loop() {
					if err := a.Aggregate(&r, in); err != nil {
						b.Fatal(err)
					}
				}
				cpu := cpuSeconds() - cpu0
				runtime.ReadMemStats(&ms1)
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpts/s")
				if cpu > 0 {
					b.ReportMetric(float64(n)*float64(b.N)/cpu/1e6, "Mpts/cpu-s")
				}
				cellsOut := 0
				for _, l := range r.Levels {
					cellsOut += len(l.Counts)
				}
				b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/float64(cellsOut), "allocs/cell")
				if r.Levels[0].Counts[0] == 0 {
					b.Fatal("no points aggregated")
				}
			})
		}
	}
}
