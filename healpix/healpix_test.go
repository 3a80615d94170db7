package healpix

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSizes(t *testing.T) {
	for o := 0; o <= MaxOrder; o++ {
		if got, want := Nside(o), uint64(1)<<o; got != want {
			t.Errorf("Nside(%d) = %d, want %d", o, got, want)
		}
		if got, want := NPix(o), 12*Nside(o)*Nside(o); got != want {
			t.Errorf("NPix(%d) = %d, want %d", o, got, want)
		}
		if got := OrderOfNside(Nside(o)); got != o {
			t.Errorf("OrderOfNside(%d) = %d, want %d", Nside(o), got, o)
		}
		if a := PixelArea(o) * float64(NPix(o)); math.Abs(a-4*math.Pi) > 1e-12 {
			t.Errorf("PixelArea(%d)·NPix = %v, want 4π", o, a)
		}
		if r := Resolution(o); math.Abs(r*r-PixelArea(o)) > 1e-15*PixelArea(o) {
			t.Errorf("Resolution(%d)² = %v, want %v", o, r*r, PixelArea(o))
		}
		if got := OrderForResolution(Resolution(o)); got != o {
			t.Errorf("OrderForResolution(Resolution(%d)) = %d", o, got)
		}
	}
	if NPix(MaxOrder) >= 1<<63 {
		t.Errorf("NPix(MaxOrder) = %d does not fit int64", NPix(MaxOrder))
	}
	for _, n := range []uint64{0, 3, 6, 1 << 30, Invalid} {
		if got := OrderOfNside(n); got != -1 {
			t.Errorf("OrderOfNside(%d) = %d, want -1", n, got)
		}
	}
	// 12.1 km / 6371 km is between orders 9 and 10.
	if got := OrderForResolution(12.1 / 6371.0); got != 10 {
		t.Errorf("OrderForResolution(12.1 km) = %d, want 10", got)
	}
	if sqrt6 != math.Sqrt(6) {
		t.Errorf("sqrt6 = %v, want math.Sqrt(6) = %v", sqrt6, math.Sqrt(6))
	}
}

// mustPanic runs f and fails unless it panics with a "healpix:" message.
func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s did not panic", name)
			return
		}
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, "healpix: ") {
			t.Errorf("%s panicked with %v, want a healpix: message", name, r)
		}
	}()
	f()
}

func TestMisusePanics(t *testing.T) {
	mustPanic(t, "Nside(-1)", func() { Nside(-1) })
	mustPanic(t, "NPix(30)", func() { NPix(30) })
	mustPanic(t, "LatLonToNest(30)", func() { LatLonToNest(30, 0, 0) })
	mustPanic(t, "LatLonToNestSlice lengths", func() { LatLonToNestSlice(make([]uint64, 2), 5, []float64{1, 2}, []float64{1}) })
	mustPanic(t, "LatLonToNestSlice dst", func() { LatLonToNestSlice(make([]uint64, 1), 5, []float64{1, 2}, []float64{1, 2}) })
	mustPanic(t, "Parent finer", func() { Parent(5, 0, 6) })
	mustPanic(t, "ChildRange coarser", func() { ChildRange(5, 0, 4) })
	mustPanic(t, "Children(29)", func() { Children(29, 0) })
	mustPanic(t, "NestBoundary step 0", func() { NestBoundary(nil, 3, 0, 0) })
	mustPanic(t, "ToSphereSlice lengths", func() { Authalic.ToSphereSlice(make([]float64, 1), nil) })
}

func TestBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, p := range [][2]float64{{nan, 0}, {0, nan}, {inf, 0}, {-inf, 0}, {0, inf}, {0, -inf}, {90.0000001, 0}, {-91, 0}, {1e300, 0}} {
		for _, o := range []int{0, 6, 29} {
			if got := LatLonToNest(o, p[0], p[1]); got != Invalid {
				t.Errorf("LatLonToNest(%d, %v, %v) = %d, want Invalid", o, p[0], p[1], got)
			}
			if got := LatLonToRing(o, p[0], p[1]); got != Invalid {
				t.Errorf("LatLonToRing(%d, %v, %v) = %d, want Invalid", o, p[0], p[1], got)
			}
		}
	}
	dst := []uint64{1, 2, 3}
	LatLonToNestSlice(dst, 6, []float64{0, nan, -80}, []float64{0, 0, 120})
	if dst[0] != 19456 || dst[1] != Invalid || dst[2] != 37010 {
		t.Errorf("LatLonToNestSlice with a NaN = %v", dst)
	}
	for _, o := range []int{0, 7, 29} {
		bad := []uint64{NPix(o), NPix(o) + 1, Invalid}
		for _, n := range bad {
			if got := NestToRing(o, n); got != Invalid {
				t.Errorf("NestToRing(%d, %d) = %d, want Invalid", o, n, got)
			}
			if got := RingToNest(o, n); got != Invalid {
				t.Errorf("RingToNest(%d, %d) = %d, want Invalid", o, n, got)
			}
			if got := Parent(o, n, 0); got != Invalid {
				t.Errorf("Parent(%d, %d, 0) = %d, want Invalid", o, n, got)
			}
			if f, l := ChildRange(o, n, o); f != Invalid || l != Invalid {
				t.Errorf("ChildRange(%d, %d) = %d, %d, want Invalid", o, n, f, l)
			}
			if lat, lon := NestCenter(o, n); !math.IsNaN(lat) || !math.IsNaN(lon) {
				t.Errorf("NestCenter(%d, %d) = %v, %v, want NaN", o, n, lat, lon)
			}
			if b := NestBoundary(nil, o, n, 4); len(b) != 0 {
				t.Errorf("NestBoundary(%d, %d) has %d points, want 0", o, n, len(b))
			}
			if c := NestCorners(o, n); !math.IsNaN(c[0][0]) {
				t.Errorf("NestCorners(%d, %d) = %v, want NaN", o, n, c)
			}
			if Base(o, n) != -1 || IsValid(o, n) || ToUniq(o, n) != Invalid {
				t.Errorf("Base/IsValid/ToUniq accept %d at order %d", n, o)
			}
		}
	}
}

func TestLongitudeWrap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 10000; k++ {
		lat := rng.Float64()*180 - 90
		lon := rng.Float64() * 360
		want := LatLonToNest(18, lat, lon)
		// Adding whole turns in degrees changes the rounding of lon·π/180, so
		// compare away from edges only: the cell must agree at order 10.
		for _, turns := range []float64{-3, -1, 1, 5, 1e6} {
			got := LatLonToNest(10, lat, lon+360*turns)
			if got != want>>16 && !nearEdge(lat, lon) {
				t.Errorf("LatLonToNest(10, %v, %v+360·%v) = %d, want %d", lat, lon, turns, got, want>>16)
			}
		}
	}
	negZero := math.Copysign(0, -1)
	for _, lat := range []float64{-75, 0, 60, 89} {
		if a, b := LatLonToNest(29, lat, 0), LatLonToNest(29, lat, negZero); a != b {
			t.Errorf("lat %v: lon 0 gives %d, lon -0 gives %d", lat, a, b)
		}
	}
}

// nearEdge reports whether (lat, lon) is within 1e-9 of an order-10 cell edge,
// measured by re-hashing displaced points.
func nearEdge(lat, lon float64) bool {
	c := LatLonToNest(10, lat, lon)
	for _, d := range [][2]float64{{1e-9, 0}, {-1e-9, 0}, {0, 1e-9}, {0, -1e-9}} {
		if LatLonToNest(10, math.Max(-90, math.Min(90, lat+d[0])), lon+d[1]) != c {
			return true
		}
	}
	return false
}

func TestHierarchy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 20000; k++ {
		lat := math.Asin(2*rng.Float64()-1) * 180 / math.Pi
		lon := rng.Float64()*720 - 360
		fine := LatLonToNest(MaxOrder, lat, lon)
		for o := 0; o < MaxOrder; o++ {
			if got, want := LatLonToNest(o, lat, lon), Parent(MaxOrder, fine, o); got != want {
				t.Fatalf("(%v, %v): hash at order %d = %d, Parent of order-29 cell = %d", lat, lon, o, got, want)
			}
			p := Parent(MaxOrder, fine, o)
			first, last := ChildRange(o, p, MaxOrder)
			if fine < first || fine >= last {
				t.Fatalf("order-29 cell %d not in ChildRange(%d, %d) = [%d, %d)", fine, o, p, first, last)
			}
			ch := Children(o, p)
			if Parent(o+1, ch[0], o) != p || ch[3] != ch[0]+3 {
				t.Fatalf("Children(%d, %d) = %v", o, p, ch)
			}
			if b := Base(o, p); b != int(fine>>58) {
				t.Fatalf("Base(%d, %d) = %d, want %d", o, p, b, fine>>58)
			}
			if ro, rn := FromUniq(ToUniq(o, p)); ro != o || rn != p {
				t.Fatalf("FromUniq(ToUniq(%d, %d)) = %d, %d", o, p, ro, rn)
			}
		}
	}
	if o, n := FromUniq(3); o != -1 || n != Invalid {
		t.Errorf("FromUniq(3) = %d, %d", o, n)
	}
}

// TestRingRoundTrip checks NestToRing and RingToNest are inverse bijections,
// exhaustively at small orders and on random indices at every order.
func TestRingRoundTrip(t *testing.T) {
	for o := 0; o <= 4; o++ {
		seen := make([]bool, NPix(o))
		for n := uint64(0); n < NPix(o); n++ {
			r := NestToRing(o, n)
			if r >= NPix(o) || seen[r] {
				t.Fatalf("order %d: NestToRing(%d) = %d repeats or is out of range", o, n, r)
			}
			seen[r] = true
			if back := RingToNest(o, r); back != n {
				t.Fatalf("order %d: RingToNest(NestToRing(%d)) = %d", o, n, back)
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for o := 0; o <= MaxOrder; o++ {
		for k := 0; k < 2000; k++ {
			n := rng.Uint64N(NPix(o))
			if k < 12 { // the first and last cells of each base cell
				n = uint64(k) << (2 * o)
			} else if k < 24 {
				n = uint64(k-11)<<(2*o) - 1
			}
			if back := RingToNest(o, NestToRing(o, n)); back != n {
				t.Fatalf("order %d: RingToNest(NestToRing(%d)) = %d", o, n, back)
			}
			r := rng.Uint64N(NPix(o))
			if back := NestToRing(o, RingToNest(o, r)); back != r {
				t.Fatalf("order %d: NestToRing(RingToNest(%d)) = %d", o, r, back)
			}
		}
	}
}

// TestCentreRoundTrip checks that every cell's centre hashes back to the
// cell and that its corners are the nearest points of its neighbours.
func TestCentreRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for o := 0; o <= MaxOrder; o++ {
		for k := 0; k < 1000; k++ {
			n := rng.Uint64N(NPix(o))
			if o <= 2 && k < int(NPix(o)) {
				n = uint64(k)
			}
			lat, lon := NestCenter(o, n)
			if lon < 0 || lon >= 360 || lat < -90 || lat > 90 {
				t.Fatalf("NestCenter(%d, %d) = (%v, %v) out of range", o, n, lat, lon)
			}
			if got := LatLonToNest(o, lat, lon); got != n {
				t.Fatalf("LatLonToNest(NestCenter(%d, %d) = (%v, %v)) = %d", o, n, lat, lon, got)
			}
		}
	}
}

func TestBoundary(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for o := 0; o <= 20; o++ {
		for k := 0; k < 200; k++ {
			n := rng.Uint64N(NPix(o))
			const step = 5
			b := NestBoundary(make([][2]float64, 0, 4*step), o, n, step)
			if len(b) != 4*step {
				t.Fatalf("NestBoundary(%d, %d, %d) has %d points", o, n, step, len(b))
			}
			c := NestCorners(o, n)
			for i := 0; i < 4; i++ {
				if b[i*step] != c[i] {
					t.Fatalf("NestBoundary(%d, %d)[%d] = %v, corner %d = %v", o, n, i*step, b[i*step], i, c[i])
				}
			}
			// Points a hair inside the boundary towards the centre hash to the cell.
			clat, clon := NestCenter(o, n)
			for _, p := range b {
				dlon := math.Remainder(clon-p[1], 360)
				lat := p[0] + 1e-6*(clat-p[0])
				lon := p[1] + 1e-6*dlon
				if math.Abs(p[0]) == 90 {
					continue
				}
				if got := LatLonToNest(o, lat, lon); got != n && o < 18 {
					t.Fatalf("point %v of cell %d@%d, nudged inside to (%v, %v), hashes to %d", p, n, o, lat, lon, got)
				}
			}
		}
	}
	dst := NestBoundary([][2]float64{{1, 2}}, 0, 0, 2)
	if len(dst) != 9 || dst[0] != [2]float64{1, 2} {
		t.Errorf("NestBoundary does not append: %v", dst)
	}
}

func TestConventions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want LatitudeConvention
	}{{"authalic", Authalic}, {" Geodetic ", Geodetic}, {"authalic-wgs84", Authalic}, {"geodetic-spherical", Geodetic}} {
		got, err := ParseLatitudeConvention(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseLatitudeConvention(%q) = %v, %v, want %v", c.in, got, err, c.want)
		}
		b, err := got.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back LatitudeConvention = 9
		if err := back.UnmarshalText(b); err != nil || back != c.want {
			t.Errorf("UnmarshalText(%q) = %v, %v", b, back, err)
		}
	}
	for _, s := range []string{"", "wgs84", "authalicx"} {
		if _, err := ParseLatitudeConvention(s); !errors.Is(err, ErrUnknownConvention) {
			t.Errorf("ParseLatitudeConvention(%q) error %v, want ErrUnknownConvention", s, err)
		}
	}
	if s := LatitudeConvention(7).String(); s != "LatitudeConvention(7)" {
		t.Errorf("String of 7 = %q", s)
	}
	if _, err := LatitudeConvention(7).MarshalText(); !errors.Is(err, ErrUnknownConvention) {
		t.Errorf("MarshalText of 7: %v", err)
	}
	if Authalic.String() != "authalic" || Geodetic.String() != "geodetic" {
		t.Errorf("String: %q %q", Authalic, Geodetic)
	}
	lat := []float64{-90, -45, 0, 30, 90}
	dst := make([]float64, len(lat))
	Authalic.ToSphereSlice(dst, lat)
	for k := range lat {
		if dst[k] != Authalic.ToSphere(lat[k]) || Geodetic.ToSphere(lat[k]) != lat[k] || Geodetic.FromSphere(lat[k]) != lat[k] {
			t.Errorf("ToSphere(%v) mismatch", lat[k])
		}
	}
	Geodetic.ToSphereSlice(dst, lat)
	if dst[1] != -45 {
		t.Errorf("Geodetic.ToSphereSlice changed %v", dst)
	}
}

// TestHashNestMatchesLocPoint checks the fused hot path against the
// two-step form it unrolls, on random points and on points on cell edges.
func TestHashNestMatchesLocPoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	check := func(o uint, lat, lon float64) {
		var p locPoint
		want := Invalid
		if p.set(o, lat, lon) {
			want = p.nest(o)
		}
		if got := hashNest(o, lat, lon); got != want {
			t.Fatalf("hashNest(%d, %v, %v) = %d, two-step %d", o, lat, lon, got, want)
		}
	}
	for k := 0; k < 200000; k++ {
		o := uint(rng.IntN(MaxOrder + 1))
		lat := math.Asin(2*rng.Float64()-1) * radToDeg
		lon := rng.Float64()*1000 - 500
		check(o, lat, lon)
		// Centres and corners of cells are exactly on projection lines.
		n := rng.Uint64N(NPix(int(o)))
		clat, clon := NestCenter(int(o), n)
		check(o, clat, clon)
		for _, c := range NestCorners(int(o), n) {
			check(o, c[0], c[1])
			check(o, c[0], c[1]-360)
		}
	}
	for _, lon := range []float64{0, math.Copysign(0, -1), 90, -90, 180, -180, 360, -360, 720, -1e-300, 1e-300, 1e300, -1e300} {
		for _, lat := range []float64{-90, -89.5, -41.810314895778596, 0, 41.810314895778596, 60, 90} {
			for o := uint(0); o <= MaxOrder; o += 7 {
				check(o, lat, lon)
			}
		}
	}
}
