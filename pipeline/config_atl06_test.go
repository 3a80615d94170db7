package pipeline

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/pipeline/config"
)

// updateNumpy regenerates testdata/config/atl06_cell.json with numpy before
// the test reads it: go test ./pipeline -run ATL06Config -update-numpy (needs
// Debian's /usr/bin/python3 with python3-numpy; CI uses the committed file).
var updateNumpy = flag.Bool("update-numpy", false, "regenerate testdata/config/atl06_cell.json with /usr/bin/python3 + numpy")

// atl06Cell is testdata/config/atl06_cell.json (made by atl06_cell.py).
type atl06Cell struct {
	ParentOrder int      `json:"parent_order"`
	Parent      uint64   `json:"parent"`
	ChildOrder  int      `json:"child_order"`
	Cells       []uint64 `json:"cells"`
	HLi         []string `json:"h_li"`
	SLi         []string `json:"h_li_sigma"`
	Quality     []int    `json:"atl06_quality_summary"`
	Orders      []struct {
		Order int `json:"order"`
		Cells []struct {
			Cell int            `json:"cell"`
			NP32 map[string]any `json:"np32"`
			NP64 map[string]any `json:"np64"`
		} `json:"cells"`
	} `json:"orders"`
}

func hexFloat(t *testing.T, v any) float64 {
	t.Helper()
	switch v := v.(type) {
	case float64:
		return v
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	t.Fatalf("bad value %v", v)
	return 0
}

// TestATL06ConfigMatchesNumpy runs the built-in atl06 config on a synthetic
// parent cell and compares every statistic at every order with numpy.
func TestATL06ConfigMatchesNumpy(t *testing.T) {
	if *updateNumpy {
		out, err := exec.Command("/usr/bin/python3", "testdata/config/atl06_cell.py").CombinedOutput()
		if err != nil {
			t.Fatalf("atl06_cell.py: %v\n%s", err, out)
		}
	}
	b, err := os.ReadFile("testdata/config/atl06_cell.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx atl06Cell
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	a, err := cfg.CompileAggregation()
	if err != nil {
		t.Fatal(err)
	}
	n := len(fx.Cells)
	h, s, q := make([]float32, n), make([]float32, n), make([]float64, n)
	for i := range n {
		h[i] = float32(hexFloat(t, fx.HLi[i]))
		s[i] = float32(hexFloat(t, fx.SLi[i]))
		q[i] = float64(fx.Quality[i])
	}
	cols := make([]agg.Column, len(a.Columns()))
	for i, name := range a.Columns() {
		switch name {
		case "h_li":
			cols[i] = agg.Column{F32: h}
		case "s_li":
			cols[i] = agg.Column{F32: s}
		case "/{group}/land_ice_segments/atl06_quality_summary":
			cols[i] = agg.Column{F64: q}
		default:
			t.Fatalf("unexpected column %q", name)
		}
	}
	var r agg.Result
	err = a.Aggregate(&r, agg.Input{ParentOrder: fx.ParentOrder, Parent: fx.Parent, ChildOrder: fx.ChildOrder, Cells: fx.Cells, Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outside == 0 || r.Filtered == 0 {
		t.Fatalf("fixture should exercise both drops: outside %d, filtered %d", r.Outside, r.Filtered)
	}
	checked := 0
	for _, o := range fx.Orders {
		l := r.Level(o.Order)
		if l == nil {
			t.Fatalf("no level for order %d", o.Order)
		}
		withData := 0
		for _, c := range l.Counts {
			if c > 0 {
				withData++
			}
		}
		if withData != len(o.Cells) {
			t.Errorf("order %d: %d cells with data, numpy %d", o.Order, withData, len(o.Cells))
		}
		for _, c := range o.Cells {
			for vi := 0; vi < a.NumVariables(); vi++ {
				name := a.Variable(vi).Name
				got := l.Values[vi][c.Cell]
				w32, w64 := hexFloat(t, c.NP32[name]), hexFloat(t, c.NP64[name])
				g32 := float32(got) // the stored value
				switch name {
				case "count", "h_min", "h_max", "h_q25", "h_q50", "h_q75":
					// Exact, and equal to zagg 0.1.0's (numpy on float32).
					if got != w32 {
						t.Errorf("order %d cell %d %s = %v, numpy %v", o.Order, c.Cell, name, got, w32)
					}
				default:
					// float64 arithmetic: numpy's on the widened data (bit
					// for bit at the child order, where the cell is summed
					// in one pairwise pass; coarser orders merge states).
					tol := 0.0
					if o.Order != fx.ChildOrder {
						tol = 1e-12
					}
					if math.Abs(got-w64) > tol*math.Abs(w64) {
						t.Errorf("order %d cell %d %s = %v, numpy float64 %v", o.Order, c.Cell, name, got, w64)
					}
					// Stored as float32: zagg 0.1.0's numpy-float32 value to
					// float32 rounding (a few ulps).
					if d := math.Abs(float64(g32) - float64(float32(w32))); d > 4*ulp32(float32(w32)) {
						t.Errorf("order %d cell %d %s = %v as float32, zagg 0.1.0 (numpy float32) %v", o.Order, c.Cell, name, g32, float32(w32))
					}
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d values checked", checked)
	}
}

func ulp32(x float32) float64 {
	x = float32(math.Abs(float64(x)))
	return float64(math.Nextafter32(x, float32(math.Inf(1))) - x)
}
