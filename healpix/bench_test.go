package healpix

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchPoints returns n points uniform on the sphere (fixed seed).
func benchPoints(n int) (lat, lon []float64) {
	rng := rand.New(rand.NewPCG(42, 42))
	lat = make([]float64, n)
	lon = make([]float64, n)
	for k := range lat {
		lat[k] = math.Asin(2*rng.Float64()-1) * radToDeg
		lon[k] = rng.Float64()*360 - 180
	}
	return lat, lon
}

var sink uint64

// BenchmarkLatLonToNest measures the scalar hash at order 29 over uniform
// points; the metric Mpts/s is points per second per core.
func BenchmarkLatLonToNest(b *testing.B) {
	lat, lon := benchPoints(1 << 16)
	b.ReportAllocs()
	b.SetBytes(16) // one (lat, lon) pair of float64 in
	var acc uint64
	k := 0
	for b.Loop() {
		acc += LatLonToNest(MaxOrder, lat[k], lon[k])
		k = (k + 1) & (len(lat) - 1)
	}
	sink = acc
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpts/s")
}

// BenchmarkLatLonToNestSlice measures the batch hash at order 29 for a few
// batch sizes, with the vector kernel (where the machine has one) and with
// the portable passes.
func BenchmarkLatLonToNestSlice(b *testing.B) {
	for _, kernel := range []string{"vector", "portable"} {
		if kernel == "vector" && !useSIMD {
			continue
		}
		for _, n := range []int{1 << 10, 1 << 16} {
			b.Run(kernel+"/"+strconv.Itoa(n), func(b *testing.B) {
				lat, lon := benchPoints(n)
				dst := make([]uint64, n)
				b.ReportAllocs()
				b.SetBytes(int64(16 * n))
				withSIMD(b, kernel == "vector", func() {
					for b.Loop() {
						LatLonToNestSlice(dst, MaxOrder, lat, lon)
					}
				})
				sink += dst[n/2]
				b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds()/1e6, "Mpts/s")
			})
		}
	}
}

// BenchmarkLatLonToNestRegions splits the scalar hash by projection region.
func BenchmarkLatLonToNestRegions(b *testing.B) {
	for _, r := range []struct {
		name   string
		lo, hi float64
	}{{"belt", -41, 41}, {"cap", 42, 89}, {"pole", 89.5, 90}} {
		b.Run(r.name, func(b *testing.B) {
			lat, lon := benchPoints(1 << 12)
			for k := range lat {
				lat[k] = r.lo + (r.hi-r.lo)*float64(k)/float64(len(lat))
			}
			b.ReportAllocs()
			var acc uint64
			k := 0
			for b.Loop() {
				acc += LatLonToNest(MaxOrder, lat[k], lon[k])
				k = (k + 1) & (len(lat) - 1)
			}
			sink = acc
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpts/s")
		})
	}
}

func BenchmarkAuthalicFromGeodetic(b *testing.B) {
	lat, _ := benchPoints(1 << 12)
	b.ReportAllocs()
	acc := 0.0
	k := 0
	for b.Loop() {
		acc += AuthalicFromGeodetic(lat[k])
		k = (k + 1) & (len(lat) - 1)
	}
	sink = uint64(acc)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpts/s")
}

func BenchmarkNestToRing(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	idx := make([]uint64, 1<<12)
	for k := range idx {
		idx[k] = rng.Uint64N(NPix(MaxOrder))
	}
	b.ReportAllocs()
	var acc uint64
	k := 0
	for b.Loop() {
		acc += NestToRing(MaxOrder, idx[k])
		k = (k + 1) & (len(idx) - 1)
	}
	sink = acc
}

func BenchmarkRingToNest(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	idx := make([]uint64, 1<<12)
	for k := range idx {
		idx[k] = rng.Uint64N(NPix(MaxOrder))
	}
	b.ReportAllocs()
	var acc uint64
	k := 0
	for b.Loop() {
		acc += RingToNest(MaxOrder, idx[k])
		k = (k + 1) & (len(idx) - 1)
	}
	sink = acc
}

func BenchmarkNestCenter(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	idx := make([]uint64, 1<<12)
	for k := range idx {
		idx[k] = rng.Uint64N(NPix(12))
	}
	b.ReportAllocs()
	acc := 0.0
	k := 0
	for b.Loop() {
		lat, lon := NestCenter(12, idx[k])
		acc += lat + lon
		k = (k + 1) & (len(idx) - 1)
	}
	sink = uint64(acc)
}

func BenchmarkNestNeighbours(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	idx := make([]uint64, 1<<12)
	for k := range idx {
		idx[k] = rng.Uint64N(NPix(12))
	}
	b.ReportAllocs()
	var acc uint64
	k := 0
	for b.Loop() {
		nb := NestNeighbours(12, idx[k])
		acc += nb[0] ^ nb[7]
		k = (k + 1) & (len(idx) - 1)
	}
	sink = acc
}

func BenchmarkNestBoundary(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	idx := make([]uint64, 1<<12)
	for k := range idx {
		idx[k] = rng.Uint64N(NPix(12))
	}
	buf := make([][2]float64, 0, 64)
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		buf = NestBoundary(buf[:0], 12, idx[k], 16)
		k = (k + 1) & (len(idx) - 1)
	}
	sink += uint64(len(buf))
	b.ReportMetric(float64(b.N)*64/b.Elapsed().Seconds()/1e6, "Mpts/s")
}
