package cmr

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/zagg-go/zagg/healpix"
)

// capRing is a regular polygon of n vertices approximating a spherical cap
// (radius in degrees) around (lat, lon), counter-clockwise, as [lon, lat].
func capRing(lat, lon, radius float64, n int) orb.Ring {
	l := s2.RegularLoop(llPoint(lat, lon), s1.Angle(radius)*s1.Degree, n)
	r := make(orb.Ring, 0, n+1)
	for _, v := range l.Vertices() {
		ll := s2.LatLngFromPoint(v)
		r = append(r, orb.Point{ll.Lng.Degrees(), ll.Lat.Degrees()})
	}
	return append(r, r[0])
}

func footprintFromFile(t testing.TB, file string, item int) orb.MultiPolygon {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cmr", file))
	if err != nil {
		t.Fatal(err)
	}
	_, gs, err := ParseUMMResults(b)
	if err != nil {
		t.Fatal(err)
	}
	return gs[item].Footprint
}

// bruteForce hashes dense samples of the shape: points every h/8 degrees
// along every (great-circle) edge, and a lat/lon grid over its bound, kept
// where the shape contains the point, of spacing a quarter of the cell size
// (the grid only has to find cells wholly inside the shape; every other
// intersecting cell meets the boundary, and a cell whose meeting with the
// boundary holds no boundary sample lies within h/8 of it).
func bruteForce(s *shape, order int, h float64) map[uint64]bool {
	cells := map[uint64]bool{}
	add := func(p s2.Point) {
		ll := s2.LatLngFromPoint(p)
		cells[healpix.LatLonToNest(order, ll.Lat.Degrees(), ll.Lng.Degrees())] = true
	}
	rect := s.rect
	lat0, lat1 := rect.Lat.Lo*180/math.Pi, rect.Lat.Hi*180/math.Pi
	hIn := math.Max(h, 0.25*math.Sqrt(41253/float64(healpix.NPix(order))))
	for lat := lat0; lat <= lat1; lat += hIn {
		c := math.Max(math.Cos(lat*math.Pi/180), 1e-3)
		dlon := math.Min(hIn/c, 5)
		lon0, span := rect.Lng.Lo*180/math.Pi, rect.Lng.Length()*180/math.Pi
		if rect.Lng.IsFull() {
			lon0, span = -180, 360
		}
		for d := 0.0; d <= span; d += dlon {
			p := llPoint(lat, lon0+d)
			if s.containsPoint(p) {
				add(p)
			}
		}
	}
	for _, poly := range s.polys {
		for e := range poly.NumEdges() {
			edge := poly.Edge(e)
			length := edge.V0.Angle(edge.V1.Vector).Degrees()
			n := int(math.Ceil(length/(h/8))) + 1
			for k := 0; k <= n; k++ {
				add(s2.Interpolate(float64(k)/float64(n), edge.V0, edge.V1))
			}
		}
	}
	return cells
}

// distanceToBoundary is the smallest angle (degrees) between the shape's
// edges and the cell's true boundary sampled with 256 points per side.
func distanceToBoundary(s *shape, order int, nest uint64) float64 {
	b := healpix.NestBoundary(nil, order, nest, 256)
	best := math.Inf(1)
	for k := range b {
		p := llPoint(b[k][0], b[k][1])
		q := llPoint(b[(k+1)%len(b)][0], b[(k+1)%len(b)][1])
		for _, poly := range s.polys {
			for e := range poly.NumEdges() {
				edge := poly.Edge(e)
				for _, d := range []s1.Angle{
					s2.DistanceFromSegment(p, edge.V0, edge.V1), s2.DistanceFromSegment(edge.V0, p, q),
					s2.DistanceFromSegment(edge.V1, p, q),
				} {
					best = math.Min(best, d.Degrees())
				}
				if s2.CrossingSign(p, q, edge.V0, edge.V1) == s2.Cross {
					return 0
				}
			}
		}
	}
	return best
}

type coverCase struct {
	name  string
	mp    orb.MultiPolygon
	order int
	h     float64 // brute-force sample spacing, degrees
}

func coverCases(t testing.TB) []coverCase {
	box := orb.Ring{{170, -10}, {-170, -10}, {-170, 10}, {170, 10}, {170, -10}}
	return []coverCase{
		{"cap 5° at 75°S", orb.MultiPolygon{{capRing(-75, 30, 5, 64)}}, 6, 0.05},
		{"cap 8° around the South Pole", orb.MultiPolygon{{capRing(-90, 0, 8, 72)}}, 6, 0.05},
		{"cap 3° around the North Pole", orb.MultiPolygon{{capRing(90, 0, 3, 40)}}, 7, 0.02},
		{"cap 4° on the antimeridian", orb.MultiPolygon{{capRing(40, 180, 4, 48)}}, 6, 0.04},
		{"box across the antimeridian", orb.MultiPolygon{{box}}, 5, 0.1},
		{"ring A", orb.MultiPolygon{{ringA}}, 6, 0.02},
		{"ring B (pole, antimeridian)", orb.MultiPolygon{{ringB}}, 6, 0.02},
		{"antimeridian swath", footprintFromFile(t, "page1.json", 0), 6, 0.02},
		{"cap with a hole", orb.MultiPolygon{{capRing(-70, -60, 6, 60), reverse(capRing(-70, -60, 2, 30))}}, 6, 0.05},
		{"base-cell scale", orb.MultiPolygon{{capRing(-30, 100, 40, 90)}}, 2, 0.5},
		{"ring pinched at a vertex", orb.MultiPolygon{{{{-70, -70}, {-66, -70}, {-66, -66}, {-68, -66}, {-68, -65}, {-69, -65}, {-68, -66}, {-70, -66}, {-70, -70}}}}, 7, 0.02},
	}
}

func reverse(r orb.Ring) orb.Ring {
	r = append(orb.Ring(nil), r...)
	r.Reverse()
	return r
}

// TestCoverBruteForce checks Cover against brute force: every cell that holds
// a sample of the polygon or its boundary is covered (superset), and every
// extra cell lies within the sample spacing of the polygon (tight).
func TestCoverBruteForce(t *testing.T) {
	for _, tc := range coverCases(t) {
		for _, conv := range []healpix.LatitudeConvention{healpix.Authalic, healpix.Geodetic} {
			t.Run(fmt.Sprintf("%s/%v", tc.name, conv), func(t *testing.T) {
				c, err := NewCoverer(tc.order, conv)
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.Cover(tc.mp)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
					t.Fatal("cover not sorted/unique")
				}
				s, _ := newShape(tc.mp, conv)
				want := bruteForce(s, tc.order, tc.h)
				set := map[uint64]bool{}
				for _, n := range got {
					set[n] = true
				}
				for n := range want {
					if !set[n] {
						t.Errorf("cell %d holds a sample of the polygon but is not covered", n)
					}
				}
				extra := 0
				for _, n := range got {
					if want[n] {
						continue
					}
					extra++
					if d := distanceToBoundary(s, tc.order, n); d > tc.h {
						t.Errorf("cell %d covered but %.4f° from the polygon (sample spacing %v°)", n, d, tc.h)
					}
				}
				t.Logf("%d cells, %d found by sampling, %d more within %v° (corner touches)", len(got), len(want), extra, tc.h)
			})
		}
	}
}

// TestIntersectsAgreesWithCover checks the single-cell predicate against the
// descent, around the boundary of ring B.
func TestIntersectsAgreesWithCover(t *testing.T) {
	c, _ := NewCoverer(6, healpix.Authalic)
	mp := orb.MultiPolygon{{ringB}}
	got, err := c.Cover(mp)
	if err != nil {
		t.Fatal(err)
	}
	in := map[uint64]bool{}
	for _, n := range got {
		in[n] = true
	}
	// Every covered cell and its ring of neighbours' parents' children.
	seen := map[uint64]bool{}
	for _, n := range got {
		p := n >> 4
		for k := p << 4; k < (p+1)<<4; k++ {
			if seen[k] {
				continue
			}
			seen[k] = true
			ok, err := c.Intersects(mp, k)
			if err != nil {
				t.Fatal(err)
			}
			if ok != in[k] {
				t.Errorf("Intersects(%d) = %v, Cover says %v", k, ok, in[k])
			}
		}
	}
}

// TestRingBPlanarIsWrong shows what planar lon/lat code does with ring B and
// that the sphere coverage does not do it.
func TestRingBPlanarIsWrong(t *testing.T) {
	c, _ := NewCoverer(6, healpix.Geodetic)
	cells, err := c.Cover(orb.MultiPolygon{{ringB}})
	if err != nil {
		t.Fatal(err)
	}
	has := func(lat, lon float64) bool {
		_, ok := slices.BinarySearch(cells, healpix.LatLonToNest(6, lat, lon))
		return ok
	}
	// Planar point-in-polygon in lon/lat treats the ring as spanning 300° of
	// longitude the long way round.
	if !planar.RingContains(ringB, orb.Point{-2, -87.77}) {
		t.Fatal("planar test unexpectedly right")
	}
	if has(-87.77, -2) || has(-88, -2) || has(-83, 0) {
		t.Error("sphere coverage contains the far side of the pole")
	}
	for _, p := range [][2]float64{{-88, 178}, {-83, 104}, {-83, -108}, {-88.05, 180}} {
		if !has(p[0], p[1]) {
			t.Errorf("sphere coverage misses %v", p)
		}
	}
	if len(cells) > 60 {
		t.Errorf("%d cells: ring B is a 12.5 km swath; expected tens", len(cells))
	}
}

// TestCoverWithin checks that restricting to a set equals intersecting after.
func TestCoverWithin(t *testing.T) {
	c, _ := NewCoverer(6, healpix.Authalic)
	region, err := c.Cover(orb.MultiPolygon{{capRing(-85, 120, 6, 40)}})
	if err != nil {
		t.Fatal(err)
	}
	fp := orb.MultiPolygon{{ringB}}
	all, _ := c.Cover(fp)
	got, err := c.CoverWithin(fp, region)
	if err != nil {
		t.Fatal(err)
	}
	var want []uint64
	for _, n := range all {
		if _, ok := slices.BinarySearch(region, n); ok {
			want = append(want, n)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("CoverWithin = %v, want %v", got, want)
	}
	if len(want) == 0 || len(want) == len(all) {
		t.Errorf("test does not exercise the restriction: %d of %d", len(want), len(all))
	}
	if _, err := c.CoverWithin(fp, []uint64{5, 3}); err == nil {
		t.Error("unsorted restriction accepted")
	}
}

// TestCellGeomEpsBound checks the boundary tolerance: densely sampled true
// cell edges stay within ε of the sampled polyline, for cells of every
// kind (equatorial, polar cap, touching a pole, base cells).
func TestCellGeomEpsBound(t *testing.T) {
	type cell struct {
		order int
		nest  uint64
	}
	cells := []cell{{0, 0}, {0, 4}, {0, 8}, {1, 3}, {2, 0}, {2, 191}}
	for _, o := range []int{3, 6, 9, 12} {
		for _, p := range [][2]float64{{89.99, 10}, {-89.99, 200}, {0, 0}, {41.8, 45}, {-41.8, 135}, {-66, 90}, {70, 359}} {
			cells = append(cells, cell{o, healpix.LatLonToNest(o, p[0], p[1])})
		}
	}
	for _, c := range cells {
		g := newCellGeom(c.order, c.nest, coverStep)
		dense := healpix.NestBoundary(nil, c.order, c.nest, coverStep*32)
		n := len(g.ring)
		worst := 0.0
		for k, d := range dense {
			p := llPoint(d[0], d[1])
			seg := k / 32
			dist := s2.DistanceFromSegment(p, g.ring[seg], g.ring[(seg+1)%n]).Radians()
			worst = math.Max(worst, dist)
		}
		if worst > g.eps {
			t.Errorf("order %d cell %d: true edge %.3g rad from the polyline, ε = %.3g", c.order, c.nest, worst, g.eps)
		}
		for _, d := range dense {
			if g.center.Angle(llPoint(d[0], d[1]).Vector) > g.radius.Angle() {
				t.Errorf("order %d cell %d: boundary point outside the bounding radius", c.order, c.nest)
				break
			}
		}
	}
}

func TestCoverLimits(t *testing.T) {
	if _, err := NewCoverer(30, healpix.Authalic); err == nil {
		t.Error("order 30 accepted")
	}
	c, _ := NewCoverer(14, healpix.Authalic)
	if _, err := c.Cover(orb.MultiPolygon{{capRing(0, 0, 30, 40)}}); err == nil {
		t.Error("a cover of ~10^9 cells was attempted")
	}
	if _, err := c.Intersects(orb.MultiPolygon{{ringA}}, healpix.NPix(14)); err == nil {
		t.Error("out-of-range cell accepted")
	}
	if _, err := c.Cover(orb.MultiPolygon{{{{0, 0}, {1, 1}, {0, 0}}}}); err == nil {
		t.Error("degenerate polygon accepted")
	}
}
