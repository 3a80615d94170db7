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
	dist := flag.String("dist", "uniform", `points: "uniform" on the sphere, or "track" (ICESat-2-like Antarctic ground tracks, see trackPoint)`)
	flag.Parse()
	if *n < 1 || *rounds < 1 || *order < 0 || *order > healpix.MaxOrder || (*dist != "uniform" && *dist != "track") {
		fmt.Fprintln(os.Stderr, "healpix-bench: bad flags")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	runtime.LockOSThread()

	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]float64, *n)
	lon := make([]float64, *n)
	for k := range lat {
		if *dist == "track" {
			lat[k], lon[k] = trackPoint(k)
			continue
		}
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

// trackPoint returns point k of a synthetic set of ICESat-2-like tracks:
// segments of 10,000 points (about 200 km at 20 m spacing) running from
// 60°S towards 88°S and back, each starting at a new longitude, so that
// consecutive points are close as in a real granule. healpy_bench.py uses
// the same formula.
func trackPoint(k int) (lat, lon float64) {
	seg, i := k/10000, float64(k%10000)/10000
	lat = -60 - 27.9*i
	if seg%2 == 1 {
		lat = -87.9 + 27.9*i
	}
	lon = math.Mod(float64(seg)*137.508+40*i, 360) - 180
	return lat, lon
}
