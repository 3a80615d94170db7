package healpix

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"
)

// healpyVectors is testdata/healpix_vectors.json, made with healpy 1.16.1 by
// ../shared/tools/make_healpix_vectors.py (copied beside it as
// testdata/make_healpix_vectors.py).
type healpyVectors struct {
	Orders  []int               `json:"orders"`
	Lat     []float64           `json:"lat"`
	Lon     []float64           `json:"lon"`
	Nested  map[string][]uint64 `json:"nested"`
	Ring    map[string][]uint64 `json:"ring"`
	Centres map[string]struct {
		Nested []uint64  `json:"nested"`
		Lat    []float64 `json:"lat"`
		Lon    []float64 `json:"lon"`
	} `json:"centres"`
}

func loadHealpyVectors(t testing.TB) *healpyVectors {
	t.Helper()
	b, err := os.ReadFile("testdata/healpix_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v healpyVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Lat) != len(v.Lon) || len(v.Lat) < 4000 || len(v.Orders) != 8 {
		t.Fatalf("vectors: %d lat, %d lon, %d orders", len(v.Lat), len(v.Lon), len(v.Orders))
	}
	return &v
}

func TestHealpyNested(t *testing.T) {
	v := loadHealpyVectors(t)
	for _, o := range v.Orders {
		want := v.Nested[strconv.Itoa(o)]
		if len(want) != len(v.Lat) {
			t.Fatalf("order %d: %d nested values for %d points", o, len(want), len(v.Lat))
		}
		got := make([]uint64, len(v.Lat))
		LatLonToNestSlice(got, o, v.Lat, v.Lon)
		bad := 0
		for k := range want {
			if s := LatLonToNest(o, v.Lat[k], v.Lon[k]); s != got[k] {
				t.Errorf("order %d point %d: scalar %d, batch %d", o, k, s, got[k])
			}
			if got[k] != want[k] {
				bad++
				if bad <= 5 {
					t.Errorf("LatLonToNest(%d, %v, %v) = %d, want %d (healpy)", o, v.Lat[k], v.Lon[k], got[k], want[k])
				}
			}
		}
		if bad > 0 {
			t.Errorf("order %d: %d of %d nested indices differ from healpy", o, bad, len(want))
		}
	}
}

func TestHealpyRing(t *testing.T) {
	v := loadHealpyVectors(t)
	for _, o := range v.Orders {
		nest := v.Nested[strconv.Itoa(o)]
		want := v.Ring[strconv.Itoa(o)]
		bad := 0
		for k := range want {
			r := NestToRing(o, nest[k])
			if r != want[k] {
				bad++
				if bad <= 5 {
					t.Errorf("NestToRing(%d, %d) = %d, want %d (healpy)", o, nest[k], r, want[k])
				}
			}
			if n := RingToNest(o, want[k]); n != nest[k] {
				bad++
				if bad <= 5 {
					t.Errorf("RingToNest(%d, %d) = %d, want %d (healpy)", o, want[k], n, nest[k])
				}
			}
			if r := LatLonToRing(o, v.Lat[k], v.Lon[k]); r != want[k] {
				bad++
				if bad <= 5 {
					t.Errorf("LatLonToRing(%d, %v, %v) = %d, want %d (healpy)", o, v.Lat[k], v.Lon[k], r, want[k])
				}
			}
		}
		if bad > 0 {
			t.Errorf("order %d: %d ring mismatches", o, bad)
		}
	}
}

func TestHealpyCentres(t *testing.T) {
	v := loadHealpyVectors(t)
	const tol = 1e-11 // degrees; healpy and this package differ by a few ulp
	for key, c := range v.Centres {
		o, err := strconv.Atoi(key)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Nested) == 0 || len(c.Lat) != len(c.Nested) || len(c.Lon) != len(c.Nested) {
			t.Fatalf("order %d: bad centre table", o)
		}
		for k, n := range c.Nested {
			lat, lon := NestCenter(o, n)
			dlon := math.Abs(lon - c.Lon[k])
			dlon = math.Min(dlon, 360-dlon)
			if math.Abs(lat-c.Lat[k]) > tol || dlon > tol {
				t.Errorf("NestCenter(%d, %d) = (%.15g, %.15g), want (%.15g, %.15g) (healpy)", o, n, lat, lon, c.Lat[k], c.Lon[k])
			}
		}
	}
}

// TestVectorsMatchShared checks that testdata/healpix_vectors.json is
// byte-identical to ../shared/testdata, when that folder is present.
func TestVectorsMatchShared(t *testing.T) {
	shared, err := os.ReadFile("../../shared/testdata/healpix_vectors.json")
	if err != nil {
		t.Skipf("no shared copy: %v", err)
	}
	local, err := os.ReadFile("testdata/healpix_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(shared) != string(local) {
		t.Error("testdata/healpix_vectors.json differs from ../shared/testdata: copy it again")
	}
}
