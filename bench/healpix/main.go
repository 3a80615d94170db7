// Command healpix-bench measures the single-core throughput of
// healpix.LatLonToNest (scalar) and healpix.LatLonToNestSlice (batch) at a
// given order, on points uniform on the sphere, in CPU time (getrusage), so
// that other processes on a busy machine slow it less than wall time would.
// compare.sh runs it side by side with healpy_bench.py and prints the ratio.
//
// Usage:
//
//	go run ./bench/healpix [-n 1048576] [-rounds 5] [-order 29]
//
// Output: one line per mode, "go-scalar <Mpts/s>" and "go-batch <Mpts/s>",
// the best of the rounds.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/zagg-go/zagg/healpix"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	n := flag.Int("n", 1<<20, "points per round")
	rounds := flag.Int("rounds", 5, "rounds; the best is reported")
	order := flag.Int("order", healpix.MaxOrder, "HEALPix order")
	flag.Parse()
	if *n < 1 || *rounds < 1 || *order < 0 || *order > healpix.MaxOrder {
		fmt.Fprintln(os.Stderr, "healpix-bench: bad flags")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	runtime.LockOSThread()

	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]float64, *n)
	lon := make([]float64, *n)
	for k := range lat {
		lat[k] = math.Asin(2*rng.Float64()-1) * 180 / math.Pi
		lon[k] = rng.Float64()*360 - 180
	}
	dst := make([]uint64, *n)

	bestScalar, bestBatch := math.Inf(1), math.Inf(1)
	for r := 0; r < *rounds; r++ {
		t := cpuTime()
		for k := range lat {
			dst[k] = healpix.LatLonToNest(*order, lat[k], lon[k])
		}
		bestScalar = math.Min(bestScalar, (cpuTime() - t).Seconds())

		t = cpuTime()
		healpix.LatLonToNestSlice(dst, *order, lat, lon)
		bestBatch = math.Min(bestBatch, (cpuTime() - t).Seconds())
	}
	fmt.Printf("go-scalar %.2f\n", float64(*n)/bestScalar/1e6)
	fmt.Printf("go-batch %.2f\n", float64(*n)/bestBatch/1e6)
	runtime.KeepAlive(dst)
}
