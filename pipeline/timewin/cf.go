package timewin

import (
	"fmt"
	"math"
	"time"
)

// CF encoding of the time coordinate. Times are float64 seconds since
// 2018-01-01 00:00:00 UTC in the "standard" calendar: the origin and unit
// of ICESat-2's delta_time (so, with no leap second since 2017, a window
// bound reads the same as the delta_time of a point at that instant), and
// exact: every whole-second bound is an integer below 2^53, and a
// midpoint at most half a second more. CF's standard calendar, like POSIX
// time and time.Time, counts 86,400 s a day (no leap seconds).
const (
	// CFUnits is the units attribute of the time coordinate and its bounds.
	CFUnits = "seconds since 2018-01-01 00:00:00"
	// CFCalendar is the calendar attribute.
	CFCalendar = "standard"
	// TimeName is the name of the time dimension and coordinate array.
	TimeName = "time"
	// BoundsName is the name of the bounds array, shape [time, 2].
	BoundsName = "time_bnds"
	// BoundsDim is the name of the bounds array's second dimension.
	BoundsDim = "nv"
)

// secondsPerYear is a Julian year (365.25 days), the year of trends (the
// IAU "a" unit; ICESat-2 dh/dt products use it too).
const secondsPerYear = 365.25 * 86400

// CFValue returns the CF number of the instant t: seconds since
// 2018-01-01T00:00:00Z (negative before).
func CFValue(t time.Time) float64 { return t.Sub(atlasSDPEpoch).Seconds() }

// CFTime returns the instant of CF number v (to the nanosecond), the
// inverse of CFValue; the zero Time for NaN or ±Inf.
func CFTime(v float64) time.Time {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return time.Time{}
	}
	return addSeconds(atlasSDPEpoch, v)
}

// Years returns t in Julian years (365.25 days) since 2018-01-01T00:00:00Z,
// the time unit of agg.FitTrend: slopes come out per year.
func Years(t time.Time) float64 { return CFValue(t) / secondsPerYear }

// AppendMid appends the CF number of every window's midpoint to dst (the
// values of the time coordinate).
func AppendMid(dst []float64, windows []Window) []float64 {
	for _, w := range windows {
		dst = append(dst, CFValue(w.Start)+w.Duration().Seconds()/2)
	}
	return dst
}

// AppendBounds appends every window's [start, end) as two CF numbers to dst
// (row-major [len(windows)][2], the values of time_bnds).
func AppendBounds(dst []float64, windows []Window) []float64 {
	for _, w := range windows {
		dst = append(dst, CFValue(w.Start), CFValue(w.End))
	}
	return dst
}

// AppendMidYears appends every window's midpoint in Years to dst (the
// times agg.FitTrend fits against).
func AppendMidYears(dst []float64, windows []Window) []float64 {
	for _, w := range windows {
		dst = append(dst, Years(w.Mid()))
	}
	return dst
}

// WindowsFromBounds decodes time_bnds values (row-major pairs, as
// AppendBounds writes them) back into windows, labelled with labels[k] when
// given (len(labels) must then equal the number of windows) and otherwise
// like explicit windows. It checks they are in order and disjoint; errors
// wrap ErrWindowRange, ErrWindowOverlap or ErrWindowCount.
func WindowsFromBounds(bounds []float64, labels []string) ([]Window, error) {
	if len(bounds)%2 != 0 {
		return nil, fmt.Errorf("%w: %d bound values, want pairs", ErrWindowRange, len(bounds))
	}
	n := len(bounds) / 2
	if n > MaxWindows {
		return nil, fmt.Errorf("%w: %d windows (max %d)", ErrWindowCount, n, MaxWindows)
	}
	if labels != nil && len(labels) != n {
		return nil, fmt.Errorf("%w: %d labels for %d windows", ErrWindowRange, len(labels), n)
	}
	// Bounds beyond ±200 years of 2018 are not windows of ours (and would
	// overflow time.Duration).
	const maxAbs = 200 * secondsPerYear
	s := Spec{Kind: Explicit, Ranges: make([]Window, n)}
	for k := range n {
		a, b := bounds[2*k], bounds[2*k+1]
		if !(math.Abs(a) <= maxAbs && math.Abs(b) <= maxAbs) {
			return nil, fmt.Errorf("%w: window %d: bounds %v, %v", ErrWindowRange, k, a, b)
		}
		w := Window{Start: CFTime(a), End: CFTime(b)}
		if labels != nil {
			w.Label = labels[k]
		}
		s.Ranges[k] = w
	}
	return s.Windows()
}

// TimeAttributes returns the attributes of the time coordinate array that
// xarray's CF decoding (decode_times) turns into datetime64 values with
// the window bounds attached:
//
//	standard_name: time, long_name: "midpoint of the time window",
//	units: CFUnits, calendar: "standard", bounds: "time_bnds", axis: "T"
//
// Checked with xarray 2026.9 + zarr 3.1 (open_zarr on a Zarr v3 store:
// time and time_bnds decode to datetime64 with these attributes). Make the
// arrays float64 with fill_value NaN: 0 is a valid time (2018-01-01), and
// readers that mask the fill value must never hide a real bound.
func TimeAttributes() map[string]any {
	return map[string]any{
		"standard_name": "time",
		"long_name":     "midpoint of the time window",
		"units":         CFUnits,
		"calendar":      CFCalendar,
		"bounds":        BoundsName,
		"axis":          "T",
	}
}

// BoundsAttributes returns the attributes of the time_bnds array
// (dimensions [time, nv]): the same units and calendar as the coordinate
// (CF lets bounds inherit them; stating them keeps every reader decoding
// the two alike), and a long_name saying the interval is half-open.
func BoundsAttributes() map[string]any {
	return map[string]any{
		"long_name": "time window [start, end)",
		"units":     CFUnits,
		"calendar":  CFCalendar,
	}
}
