package pipeline

import (
	"testing"

	"github.com/zagg-go/zagg/agg"
)

// TestDescribe checks the derived units and long names of every kind of
// statistic, and that the config's own keys win.
func TestDescribe(t *testing.T) {
	src := map[string]SourceInfo{"h_li": {Units: "meters", LongName: "Standard Land-ice segment height"}, "n": {}}
	q := 0.25
	p := 90.0
	tests := []struct {
		v           agg.Variable
		units, long string
	}{
		{agg.Variable{Function: "len", Source: "h_li"}, "1", "number of observations of Standard Land-ice segment height (h_li)"},
		{agg.Variable{Function: "count"}, "1", "number of observations"},
		{agg.Variable{Function: "mean", Source: "h_li"}, "meters", "mean of Standard Land-ice segment height (h_li)"},
		{agg.Variable{Function: "average", Source: "h_li", Params: agg.Params{Weights: "1.0 / s_li**2"}}, "meters",
			"weighted mean of Standard Land-ice segment height (h_li), weights 1.0 / s_li**2"},
		{agg.Variable{Function: "var", Source: "h_li"}, "m2", "variance of Standard Land-ice segment height (h_li)"},
		{agg.Variable{Function: "std", Source: "h_li"}, "meters", "standard deviation of Standard Land-ice segment height (h_li)"},
		{agg.Variable{Function: "quantile", Source: "h_li", Params: agg.Params{Q: &q}}, "meters", "25th percentile of Standard Land-ice segment height (h_li)"},
		{agg.Variable{Function: "np.percentile", Source: "h_li", Params: agg.Params{Q: &p}}, "meters", "90th percentile of Standard Land-ice segment height (h_li)"},
		{agg.Variable{Function: "max", Source: "n"}, "", "maximum of n"},
		{agg.Variable{Function: "var", Source: "x"}, "", "variance of x"},
		{agg.Variable{Expression: "np.sum(h_li)"}, "", "expression np.sum(h_li)"},
		{agg.Variable{Expression: "np.sum(h_li)", Units: "m", LongName: "total"}, "m", "total"},
		{agg.Variable{Function: "mean", Source: "h_li", Units: "km"}, "km", "mean of Standard Land-ice segment height (h_li)"},
	}
	for _, tt := range tests {
		u, l := Describe(tt.v, src)
		if u != tt.units || l != tt.long {
			t.Errorf("Describe(%+v) = %q, %q; want %q, %q", tt.v, u, l, tt.units, tt.long)
		}
	}
	for in, want := range map[string]string{"meters": "m2", "": "", "K": "K^2", "m s-1": "(m s-1)^2"} {
		if got := squared(in); got != want {
			t.Errorf("squared(%q) = %q, want %q", in, got, want)
		}
	}
	for q, want := range map[float64]string{1: "1st", 2: "2nd", 3: "3rd", 11: "11th", 21: "21st", 50.5: "50.5th", 99: "99th"} {
		if got := ordinal(q); got != want {
			t.Errorf("ordinal(%g) = %q, want %q", q, got, want)
		}
	}
}
