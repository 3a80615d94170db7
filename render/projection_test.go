package render

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// vector is one forward test point: geodetic degrees in, metres out.
type vector struct {
	lat, lon, x, y float64
}

// epsg3031Notes are the EPSG:3031 vectors of the project notes
// (EPSG:3031 and EPSG:3413, PROJ's polar stereographic), given to the millimetre.
var epsg3031Notes = []vector{
	{-90, 0, 0, 0},
	{-71, 0, 0, 2082760.109},
	{-71, 90, 2082760.109, 0},
	{-75, -120, -1419227.916, -819391.619},
	{-80, 45, 770166.179, 770166.179},
	{-70, -60, -1900487.767, 1097247.124},
	{-88, -135, -153672.731, -153672.731},
	{-60, 180, 0, -3333134.028},
}

func TestEPSG3031NotesVectors(t *testing.T) {
	p := EPSG3031()
	for _, v := range epsg3031Notes {
		x, y := p.Forward(v.lat, v.lon)
		if math.Abs(x-v.x) > 0.001 || math.Abs(y-v.y) > 0.001 {
			t.Errorf("EPSG3031().Forward(%g, %g) = (%.4f, %.4f), want (%.3f, %.3f)", v.lat, v.lon, x, y, v.x, v.y)
		}
	}
}

// TestPublishedExamples checks the worked examples of EPSG Guidance Note 7-2
// (as transcribed on epsg.org for methods 9829 and 9810), PROJ's EPSG:3031
// value quoted in JuliaEarth/CoordRefSystems.jl PR #240, and proj4js's UPS
// North test point (test/testData.js), all to 1 cm.
func TestPublishedExamples(t *testing.T) {
	epsg3032, err := NewPolarStereographicB("EPSG:3032", -71, 70, 6e6, 6e6)
	if err != nil {
		t.Fatal(err)
	}
	upsNorth, err := NewPolarStereographicA("UPS North", true, 0.994, 0, 2e6, 2e6)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    Projection
		v    vector
	}{
		// GN7-2 variant B (south pole case): WGS 84 / Australian Antarctic
		// Polar Stereographic, 75°S 120°E.
		{"GN7-2 EPSG:3032", epsg3032, vector{-75, 120, 7255380.79, 7053389.56}},
		// GN7-2 variant A (north pole case): WGS 84 / UPS North, 73°N 44°E.
		{"GN7-2 UPS North", upsNorth, vector{73, 44, 3320416.75, 632668.43}},
		// proj4js test point for UPS North.
		{"proj4js UPS North", upsNorth, vector{75, 0, 2000000, 325449.806286}},
		// PROJ (cs2cs EPSG:4326 → EPSG:3031).
		{"PROJ EPSG:3031", EPSG3031(), vector{-89, 10, 18867.758184287333, 107004.37396749199}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := tt.p.Forward(tt.v.lat, tt.v.lon)
			if math.Abs(x-tt.v.x) > 0.01 || math.Abs(y-tt.v.y) > 0.01 {
				t.Errorf("Forward(%g, %g) = (%.3f, %.3f), want (%.3f, %.3f)", tt.v.lat, tt.v.lon, x, y, tt.v.x, tt.v.y)
			}
			lat, lon := tt.p.Inverse(tt.v.x, tt.v.y)
			// 1 cm on the ground is about 1e-7°.
			if math.Abs(lat-tt.v.lat) > 1e-7 || math.Abs(wrapLon(lon-tt.v.lon)) > 1e-6 {
				t.Errorf("Inverse(%.3f, %.3f) = (%.9f, %.9f), want (%g, %g)", tt.v.x, tt.v.y, lat, lon, tt.v.lat, tt.v.lon)
			}
		})
	}
	// GN7-2 gives k0 = 0.97276901 for a standard parallel of 71°; the notes
	// give it in full.
	if k := epsg3032.ScaleFactor(); math.Abs(k-0.9727690128917972) > 1e-12 {
		t.Errorf("k0(71°) = %.16f, want 0.9727690128917972", k)
	}
}

// TestDerivedVectors compares with testdata/projection_vectors.json, made by
// make_projection_vectors.py from Snyder's formulas (a different route to
// the scale factor and an iterated inverse), to 1 mm.
func TestDerivedVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/projection_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file map[string][]struct{ Lat, Lon, X, Y float64 }
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	projs := map[string]Projection{"EPSG:3031": EPSG3031(), "EPSG:3413": EPSG3413()}
	if len(file) != len(projs) {
		t.Fatalf("vectors for %d projections, want %d", len(file), len(projs))
	}
	for name, rows := range file {
		p := projs[name]
		if p == nil {
			t.Fatalf("unexpected projection %q in vectors", name)
		}
		if len(rows) < 8 {
			t.Fatalf("%s: only %d vectors", name, len(rows))
		}
		for _, r := range rows {
			x, y := p.Forward(r.Lat, r.Lon)
			if math.Abs(x-r.X) > 0.001 || math.Abs(y-r.Y) > 0.001 {
				t.Errorf("%s Forward(%g, %g) = (%.4f, %.4f), want (%.4f, %.4f)", name, r.Lat, r.Lon, x, y, r.X, r.Y)
			}
			lat, lon := p.Inverse(r.X, r.Y)
			if math.Abs(lat-r.Lat) > 1e-8 || (math.Abs(r.Lat) != 90 && math.Abs(wrapLon(lon-r.Lon)) > 1e-8) {
				t.Errorf("%s Inverse(%.4f, %.4f) = (%.10f, %.10f), want (%g, %g)", name, r.X, r.Y, lat, lon, r.Lat, r.Lon)
			}
		}
	}
}

// TestEPSG3413Geometry checks properties that pin down the north case
// independently of any table: the pole maps to the origin, the central
// meridian 45°W runs down the negative y axis, and the scale is true on the
// standard parallel 70°N.
func TestEPSG3413Geometry(t *testing.T) {
	p := EPSG3413()
	if x, y := p.Forward(90, 123); math.Abs(x) > 1e-9 || math.Abs(y) > 1e-9 {
		t.Errorf("Forward(90, 123) = (%g, %g), want (0, 0)", x, y)
	}
	if x, y := p.Forward(75, -45); math.Abs(x) > 1e-6 || y >= 0 {
		t.Errorf("Forward(75, -45) = (%g, %g), want x = 0, y < 0", x, y)
	}
	if x, y := p.Forward(75, 45); y > 1e-6 || x <= 0 || math.Abs(y) > 1e-6 {
		t.Errorf("Forward(75, 45) = (%g, %g), want on the positive x axis", x, y)
	}
	// Scale along the parallel 70°N: the circumference of the projected
	// parallel over the true one, 2π·ν·cosφ with ν = a/√(1−e²sin²φ).
	x, y := p.Forward(70, 0)
	rho := math.Hypot(x, y)
	f := 1 / wgs84InvF
	e2 := 2*f - f*f
	s := math.Sin(70 * degToRad)
	trueR := wgs84A / math.Sqrt(1-e2*s*s) * math.Cos(70*degToRad)
	if k := rho / trueR; math.Abs(k-1) > 1e-12 {
		t.Errorf("scale at 70°N = %.15f, want 1", k)
	}
}

func TestRoundTrip(t *testing.T) {
	eqc, err := NewEquirectangular(-120, 35)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p              Projection
		latMin, latMax float64
		tol            float64
	}{
		// The GN7-2 series is truncated at e^8: ≤ 1e-11° (1 µm) poleward
		// of 50°, ≤ 2e-10° (20 µm) down to the equator.
		{EPSG3031(), -90, -50, 1e-11},
		{EPSG3413(), 50, 90, 1e-11},
		{EPSG3031(), -90, 0, 2e-10},
		{EPSG3413(), 0, 90, 2e-10},
		{eqc, -89.999, 89.999, 1e-11},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range tests {
		worst := 0.0
		for range 20000 {
			lat := tt.latMin + rng.Float64()*(tt.latMax-tt.latMin)
			lon := -180 + rng.Float64()*360
			x, y := tt.p.Forward(lat, lon)
			blat, blon := tt.p.Inverse(x, y)
			d := math.Max(math.Abs(blat-lat), math.Abs(wrapLon(blon-lon))*math.Cos(lat*degToRad))
			worst = math.Max(worst, d)
			if blon < -180 || blon >= 180 {
				t.Fatalf("%v: Inverse longitude %g outside [-180, 180)", tt.p, blon)
			}
		}
		if worst > tt.tol {
			t.Errorf("%v, latitudes %g…%g: worst round trip error %g°, want ≤ %g°", tt.p, tt.latMin, tt.latMax, worst, tt.tol)
		}
	}
}

func TestEquirectangular(t *testing.T) {
	// x of the EPSG:3786 test point of proj4js (test/testData.js). Its y
	// includes proj4js's WGS84 → sphere datum shift (geocentric latitude),
	// which this projection deliberately does not apply: y = R·φ.
	p, err := NewEquirectangular(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	x, y := p.Forward(12.632997701986, -1.7539371169976)
	if math.Abs(x+195029.12334755991) > 0.01 || math.Abs(y-6371007*12.632997701986*math.Pi/180) > 1e-6 {
		t.Errorf("Forward = (%.4f, %.4f), want (-195029.1233, R·φ)", x, y)
	}
	// With a standard parallel x shrinks by cos φ1.
	p60, _ := NewEquirectangular(0, 60)
	if x60, _ := p60.Forward(0, 10); math.Abs(x60-sphereRadius*10*degToRad/2) > 1e-6 {
		t.Errorf("φ1 = 60°: x = %g, want R·λ/2", x60)
	}
	// Longitudes wrap around the central meridian.
	q, _ := NewEquirectangular(170, 0)
	x1, _ := q.Forward(0, -175) // 15° east of 170°E
	x2, _ := q.Forward(0, 185)
	if math.Abs(x1-x2) > 1e-6 || x1 <= 0 {
		t.Errorf("Forward across the antimeridian: %g, %g, want equal and positive", x1, x2)
	}
	if lat, lon := q.Inverse(x1, 0); math.Abs(lat) > 1e-12 || math.Abs(lon+175) > 1e-9 {
		t.Errorf("Inverse = (%g, %g), want (0, -175)", lat, lon)
	}
	// Outside the world: NaN.
	if lat, _ := p.Inverse(0, 1.01*sphereRadius*math.Pi/2); !math.IsNaN(lat) {
		t.Errorf("Inverse beyond the pole = %g, want NaN", lat)
	}
	if lat, _ := p.Inverse(1.01*sphereRadius*math.Pi, 0); !math.IsNaN(lat) {
		t.Errorf("Inverse beyond the antimeridian = %g, want NaN", lat)
	}
}

func TestBadInput(t *testing.T) {
	projs := []Projection{EPSG3031(), EPSG3413()}
	q, _ := NewEquirectangular(0, 0)
	projs = append(projs, q)
	nan := math.NaN()
	for _, p := range projs {
		for _, in := range [][2]float64{{nan, 0}, {0, nan}, {91, 0}, {-91, 0}, {0, math.Inf(1)}} {
			if x, y := p.Forward(in[0], in[1]); !math.IsNaN(x) || !math.IsNaN(y) {
				t.Errorf("%v.Forward(%g, %g) = (%g, %g), want NaN", p, in[0], in[1], x, y)
			}
		}
		for _, in := range [][2]float64{{nan, 0}, {0, nan}, {math.Inf(1), 0}} {
			if lat, lon := p.Inverse(in[0], in[1]); !math.IsNaN(lat) || !math.IsNaN(lon) {
				t.Errorf("%v.Inverse(%g, %g) = (%g, %g), want NaN", p, in[0], in[1], lat, lon)
			}
		}
	}
	// The pole opposite the projection's centre is at infinity.
	if x, _ := EPSG3031().Forward(90, 0); !math.IsNaN(x) {
		t.Errorf("EPSG3031().Forward(90, 0) x = %g, want NaN", x)
	}
	if x, _ := EPSG3413().Forward(-90, 0); !math.IsNaN(x) {
		t.Errorf("EPSG3413().Forward(-90, 0) x = %g, want NaN", x)
	}
	for _, bad := range []func() error{
		func() error { _, err := NewPolarStereographicB("", 0, 0, 0, 0); return err },
		func() error { _, err := NewPolarStereographicB("", 91, 0, 0, 0); return err },
		func() error { _, err := NewPolarStereographicB("", nan, 0, 0, 0); return err },
		func() error { _, err := NewPolarStereographicB("", 70, nan, 0, 0); return err },
		func() error { _, err := NewPolarStereographicA("", true, 0, 0, 0, 0); return err },
		func() error { _, err := NewPolarStereographicA("", true, 1, 0, math.Inf(-1), 0); return err },
		func() error { _, err := NewEquirectangular(0, 90); return err },
		func() error { _, err := NewEquirectangular(nan, 0); return err },
		func() error { _, err := ParseProjection("mercator"); return err },
	} {
		if err := bad(); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("error = %v, want ErrInvalidOptions", err)
		}
	}
}

func TestParseProjection(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"EPSG:3031", "EPSG:3031"}, {"south", "EPSG:3031"}, {" 3031 ", "EPSG:3031"},
		{"epsg:3413", "EPSG:3413"}, {"North", "EPSG:3413"},
		{"equirectangular", "equirectangular (λ0 0°, φ1 0°)"},
		{"auto", "<nil>"}, {"", "<nil>"},
	}
	for _, tt := range tests {
		p, err := ParseProjection(tt.in)
		if err != nil {
			t.Errorf("ParseProjection(%q): %v", tt.in, err)
			continue
		}
		got := "<nil>"
		if p != nil {
			got = p.String()
		}
		if got != tt.want {
			t.Errorf("ParseProjection(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestWrapLon(t *testing.T) {
	for _, tt := range [][2]float64{{0, 0}, {180, -180}, {-180, -180}, {359, -1}, {-181, 179}, {720, 0}, {-540, -180}} {
		if got := wrapLon(tt[0]); got != tt[1] {
			t.Errorf("wrapLon(%g) = %g, want %g", tt[0], got, tt[1])
		}
	}
}
