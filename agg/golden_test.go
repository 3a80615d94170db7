package agg

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goldenCase is one input of testdata/numpy_golden.json (written by
// testdata/numpy_golden.py with numpy 1.24).
type goldenCase struct {
	Name   string             `json:"name"`
	DType  string             `json:"dtype"`
	X      []string           `json:"x"`
	Sigma  []string           `json:"sigma"`
	NP     map[string]any     `json:"np"`
	NP64   map[string]any     `json:"np64"`
	x, s   []float64          // parsed
	want   map[string]float64 // parsed NP
	want64 map[string]float64
}

func parseHex(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("golden value %q: %v", s, err)
	}
	return v
}

// update regenerates testdata/numpy_golden.json with numpy before the golden
// test reads it: go test ./agg -run NumpyGolden -update (needs Debian's
// /usr/bin/python3 with python3-numpy; CI uses the committed file).
var update = flag.Bool("update", false, "regenerate testdata/numpy_golden.json with /usr/bin/python3 + numpy")

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	if *update {
		out, err := exec.Command("/usr/bin/python3", "testdata/numpy_golden.py").CombinedOutput()
		if err != nil {
			t.Fatalf("numpy_golden.py: %v\n%s", err, out)
		}
	}
	b, err := os.ReadFile("testdata/numpy_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	conv := func(m map[string]any) map[string]float64 {
		out := map[string]float64{}
		for k, v := range m {
			switch v := v.(type) {
			case float64:
				out[k] = v
			case string:
				out[k] = parseHex(t, v)
			}
		}
		return out
	}
	for i := range g.Cases {
		c := &g.Cases[i]
		for _, s := range c.X {
			c.x = append(c.x, parseHex(t, s))
		}
		for _, s := range c.Sigma {
			c.s = append(c.s, parseHex(t, s))
		}
		c.want, c.want64 = conv(c.NP), conv(c.NP64)
	}
	if len(g.Cases) < 20 {
		t.Fatalf("only %d golden cases", len(g.Cases))
	}
	return g.Cases
}

// sliceStat computes a golden key with the slice functions.
func sliceStat(key string, x, s []float64) float64 {
	name, arg, _ := strings.Cut(key, ":")
	var p float64
	if arg != "" {
		_, v, _ := strings.Cut(arg, "=")
		p, _ = strconv.ParseFloat(v, 64)
	}
	sorted := slices.Clone(x)
	slices.Sort(sorted)
	w := make([]float64, len(s))
	for i, v := range s {
		w[i] = 1 / (v * v)
	}
	switch name {
	case "len":
		return float64(len(x))
	case "sum":
		return Sum(x, nil)
	case "nansum":
		return NanSum(x, nil)
	case "mean":
		return Mean(x, nil)
	case "nanmean":
		return NanMean(x, nil)
	case "min":
		return Min(x)
	case "max":
		return Max(x)
	case "nanmin":
		return NanMin(x)
	case "nanmax":
		return NanMax(x)
	case "median":
		return Median(sorted)
	case "nanmedian":
		return NanMedian(sorted)
	case "var":
		return Variance(x, int(p))
	case "std":
		return StdDev(x, int(p))
	case "nanvar":
		return NanVariance(x, int(p))
	case "nanstd":
		return NanStdDev(x, int(p))
	case "quantile":
		return Quantile(p, sorted)
	case "nanquantile":
		return NanQuantile(p, sorted)
	case "percentile":
		return Quantile(p/100, sorted)
	case "nanpercentile":
		return NanQuantile(p/100, sorted)
	case "average":
		return Mean(x, w)
	case "h_sigma":
		return 1 / math.Sqrt(Sum(w, nil))
	}
	panic("unknown golden key " + key)
}

// goldenVariable is the Variable computing a golden key in an Aggregator.
func goldenVariable(key string) Variable {
	name, arg, _ := strings.Cut(key, ":")
	v := Variable{Name: key, Function: name, Source: "x", DType: Float64, FillValue: math.NaN()}
	if arg != "" {
		k, val, _ := strings.Cut(arg, "=")
		p, _ := strconv.ParseFloat(val, 64)
		if k == "ddof" {
			v.Params.DDof = int(p)
		} else {
			v.Params.Q = &p
		}
	}
	switch name {
	case "average":
		v.Params.Weights = "1.0 / s**2"
	case "h_sigma":
		v.Function, v.Source = "", ""
		v.Expression = "1.0 / np.sqrt(np.sum(1.0 / s**2))"
	}
	return v
}

func same(a, b float64) bool { return a == b || (a != a && b != b) }

// orderStat reports whether a golden key is an order statistic (or count),
// which must agree exactly even with numpy's float32 arithmetic.
func orderStat(key string) bool {
	name, _, _ := strings.Cut(key, ":")
	switch strings.TrimPrefix(name, "nan") {
	case "len", "min", "max", "median", "quantile", "percentile":
		return true
	}
	return false
}

func TestNumpyGolden(t *testing.T) {
	cases := loadGolden(t)
	for _, c := range cases {
		t.Run(c.Name+"/"+c.DType, func(t *testing.T) {
			xin := slices.Clone(c.x)
			keys := make([]string, 0, len(c.want))
			for k := range c.want {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			// One Aggregator computing every key over one cell.
			spec := Spec{}
			for _, k := range keys {
				spec.Variables = append(spec.Variables, goldenVariable(k))
			}
			a, err := Compile(&spec, []string{"x", "s"})
			if err != nil {
				t.Fatal(err)
			}
			cols := make([]Column, 2)
			if c.DType == "float32" {
				x32, s32 := make([]float32, len(c.x)), make([]float32, len(c.s))
				for i := range c.x {
					x32[i], s32[i] = float32(c.x[i]), float32(c.s[i])
				}
				cols[a.colIndex("x")], cols[a.colIndex("s")] = Column{F32: x32}, Column{F32: s32}
			} else {
				cols[a.colIndex("x")], cols[a.colIndex("s")] = Column{F64: c.x}, Column{F64: c.s}
			}
			cells := make([]uint64, len(c.x))
			for i := range cells {
				cells[i] = uint64(i) // all in child 0 of parent 0 at order 1
			}
			var r Result
			if err := a.Aggregate(&r, Input{ParentOrder: 0, Parent: 0, ChildOrder: 1, Cells: cells, Columns: cols}); err != nil {
				t.Fatal(err)
			}
			for vi, k := range keys {
				got := sliceStat(k, c.x, c.s)
				agg := r.Levels[0].Values[vi][0]
				// Our float64 computation is numpy's on the float64 data, bit for bit.
				if w := c.want64[k]; !same(got, w) {
					t.Errorf("%s = %v (%x), numpy float64 %v (%x)", k, got, math.Float64bits(got), w, math.Float64bits(w))
				}
				name, _, _ := strings.Cut(k, ":")
				isQ := strings.HasSuffix(name, "quantile") || strings.HasSuffix(name, "percentile")
				if c.DType != "float32" || !isQ {
					if !same(agg, got) {
						t.Errorf("Aggregate %s = %v, slice function %v", k, agg, got)
					}
				}
				if c.DType != "float32" {
					continue
				}
				if isQ {
					// On a float32 column Aggregate reproduces numpy's float32
					// quantile bit for bit (numpy returns it as float64).
					if w := c.want[k]; !same(agg, w) {
						t.Errorf("Aggregate %s = %v on float32, numpy %v", k, agg, w)
					}
					continue
				}
				// numpy computing in float32: exact for order statistics,
				// float32 rounding for the rest.
				g32, w32 := float32(got), float32(c.want[k])
				if orderStat(k) {
					if !same(float64(g32), float64(w32)) {
						t.Errorf("%s = %v as float32, numpy float32 %v", k, g32, w32)
					}
				} else if (c.Name == "huge" || c.Name == "small") && strings.Contains(k, "std") {
					// numpy squares the deviations in float32, where 1e30² overflows
					// to +Inf and 1e-30² underflows to 0; we square in float64.
					if !math.IsInf(float64(w32), 1) && w32 != 0 {
						t.Errorf("%s: numpy float32 %v, expected its overflow/underflow", k, w32)
					}
				} else if !close32(g32, w32, c.Name) {
					t.Errorf("%s = %v as float32, numpy float32 %v", k, g32, w32)
				}
			}
			if !slices.EqualFunc(xin, c.x, same) {
				t.Error("input modified")
			}
		})
	}
}

// close32 reports whether a and b agree to float32 rounding of numpy's own
// float32 accumulation: a few ulps, more for the ill-conditioned inputs where
// float32 sums lose digits to cancellation.
func close32(a, b float32, name string) bool {
	if same(float64(a), float64(b)) {
		return true
	}
	tol := 4.0
	switch name {
	case "offset", "mixed_magnitude", "random_long", "huge", "small", "nan":
		// float32 accumulation loses digits to cancellation.
		tol = 1 << 12
	}
	d := math.Abs(float64(a) - float64(b))
	ulp := float64(math.Nextafter32(float32(math.Max(math.Abs(float64(a)), math.Abs(float64(b)))), float32(math.Inf(1)))) - math.Max(math.Abs(float64(a)), math.Abs(float64(b)))
	return d <= tol*ulp
}

func (a *Aggregator) colIndex(name string) int {
	i := slices.Index(a.columns, name)
	if i < 0 {
		panic(fmt.Sprint("no column ", name))
	}
	return i
}
