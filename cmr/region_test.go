package cmr

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/golang/geo/s2"
	"github.com/paulmach/orb"
)

var ringA = orb.Ring{{30.33127, 59.54486}, {30.11054, 59.53332}, {30.24491, 58.86764}, {30.80852, 55.88052},
	{31.36205, 52.62974}, {31.97691, 48.64423}, {32.49116, 45.00559}, {33.14972, 39.98092},
	{33.74529, 35.07892}, {33.81083, 34.30684}, {33.86879, 33.49515}, {34.51274, 27.78657},
	{34.60504, 26.94837}, {34.73106, 26.95938}, {34.63967, 27.79765}, {34.00338, 33.50641},
	{33.94713, 34.31352}, {33.88278, 35.0868}, {33.29615, 39.99209}, {32.64981, 45.01684},
	{32.14665, 48.65539}, {31.54676, 52.64109}, {31.00833, 55.892}, {30.46161, 58.87937},
	{30.33127, 59.54486}}

var ringB = orb.Ring{{-101.9302, -78.98894}, {-104.39917, -80.9137}, {-108.1036, -82.81565},
	{-114.31949, -84.67031}, {-126.65483, -86.40378}, {-156.37198, -87.72038},
	{152.3662, -87.72027}, {122.65249, -86.40357}, {110.31842, -84.67008},
	{104.10301, -82.8154}, {100.3988, -80.91345}, {97.92753, -78.98665},
	{97.35005, -79.01308}, {99.70006, -80.93989}, {103.23375, -82.84819},
	{109.18769, -84.71365}, {121.14977, -86.46771}, {151.08901, -87.82213},
	{-155.08302, -87.82201}, {-125.14749, -86.4675}, {-113.18666, -84.71341},
	{-107.23318, -82.84795}, {-103.6997, -80.93964}, {-101.34749, -79.01078},
	{-101.9302, -78.98894}}

func TestParseGeoJSON(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		parts int
		rings []int
	}{
		{"polygon", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, 1, []int{1}},
		{"polygon with hole and altitude", `{"type":"Polygon","coordinates":[[[0,0,5],[4,0,5],[4,4,5],[0,0,5]],[[1,1],[2,1],[2,2],[1,1]]]}`, 1, []int{2}},
		{"multipolygon", `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}`, 2, []int{1, 1}},
		{"feature", `{"type":"Feature","properties":{"a":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`, 1, []int{1}},
		{"collection", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"MultiPolygon","coordinates":[[[[5,5],[6,5],[6,6],[5,5]]]]}]}}]}`, 2, []int{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp, err := ParseGeoJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(mp) != tt.parts {
				t.Fatalf("%d parts, want %d", len(mp), tt.parts)
			}
			for i, p := range mp {
				if len(p) != tt.rings[i] {
					t.Errorf("part %d has %d rings, want %d", i, len(p), tt.rings[i])
				}
			}
		})
	}
}

func TestParseGeoJSONErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not JSON":         `{`,
		"no type":          `{"coordinates":[]}`,
		"point":            `{"type":"Point","coordinates":[0,0]}`,
		"line in feature":  `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}`,
		"null geometry":    `{"type":"Feature","geometry":null}`,
		"empty collection": `{"type":"FeatureCollection","features":[]}`,
		"short ring":       `{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}`,
		"no rings":         `{"type":"Polygon","coordinates":[]}`,
		"bad position":     `{"type":"Polygon","coordinates":[[[0],[1,0],[1,1],[0,0]]]}`,
		"latitude 91":      `{"type":"Polygon","coordinates":[[[0,0],[1,91],[1,1],[0,0]]]}`,
		"longitude 181":    `{"type":"Polygon","coordinates":[[[0,0],[181,0],[1,1],[0,0]]]}`,
		"string coords":    `{"type":"Polygon","coordinates":"x"}`,
	} {
		if _, err := ParseGeoJSON([]byte(in)); !errors.Is(err, ErrGeoJSON) {
			t.Errorf("%s: err = %v, want ErrGeoJSON", name, err)
		}
	}
	// The error names the feature.
	_, err := ParseGeoJSON([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]}}]}`))
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("feature 1")) {
		t.Errorf("error does not name the feature: %v", err)
	}
}

func FuzzParseGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[5,5],[6,5],[6,6],[5,5]]]]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		mp, err := ParseGeoJSON(b)
		if err != nil {
			return
		}
		for _, p := range mp {
			for _, r := range p {
				if len(r) < 3 {
					t.Fatal("short ring accepted")
				}
				for _, pt := range r {
					if !(math.Abs(pt[0]) <= 180 && math.Abs(pt[1]) <= 90) {
						t.Fatalf("point %v out of range accepted", pt)
					}
				}
			}
		}
		// Building sphere polygons must not panic on accepted input.
		_, _ = Region{Polygons: mp}.BBox(0)
	})
}

// TestAntarcticaEmbedded checks the embedded region is the documented file
// and is valid on the sphere (basin 2 encloses the pole after its
// antimeridian cut is removed; basin 17 is two parts).
func TestAntarcticaEmbedded(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(antarcticaGz))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(zr)
	sum := sha256.Sum256(data)
	const want = "e853345f273c26c520bf39ed7d85925fe85e0e540a1efec3d61282948e2a182e"
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("embedded antarctica sha256 %s, want %s (shared/testdata/regions/antarctic_basins_simplified.geojson)", got, want)
	}
	r := Antarctica()
	if len(r.Polygons) != 28 {
		t.Errorf("%d parts, want 28 (27 basins, basin 17 in two)", len(r.Polygons))
	}
	polys, err := sphereRegion(r.Polygons, identityLat)
	if err != nil {
		t.Fatal(err)
	}
	pole := s2.PointFromLatLng(s2.LatLngFromDegrees(-90, 0))
	n := 0
	for _, p := range polys {
		if p.ContainsPoint(pole) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d parts contain the South Pole, want 1", n)
	}
	// Copies are independent.
	r.Polygons[0][0][0] = orb.Point{0, 0}
	if Antarctica().Polygons[0][0][0] == (orb.Point{0, 0}) {
		t.Error("Antarctica() shares its data")
	}
}

func TestRegionBBox(t *testing.T) {
	tests := []struct {
		name   string
		region Region
		want   BBox
		tol    float64
	}{
		// Ring A: ordinary, edges bulge north of the top vertices slightly.
		{"ring A", Region{Polygons: orb.MultiPolygon{{ringA}}}, BBox{30.11054, 26.94837, 34.73106, 59.54486}, 0.01},
		// Ring B: crosses the antimeridian next to the pole; great-circle
		// edges reach −88.058°, poleward of every vertex (−87.82°).
		{"ring B", Region{Polygons: orb.MultiPolygon{{ringB}}}, BBox{97.35005, -88.058, -101.34749, -78.98665}, 0.002},
		// A box across the antimeridian.
		{"antimeridian", Region{Polygons: orb.MultiPolygon{{{{170, -10}, {-170, -10}, {-170, 10}, {170, 10}, {170, -10}}}}}, BBox{170, -10.15, -170, 10.15}, 0.01},
		// Antarctica: basin 2 encloses the pole.
		{"antarctica", Antarctica(), BBox{-180, -90, 180, -63.2130}, 0.001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.region.BBox(0)
			if err != nil {
				t.Fatal(err)
			}
			for i, pair := range [][2]float64{{b.West, tt.want.West}, {b.South, tt.want.South}, {b.East, tt.want.East}, {b.North, tt.want.North}} {
				if math.Abs(pair[0]-pair[1]) > tt.tol {
					t.Errorf("BBox = %v, want %v ± %v (component %d)", b, tt.want, tt.tol, i)
					break
				}
			}
			if err := b.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
	// Padding widens the box and keeps the antimeridian crossing.
	b, _ := Region{Polygons: orb.MultiPolygon{{ringB}}}.BBox(0.5)
	if !b.CrossesAntimeridian() || b.South > -88.5 || b.North < -78.5 {
		t.Errorf("padded ring B box %v", b)
	}
	// The naive box (zagg 0.1.0) of ring B spans the whole globe in longitude
	// and misses the bulge towards the pole.
	nb := NaiveBBox(orb.MultiPolygon{{ringB}})
	if nb.West > -155 || nb.East < 152 || nb.South != -87.82213 {
		t.Errorf("NaiveBBox(ring B) = %v", nb)
	}
	// Invalid geometry is reported.
	if _, err := (Region{Polygons: orb.MultiPolygon{{{{0, 0}, {0, 0}, {0, 0}}}}}).BBox(0); !errors.Is(err, ErrGeometry) {
		t.Errorf("degenerate ring: err = %v", err)
	}
	if _, err := (Region{Polygons: orb.MultiPolygon{{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}}}}).BBox(0); !errors.Is(err, ErrGeometry) {
		t.Errorf("bow-tie ring: err = %v", err)
	}
	// A ring pinched at a vertex (a digitising artefact) is accepted.
	pinched := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {2, 4}, {2, 5}, {1, 5}, {2, 4}, {0, 4}, {0, 0}}
	if _, err := (Region{Polygons: orb.MultiPolygon{{pinched}}}).BBox(0); err != nil {
		t.Errorf("pinched ring: %v", err)
	}
	if _, err := (Region{Polygons: orb.MultiPolygon{{{{0, 0}, {180, 0}, {90, 10}, {0, 0}}}}}).BBox(0); !errors.Is(err, ErrGeometry) {
		t.Errorf("antipodal edge: err = %v", err)
	}
}

// TestRingBOnSphere checks the facts of the ICESat-2 ATL06 data dictionary about ring B
// (area, bound, containment), which planar lon/lat code gets wrong.
func TestRingBOnSphere(t *testing.T) {
	polys, err := sphereRegion(orb.MultiPolygon{{ringB}}, identityLat)
	if err != nil {
		t.Fatal(err)
	}
	p := polys[0]
	const earthKm = 6371.0088
	if a := p.Area() * earthKm * earthKm; math.Abs(a-30388) > 30 {
		t.Errorf("area %.0f km², want 30,388", a)
	}
	for _, c := range [][2]float64{{-88.0, 178.0}, {-83.0, 104.0}, {-83.0, -108.0}} {
		if !p.ContainsPoint(s2.PointFromLatLng(s2.LatLngFromDegrees(c[0], c[1]))) {
			t.Errorf("ring B should contain %v", c)
		}
	}
	for _, c := range [][2]float64{{-88.0, -2.0}, {-87.9, 178.0}, {-83.0, 0.0}} {
		if p.ContainsPoint(s2.PointFromLatLng(s2.LatLngFromDegrees(c[0], c[1]))) {
			t.Errorf("ring B should not contain %v", c)
		}
	}
	// The same ring written clockwise is normalized to the same region.
	rev := append(orb.Ring(nil), ringB...)
	rev.Reverse()
	polys2, err := sphereRegion(orb.MultiPolygon{{rev}}, identityLat)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(polys2[0].Area()-p.Area()) > 1e-12 {
		t.Errorf("clockwise ring area %v, want %v", polys2[0].Area(), p.Area())
	}
}

func TestCleanRing(t *testing.T) {
	pt := func(lat, lon float64) s2.Point { return s2.PointFromLatLng(s2.LatLngFromDegrees(lat, lon)) }
	// An antimeridian cut closed along ±180 to the pole, as basin 2 is stored.
	in := []s2.Point{pt(-80, 170), pt(-81, 180), pt(-90, 180), pt(-90, -180), pt(-81, -180), pt(-80, -170), pt(-85, 0), pt(-80, 170)}
	out := cleanRing(in)
	if len(out) != 4 {
		t.Fatalf("cleanRing kept %d points, want 4", len(out))
	}
	l := s2.LoopFromPoints(out)
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
}
