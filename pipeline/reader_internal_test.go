package pipeline

import (
	"math/rand/v2"
	"testing"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
)

// TestLatBand checks that every point of a cell lies in the latitude band
// the reader hashes, for cells at the poles, the equator, the cap/belt
// transition and the antimeridian, in both conventions.
func TestLatBand(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cells := []morton.Cell{
		morton.FromNest(6, 0),                 // touches the north pole
		morton.FromNest(6, healpix.NPix(6)-1), // touches the south pole
		morton.FromLatLon(0, 0, 6, healpix.Authalic),
		morton.FromLatLon(41.8, 179.99, 6, healpix.Authalic), // cap/belt, antimeridian
		morton.FromLatLon(-77.3, 104.5, 6, healpix.Authalic),
		morton.FromLatLon(-89.99, 10, 12, healpix.Authalic),
		morton.FromLatLon(60, -45, 1, healpix.Authalic),
	}
	for _, conv := range []healpix.LatitudeConvention{healpix.Authalic, healpix.Geodetic} {
		for _, c := range cells {
			lo, hi := latBand(c, conv)
			shift := 2 * (healpix.MaxOrder - c.Order())
			for range 2000 {
				// A random order-29 cell inside c, and its centre.
				nest := c.Nest()<<shift | rng.Uint64N(1<<shift)
				lat, _ := healpix.NestCenter(healpix.MaxOrder, nest)
				if g := conv.FromSphere(lat); g < lo || g > hi {
					t.Fatalf("%v (%v): point at %.9f outside the band [%.9f, %.9f]", c, conv, g, lo, hi)
				}
			}
			// Corners too (points on the boundary belong to some cell).
			for _, p := range healpix.NestBoundary(nil, c.Order(), c.Nest(), 1) {
				if g := conv.FromSphere(p[0]); g < lo || g > hi {
					t.Fatalf("%v (%v): corner at %.9f outside [%.9f, %.9f]", c, conv, g, lo, hi)
				}
			}
		}
	}
}
