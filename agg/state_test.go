package agg

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestStateWelfordMatchesTwoPass(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 1000)
	for i := range x {
		x[i] = 1e6 + r.NormFloat64()
	}
	var s State
	for _, v := range x {
		s.Add(v, 1)
	}
	if s.Count != 1000 || s.Valid() != 1000 {
		t.Fatalf("count %d valid %d", s.Count, s.Valid())
	}
	if got, want := s.Variance(0), Variance(x, 0); math.Abs(got-want) > 1e-9*want {
		t.Errorf("Welford variance %v, two-pass %v", got, want)
	}
	if got, want := s.Mean, Mean(x, nil); math.Abs(got-want) > 1e-12*want {
		t.Errorf("Welford mean %v, want %v", got, want)
	}
	if s.Min != Min(x) || s.Max != Max(x) {
		t.Errorf("min/max %v %v, want %v %v", s.Min, s.Max, Min(x), Max(x))
	}
	// Chan merge of any split equals the whole.
	for _, cut := range []int{0, 1, 17, 500, 999, 1000} {
		var a, b State
		for _, v := range x[:cut] {
			a.Add(v, 1)
		}
		for _, v := range x[cut:] {
			b.Add(v, 1)
		}
		a.Merge(&b)
		if a.Count != s.Count || math.Abs(a.Variance(1)-s.Variance(1)) > 1e-9*s.Variance(1) ||
			a.Min != s.Min || a.Max != s.Max || math.Abs(a.SumWX-s.SumWX) > 1e-9*math.Abs(s.SumWX) {
			t.Errorf("cut %d: merged %+v, whole %+v", cut, a, s)
		}
	}
}

func TestStateNaNAndWeights(t *testing.T) {
	var s State
	s.Add(1, 2)
	s.Add(math.NaN(), 1)
	s.Add(3, math.NaN())
	s.Add(5, 1)
	if s.Count != 4 || s.NaN != 2 || s.SumW != 3 || s.SumWX != 7 || s.SumWX2 != 27 {
		t.Errorf("state %+v", s)
	}
	var e State
	if !math.IsNaN(e.Variance(0)) {
		t.Error("variance of nothing is not NaN")
	}
	e.Merge(&s)
	if e != s {
		t.Errorf("empty.Merge(s) = %+v, want %+v", e, s)
	}
}

func TestStateBinary(t *testing.T) {
	s := State{Count: 10, NaN: 2, SumW: 8, SumWX: 1.5, SumWX2: 9, Min: -1, Max: math.Inf(1), Mean: 0.1875, M2: 3}
	b, err := s.AppendBinary([]byte{0xaa})
	if err != nil || len(b) != 1+72 {
		t.Fatalf("AppendBinary: %d bytes, %v", len(b), err)
	}
	var d State
	if err := d.UnmarshalBinary(b[1:]); err != nil || d != s {
		t.Fatalf("round trip %+v, %v", d, err)
	}
	for _, bad := range [][]byte{nil, b[1:72], append(b[1:], 0)} {
		if err := d.UnmarshalBinary(bad); !errors.Is(err, ErrCorruptState) {
			t.Errorf("UnmarshalBinary(%d bytes) = %v, want ErrCorruptState", len(bad), err)
		}
	}
	c := append([]byte(nil), b[1:]...)
	c[8] = 11 // NaN count 11 > count 10
	if err := d.UnmarshalBinary(c); !errors.Is(err, ErrCorruptState) {
		t.Errorf("inconsistent counts: %v", err)
	}
}

func FuzzStateUnmarshal(f *testing.F) {
	s := State{Count: 3, NaN: 1, SumW: 2, SumWX: 4, Min: 1, Max: 3, Mean: 2, M2: 2}
	b, _ := s.AppendBinary(nil)
	f.Add(b)
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s State
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		if s.NaN > s.Count || s.Count < 0 {
			t.Fatalf("accepted inconsistent %+v", s)
		}
		out, _ := s.AppendBinary(nil)
		var r State
		if err := r.UnmarshalBinary(out); err != nil {
			t.Fatal(err)
		}
		o2, _ := r.AppendBinary(nil)
		if string(o2) != string(out) {
			t.Fatal("round trip changed the bytes")
		}
	})
}

func TestFilters(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		op     string
		vals   []float64
		keep   []float64
		reject []float64
	}{
		{"==", []float64{0}, []float64{0, math.Copysign(0, -1)}, []float64{1, nan}},
		{"eq", []float64{2}, []float64{2}, []float64{0}},
		{"!=", []float64{0}, []float64{1, nan}, []float64{0}},
		{"<", []float64{1}, []float64{0, math.Inf(-1)}, []float64{1, 2, nan}},
		{"le", []float64{1}, []float64{1}, []float64{1.5, nan}},
		{">", []float64{1}, []float64{2}, []float64{1, nan}},
		{">=", []float64{1}, []float64{1, math.Inf(1)}, []float64{0, nan}},
		{"in", []float64{0, 2}, []float64{0, 2}, []float64{1, nan}},
		{"not_in", []float64{0, 2}, []float64{1, nan}, []float64{0, 2}},
		{"not in", []float64{0}, []float64{1}, []float64{0}},
		{"between", []float64{-1, 1}, []float64{-1, 0, 1}, []float64{-1.5, 2, nan}},
	}
	for _, c := range cases {
		op, err := ParseOp(c.op)
		if err != nil {
			t.Fatalf("ParseOp(%q): %v", c.op, err)
		}
		f := Filter{Column: "x", Op: op, Values: c.vals}
		if err := f.Validate(); err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		for _, v := range c.keep {
			if !f.Keep(v) {
				t.Errorf("%v drops %v", f, v)
			}
		}
		for _, v := range c.reject {
			if f.Keep(v) {
				t.Errorf("%v keeps %v", f, v)
			}
		}
	}
	for _, bad := range []Filter{
		{Column: "", Op: OpEq, Values: []float64{1}},
		{Column: "x", Op: OpEq},
		{Column: "x", Op: OpLt, Values: []float64{1, 2}},
		{Column: "x", Op: OpIn},
		{Column: "x", Op: OpBetween, Values: []float64{2, 1}},
		{Column: "x", Op: OpBetween, Values: []float64{nan, 1}},
		{Column: "x", Op: Op(99), Values: []float64{1}},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrBadFilter) {
			t.Errorf("%v.Validate() = %v, want ErrBadFilter", bad, err)
		}
	}
	if _, err := ParseOp("=~"); !errors.Is(err, ErrBadFilter) {
		t.Errorf("ParseOp(=~) = %v", err)
	}
	if _, err := Compile(&Spec{}, nil, Filter{Column: "q", Op: OpIn}); !errors.Is(err, ErrBadFilter) {
		t.Errorf("Compile with a bad filter: %v", err)
	}
}

func TestSliceFunctionConventions(t *testing.T) {
	mustPanic(t, "Sum weights length", func() { Sum([]float64{1, 2}, []float64{1}) })
	mustPanic(t, "Mean weights length", func() { Mean([]float64{1, 2}, []float64{1}) })
	mustPanic(t, "Quantile q", func() { Quantile(1.5, []float64{1}) })
	mustPanic(t, "NanQuantile q", func() { NanQuantile(math.NaN(), []float64{1}) })
	nan := math.NaN()
	for name, got := range map[string]float64{
		"Sum(empty)":           Sum(nil, nil),
		"NanSum(all NaN)":      NanSum([]float64{nan}, nil),
		"Mean(zero weights)":   Mean([]float64{1, 2}, []float64{0, 0}),
		"Mean(inf weight)":     Mean([]float64{1, 2}, []float64{math.Inf(1), 1}),
		"Min(empty)":           Min(nil),
		"Max(with NaN)":        Max([]float64{1, nan, 3}),
		"NanMin(all NaN)":      NanMin([]float64{nan}),
		"Variance(n<=ddof)":    Variance([]float64{1}, 1),
		"Variance(n<ddof)":     Variance([]float64{1, 2}, 3),
		"NanVariance(n<ddof)":  NanVariance([]float64{1, 2}, 3),
		"Quantile(NaN first)":  Quantile(0.5, []float64{nan, 1}),
		"NanQuantile(skip)":    NanQuantile(0.5, []float64{nan, 1, 3}),
		"Median(even)":         Median([]float64{1, 2, 4, 8}),
		"Quantile(q=1, +Inf)":  Quantile(1, []float64{1, math.Inf(1)}),
		"NanMedian(all NaN)":   NanMedian([]float64{nan, nan}),
		"NanMean(NaN weights)": NanMean([]float64{1, 3}, []float64{nan, 2}),
	} {
		want := map[string]float64{
			"Sum(empty)": 0, "NanSum(all NaN)": 0, "Mean(zero weights)": nan, "Mean(inf weight)": nan,
			"Min(empty)": nan, "Max(with NaN)": nan, "NanMin(all NaN)": nan, "Variance(n<=ddof)": nan,
			"Variance(n<ddof)": math.Inf(1), "NanVariance(n<ddof)": nan, "Quantile(NaN first)": nan,
			"NanQuantile(skip)": 2, "Median(even)": 3, "Quantile(q=1, +Inf)": nan, "NanMedian(all NaN)": nan,
			"NanMean(NaN weights)": 3,
		}[name]
		if !same(got, want) {
			t.Errorf("%s = %v, want %v (numpy)", name, got, want)
		}
	}
}

// TestFilterApplyMatchesKeep checks the column-wise filter loops against
// Filter.Keep for every operator on float32 and float64 columns.
func TestFilterApplyMatchesKeep(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 2, math.NaN(), math.Inf(1), math.Inf(-1), 3}
	v32 := make([]float32, len(vals))
	for i, v := range vals {
		v32[i] = float32(v)
	}
	for op := OpEq; op <= OpBetween; op++ {
		for _, operand := range [][]float64{{0}, {0.1}, {1}, {-1, 2}, {0, 2, 3}} {
			f := Filter{Column: "x", Op: op, Values: operand}
			if f.Validate() != nil {
				continue
			}
			for _, col := range []Column{{F64: vals}, {F32: v32}} {
				dest := make([]int32, len(vals))
				dest[3] = -1 // already outside: must stay -1
				f.apply(dest, col)
				for i := range vals {
					want := int32(0)
					switch {
					case i == 3:
						want = -1
					case !f.Keep(col.at(i)):
						want = -2
					}
					if dest[i] != want {
						t.Errorf("%v on %v (f32 %v): dest %d, want %d", f, col.at(i), col.F32 != nil, dest[i], want)
					}
				}
			}
		}
	}
}
