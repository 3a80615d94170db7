package healpix

import (
	"math"
	"testing"
)

func BenchmarkTmpSin(b *testing.B) {
	lat, _ := benchPoints(1 << 16)
	z := make([]float64, len(lat))
	for b.Loop() {
		for k, la := range lat {
			z[k] = sinSmall(float64(la * degToRad * 0.4))
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(lat))/b.Elapsed().Seconds()/1e6, "Mpts/s")
}

func BenchmarkTmpSqrt(b *testing.B) {
	lat, _ := benchPoints(1 << 16)
	z := make([]float64, len(lat))
	for b.Loop() {
		for k, la := range lat {
			z[k] = math.Sqrt(3 * (1 - math.Abs(la)))
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(lat))/b.Elapsed().Seconds()/1e6, "Mpts/s")
}

func BenchmarkTmpAdd(b *testing.B) {
	lat, _ := benchPoints(1 << 16)
	var s float64
	for b.Loop() {
		for _, la := range lat {
			s += la
		}
	}
	sink = uint64(s)
	b.ReportMetric(float64(b.N)*float64(len(lat))/b.Elapsed().Seconds()/1e6, "Mpts/s")
}

func trackPts(n int) (lat, lon []float64) {
	lat = make([]float64, n)
	lon = make([]float64, n)
	for k := range lat {
		seg, i := k/10000, float64(k%10000)/10000
		lat[k] = -60 - 27.9*i
		if seg%2 == 1 {
			lat[k] = -87.9 + 27.9*i
		}
		lon[k] = math.Mod(float64(seg)*137.508+40*i, 360) - 180
	}
	return
}

func BenchmarkTmpTrack(b *testing.B) {
	lat, lon := trackPts(1 << 20)
	dst := make([]uint64, len(lat))
	for b.Loop() {
		LatLonToNestSlice(dst, 29, lat, lon)
	}
	b.ReportMetric(float64(b.N)*float64(len(lat))/b.Elapsed().Seconds()/1e6, "Mpts/s")
}

func BenchmarkTmpUniform(b *testing.B) {
	lat, lon := benchPoints(1 << 20)
	dst := make([]uint64, len(lat))
	for b.Loop() {
		LatLonToNestSlice(dst, 29, lat, lon)
	}
	b.ReportMetric(float64(b.N)*float64(len(lat))/b.Elapsed().Seconds()/1e6, "Mpts/s")
}
