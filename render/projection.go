package render

import (
	"fmt"
	"math"
	"strings"
)

// WGS84 ellipsoid (EPSG:7030), used by every projection of this package.
const (
	wgs84A    = 6378137.0
	wgs84InvF = 298.257223563
)

// sphereRadius is the radius of the equirectangular projection's sphere, the
// GRS 1980 authalic sphere of EPSG:7048 (as in EPSG:3786, "World Equidistant
// Cylindrical (Sphere)").
const sphereRadius = 6371007.0

const (
	degToRad = math.Pi / 180
	radToDeg = 180 / math.Pi
)

// Projection maps geodetic WGS84 latitude and longitude in degrees to planar
// map coordinates (x east, y north, in metres) and back. Implementations are
// immutable and safe for concurrent use.
//
// Forward returns NaN coordinates for a point the projection cannot show (NaN
// input, the pole opposite a polar stereographic projection's centre).
// Inverse returns NaN for a map point outside the projection's domain.
// Inverse returns longitudes in [−180°, 180°).
type Projection interface {
	Forward(lat, lon float64) (x, y float64)
	Inverse(x, y float64) (lat, lon float64)
	// String names the projection, e.g. "EPSG:3031".
	String() string
}

// Compile-time checks that both projections implement Projection.
var (
	_ Projection = (*PolarStereographic)(nil)
	_ Projection = (*Equirectangular)(nil)
)

// PolarStereographic is the ellipsoidal polar stereographic projection on
// WGS84, following EPSG Guidance Note 7-2 (methods 9810 "variant A" and 9829
// "variant B"). Create one with NewPolarStereographicA,
// NewPolarStereographicB, EPSG3031 or EPSG3413.
//
// Forward (south pole case; the north case swaps the signs):
//
//	t = tan(π/4 + φ/2) / ((1 + e·sinφ)/(1 − e·sinφ))^(e/2)
//	ρ = 2·a·k0·t / √((1+e)^(1+e)·(1−e)^(1−e))
//	x = FE + ρ·sin(λ − λ0),  y = FN + ρ·cos(λ − λ0)   (north: y = FN − ρ·cos)
//
// Variant B gives k0 through the standard parallel φF, where the scale is
// true: k0 = mF·C/(2·tF) with mF = cosφF/√(1 − e²·sin²φF). The inverse uses
// the conformal latitude χ and the series of GN7-2 (accurate to about
// 1e−11°, well below a millimetre).
type PolarStereographic struct {
	name    string
	north   bool
	lon0    float64 // radians
	k0      float64
	fe, fn  float64
	e, e2   float64
	twoAK0C float64 // 2·a·k0/C: ρ = twoAK0C·t
	series  [4]float64
}

// NewPolarStereographicB returns the variant B projection with the standard
// parallel stdParallel (degrees; its sign selects the pole: negative for the
// south, positive for the north), the longitude of origin lon0 (degrees) and
// the false easting and northing (metres). name labels it (String); an empty
// name gives a generated one. The standard parallel must be in (0°, 90°] in
// absolute value.
func NewPolarStereographicB(name string, stdParallel, lon0, falseEasting, falseNorthing float64) (*PolarStereographic, error) {
	if !(math.Abs(stdParallel) > 0 && math.Abs(stdParallel) <= 90) {
		return nil, fmt.Errorf("%w: polar stereographic standard parallel %g, want 0 < |φF| ≤ 90", ErrInvalidOptions, stdParallel)
	}
	if name == "" {
		name = fmt.Sprintf("polar stereographic (φF %g°, λ0 %g°)", stdParallel, lon0)
	}
	p, err := newPolar(name, stdParallel > 0, lon0, falseEasting, falseNorthing)
	if err != nil {
		return nil, err
	}
	phiF := math.Abs(stdParallel) * degToRad
	sinF, cosF := math.Sincos(phiF)
	mF := cosF / math.Sqrt(1-p.e2*sinF*sinF)
	tF := p.tNorth(phiF)
	c := polarC(p.e)
	if tF == 0 { // standard parallel at the pole: k0 = 1
		p.k0 = 1
	} else {
		p.k0 = mF * c / (2 * tF)
	}
	p.twoAK0C = 2 * wgs84A * p.k0 / c
	return p, nil
}

// NewPolarStereographicA returns the variant A projection centred on the
// north (north true) or south pole, with the scale factor k0 at the pole, the
// longitude of origin lon0 (degrees) and the false easting and northing
// (metres). name labels it; an empty name gives a generated one. For example
// UPS North is NewPolarStereographicA("UPS North", true, 0.994, 0, 2e6, 2e6).
func NewPolarStereographicA(name string, north bool, k0, lon0, falseEasting, falseNorthing float64) (*PolarStereographic, error) {
	if !(k0 > 0 && k0 < 10) {
		return nil, fmt.Errorf("%w: polar stereographic scale factor %g, want 0 < k0 < 10", ErrInvalidOptions, k0)
	}
	if name == "" {
		name = fmt.Sprintf("polar stereographic (k0 %g, λ0 %g°)", k0, lon0)
	}
	p, err := newPolar(name, north, lon0, falseEasting, falseNorthing)
	if err != nil {
		return nil, err
	}
	p.k0 = k0
	p.twoAK0C = 2 * wgs84A * k0 / polarC(p.e)
	return p, nil
}

func newPolar(name string, north bool, lon0, fe, fn float64) (*PolarStereographic, error) {
	for _, v := range []float64{lon0, fe, fn} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: polar stereographic parameter %g is not finite", ErrInvalidOptions, v)
		}
	}
	f := 1 / wgs84InvF
	e2 := 2*f - f*f
	e := math.Sqrt(e2)
	e4, e6, e8 := e2*e2, e2*e2*e2, e2*e2*e2*e2
	return &PolarStereographic{
		name:  name,
		north: north,
		lon0:  lon0 * degToRad,
		fe:    fe,
		fn:    fn,
		e:     e,
		e2:    e2,
		series: [4]float64{
			e2/2 + 5*e4/24 + e6/12 + 13*e8/360,
			7*e4/48 + 29*e6/240 + 811*e8/11520,
			7*e6/120 + 81*e8/1120,
			4279 * e8 / 161280,
		},
	}, nil
}

// polarC is √((1+e)^(1+e)·(1−e)^(1−e)).
func polarC(e float64) float64 {
	return math.Sqrt(math.Pow(1+e, 1+e) * math.Pow(1-e, 1-e))
}

// tNorth is GN7-2's t for the north pole case at latitude phi (radians); the
// south case at −phi has the same value.
func (p *PolarStereographic) tNorth(phi float64) float64 {
	s := math.Sin(phi)
	return math.Tan(math.Pi/4-phi/2) * math.Pow((1+p.e*s)/(1-p.e*s), p.e/2)
}

// EPSG3031 returns WGS 84 / Antarctic Polar Stereographic: variant B,
// standard parallel 71°S, longitude of origin 0°, no false origin.
func EPSG3031() *PolarStereographic {
	p, err := NewPolarStereographicB("EPSG:3031", -71, 0, 0, 0)
	if err != nil {
		panic(err) // constant parameters
	}
	return p
}

// EPSG3413 returns WGS 84 / NSIDC Sea Ice Polar Stereographic North:
// variant B, standard parallel 70°N, longitude of origin 45°W, no false
// origin.
func EPSG3413() *PolarStereographic {
	p, err := NewPolarStereographicB("EPSG:3413", 70, -45, 0, 0)
	if err != nil {
		panic(err) // constant parameters
	}
	return p
}

// String returns the projection's name.
func (p *PolarStereographic) String() string { return p.name }

// North reports whether the projection is centred on the north pole.
func (p *PolarStereographic) North() bool { return p.north }

// ScaleFactor returns k0, the scale factor at the pole.
func (p *PolarStereographic) ScaleFactor() float64 { return p.k0 }

// Forward implements Projection.
func (p *PolarStereographic) Forward(lat, lon float64) (x, y float64) {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lon, 0) || lat < -90 || lat > 90 {
		return math.NaN(), math.NaN()
	}
	phi := lat * degToRad
	if !p.north {
		phi = -phi
	}
	if phi == -math.Pi/2 { // the opposite pole is at infinity
		return math.NaN(), math.NaN()
	}
	rho := p.twoAK0C * p.tNorth(phi)
	s, c := math.Sincos(lon*degToRad - p.lon0)
	if p.north {
		return p.fe + rho*s, p.fn - rho*c
	}
	return p.fe + rho*s, p.fn + rho*c
}

// Inverse implements Projection.
func (p *PolarStereographic) Inverse(x, y float64) (lat, lon float64) {
	dx, dy := x-p.fe, y-p.fn
	rho := math.Sqrt(dx*dx + dy*dy) // map coordinates never overflow (Hypot is 3× slower)
	if math.IsNaN(rho) || math.IsInf(rho, 0) {
		return math.NaN(), math.NaN()
	}
	t := rho / p.twoAK0C
	chi := math.Pi/2 - 2*math.Atan(t) // north case; south is its negative
	// φ = χ + Σ c_k·sin(2kχ). With u = atan t, 2χ = π − 4u, so sin 2χ and
	// cos 2χ follow from t by the double-angle formulas (no sin/cos call):
	// sin 2u = 2t/(1+t²), cos 2u = (1−t²)/(1+t²).
	d := 1 / (1 + t*t)
	su, cu := 2*t*d, (1-t*t)*d
	s2 := 2 * su * cu      // sin 4u = sin 2χ
	c2 := -(cu*cu - su*su) // −cos 4u = cos 2χ
	s4 := 2 * s2 * c2
	c4 := 1 - 2*s2*s2
	s6 := s4*c2 + c4*s2
	s8 := 2 * s4 * c4
	phi := chi + p.series[0]*s2 + p.series[1]*s4 + p.series[2]*s6 + p.series[3]*s8
	var lam float64
	switch {
	case rho == 0:
		lam = p.lon0
	case p.north:
		lam = p.lon0 + math.Atan2(dx, -dy)
	default:
		lam = p.lon0 + math.Atan2(dx, dy)
	}
	lat = phi * radToDeg
	if !p.north {
		lat = -lat
	}
	return lat, wrapLon(lam * radToDeg)
}

// Equirectangular is the spherical equidistant cylindrical projection (EPSG
// method 1029) on the GRS 1980 authalic sphere, R = 6,371,007 m:
//
//	x = R·(λ − λ0)·cos φ1,  y = R·φ
//
// with the longitude difference wrapped into [−180°, 180°). The standard
// parallel φ1 makes east–west distances true at that latitude; with φ1 = 0
// and λ0 = 0 it is EPSG:3786. The latitude is the geodetic latitude used as
// a plain coordinate, so y differs from a true meridian distance by up to
// ~0.2 %: this projection is for overview maps.
type Equirectangular struct {
	name       string
	lon0, lat1 float64 // degrees
	kx         float64 // R·cos φ1 in metres per radian
}

// NewEquirectangular returns the equirectangular projection with central
// meridian lon0 and standard parallel lat1 (degrees, |lat1| < 90).
func NewEquirectangular(lon0, lat1 float64) (*Equirectangular, error) {
	if math.IsNaN(lon0) || math.IsInf(lon0, 0) || !(math.Abs(lat1) < 90) {
		return nil, fmt.Errorf("%w: equirectangular λ0 %g, φ1 %g", ErrInvalidOptions, lon0, lat1)
	}
	lon0 = wrapLon(lon0)
	return &Equirectangular{
		name: fmt.Sprintf("equirectangular (λ0 %g°, φ1 %g°)", lon0, lat1),
		lon0: lon0,
		lat1: lat1,
		kx:   sphereRadius * math.Cos(lat1*degToRad),
	}, nil
}

// String returns a description of the projection and its parameters.
func (q *Equirectangular) String() string { return q.name }

// CentralMeridian returns λ0 in degrees.
func (q *Equirectangular) CentralMeridian() float64 { return q.lon0 }

// StandardParallel returns φ1 in degrees.
func (q *Equirectangular) StandardParallel() float64 { return q.lat1 }

// Forward implements Projection.
func (q *Equirectangular) Forward(lat, lon float64) (x, y float64) {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lon, 0) || lat < -90 || lat > 90 {
		return math.NaN(), math.NaN()
	}
	return q.kx * wrapLon(lon-q.lon0) * degToRad, sphereRadius * lat * degToRad
}

// Inverse implements Projection.
func (q *Equirectangular) Inverse(x, y float64) (lat, lon float64) {
	lat = y / sphereRadius * radToDeg
	dl := x / q.kx * radToDeg
	if !(lat >= -90 && lat <= 90) || !(dl >= -180 && dl < 180) {
		return math.NaN(), math.NaN()
	}
	return lat, wrapLon(q.lon0 + dl)
}

// wrapLon reduces a longitude in degrees to [−180, 180).
func wrapLon(lon float64) float64 {
	if lon >= -180 && lon < 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

// ParseProjection returns the projection named s, ignoring case: "EPSG:3031"
// (also "3031", "south", "antarctic"), "EPSG:3413" (also "3413", "north",
// "arctic"), or "equirectangular" (also "eqc", "plate-carree") with central
// meridian 0 and standard parallel 0. "auto" and "" return nil, which Render
// reads as "choose from the data".
func ParseProjection(s string) (Projection, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return nil, nil
	case "epsg:3031", "3031", "south", "antarctic":
		return EPSG3031(), nil
	case "epsg:3413", "3413", "north", "arctic":
		return EPSG3413(), nil
	case "equirectangular", "eqc", "plate-carree", "platecarree":
		return NewEquirectangular(0, 0)
	}
	return nil, fmt.Errorf("%w: unknown projection %q (want EPSG:3031, EPSG:3413, equirectangular or auto)", ErrInvalidOptions, s)
}
