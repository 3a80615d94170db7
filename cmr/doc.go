// Package cmr builds zagg's granule catalogs: it searches NASA's Common
// Metadata Repository (CMR) for ICESat-2 granules, maps each HEALPix parent
// cell to the granules whose footprints touch it, on the sphere, and reads
// and writes the catalog file. It also finds Earthdata credentials and turns
// them into bearer tokens and temporary S3 credentials.
//
// # Searching CMR
//
// [Client.SearchPages] queries granules.umm_json with CMR's Search-After
// paging (never offsets), 2,000 granules per page, a fixed sort on start
// date, and POSTs the query when it is too long for a URL. Throttling (429)
// waits for Retry-After; 500/502/503/504, transport errors and pages that
// CMR flags as timed out (CMR-Time-Out: true, a partial page) are retried
// with exponential backoff and jitter, and fail with [ErrTimedOut] or an
// [*HTTPError] when the attempts run out: granules are never silently lost.
// Every request runs under the caller's context.
//
// [ParseUMMResults] decodes UMM-G records into [Granule] values: GranuleUR,
// temporal range, every GPolygon (with ExclusiveZone holes) as the footprint,
// and the S3 ("GET DATA VIA DIRECT ACCESS") and HTTPS ("GET DATA") links.
// [ParseGranuleName] decodes ICESat-2 file names (time, RGT, cycle, region,
// release, revision).
//
// # ICESat-2 cycles
//
// Two definitions exist. [ZaggCycleDates] is zagg 0.1.0's formula, start =
// 2018-10-13 + (c−1)·91 days, kept for parity: it lags the real cycles by
// 14–20 days, so zagg's "cycle 22" is the second part of cycle 22 plus the
// first part of cycle 23 (still one full repeat of the ground tracks).
// [TrueCycleRange] gives the real boundaries from the orbit model, and
// [Query.Cycle] selects exactly the granules of a cycle by the cycle digits
// in their names.
//
// # Conventions
//
// Longitudes and latitudes are degrees; rings are [orb.Ring] values of
// [lon, lat] points (GeoJSON order). CMR footprints and regions have
// great-circle edges between geodetic (WGS84) vertices. Time is UTC.
// Secrets are [Secret] values that print as "[redacted]".
//
// Facts behind this package: docs/cmr-earthdata.md and docs/zagg-python.md
// of the project notes.
package cmr
