package h5readbench

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/zagg-go/zagg/h5read"
)

var vars = []string{"latitude", "longitude", "h_li", "h_li_sigma", "atl06_quality_summary"}
var beams = []string{"gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"}

func benchFile(b *testing.B) string {
	p := os.Getenv("H5READ_BENCH_FILE")
	if p == "" {
		b.Skip("H5READ_BENCH_FILE not set; bash bench/h5read/run.sh makes the file and runs this")
	}
	return p
}

// BenchmarkDecode reads the five ATL06 variables of every beam, whole, as
// bench_h5py.py does with libhdf5: open, resolve, fetch, inflate,
// unshuffle, and fill typed slices of the native element type (reused
// across iterations, as a caller reading many cells would). SetBytes is the
// decoded size.
func BenchmarkDecode(b *testing.B) {
	path := benchFile(b)
	ctx := context.Background()
	for _, conc := range []int{1, 8} {
		b.Run(map[int]string{1: "serial", 8: "parallel8"}[conc], func(b *testing.B) {
			b.ReportAllocs()
			bufs := map[string]any{}
			var total int64
			cpu0 := cpuTime()
			for b.Loop() {
				total = 0
				f, err := h5read.OpenFile(ctx, path, h5read.WithConcurrency(conc))
				if err != nil {
					b.Fatal(err)
				}
				for _, beam := range beams {
					for _, v := range vars {
						p := "/" + beam + "/land_ice_segments/" + v
						d, err := f.Dataset(ctx, p)
						if err != nil {
							b.Fatal(err)
						}
						if err := readNative(ctx, d, bufs, p); err != nil {
							b.Fatal(err)
						}
						total += int64(d.Len() * d.Dtype().Size)
					}
				}
				f.Close()
			}
			b.SetBytes(total)
			// CPU time is the fair comparison on a shared machine: wall time
			// includes waiting for other processes.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// readNative reads d whole into a reused slice of its native type.
func readNative(ctx context.Context, d *h5read.Dataset, bufs map[string]any, key string) error {
	n, shape := d.Len(), d.Shape()
	start := make([]int, len(shape))
	switch d.Dtype().String() {
	case "<f8":
		dst, _ := bufs[key].([]float64)
		if len(dst) != n {
			dst = make([]float64, n)
			bufs[key] = dst
		}
		return h5read.Read(ctx, d, dst, start, shape)
	case "<f4":
		dst, _ := bufs[key].([]float32)
		if len(dst) != n {
			dst = make([]float32, n)
			bufs[key] = dst
		}
		return h5read.Read(ctx, d, dst, start, shape)
	default:
		dst, _ := bufs[key].([]int8)
		if len(dst) != n {
			dst = make([]int8, n)
			bufs[key] = dst
		}
		return h5read.Read(ctx, d, dst, start, shape)
	}
}

// cpuTime returns the process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
