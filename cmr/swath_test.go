package cmr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/golang/geo/r3"
	"github.com/golang/geo/s2"
	"github.com/paulmach/orb"
	"github.com/zagg-go/zagg/healpix"
)

// trackPoint is the sub-satellite point of a 92° inclination orbit at
// argument of latitude u (radians), ascending node lon0 (no Earth rotation).
func trackPoint(u, lon0 float64) r3.Vector {
	inc := 92 * math.Pi / 180
	lat := math.Asin(math.Sin(inc) * math.Sin(u))
	lon := lon0 + math.Atan2(math.Cos(inc)*math.Sin(u), math.Cos(u))
	return r3.Vector{X: math.Cos(lat) * math.Cos(lon), Y: math.Cos(lat) * math.Sin(lon), Z: math.Sin(lat)}
}

// syntheticSwath is an ICESat-2-like footprint from u0 to u1 (±halfKm about
// the ground track, n points per side, counter-clockwise) and, for the
// brute force, points spread over its interior.
func syntheticSwath(u0, u1, lon0, halfKm float64, n int) (orb.Ring, []s2.Point) {
	const earthKm = 6371.0088
	d := halfKm / earthKm
	side := func(u float64, off float64) r3.Vector {
		c := trackPoint(u, lon0)
		t := trackPoint(u+1e-6, lon0).Sub(trackPoint(u-1e-6, lon0)).Normalize()
		left := c.Cross(t).Normalize()
		return c.Mul(math.Cos(off)).Add(left.Mul(math.Sin(off)))
	}
	toLL := func(v r3.Vector) orb.Point {
		ll := s2.LatLngFromPoint(s2.Point{Vector: v.Normalize()})
		return orb.Point{math.Round(ll.Lng.Degrees()*1e5) / 1e5, math.Round(ll.Lat.Degrees()*1e5) / 1e5}
	}
	var right, left orb.Ring
	for k := range n {
		u := u0 + (u1-u0)*float64(k)/float64(n-1)
		right = append(right, toLL(side(u, -d)))
		left = append(left, toLL(side(u, d)))
	}
	slices.Reverse(left)
	ring := append(right, left...)
	ring = append(ring, ring[0])
	// Interior samples: every ~5 km along track, 9 across.
	var inside []s2.Point
	steps := int(math.Abs(u1-u0)*earthKm/5) + 1
	for k := 0; k <= steps; k++ {
		u := u0 + (u1-u0)*float64(k)/float64(steps)
		for j := -4; j <= 4; j++ {
			inside = append(inside, s2.Point{Vector: side(u, d*float64(j)/4.5).Normalize()})
		}
	}
	return ring, inside
}

// TestCoverRandomSwaths covers random ICESat-2-like footprints through the
// southern turn (crossing the antimeridian and passing within 2° of the
// pole) and checks them against brute force.
func TestCoverRandomSwaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261121, 5))
	for i := range 10 {
		lon0 := rng.Float64() * 2 * math.Pi
		u0 := -(40 + 20*rng.Float64()) * math.Pi / 180
		u1 := -(95 + 40*rng.Float64()) * math.Pi / 180
		ring, interior := syntheticSwath(u0, u1, lon0, 6.25, 14+rng.IntN(20))
		conv := healpix.LatitudeConvention(i % 2)
		order := 5 + i%3
		t.Run(fmt.Sprintf("swath%d/%v/o%d", i, conv, order), func(t *testing.T) {
			mp := orb.MultiPolygon{{ring}}
			c, _ := NewCoverer(order, conv)
			got, err := c.Cover(mp)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := newShape(mp, conv)
			// The interior samples were made in geodetic coordinates; map
			// them to the sphere like the vertices.
			want := map[uint64]bool{}
			hash := func(p s2.Point) {
				ll := s2.LatLngFromPoint(p)
				want[healpix.LatLonToNest(order, conv.ToSphere(ll.Lat.Degrees()), ll.Lng.Degrees())] = true
			}
			for _, p := range interior {
				ll := s2.LatLngFromPoint(p)
				q := llPoint(conv.ToSphere(ll.Lat.Degrees()), ll.Lng.Degrees())
				if s.containsPoint(q) {
					hash(p)
				}
			}
			for _, poly := range s.polys {
				for e := range poly.NumEdges() {
					edge := poly.Edge(e)
					n := int(edge.V0.Angle(edge.V1.Vector).Degrees()/0.005) + 2
					for k := 0; k <= n; k++ {
						ll := s2.LatLngFromPoint(s2.Interpolate(float64(k)/float64(n), edge.V0, edge.V1))
						want[healpix.LatLonToNest(order, ll.Lat.Degrees(), ll.Lng.Degrees())] = true
					}
				}
			}
			for n := range want {
				if _, ok := slices.BinarySearch(got, n); !ok {
					t.Errorf("cell %d holds a sample of the footprint but is not covered", n)
				}
			}
			extra := 0
			for _, n := range got {
				if !want[n] {
					extra++
					if d := distanceToBoundary(s, order, n); d > 0.005 {
						t.Errorf("cell %d covered but %.4f° from the footprint", n, d)
					}
				}
			}
			t.Logf("%d cells, %d sampled, %d corner touches", len(got), len(want), extra)
		})
	}
}
