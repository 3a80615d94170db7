package cmr

import (
	"fmt"
	"time"
)

// TimeRange is a closed UTC time interval [Start, End].
type TimeRange struct {
	Start, End time.Time
}

// Contains reports whether t lies in the closed interval.
func (r TimeRange) Contains(t time.Time) bool {
	return !t.Before(r.Start) && !t.After(r.End)
}

// Temporal formats the range as CMR's temporal parameter,
// "2024-01-06T00:00:00Z,2024-04-06T23:59:59Z".
func (r TimeRange) Temporal() string {
	return r.Start.UTC().Format(time.RFC3339) + "," + r.End.UTC().Format(time.RFC3339)
}

// MaxCycle is the largest cycle number accepted (granule names carry two
// digits for the cycle).
const MaxCycle = 99

// zaggCycleEpoch is zagg 0.1.0's start of cycle 1.
var zaggCycleEpoch = time.Date(2018, 10, 13, 0, 0, 0, 0, time.UTC)

// ZaggCycleDates returns the dates zagg 0.1.0 uses for an ICESat-2 cycle:
// start = 2018-10-13 + (cycle−1)·91 days and end = start + 91 days, both at
// UTC midnight. Consecutive cycles share one calendar day. This is NOT the
// true cycle: it lags the real cycle start by 14–20 days (see
// [TrueCycleRange]); it is kept so catalogs can be rebuilt exactly as zagg
// 0.1.0 built them.
func ZaggCycleDates(cycle int) (start, end time.Time, err error) {
	if cycle < 1 || cycle > MaxCycle {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %d (want 1–%d)", ErrCycle, cycle, MaxCycle)
	}
	start = zaggCycleEpoch.AddDate(0, 0, (cycle-1)*91)
	return start, start.AddDate(0, 0, 91), nil
}

// DateRange returns the CMR time range zagg 0.1.0 queries for a pair of
// dates: start at 00:00:00Z, end at 23:59:59Z (both days inclusive). The
// dates' clock times are ignored.
func DateRange(start, end time.Time) TimeRange {
	s := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	e := time.Date(end.Year(), end.Month(), end.Day(), 23, 59, 59, 0, time.UTC)
	return TimeRange{Start: s, End: e}
}

// ZaggCycleRange is DateRange(ZaggCycleDates(cycle)): the temporal window
// zagg 0.1.0 sends to CMR for --cycle.
func ZaggCycleRange(cycle int) (TimeRange, error) {
	s, e, err := ZaggCycleDates(cycle)
	if err != nil {
		return TimeRange{}, err
	}
	return DateRange(s, e), nil
}

// Orbit model of the ICESat-2 reference ground tracks, fitted by least
// squares on real ATL06 granule names 2018–2024 (residuals ≤ 1.5 min; it
// reproduces every officially published cycle boundary to the day).
const (
	// RGTPeriod is the time between consecutive reference ground tracks.
	RGTPeriod = time.Duration(94.2897 * float64(time.Minute))
	// CycleDuration is one exact repeat of the 1,387 ground tracks
	// (≈ 90.8193 days).
	CycleDuration = RGTsPerCycle * RGTPeriod
)

// trueCycleEpoch is the modelled start of RGT 1 of cycle 1.
var trueCycleEpoch = time.Date(2018, 9, 28, 16, 20, 0, 0, time.UTC)

// TrackTime predicts when the satellite starts granule region `region` of
// reference ground track `rgt` in `cycle`, from the orbit model
// t = T0 + ((cycle−1)·1387 + (rgt−1) + (region−1)/14)·P with
// P = 94.2897 min and T0 = 2018-09-28 16:20 UTC. The prediction is good to
// about two minutes; safe holds and orbit manoeuvres are not modelled.
func TrackTime(cycle, rgt, region int) time.Time {
	tracks := float64((cycle-1)*RGTsPerCycle+(rgt-1)) + float64(region-1)/RegionsPerOrbit
	return trueCycleEpoch.Add(time.Duration(tracks * float64(RGTPeriod)))
}

// TrueCycleRange returns the modelled true boundaries of an ICESat-2 cycle:
// from the start of RGT 1 of the cycle to the start of RGT 1 of the next
// (half-open in reality; the End returned is one second before the next
// cycle). The model is accurate to about an hour over the mission; to select
// exactly the granules of a cycle use [Query.Cycle], which matches the cycle
// digits of the granule names.
func TrueCycleRange(cycle int) (TimeRange, error) {
	if cycle < 1 || cycle > MaxCycle {
		return TimeRange{}, fmt.Errorf("%w: %d (want 1–%d)", ErrCycle, cycle, MaxCycle)
	}
	s := TrackTime(cycle, 1, 1)
	e := TrackTime(cycle+1, 1, 1).Add(-time.Second)
	return TimeRange{Start: s.Truncate(time.Second), End: e.Truncate(time.Second)}, nil
}

// CycleOf returns the cycle the orbit model places time t in (0 before the
// mission).
func CycleOf(t time.Time) int {
	d := t.Sub(trueCycleEpoch)
	if d < 0 {
		return 0
	}
	return int(d/CycleDuration) + 1
}
