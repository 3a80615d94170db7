package morton

import (
	"math/rand/v2"
	"testing"

	"github.com/zagg-go/zagg/healpix"
)

func benchCells(order int) []Cell {
	rng := rand.New(rand.NewPCG(5, 5))
	c := make([]Cell, 1<<12)
	for k := range c {
		c[k] = FromNest(order, rng.Uint64N(healpix.NPix(order)))
	}
	return c
}

var sinkCell Cell
var sinkU64 uint64

func BenchmarkFromNest(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 5))
	idx := make([]uint64, 1<<12)
	for k := range idx {
		idx[k] = rng.Uint64N(healpix.NPix(18))
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		sinkCell ^= FromNest(18, idx[k])
		k = (k + 1) & (len(idx) - 1)
	}
}

func BenchmarkNest(b *testing.B) {
	cells := benchCells(18)
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		sinkU64 ^= cells[k].Nest()
		k = (k + 1) & (len(cells) - 1)
	}
}

func BenchmarkParent(b *testing.B) {
	cells := benchCells(18)
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		sinkCell ^= cells[k].Parent(6)
		k = (k + 1) & (len(cells) - 1)
	}
}

func BenchmarkAppendText(b *testing.B) {
	cells := benchCells(18)
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		buf = cells[k].AppendText(buf[:0])
		k = (k + 1) & (len(cells) - 1)
	}
	sinkU64 += uint64(len(buf))
}

func BenchmarkParse(b *testing.B) {
	cells := benchCells(18)
	strs := make([]string, len(cells))
	for k, c := range cells {
		strs[k] = c.String()
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		c, err := Parse(strs[k])
		if err != nil {
			b.Fatal(err)
		}
		sinkCell ^= c
		k = (k + 1) & (len(strs) - 1)
	}
}

func BenchmarkLegacy(b *testing.B) {
	cells := benchCells(18)
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		m, err := cells[k].Legacy()
		if err != nil {
			b.Fatal(err)
		}
		back, err := FromLegacy(m)
		if err != nil {
			b.Fatal(err)
		}
		sinkCell ^= back
		k = (k + 1) & (len(cells) - 1)
	}
}

// BenchmarkFromLatLon measures the whole path from a geodetic point to a
// cell, including the authalic conversion.
func BenchmarkFromLatLon(b *testing.B) {
	rng := rand.New(rand.NewPCG(6, 6))
	lat := make([]float64, 1<<12)
	lon := make([]float64, 1<<12)
	for k := range lat {
		lat[k] = rng.Float64()*180 - 90
		lon[k] = rng.Float64()*360 - 180
	}
	for _, conv := range []healpix.LatitudeConvention{healpix.Geodetic, healpix.Authalic} {
		b.Run(conv.String(), func(b *testing.B) {
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				sinkCell ^= FromLatLon(lat[k], lon[k], 29, conv)
				k = (k + 1) & (len(lat) - 1)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpts/s")
		})
	}
}
