// Command agg-bench measures the single-core throughput of the agg package
// on the built-in ATL06 config (config.Builtin("atl06")): n points
// of one order-6 parent cell aggregated into its 4,096 order-12 children
// (orders=child) or into every order 12..6 (orders=all), in CPU time
// (getrusage) so that other processes on a busy machine slow it less than
// wall time would. compare.sh runs it beside numpy_bench.py (the same
// statistics in numpy) and prints the ratio.
//
// Usage:
//
//	go run ./bench/agg [-n 10000000] [-rounds 3] [-orders child|all]
//
// Output: "go-agg <orders> <Mpts/s>", the best of the rounds, and the
// allocations per output cell of the last round.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/pipeline/config"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// points makes n synthetic ATL06 points in order-6 parent 1234, as
// numpy_bench.py does (same distributions, not the same draws).
func points(n int, seed uint64) ([]uint64, []float32, []float32, []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	cells := make([]uint64, n)
	h, s, q := make([]float32, n), make([]float32, n), make([]float64, n)
	for i := range cells {
		cells[i] = 1234<<(2*(29-6)) | r.Uint64N(1<<(2*(29-6)))
		h[i] = float32(1500 + 30*r.NormFloat64())
		s[i] = float32(0.02 + 0.5*r.Float64())
		if r.Float64() < 0.05 {
			q[i] = 1
		}
	}
	return cells, h, s, q
}

func main() {
	n := flag.Int("n", 10_000_000, "points")
	rounds := flag.Int("rounds", 3, "rounds; the best is reported")
	orders := flag.String("orders", "child", "child (order 12 only) or all (orders 12..6)")
	flag.Parse()
	cfg, err := config.Builtin("atl06")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a, err := cfg.CompileAggregation()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cells, h, s, q := points(*n, 1)
	cols := make([]agg.Column, len(a.Columns()))
	for i, c := range a.Columns() {
		switch c {
		case "h_li":
			cols[i] = agg.Column{F32: h}
		case "s_li":
			cols[i] = agg.Column{F32: s}
		default:
			cols[i] = agg.Column{F64: q}
		}
	}
	in := agg.Input{ParentOrder: 6, Parent: 1234, ChildOrder: 12, Cells: cells, Columns: cols}
	if *orders == "child" {
		in.MinOrder = 12
	}
	var r agg.Result
	if err := a.Aggregate(&r, in); err != nil { // warm-up: buffers grow once
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	best := 0.0
	var allocs uint64
	for range *rounds {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		t0 := cpuTime()
		if err := a.Aggregate(&r, in); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		d := cpuTime() - t0
		runtime.ReadMemStats(&m1)
		allocs = m1.Mallocs - m0.Mallocs
		best = max(best, float64(*n)/d.Seconds()/1e6)
	}
	outCells := 0
	for _, l := range r.Levels {
		outCells += len(l.Counts)
	}
	fmt.Printf("go-agg %s %.2f\n", *orders, best)
	fmt.Printf("allocs-per-cell %.4f (%d cells, %d points kept)\n", float64(allocs)/float64(outCells), outCells, *n-r.Filtered-r.Outside)
}
