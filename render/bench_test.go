package render

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/zagg-go/zagg/healpix"
)

var sinkF float64

func BenchmarkProjection(b *testing.B) {
	eqc, _ := NewEquirectangular(0, 0)
	for _, p := range []Projection{EPSG3031(), EPSG3413(), eqc} {
		b.Run(p.String()+"/Inverse", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				lat, lon := p.Inverse(float64(i%2000)*1000-1e6, float64(i%1500)*1000-7e5)
				sinkF += lat + lon
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpoints/s")
		})
		b.Run(p.String()+"/Forward", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				x, y := p.Forward(-80+float64(i%100)*0.1, float64(i%360))
				sinkF += x + y
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpoints/s")
		})
	}
}

// BenchmarkPercentiles is the cold cost of the default colour limits on a
// layer of 6 million values (an order-12 Antarctic ice sheet).
func BenchmarkPercentiles(b *testing.B) {
	const n = 6 << 20
	rng := rand.New(rand.NewPCG(1, 2))
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = float32(2000 + 800*rng.NormFloat64())
	}
	work := make([]float32, n)
	b.SetBytes(4 * n)
	b.ReportAllocs()
	for b.Loop() {
		copy(work, vals)
		sinkF += percentile(work, 2) + percentile(work, 98)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
}

// BenchmarkSample is the pull alone on a full order-10 southern cap, per
// pixel, single-threaded (no empty region to skip).
func BenchmarkSample(b *testing.B) {
	const order = 10
	var cells []uint64
	var vals []float64
	for c := uint64(8) << (2 * order); c < healpix.NPix(order); c++ {
		cells = append(cells, c)
		vals = append(vals, float64(c%1000))
	}
	l, err := FromCells(order, healpix.Authalic, cells, vals)
	if err != nil {
		b.Fatal(err)
	}
	g, err := NewGrid(EPSG3031(), Extent{-2e6, -2e6, 2e6, 2e6}, 4000)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float32, g.Width*g.Height)
	b.ReportAllocs()
	for b.Loop() {
		if dst, err = Sample(dst, g, l, 1); err != nil {
			b.Fatal(err)
		}
	}
	if math.IsNaN(float64(dst[len(dst)/2])) {
		b.Fatal("centre pixel empty")
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N)/float64(len(dst)), "ns/pixel")
}
