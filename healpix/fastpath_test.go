package healpix

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTrigFastPathBounds checks the error bounds hashBlockFast relies on
// (beltTol and capTol, derived in hash.go) against hashExact's own
// quantities on random latitudes: the fast z = sinSmall(x) against
// hashExact's z = cosPos(π/2 − x), and the fast σ/nside = √6·sinCap(w)
// against hashExact's √(3(1 − |z|)). The measured differences must stay
// inside the analytic bounds of hash.go (1.4e−15 for z, beltTol assumes
// 2e−15; 5.4e−14 for σ/nside, capTol allows 4e−13).
func TestTrigFastPathBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var worstZ, worstS float64
	for k := 0; k < 2_000_000; k++ {
		la := rng.Float64() * 90
		if k%2 == 1 {
			la = capLat + (fastLat-capLat)*rng.Float64()
		}
		la = math.Copysign(la, rng.Float64()-0.5)
		x := float64(la * degToRad)
		ze := cosPos(halfPi - x)
		a := math.Abs(la)
		if a < beltLat {
			worstZ = max(worstZ, math.Abs(sinSmall(x)-ze))
		}
		if a > capLat && a <= fastLat {
			w := pi4 - float64(a*(0.5*degToRad))
			worstS = max(worstS, math.Abs(float64(sqrt6*sinCap(w))-math.Sqrt(3*(1-math.Abs(ze)))))
		}
	}
	t.Logf("largest |Δz| %.3g (bound 1.4e-15), largest |Δσ/nside| %.3g (bound 5.4e-14)", worstZ, worstS)
	if worstZ > 1.4e-15 || worstS > 5.4e-14 {
		t.Errorf("fast path errors %.3g (z), %.3g (σ) exceed the bounds", worstZ, worstS)
	}
}

// TestHashNestMatchesLocPointFastPath checks LatLonToNestSlice
// (hashBlockFast) and LatLonToNest (hashNest) against hashExact point by
// point: on random points, on ICESat-2-like tracks, on cell centres and
// corners (exactly on projection lines) and on points a few ulps from them,
// around the transition latitude and fastLat, and on bad input, at every
// order, in batches of every length up to a few blocks.
func TestHashNestMatchesLocPointFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	var lat, lon []float64
	add := func(la, lo float64) { lat, lon = append(lat, la), append(lon, lo) }
	for k := 0; k < 3000; k++ {
		add(math.Asin(2*rng.Float64()-1)*radToDeg, rng.Float64()*720-360)
		i := float64(k%1000) / 1000
		add(-60-27.9*i, math.Mod(float64(k/1000)*137.508+40*i, 360)-180)
	}
	for _, la := range []float64{beltLat, capLat, 41.810314895778596, fastLat, 89.42, 89.43, 0, 90, -90} {
		for _, d := range []float64{-1e-7, -1e-12, 0, 1e-12, 1e-7} {
			add(la+d, rng.Float64()*360-180)
			add(-la-d, rng.Float64()*360-180)
		}
	}
	for _, lo := range []float64{0, math.Copysign(0, -1), 90, -90, 180, -180, 360, -360, 359.99999999999994, -359.99999999999994, 720, 1e300, math.NaN(), math.Inf(1)} {
		add(10, lo)
		add(-70, lo)
	}
	add(math.NaN(), 0)
	add(91, 0)
	add(math.Inf(-1), 0)
	base := len(lat)

	for o := uint(0); o <= MaxOrder; o++ {
		lat, lon = lat[:base], lon[:base]
		// Cell centres and corners, and points a few ulps away from them.
		for k := 0; k < 1500; k++ {
			n := rng.Uint64N(NPix(int(o)))
			clat, clon := NestCenter(int(o), n)
			add(clat, clon)
			for _, c := range NestCorners(int(o), n) {
				add(c[0], c[1])
				add(c[0], c[1]-360)
				add(math.Nextafter(c[0], 100), c[1])
				add(math.Nextafter(c[0], -100), math.Nextafter(c[1], 1000))
			}
		}
		dst := make([]uint64, len(lat))
		LatLonToNestSlice(dst, int(o), lat, lon)
		portable := make([]uint64, len(lat))
		withSIMD(t, false, func() { LatLonToNestSlice(portable, int(o), lat, lon) })
		for k := range lat {
			want := hashExact(o, lat[k], lon[k])
			if dst[k] != want {
				t.Fatalf("order %d (%v, %v): batch %d, hashExact %d", o, lat[k], lon[k], dst[k], want)
			}
			if portable[k] != want {
				t.Fatalf("order %d (%v, %v): portable batch %d, hashExact %d", o, lat[k], lon[k], portable[k], want)
			}
			if got := hashNest(o, lat[k], lon[k]); got != want {
				t.Fatalf("order %d (%v, %v): scalar %d, hashExact %d", o, lat[k], lon[k], got, want)
			}
		}
		// Short batches and unaligned tails.
		for _, n := range []int{1, 2, 7, 31, 32, 33, 100, 255, 256, 257, 287, 288, 600} {
			s := rng.IntN(len(lat) - n)
			for _, simd := range []bool{false, true} {
				d := make([]uint64, n)
				withSIMD(t, simd, func() { LatLonToNestSlice(d, int(o), lat[s:s+n], lon[s:s+n]) })
				for k := range d {
					if d[k] != dst[s+k] {
						t.Fatalf("order %d, batch of %d (vector kernel %v): point %d differs", o, n, simd && useSIMD, k)
					}
				}
			}
		}
	}
}

// withSIMD runs f with LatLonToNestSlice's vector kernel switched on (if
// this machine has one) or off.
func withSIMD(t testing.TB, on bool, f func()) {
	t.Helper()
	saved := useSIMD
	useSIMD = on && saved
	defer func() { useSIMD = saved }()
	f()
}
