package config

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/internal/yamlx"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/timewin"
)

// Time is output.time: the time windows of a multi-window run. Every
// statistic is then computed for each window separately (its arrays gain a
// leading time dimension), from the points whose time (the Source column)
// falls in the window; points outside every window are not used.
//
//	output:
//	  time:
//	    source: t            # a data_source variable: each point's time
//	    epoch: atlas_sdp     # atlas_sdp (default) | gps | unix
//	    cycles: 3-22         # or every: month + start/end, or ranges: [...]
type Time struct {
	// Source is the data_source variable holding each point's time.
	Source string
	// Epoch says what the Source values mean (Epoch.Field is Source).
	Epoch timewin.Epoch
	// EpochName is the epoch as written in the config.
	EpochName string
	// Spec describes the windows; Windows are the windows it gives.
	Spec    timewin.Spec
	Windows []timewin.Window
	// Chunk is the number of windows stored in one chunk of every
	// statistic (output.time.chunk, default 1): each cell then writes
	// Chunk× fewer objects, but a window added later rewrites the last
	// chunk of the windows before it.
	Chunk int
}

// Trend is output.trend: a per-cell linear trend (e.g. dh/dt) of one
// per-window statistic, fitted over the windows of output.time at every
// order the store writes (agg.FitTrend): a weighted least-squares straight
// line through the windows' values of Value against the windows' mid-times
// in years, with weights 1/Sigma² (unweighted without Sigma).
type Trend struct {
	// Name prefixes the four trend arrays: Name (the slope, units of
	// Value per year), Name_sigma (its standard error), Name_windows (the
	// number of windows fitted) and Name_span (years between the first
	// and last window fitted). Default "dhdt".
	Name string
	// Value is the aggregation variable fitted; Sigma, if set, is the
	// variable holding its uncertainty.
	Value, Sigma string
	// Options are the fit's minimum windows and span and error model.
	Options agg.TrendOptions
}

// Names returns the four arrays a trend writes: slope, standard error,
// windows used and span.
func (t *Trend) Names() [4]string {
	return [4]string{t.Name, t.Name + "_sigma", t.Name + "_windows", t.Name + "_span"}
}

// The epochs output.time.epoch names.
var epochs = map[string]func() timewin.Epoch{
	// ICESat-2 delta_time: GPS seconds since 2018-01-01T00:00:00 UTC.
	"atlas_sdp": timewin.ATLASEpoch,
	// GPS seconds since the GPS epoch 1980-01-06.
	"gps": func() timewin.Epoch {
		return timewin.Epoch{Epoch: timewin.GPSEpoch(), Scale: 1, Timescale: timewin.GPS}
	},
	// POSIX time: UTC seconds since 1970-01-01.
	"unix": func() timewin.Epoch {
		return timewin.Epoch{Epoch: time.Unix(0, 0).UTC(), Scale: 1, Timescale: timewin.UTC}
	},
}

var (
	timeKeys  = []string{"source", "epoch", "cycles", "cycle_definition", "every", "start", "end", "ranges", "chunk"}
	trendKeys = []string{"value", "sigma", "min_windows", "min_span", "errors", "name"}
)

// parseTime reads output.time.
func parseTime(n *yaml.Node) (*Time, error) {
	const p = "output.time"
	if err := yamlx.Mapping(n, p, ErrInvalidValue); err != nil {
		return nil, err
	}
	t := &Time{EpochName: "atlas_sdp", Chunk: 1}
	var srcNode, kindNode, startNode, endNode *yaml.Node
	var kinds []string
	var cycleDef string
	err := yamlx.Pairs(n, p, ErrInvalidValue, func(key, kp string, k, v *yaml.Node) error {
		if yamlx.IsNull(v) && slices.Contains(timeKeys, key) {
			return nil
		}
		switch key {
		case "source":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			t.Source, srcNode = s, v
			return err
		case "chunk":
			x, err := yamlx.Int(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if x < 1 || x > timewin.MaxWindows {
				return at(v, kp, ErrInvalidValue, "chunk %d outside 1..%d (windows per chunk)", x, timewin.MaxWindows)
			}
			t.Chunk = x
		case "epoch":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if epochs[s] == nil {
				return at(v, kp, ErrInvalidValue, "unknown epoch '%s' (allowed: atlas_sdp, gps, unix)", s)
			}
			t.EpochName = s
		case "cycles":
			s := v.Value
			if v.Kind != yaml.ScalarNode {
				return at(v, kp, ErrInvalidValue, "must be a cycle or a cycle range such as 3-22")
			}
			first, last, err := timewin.ParseCycles(s)
			if err != nil {
				return at(v, kp, ErrInvalidValue, "%v", err)
			}
			t.Spec.Kind, t.Spec.FirstCycle, t.Spec.LastCycle = timewin.Cycle, first, last
			kinds, kindNode = append(kinds, key), v
		case "cycle_definition":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if s != timewin.TrueCycles && s != timewin.ZaggCycles {
				return at(v, kp, ErrInvalidValue, "unknown cycle_definition '%s' (allowed: %s, %s)", s, timewin.TrueCycles, timewin.ZaggCycles)
			}
			cycleDef = s
		case "every":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			kind, err := timewin.ParseKind(s)
			if err != nil || kind == timewin.Cycle || kind == timewin.Explicit {
				return at(v, kp, ErrInvalidValue, "unknown period '%s' (allowed: day, month, quarter, year; for cycles use cycles: first-last)", s)
			}
			t.Spec.Kind = kind
			kinds, kindNode = append(kinds, key), v
		case "start", "end":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			tt, err := timewin.ParseTime(s)
			if err != nil {
				return at(v, kp, ErrInvalidValue, "'%s' is not a date (YYYY-MM-DD) or an RFC 3339 time", s)
			}
			if key == "start" {
				t.Spec.Start, startNode = tt, v
			} else {
				t.Spec.End, endNode = tt, v
			}
		case "ranges":
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				return at(v, kp, ErrInvalidValue, "must be a list of windows such as \"2019-06-01/2019-09-01\" or \"melt=2019-06-01/2019-09-01\"")
			}
			for i, x := range v.Content {
				ip := fmt.Sprintf("%s[%d]", kp, i)
				s, err := yamlx.String(x, ip, ErrInvalidValue)
				if err != nil {
					return err
				}
				w, err := timewin.ParseRange(s)
				if err != nil {
					return at(x, ip, ErrInvalidValue, "%v", err)
				}
				t.Spec.Ranges = append(t.Spec.Ranges, w)
			}
			t.Spec.Kind = timewin.Explicit
			kinds, kindNode = append(kinds, key), v
		default:
			return at(k, kp, ErrUnknownKey, "unknown key '%s' (allowed: %s)", key, strings.Join(timeKeys, ", "))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if t.Source == "" {
		return nil, at(n, p+".source", ErrMissingKey, "output.time.source is required: the data_source variable holding each point's time (e.g. delta_time)")
	}
	switch len(kinds) {
	case 0:
		return nil, at(n, p, ErrMissingKey, "output.time needs its windows: one of cycles (e.g. 3-22), every (day, month, quarter, year, with start and end) or ranges")
	case 1:
	default:
		return nil, at(kindNode, p+"."+kinds[1], ErrInvalidValue, "give one of cycles, every and ranges, not %s", strings.Join(kinds, " and "))
	}
	calendar := t.Spec.Kind != timewin.Cycle && t.Spec.Kind != timewin.Explicit
	switch {
	case calendar && (startNode == nil || endNode == nil):
		return nil, at(kindNode, p+".every", ErrMissingKey, "every: %s needs start and end (YYYY-MM-DD, end excluded)", t.Spec.Kind)
	case !calendar && (startNode != nil || endNode != nil):
		return nil, at(orNode(startNode, endNode), p, ErrInvalidValue, "start and end go with every; %s windows carry their own dates", kinds[0])
	case cycleDef != "" && t.Spec.Kind != timewin.Cycle:
		return nil, at(n, p+".cycle_definition", ErrInvalidValue, "cycle_definition goes with cycles")
	}
	t.Spec.CycleDefinition = cycleDef
	w, err := t.Spec.Windows()
	if err != nil {
		return nil, at(kindNode, p+"."+kinds[0], ErrInvalidValue, "%v", err)
	}
	t.Windows = w
	t.Epoch = epochs[t.EpochName]()
	t.Epoch.Field = t.Source
	if _, err := t.Epoch.Binner(w); err != nil {
		return nil, at(srcNode, p, ErrInvalidValue, "%v", err)
	}
	return t, nil
}

// parseTrend reads output.trend.
func parseTrend(n *yaml.Node) (*Trend, error) {
	const p = "output.trend"
	if err := yamlx.Mapping(n, p, ErrInvalidValue); err != nil {
		return nil, err
	}
	t := &Trend{Name: "dhdt"}
	err := yamlx.Pairs(n, p, ErrInvalidValue, func(key, kp string, k, v *yaml.Node) error {
		if yamlx.IsNull(v) && slices.Contains(trendKeys, key) {
			return nil
		}
		var err error
		switch key {
		case "value":
			t.Value, err = yamlx.String(v, kp, ErrInvalidValue)
		case "sigma":
			t.Sigma, err = yamlx.String(v, kp, ErrInvalidValue)
		case "name":
			t.Name, err = yamlx.String(v, kp, ErrInvalidValue)
		case "min_windows":
			var x int
			if x, err = yamlx.Int(v, kp, ErrInvalidValue); err == nil && (x < 2 || x > timewin.MaxWindows) {
				err = at(v, kp, ErrInvalidValue, "min_windows %d outside 2..%d (a line needs two windows)", x, timewin.MaxWindows)
			}
			t.Options.MinWindows = x
		case "min_span":
			var x float64
			if x, err = yamlx.Number(v, kp, ErrInvalidValue); err == nil && (!(x >= 0) || math.IsInf(x, 0)) {
				err = at(v, kp, ErrInvalidValue, "min_span %v must be a number of years >= 0", x)
			}
			t.Options.MinSpan = x
		case "errors":
			var s string
			if s, err = yamlx.String(v, kp, ErrInvalidValue); err == nil {
				switch s {
				case "max":
					t.Options.Errors = agg.ErrorMax
				case "formal":
					t.Options.Errors = agg.ErrorFormal
				case "scaled":
					t.Options.Errors = agg.ErrorScaled
				default:
					err = at(v, kp, ErrInvalidValue, "unknown error model '%s' (allowed: max, formal, scaled)", s)
				}
			}
		default:
			err = at(k, kp, ErrUnknownKey, "unknown key '%s' (allowed: %s)", key, strings.Join(trendKeys, ", "))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if t.Value == "" {
		return nil, at(n, p+".value", ErrMissingKey, "output.trend.value is required: the aggregation variable whose per-window values are fitted (e.g. h_mean)")
	}
	if t.Name == "" {
		return nil, at(n, p+".name", ErrInvalidValue, "output.trend.name must not be empty")
	}
	return t, nil
}

// checkTime checks output.time and output.trend against the data source
// and the aggregation: the time source is a data_source variable, the
// trend's value and sigma are float aggregation variables, and the trend's
// arrays do not collide with a statistic's name.
func (c *Config) checkTime(a *agg.Aggregator, timeNode, trendNode *yaml.Node) error {
	o := &c.Output
	if o.Trend != nil && o.Time == nil {
		return at(trendNode, "output.trend", ErrInvalidValue, "output.trend needs output.time (the windows to fit over)")
	}
	if o.Time == nil {
		return nil
	}
	if !slices.ContainsFunc(c.DataSource.Variables, func(v DataVariable) bool { return v.Name == o.Time.Source }) {
		return at(timeNode, "output.time.source", ErrInvalidValue, "'%s' is not a data_source variable (add it, e.g. t: \"/{group}/land_ice_segments/delta_time\")", o.Time.Source)
	}
	if o.Trend == nil {
		return nil
	}
	names := map[string]agg.Variable{}
	for i := range a.NumVariables() {
		v := a.Variable(i)
		names[v.Name] = v
	}
	for _, s := range []struct{ key, name string }{{"value", o.Trend.Value}, {"sigma", o.Trend.Sigma}} {
		if s.name == "" {
			continue
		}
		v, ok := names[s.name]
		if !ok {
			return at(trendNode, "output.trend."+s.key, ErrInvalidValue, "'%s' is not an aggregation variable", s.name)
		}
		if v.DType != agg.Float32 && v.DType != agg.Float64 {
			return at(trendNode, "output.trend."+s.key, ErrInvalidValue, "'%s' has dtype %s; a trend fits float32 or float64 values", s.name, v.DType)
		}
	}
	for _, n := range o.Trend.Names() {
		if _, ok := names[n]; ok || n == "cell_ids" || n == "morton" || n == "time" || n == "time_bnds" {
			return at(trendNode, "output.trend.name", ErrInvalidValue, "the trend array '%s' collides with an array of the same name (set output.trend.name)", n)
		}
	}
	return nil
}

// CheckCoordinates checks the coordinate dtypes of the aggregation a
// (compiled from c): cell_ids holds uint64 NESTED ids, morton int64 legacy
// ids (orders up to morton.MaxLegacyOrder) or uint64 packed words. Parse
// calls it, and so does the store for a Config built in code; the error is
// an Error wrapping ErrInvalidValue.
func (c *Config) CheckCoordinates(a *agg.Aggregator) error {
	finest := c.Output.Grid.ChildOrder
	if len(c.Output.Orders) > 0 {
		finest = slices.Max(c.Output.Orders)
	}
	for _, co := range a.Coordinates() {
		p := "aggregation.coordinates." + co.Name + ".dtype"
		switch {
		case co.Name == "cell_ids" && co.DType != agg.Uint64:
			return at(nil, p, ErrInvalidValue, "cell_ids must be uint64 (HEALPix NESTED ids), not %s", co.DType)
		case co.Name == "morton" && co.DType != agg.Int64 && co.DType != agg.Uint64:
			return at(nil, p, ErrInvalidValue, "morton must be int64 (legacy decimal ids, orders up to %d) or uint64 (packed words), not %s", morton.MaxLegacyOrder, co.DType)
		case co.Name == "morton" && co.DType == agg.Int64 && finest > morton.MaxLegacyOrder:
			return at(nil, p, ErrInvalidValue, "legacy int64 morton ids stop at order %d; set aggregation.coordinates.morton.dtype: uint64 for order %d", morton.MaxLegacyOrder, finest)
		}
	}
	return nil
}
