package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline/timewin"
)

// timeConfig is a small config with output.time and output.trend sections
// given as YAML lines (indented under output).
func timeConfig(outputLines string) []byte {
	return []byte(`data_source:
  groups: [gt1l]
  coordinates: {latitude: "/{group}/land_ice_segments/latitude", longitude: "/{group}/land_ice_segments/longitude"}
  variables:
    h_li: "/{group}/land_ice_segments/h_li"
    t: "/{group}/land_ice_segments/delta_time"
aggregation:
  variables:
    count: {function: len, source: h_li, dtype: int32, fill_value: 0}
    h_mean: {function: mean, source: h_li, dtype: float32}
    h_std: {function: std, source: h_li, dtype: float64}
output:
  grid: {type: healpix, child_order: 12}
` + outputLines)
}

func TestTimeSection(t *testing.T) {
	c, err := Parse("cycles", sampledata.CyclesConfig())
	if err != nil {
		t.Fatal(err)
	}
	tm, tr := c.Output.Time, c.Output.Trend
	if tm == nil || tr == nil || tm.Source != "t" || len(tm.Windows) != 4 || tm.Windows[0].Cycle != 19 ||
		tm.Epoch != func() timewin.Epoch { e := timewin.ATLASEpoch(); e.Field = "t"; return e }() ||
		tr.Value != "h_mean" || tr.Sigma != "h_sigma" || tr.Options.MinWindows != 3 || tr.Names() != [4]string{"dhdt", "dhdt_sigma", "dhdt_windows", "dhdt_span"} {
		t.Fatalf("cycles config: time %+v, trend %+v", tm, tr)
	}

	for _, tc := range []struct {
		name, yaml string
		windows    int
		first      time.Time
	}{
		{"months", "  time: {source: t, every: month, start: 2019-01-01, end: 2019-07-01}\n", 6, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"quarters", "  time: {source: t, every: quarterly, start: 2019-02-01, end: 2019-12-31}\n", 4, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"ranges", "  time: {source: t, epoch: gps, ranges: [\"melt=2019-06-01/2019-09-01\", 2020-06-01/2020-09-01]}\n", 2, time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"zagg cycles", "  time: {source: t, cycles: 3, cycle_definition: zagg-0.1.0}\n  trend: {value: h_mean, errors: formal, min_span: 0.5, name: dh}\n", 1, time.Date(2019, 4, 13, 0, 0, 0, 0, time.UTC)},
	} {
		c, err := Parse(tc.name, timeConfig(tc.yaml))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if w := c.Output.Time.Windows; len(w) != tc.windows || !w[0].Start.Equal(tc.first) {
			t.Errorf("%s: windows %v, want %d from %v", tc.name, w, tc.windows, tc.first)
		}
	}

	for _, tc := range []struct{ name, yaml, want string }{
		{"no source", "  time: {cycles: 3-5}\n", "output.time.source is required"},
		{"no windows", "  time: {source: t}\n", "one of cycles"},
		{"two kinds", "  time: {source: t, cycles: 3-5, ranges: [2019-01-01/2019-02-01]}\n", "not cycles and ranges"},
		{"bad cycles", "  time: {source: t, cycles: 5-3}\n", "output.time.cycles"},
		{"every without dates", "  time: {source: t, every: month}\n", "needs start and end"},
		{"dates with cycles", "  time: {source: t, cycles: 3, start: 2019-01-01}\n", "start and end go with every"},
		{"bad period", "  time: {source: t, every: fortnight, start: 2019-01-01, end: 2019-02-01}\n", "unknown period 'fortnight'"},
		{"bad epoch", "  time: {source: t, epoch: tai, cycles: 3}\n", "unknown epoch 'tai'"},
		{"bad date", "  time: {source: t, every: month, start: 2019-13-01, end: 2020-01-01}\n", "not a date"},
		{"overlap", "  time: {source: t, ranges: [2019-01-01/2019-03-01, 2019-02-01/2019-04-01]}\n", "overlap"},
		{"unknown key", "  time: {source: t, cycles: 3, window: 1}\n", "unknown key 'window'"},
		{"source not a variable", "  time: {source: delta_time, cycles: 3}\n", "'delta_time' is not a data_source variable"},
		{"trend without time", "  trend: {value: h_mean}\n", "output.trend needs output.time"},
		{"trend without value", "  time: {source: t, cycles: 3-5}\n  trend: {sigma: h_std}\n", "output.trend.value is required"},
		{"trend of unknown", "  time: {source: t, cycles: 3-5}\n  trend: {value: h_median}\n", "'h_median' is not an aggregation variable"},
		{"trend of a count", "  time: {source: t, cycles: 3-5}\n  trend: {value: count}\n", "dtype int32"},
		{"trend collides", "  time: {source: t, cycles: 3-5}\n  trend: {value: h_mean, name: h_std}\n", "collides"},
		{"min windows", "  time: {source: t, cycles: 3-5}\n  trend: {value: h_mean, min_windows: 1}\n", "min_windows 1 outside"},
		{"min span", "  time: {source: t, cycles: 3-5}\n  trend: {value: h_mean, min_span: -1}\n", "min_span -1"},
		{"error model", "  time: {source: t, cycles: 3-5}\n  trend: {value: h_mean, errors: robust}\n", "unknown error model 'robust'"},
	} {
		_, err := Parse(tc.name, timeConfig(tc.yaml))
		var ce *Error
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an Error saying %q", tc.name, err, tc.want)
		}
	}
}
