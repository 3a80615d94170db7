package cmr

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/zagg-go/zagg/healpix"
)

// BenchmarkCoverFootprint covers one ICESat-2 footprint at order 6 with a
// warm Coverer (cell boundaries cached, as when building a catalog).
func BenchmarkCoverFootprint(b *testing.B) {
	for _, tc := range []struct {
		name string
		mp   orb.MultiPolygon
	}{
		{"ringA", orb.MultiPolygon{{ringA}}},
		{"ringB-polar", orb.MultiPolygon{{ringB}}},
		{"antimeridian", footprintFromFile(b, "page1.json", 0)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cov, _ := NewCoverer(6, healpix.Authalic)
			cells, _ := cov.Cover(tc.mp)
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				c, err := cov.Cover(tc.mp)
				if err != nil {
					b.Fatal(err)
				}
				n += len(c)
			}
			b.ReportMetric(float64(len(cells)), "cells/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "footprints/s")
		})
	}
}

// BenchmarkCoverSampling is the comparison for BenchmarkCoverFootprint: the
// approximate approach (hash points every 0.02° over the footprint and along
// its edges), which is both slower and not guaranteed to find every cell.
func BenchmarkCoverSampling(b *testing.B) {
	s, err := newShape(orb.MultiPolygon{{ringB}}, healpix.Authalic)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n += len(bruteForce(s, 6, 0.02))
	}
	b.ReportMetric(float64(n)/float64(b.N), "cells/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "footprints/s")
}

// BenchmarkCoverAntarctica covers the default region (27 basins, 19,930
// vertices) at order 6 from a cold Coverer.
func BenchmarkCoverAntarctica(b *testing.B) {
	mp := Antarctica().Polygons
	b.ReportAllocs()
	var n int
	for b.Loop() {
		cov, _ := NewCoverer(6, healpix.Authalic)
		cells, err := cov.Cover(mp)
		if err != nil {
			b.Fatal(err)
		}
		n = len(cells)
	}
	b.ReportMetric(float64(n), "cells")
}

// BenchmarkBuild maps 400 synthetic polar granules (ring B rotated in
// longitude) to the Antarctic order-6 cells.
func BenchmarkBuild(b *testing.B) {
	region := antarcticaCells(b, 6, healpix.Authalic)
	var gs []Granule
	for k := range 400 {
		r := make(orb.Ring, len(ringB))
		for i, p := range ringB {
			lon := p[0] + float64(k)*0.9
			for lon > 180 {
				lon -= 360
			}
			r[i] = orb.Point{lon, p[1]}
		}
		gs = append(gs, Granule{GranuleUR: "g", S3URL: "s3://b/" + string(rune('a'+k%26)) + ".h5", Footprint: orb.MultiPolygon{{r}}})
	}
	cov, _ := NewCoverer(6, healpix.Authalic)
	b.ReportAllocs()
	var pairs int
	for b.Loop() {
		_, st, err := Build(gs, BuildOptions{Coverer: cov, Region: region})
		if err != nil {
			b.Fatal(err)
		}
		pairs = st.Pairs
	}
	b.ReportMetric(float64(len(gs)*b.N)/b.Elapsed().Seconds(), "granules/s")
	b.ReportMetric(float64(pairs), "pairs")
}

func BenchmarkParseUMMResults(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "cmr", "page1.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		_, gs, err := ParseUMMResults(data)
		if err != nil {
			b.Fatal(err)
		}
		n += len(gs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "granules/s")
}

func BenchmarkCatalogRoundTrip(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "catalog_v010.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := ParseCatalog(data)
		if err != nil {
			b.Fatal(err)
		}
		out, err := c.Encode()
		if err != nil || len(out) != len(data) {
			b.Fatal("round trip failed")
		}
	}
}
