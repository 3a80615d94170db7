package healpix

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// ErrUnknownConvention is returned (wrapped) by ParseLatitudeConvention and
// LatitudeConvention.UnmarshalText for a name that is not a latitude
// convention.
var ErrUnknownConvention = errors.New("healpix: unknown latitude convention")

// LatitudeConvention says how a geodetic (WGS84) latitude is placed on the
// HEALPix sphere. The zero value is Authalic, the default.
type LatitudeConvention uint8

const (
	// Authalic converts geodetic latitude to authalic latitude on the WGS84
	// ellipsoid before hashing, so that equal-area HEALPix cells stay equal
	// area on the ellipsoid (mortie ≥ 0.9.8, zagg ≥ 0.45, xdggs' ellipsoidal
	// HEALPix). This is the default.
	Authalic LatitudeConvention = iota
	// Geodetic feeds the geodetic latitude straight to the sphere
	// ("geodetic-spherical"), as mortie ≤ 0.9.7 and zagg 0.1.0 do.
	Geodetic
)

// String returns "authalic" or "geodetic", or "LatitudeConvention(n)" for
// an undefined value.
func (c LatitudeConvention) String() string {
	switch c {
	case Authalic:
		return "authalic"
	case Geodetic:
		return "geodetic"
	}
	return fmt.Sprintf("LatitudeConvention(%d)", uint8(c))
}

// ParseLatitudeConvention returns the convention named s: "authalic" (also
// "authalic-wgs84") or "geodetic" (also "geodetic-spherical"), ignoring
// case and surrounding space. Any other string gives an error wrapping
// ErrUnknownConvention.
func ParseLatitudeConvention(s string) (LatitudeConvention, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "authalic", "authalic-wgs84":
		return Authalic, nil
	case "geodetic", "geodetic-spherical":
		return Geodetic, nil
	}
	return 0, fmt.Errorf("%w %q (want \"authalic\" or \"geodetic\")", ErrUnknownConvention, s)
}

// MarshalText implements encoding.TextMarshaler with the String form. It
// fails for an undefined value.
func (c LatitudeConvention) MarshalText() ([]byte, error) {
	if c > Geodetic {
		return nil, fmt.Errorf("%w: %d", ErrUnknownConvention, uint8(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with
// ParseLatitudeConvention.
func (c *LatitudeConvention) UnmarshalText(b []byte) error {
	v, err := ParseLatitudeConvention(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// ToSphere converts a geodetic latitude in degrees to the latitude fed to
// the HEALPix sphere under convention c: AuthalicFromGeodetic for Authalic,
// the identity for Geodetic.
func (c LatitudeConvention) ToSphere(latDeg float64) float64 {
	if c == Geodetic {
		return latDeg
	}
	return AuthalicFromGeodetic(latDeg)
}

// FromSphere is the inverse of ToSphere: it converts a latitude on the
// HEALPix sphere (for example a cell centre) back to geodetic latitude.
func (c LatitudeConvention) FromSphere(latDeg float64) float64 {
	if c == Geodetic {
		return latDeg
	}
	return GeodeticFromAuthalic(latDeg)
}

// ToSphereSlice stores c.ToSphere(lat[k]) in dst[k]. dst and lat may be the
// same slice. It panics if the lengths differ.
func (c LatitudeConvention) ToSphereSlice(dst, lat []float64) {
	if len(dst) != len(lat) {
		panic(fmt.Sprintf("healpix: slice lengths differ: dst %d, lat %d", len(dst), len(lat)))
	}
	if c == Geodetic {
		copy(dst, lat)
		return
	}
	for k, v := range lat {
		dst[k] = AuthalicFromGeodetic(v)
	}
}

// Coefficients of the authalic-latitude series for WGS84 (a = 6378137 m,
// 1/f = 298.257223563), expanded to order e¹⁰, as the float64 values
// mortie evaluates (espg/mortie src_rust/src/authalic.rs, 0.9.10); the closed
// forms are in Snyder (1987), Map Projections: A Working Manual, chapter 3
// (authalic latitude). They are hard-coded as
// bit patterns: computing them from untyped Go constants rounds once
// instead of at every step and lands an ulp away.
var (
	authalicForward = [5]float64{
		-0x1.257f6a0d4ec34p-9, 0x1.1dffd07b72abcp-19, -0x1.5fbdd3c5f03e3p-29,
		0x1.da40e51e5f741p-39, -0x1.4aaaccce996d9p-48,
	}
	authalicInverse = [5]float64{
		0x1.257f62d1047f7p-9, 0x1.82f9ec108ffe7p-19, 0x1.5d85b261a3984p-28,
		0x1.66e61685b8d89p-37, 0x1.84768432f3dafp-46,
	}
)

// AuthalicFromGeodetic converts a geodetic latitude on the WGS84 ellipsoid
// to the authalic latitude, both in degrees: the latitude on the sphere of
// equal area at which the same fraction of the surface lies to the north.
// The equator and the poles are fixed points; the largest shift is 0.1283°
// near ±45°. The series is accurate to 1e−13 rad and bit-identical on every
// architecture (no fused multiply-add). NaN and ±Inf are returned
// unchanged; for input in [−90, 90] the result is clamped to [−90, 90]; for
// other finite input it is the series value (garbage in, garbage out).
func AuthalicFromGeodetic(latDeg float64) float64 {
	return series(latDeg, &authalicForward)
}

// GeodeticFromAuthalic is the inverse of AuthalicFromGeodetic, to the same
// accuracy and with the same handling of non-finite and out-of-range input.
func GeodeticFromAuthalic(latDeg float64) float64 {
	return series(latDeg, &authalicInverse)
}

// series evaluates x + Σ c[k]·sin(2(k+1)x) in degrees with the Clenshaw-like
// Chebyshev recurrence sin(2kx) = 2cos(2x)·sin(2(k−1)x) − sin(2(k−2)x),
// from a single sin/cos pair.
func series(deg float64, c *[5]float64) float64 {
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return deg
	}
	x := float64(deg * degToRad)
	var s2, c2 float64
	if math.Abs(x) <= math.Pi {
		s2, c2 = sinCos(2 * x) // architecture-independent bits, see trig.go
	} else {
		s2, c2 = math.Sincos(2 * x) // out-of-range input, garbage in
	}
	twoC2 := 2 * c2
	prev, cur := 0.0, s2
	acc := float64(c[0] * s2)
	for k := 1; k < 5; k++ {
		next := float64(twoC2*cur) - prev
		prev, cur = cur, next
		acc += float64(c[k] * next)
	}
	r := (x + acc) * radToDeg
	if deg >= -90 && deg <= 90 {
		r = math.Max(-90, math.Min(90, r))
	}
	return r
}
