// Package timewin defines the time windows of a multi-window zagg run: the
// list of half-open UTC intervals [Start, End) along which the statistic
// arrays gain a time dimension, how points are assigned to them from their
// time field, and how the windows are written as a CF time coordinate.
//
// It is pure computation (no I/O); the pipeline reads the time field of
// each granule, bins every point with a Binner in the same pass that bins it
// by cell, and aggregates each (window, cell) separately.
//
// # Windows
//
// A Spec lists windows of one Kind:
//
//   - Cycle: ICESat-2 91-day repeat cycles FirstCycle–LastCycle, numbered
//     as the catalog's --cycle (parse the CLI form "3-22" with ParseCycles).
//     The dates come from the cmr package, not from a table of our own. The
//     default definition, TrueCycles, is cmr.TrueCycleRange: the orbit
//     model's start of reference ground track 1 of the cycle to that of
//     the next, which is the cycle printed in ATL06 granule names (and what
//     a catalog built with --true-cycle selects): the points of window
//     "cycle 05" are the points of the cycle-05 granules, up to the model's
//     accuracy (minutes; a point within it of a boundary may fall in the
//     neighbouring window, which a reader that bins whole granules by
//     Window.Cycle avoids). ZaggCycles is zagg 0.1.0's 2018-10-13 + 91·(c−1)
//     days (cmr.ZaggCycleDates), 14–20 days late: each such window holds
//     the end of one true cycle and the start of the next; use it only to
//     match catalogs built without --true-cycle.
//   - Day, Month, Quarter, Year: the UTC calendar periods overlapping
//     [Start, End).
//   - Explicit: windows given one by one (ParseRange parses
//     "label=2019-06-01/2019-09-01"), in order, disjoint, gaps allowed.
//
// Windows are always sorted and disjoint. A store's window list may only
// grow at the end (CheckExtends): window k is chunk row k of every array.
//
// # Time fields, GPS time and leap seconds
//
// An Epoch says what a time column means: Field, the UTC instant of 0,
// seconds per unit, and whether it counts GPS or UTC seconds. ICESat-2's
// delta_time (ATLASEpoch) is "GPS seconds since the ATLAS SDP epoch",
// 2018-01-01T00:00:00 UTC; every granule's
// /ancillary_data/atlas_sdp_gps_epoch holds that epoch's GPS time,
// 1,198,800,018 s = 1,198,800,000 s of calendar time since the GPS epoch
// 1980-01-06 plus the 18 leap seconds inserted before 2018. GPS time does
// not stop for leap seconds, so UTC = GPS − (GPS − UTC), with GPS − UTC
// from the leap-second table (LeapSeconds: 18 s since 2017-01-01). As no
// leap second has been added since 2016-12-31 (IERS Bulletin C up to
// number 70, July 2025), GPS − UTC is 18 s at both the SDP epoch and every
// ICESat-2 measurement, and delta_time is exactly the UTC seconds since
// 2018-01-01. The GPS timescale is still applied, so that a future leap
// second only needs a new table entry, and other epochs (GPS seconds since
// 1980) convert correctly.
//
// A Binner converts the windows' bounds into field values once (leap
// seconds included) and then compares raw float64 values: one pass, no
// time conversion per point, no allocation (Binner.Index).
//
// # The CF time coordinate
//
// The store's time coordinate holds each window's midpoint and time_bnds
// its [start, end), as float64 "seconds since 2018-01-01 00:00:00"
// (calendar "standard"; AppendMid, AppendBounds, TimeAttributes,
// BoundsAttributes), which xarray decodes into datetime64 with bounds.
// Seconds, not days, because whole-second bounds then stay exact integers
// and read like delta_time. Trends are fitted against the midpoints in
// Julian years since 2018-01-01 (Years, AppendMidYears), so slopes are per
// year of 365.25 days.
package timewin
