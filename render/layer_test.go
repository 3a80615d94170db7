package render

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/zagg-go/zagg/healpix"
)

func TestFromCells(t *testing.T) {
	cells := []uint64{5, 3, 100, 3000, 7}
	vals := []float64{1.5, -2, math.NaN(), 4, 0}
	l, err := FromCells(4, healpix.Authalic, cells, vals)
	if err != nil {
		t.Fatal(err)
	}
	if l.Order() != 4 || l.Latitude() != healpix.Authalic {
		t.Errorf("Order, Latitude = %d, %v", l.Order(), l.Latitude())
	}
	if l.Len() != 4 {
		t.Errorf("Len() = %d, want 4 (the NaN cell holds no value)", l.Len())
	}
	for k, c := range cells {
		got := l.Value(c)
		if !(got == vals[k] || math.IsNaN(got) && math.IsNaN(vals[k])) {
			t.Errorf("Value(%d) = %g, want %g", c, got, vals[k])
		}
	}
	for _, c := range []uint64{0, 4, 99, 3071, 3072, healpix.Invalid} {
		if v := l.Value(c); !math.IsNaN(v) {
			t.Errorf("Value(%d) = %g, want NaN", c, v)
		}
	}
	var got []uint64
	for c, v := range l.All() {
		got = append(got, c)
		if v != l.Value(c) {
			t.Errorf("All yields (%d, %g), Value = %g", c, v, l.Value(c))
		}
	}
	if want := []uint64{3, 5, 7, 3000}; !slices.Equal(got, want) {
		t.Errorf("All() cells = %v, want %v", got, want)
	}
	if lo, hi := l.Range(); lo != -2 || hi != 4 {
		t.Errorf("Range() = %g, %g, want -2, 4", lo, hi)
	}
	// Early stop of the iterator.
	n := 0
	for range l.All() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("All() did not stop")
	}
}

func TestFromCellsErrors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		order int
		conv  healpix.LatitudeConvention
		cells []uint64
		vals  []float64
		want  error
	}{
		{"length mismatch", 3, healpix.Authalic, []uint64{1, 2}, []float64{1}, ErrInvalidOptions},
		{"order too large", 30, healpix.Authalic, nil, nil, ErrInvalidOptions},
		{"negative order", -1, healpix.Authalic, nil, nil, ErrInvalidOptions},
		{"bad convention", 3, healpix.LatitudeConvention(7), nil, nil, ErrInvalidOptions},
		{"cell too large", 3, healpix.Authalic, []uint64{768}, []float64{1}, ErrInvalidCell},
		{"invalid sentinel", 3, healpix.Authalic, []uint64{healpix.Invalid}, []float64{1}, ErrInvalidCell},
		{"duplicate", 3, healpix.Authalic, []uint64{4, 4}, []float64{1, 2}, ErrInvalidCell},
		{"duplicate NaN then value", 3, healpix.Authalic, []uint64{4, 4}, []float64{nan, 2}, ErrInvalidCell},
		{"duplicate value then NaN", 3, healpix.Authalic, []uint64{4, 4}, []float64{2, nan}, ErrInvalidCell},
		{"duplicate NaN", 3, healpix.Authalic, []uint64{4, 4}, []float64{nan, nan}, ErrInvalidCell},
	}
	for _, tt := range tests {
		if _, err := FromCells(tt.order, tt.conv, tt.cells, tt.vals); !errors.Is(err, tt.want) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestEmptyLayer(t *testing.T) {
	l, err := FromCells(5, healpix.Geodetic, []uint64{9}, []float64{math.NaN()})
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 0 || len(l.blockIndices()) != 0 {
		t.Errorf("Len() = %d, blocks %v, want empty", l.Len(), l.blockIndices())
	}
	if lo, hi := l.Range(); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("Range() = %g, %g, want NaN", lo, hi)
	}
	if lo, hi, err := l.Percentiles(2, 98); err != nil || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("Percentiles = %g, %g, %v, want NaN", lo, hi, err)
	}
	if _, err := Render(l, Options{}); !errors.Is(err, ErrNoData) {
		t.Errorf("Render(empty) error = %v, want ErrNoData", err)
	}
}

// TestSparseLayer covers fine orders, whose block index lives in a map.
func TestSparseLayer(t *testing.T) {
	const order = 20
	cells := []uint64{healpix.NPix(order) - 1, 0, 123456789012}
	l, err := FromCells(order, healpix.Authalic, cells, []float64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if l.sparse == nil || l.dense != nil {
		t.Fatalf("order %d layer is not sparse", order)
	}
	for k, c := range cells {
		if got := l.Value(c); got != float64(k+1) {
			t.Errorf("Value(%d) = %g, want %d", c, got, k+1)
		}
	}
	var got []uint64
	for c := range l.All() {
		got = append(got, c)
	}
	if !slices.IsSorted(got) || len(got) != 3 {
		t.Errorf("All() = %v, want 3 ascending cells", got)
	}
}

// numpyPercentile is numpy.percentile(v, p) ("linear") by sorting.
func numpyPercentile(v []float32, p float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	h := float64(len(s)-1) * p / 100
	k := int(math.Floor(h))
	if k+1 >= len(s) {
		return float64(s[len(s)-1])
	}
	return float64(s[k]) + (h-float64(k))*(float64(s[k+1])-float64(s[k]))
}

func TestPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	gens := map[string]func(i int) float32{
		"uniform":  func(int) float32 { return rng.Float32()*200 - 100 },
		"ties":     func(int) float32 { return float32(rng.IntN(5)) },
		"sorted":   func(i int) float32 { return float32(i) },
		"reversed": func(i int) float32 { return float32(-i) },
		"constant": func(int) float32 { return 7 },
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 3, 10, 1001} {
			cells := make([]uint64, n)
			vals := make([]float64, n)
			f32 := make([]float32, n)
			for i := range n {
				cells[i] = uint64(i * 3)
				f32[i] = gen(i)
				vals[i] = float64(f32[i])
			}
			l, err := FromCells(8, healpix.Authalic, cells, vals)
			if err != nil {
				t.Fatal(err)
			}
			for _, pq := range [][2]float64{{2, 98}, {0, 100}, {50, 50}, {25, 75}, {33.3, 66.7}} {
				lo, hi, err := l.Percentiles(pq[0], pq[1])
				if err != nil {
					t.Fatal(err)
				}
				wlo, whi := numpyPercentile(f32, pq[0]), numpyPercentile(f32, pq[1])
				if math.Abs(lo-wlo) > 1e-9*math.Max(1, math.Abs(wlo)) || math.Abs(hi-whi) > 1e-9*math.Max(1, math.Abs(whi)) {
					t.Errorf("%s n=%d Percentiles(%g, %g) = %g, %g, want %g, %g", name, n, pq[0], pq[1], lo, hi, wlo, whi)
				}
			}
		}
	}
	l, _ := FromCells(2, healpix.Authalic, []uint64{1}, []float64{1})
	for _, bad := range [][2]float64{{-1, 50}, {50, 101}, {math.NaN(), 1}} {
		if _, _, err := l.Percentiles(bad[0], bad[1]); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("Percentiles(%g, %g) error = %v, want ErrInvalidOptions", bad[0], bad[1], err)
		}
	}
}

// TestPercentileNumpyValues checks against numpy.percentile computed
// separately: np.percentile([1, 2, 3, 4, 10], [2, 98]) = [1.08, 9.52].
func TestPercentileNumpyValues(t *testing.T) {
	l, err := FromCells(3, healpix.Authalic, []uint64{10, 11, 12, 13, 14}, []float64{10, 4, 1, 3, 2})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi, _ := l.Percentiles(2, 98)
	if math.Abs(lo-1.08) > 1e-6 || math.Abs(hi-9.52) > 1e-6 {
		t.Errorf("Percentiles(2, 98) = %g, %g, want 1.08, 9.52", lo, hi)
	}
}

func TestSelectKth(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 300 {
		n := 1 + rng.IntN(200)
		a := make([]float32, n)
		for i := range a {
			switch trial % 3 {
			case 0:
				a[i] = float32(rng.IntN(4))
			case 1:
				a[i] = rng.Float32()
			default:
				a[i] = float32(n - i)
			}
		}
		want := slices.Clone(a)
		slices.Sort(want)
		k := rng.IntN(n)
		if got := selectKth(a, k); got != want[k] {
			t.Fatalf("selectKth(k=%d) = %g, want %g", k, got, want[k])
		}
		for i := range a {
			if i < k && a[i] > a[k] || i > k && a[i] < a[k] {
				t.Fatalf("selectKth did not partition around %d", k)
			}
		}
	}
}

// TestValueAtMatchesBinning checks the latitude convention: ValueAt hashes a
// geodetic point exactly as the pipeline bins it.
func TestValueAtMatchesBinning(t *testing.T) {
	const order = 10
	rng := rand.New(rand.NewPCG(7, 8))
	differ := 0
	for _, conv := range []healpix.LatitudeConvention{healpix.Authalic, healpix.Geodetic} {
		var cells []uint64
		var vals []float64
		type pt struct{ lat, lon float64 }
		var pts []pt
		seen := map[uint64]bool{}
		for len(cells) < 500 {
			p := pt{-90 + rng.Float64()*180, -180 + rng.Float64()*360}
			c := healpix.LatLonToNest(order, conv.ToSphere(p.lat), p.lon)
			if seen[c] {
				continue
			}
			seen[c] = true
			cells = append(cells, c)
			vals = append(vals, float64(len(vals)))
			pts = append(pts, p)
		}
		l, err := FromCells(order, conv, cells, vals)
		if err != nil {
			t.Fatal(err)
		}
		for k, p := range pts {
			if got := l.ValueAt(p.lat, p.lon); got != vals[k] {
				t.Errorf("%v: ValueAt(%g, %g) = %g, want %g", conv, p.lat, p.lon, got, vals[k])
			}
			// The other convention lands elsewhere for most mid-latitude
			// points (the authalic shift is up to 0.13°, ~2 cells here).
			other := healpix.LatLonToNest(order, p.lat, p.lon)
			if conv == healpix.Authalic && other != cells[k] {
				differ++
			}
		}
	}
	if differ < 100 {
		t.Errorf("only %d of 500 points change cell with the convention; the test does not discriminate", differ)
	}
	l, _ := FromCells(order, healpix.Authalic, []uint64{1}, []float64{1})
	if v := l.ValueAt(math.NaN(), 0); !math.IsNaN(v) {
		t.Errorf("ValueAt(NaN) = %g", v)
	}
}

func TestCoarseCells(t *testing.T) {
	l, err := FromCells(6, healpix.Authalic, []uint64{0, 1, 17, 4095, 40000}, []float64{1, 2, 3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.coarseCells(4), []uint64{0, 1, 255, 2500}; !slices.Equal(got, want) {
		t.Errorf("coarseCells(4) = %v, want %v", got, want)
	}
	if got := l.coarseCells(6); len(got) != 5 {
		t.Errorf("coarseCells(6) = %v, want the 5 cells", got)
	}
}
