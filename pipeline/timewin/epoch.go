package timewin

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// gpsEpoch is the origin of GPS time, 1980-01-06T00:00:00 UTC; GPS time
// counts SI seconds from it without leap seconds (GPS − UTC was 0 then).
var gpsEpoch = time.Date(1980, 1, 6, 0, 0, 0, 0, time.UTC)

// GPSEpoch returns the origin of GPS time, 1980-01-06T00:00:00 UTC.
func GPSEpoch() time.Time { return gpsEpoch }

// atlasSDPEpoch is the ATLAS Standard Data Products epoch,
// 2018-01-01T00:00:00 UTC, the origin of ICESat-2's delta_time.
var atlasSDPEpoch = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)

// ATLASSDPGPSEpoch is the GPS time of the ATLAS SDP epoch in seconds, the
// value of every ICESat-2 granule's /ancillary_data/atlas_sdp_gps_epoch:
// 1,198,800,000 s of calendar time from 1980-01-06 to 2018-01-01 plus the
// 18 leap seconds inserted in between.
const ATLASSDPGPSEpoch = 1198800018

// leapInstants are the UTC instants (Unix seconds) from which GPS − UTC
// became 1, 2, ..., 18 s: the first second after each positive leap
// second inserted since the GPS epoch, from IERS Bulletin C (TAI − UTC
// 20 s to 37 s; GPS − UTC = TAI − UTC − 19 s). The last leap second was
// 2016-12-31T23:59:60; the IERS leap-seconds.list updated 2025-07-07
// (Bulletin C 70, valid until 2026-06-28) announces none since. A leap
// second announced later must be added here; it would shift UTC times
// converted from GPS times after it by one more second.
var leapInstants = [...]int64{
	362793600,  // 1981-07-01
	394329600,  // 1982-07-01
	425865600,  // 1983-07-01
	489024000,  // 1985-07-01
	567993600,  // 1988-01-01
	631152000,  // 1990-01-01
	662688000,  // 1991-01-01
	709948800,  // 1992-07-01
	741484800,  // 1993-07-01
	773020800,  // 1994-07-01
	820454400,  // 1996-01-01
	867715200,  // 1997-07-01
	915148800,  // 1999-01-01
	1136073600, // 2006-01-01
	1230768000, // 2009-01-01
	1341100800, // 2012-07-01
	1435708800, // 2015-07-01
	1483228800, // 2017-01-01
}

// leapTableEnd is the last date for which the leap-second table is known
// to be complete (the expiry of the IERS list it was checked against).
var leapTableEnd = time.Date(2026, 6, 28, 0, 0, 0, 0, time.UTC)

// LeapTableEnd returns the date until which the leap-second table is known
// complete (2026-06-28, the expiry of IERS Bulletin C 70's list). UTC
// conversions of later times assume no leap second was added.
func LeapTableEnd() time.Time { return leapTableEnd }

// LeapSeconds returns GPS − UTC in seconds at the UTC instant t: 0 before
// 1981-07-01, 18 from 2017-01-01 on.
func LeapSeconds(t time.Time) int {
	u := t.Unix()
	return sort.Search(len(leapInstants), func(i int) bool { return leapInstants[i] > u })
}

// leapAtGPS returns GPS − UTC at GPS time g (seconds since the GPS epoch).
// The inserted second 23:59:60 counts with the new offset, so it maps to
// a repeat of 23:59:59 of the day it belongs to (time.Time has no second
// 60) and binning by UTC stays consistent with binning by GPS time.
func leapAtGPS(g float64) int {
	e := gpsEpoch.Unix()
	return sort.Search(len(leapInstants), func(i int) bool {
		// The leap second raising the offset to i+1 starts at GPS time
		// (I − E) + i.
		return float64(leapInstants[i]-e+int64(i)) > g
	})
}

// GPSSeconds returns the GPS time of the UTC instant t: seconds since the
// GPS epoch, leap seconds included. GPSSeconds(2018-01-01T00:00:00Z) is
// ATLASSDPGPSEpoch.
func GPSSeconds(t time.Time) float64 {
	return t.Sub(gpsEpoch).Seconds() + float64(LeapSeconds(t))
}

// FromGPSSeconds returns the UTC instant of GPS time g (seconds since the
// GPS epoch), the inverse of GPSSeconds (an inserted leap second maps to a
// repeat of the second before it).
func FromGPSSeconds(g float64) time.Time {
	return addSeconds(gpsEpoch, g-float64(leapAtGPS(g)))
}

// addSeconds returns t + s seconds, rounded to the nanosecond, keeping the
// whole seconds exact.
func addSeconds(t time.Time, s float64) time.Time {
	w := math.Floor(s)
	return t.Add(time.Duration(w) * time.Second).Add(time.Duration(math.Round((s - w) * 1e9)))
}

// Timescale says how a time field counts seconds.
type Timescale uint8

const (
	// UTC fields count the seconds of UTC days (86,400 a day, no leap
	// seconds), as POSIX time, CF's standard calendar and Go's time.Time do.
	UTC Timescale = iota
	// GPS fields count SI seconds without leap seconds (GPS time, and
	// ICESat-2's delta_time); converting to UTC subtracts the leap seconds
	// inserted between the field's epoch and the time.
	GPS
)

// String returns "utc" or "gps".
func (s Timescale) String() string {
	if s == GPS {
		return "gps"
	}
	return "utc"
}

// ParseTimescale parses "utc" or "gps" (case-sensitive, as written by
// String). Errors wrap ErrEpoch.
func ParseTimescale(s string) (Timescale, error) {
	switch s {
	case "utc", "UTC":
		return UTC, nil
	case "gps", "GPS":
		return GPS, nil
	}
	return 0, fmt.Errorf("%w: timescale %q (want utc or gps)", ErrEpoch, s)
}

// Epoch defines a time field of the input: its column name, the UTC
// instant its zero denotes, its unit and its timescale. A value v denotes
//
//	UTC: Epoch + v·Scale seconds
//	GPS: FromGPSSeconds(GPSSeconds(Epoch) + v·Scale)
//
// ICESat-2's delta_time is ATLASEpoch(): Epoch 2018-01-01T00:00:00Z, Scale
// 1, GPS. Because no leap second has been inserted since 2017-01-01, the
// GPS and UTC readings of delta_time agree for all ICESat-2 data (launched
// 2018): delta_time is also the UTC seconds since 2018-01-01; the GPS
// timescale keeps that true should a leap second be added.
type Epoch struct {
	// Field is the time column read from each granule ("delta_time").
	Field string
	// Epoch is the UTC instant of value 0.
	Epoch time.Time
	// Scale is the number of seconds in one unit of the field (1 for
	// seconds, 86400 for days); 0 means 1.
	Scale float64
	// Timescale is UTC or GPS.
	Timescale Timescale
}

// ATLASEpoch returns the Epoch of ICESat-2 ATL03/ATL06/ATL07/ATL08/ATL10
// delta_time: "GPS seconds since the ATLAS SDP epoch" (2018-01-01T00:00:00
// UTC, GPS time ATLASSDPGPSEpoch).
func ATLASEpoch() Epoch {
	return Epoch{Field: "delta_time", Epoch: atlasSDPEpoch, Scale: 1, Timescale: GPS}
}

func (e Epoch) scale() float64 {
	if e.Scale == 0 {
		return 1
	}
	return e.Scale
}

// Validate checks the Epoch: a field name, a non-zero epoch (for GPS not
// before the GPS epoch), a positive finite Scale (or 0) and a known
// timescale. Errors wrap ErrEpoch.
func (e Epoch) Validate() error {
	switch {
	case e.Field == "":
		return fmt.Errorf("%w: no time field given", ErrEpoch)
	case e.Epoch.IsZero():
		return fmt.Errorf("%w: field %q: no epoch given", ErrEpoch, e.Field)
	case e.Epoch.UTC().Year() < minYear || e.Epoch.UTC().Year() > maxYear:
		return fmt.Errorf("%w: field %q: epoch %s outside the years %d–%d", ErrEpoch, e.Field,
			e.Epoch.UTC().Format(time.RFC3339), minYear, maxYear)
	case e.Timescale > GPS:
		return fmt.Errorf("%w: field %q: timescale %d", ErrEpoch, e.Field, e.Timescale)
	case e.Timescale == GPS && e.Epoch.Before(gpsEpoch):
		return fmt.Errorf("%w: field %q: GPS epoch %s before the start of GPS time 1980-01-06", ErrEpoch, e.Field,
			e.Epoch.UTC().Format(time.RFC3339))
	case !(e.Scale >= 0) || math.IsInf(e.Scale, 0):
		return fmt.Errorf("%w: field %q: scale %v (want seconds per unit > 0)", ErrEpoch, e.Field, e.Scale)
	}
	return nil
}

// Time returns the UTC instant of field value v, to the nanosecond; the
// zero Time for NaN or ±Inf.
func (e Epoch) Time(v float64) time.Time {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return time.Time{}
	}
	s := v * e.scale()
	if e.Timescale == GPS {
		return FromGPSSeconds(GPSSeconds(e.Epoch) + s)
	}
	return addSeconds(e.Epoch, s)
}

// Value returns the field value of the UTC instant t, the inverse of Time.
// For whole-second instants and Scale 1 it is exact.
func (e Epoch) Value(t time.Time) float64 {
	s := t.Sub(e.Epoch).Seconds()
	if e.Timescale == GPS {
		s += float64(LeapSeconds(t) - LeapSeconds(e.Epoch))
	}
	return s / e.scale()
}

// Binner assigns field values to windows. Build it once per run with
// Epoch.Binner; it is immutable, so workers may share it.
type Binner struct {
	lo, hi []float64 // window k is the field values [lo[k], hi[k])
}

// Binner converts the windows' bounds to field values once, so that Index
// compares raw field values (no per-point time conversion, no leap-second
// lookup). The windows must be in time order and disjoint (as
// Spec.Windows returns them); the error wraps ErrEpoch or ErrWindowOverlap
// (ErrWindowCount beyond MaxWindows).
func (e Epoch) Binner(windows []Window) (*Binner, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if len(windows) > MaxWindows {
		return nil, fmt.Errorf("%w: %d windows (max %d)", ErrWindowCount, len(windows), MaxWindows)
	}
	b := &Binner{lo: make([]float64, len(windows)), hi: make([]float64, len(windows))}
	for k, w := range windows {
		if !w.Start.Before(w.End) {
			return nil, fmt.Errorf("%w: window %d %v is empty", ErrWindowRange, k, w)
		}
		if k > 0 && w.Start.Before(windows[k-1].End) {
			return nil, fmt.Errorf("%w: window %d %v starts before window %d %v ends", ErrWindowOverlap, k, w, k-1, windows[k-1])
		}
		b.lo[k], b.hi[k] = e.Value(w.Start), e.Value(w.End)
	}
	return b, nil
}

// Len returns the number of windows.
func (b *Binner) Len() int { return len(b.lo) }

// Bounds returns window k's field values [lo, hi).
func (b *Binner) Bounds(k int) (lo, hi float64) { return b.lo[k], b.hi[k] }

// Index stores in dst[i] the index of the window whose field values
// [lo, hi) contain t[i], or −1 when no window does (gaps, before the first,
// after the last, NaN). It returns the number of points inside a window.
// dst and t must have the same length (it panics otherwise); it allocates
// nothing.
//
// One pass: a point is first tested against the previous point's window
// (a granule's times increase, so that nearly always hits), else found by
// binary search over the window starts; O(n) for time-ordered input,
// O(n log W) at worst.
func (b *Binner) Index(dst []int32, t []float64) (in int) {
	if len(dst) != len(t) {
		panic("timewin: Index: len(dst) != len(t)")
	}
	lo, hi := b.lo, b.hi
	if len(lo) == 0 {
		for i := range dst {
			dst[i] = -1
		}
		return 0
	}
	k := 0
	l, h := lo[0], hi[0]
	for i, v := range t {
		if v >= l && v < h {
			dst[i] = int32(k)
			in++
			continue
		}
		// Largest j with lo[j] <= v (j = −1 if none or v is NaN).
		a, z := 0, len(lo)
		for a < z {
			m := int(uint(a+z) >> 1)
			if lo[m] <= v {
				a = m + 1
			} else {
				z = m
			}
		}
		j := a - 1
		if j >= 0 && v < hi[j] {
			k, l, h = j, lo[j], hi[j]
			dst[i] = int32(j)
			in++
			continue
		}
		dst[i] = -1
	}
	return in
}
