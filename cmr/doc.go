// Package cmr builds zagg's granule catalogs: it searches NASA's Common
// Metadata Repository (CMR) for ICESat-2 granules, maps each HEALPix parent
// cell to the granules whose footprints touch it, on the sphere, and reads
// and writes the catalog file. It also finds Earthdata credentials and turns
// them into bearer tokens and temporary S3 credentials.
//
// The steps of the catalog command (examples/local catalog) are:
//
//	region := cmr.Antarctica()                         // or cmr.LoadRegion(path)
//	box, _ := region.BBox(0.1)                         // CMR prefilter, sphere-correct
//	cov, _ := cmr.NewCoverer(6, healpix.Authalic)      // parent order, latitude convention
//	cells, _ := cov.Cover(region.Polygons)             // the region's parent cells
//	granules, _ := (&cmr.Client{}).Search(ctx, query)  // Search-After paging, retries
//	cat, stats, _ := cmr.Build(granules, cmr.BuildOptions{Coverer: cov, Region: cells})
//	cat.WriteFile("catalog.json")
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
// # Regions and coverage on the sphere
//
// Regions and footprints are polygons with great-circle edges (CMR's
// geodetic model). [ParseGeoJSON] reads Polygon, MultiPolygon, Feature and
// FeatureCollection documents (with a small decoder of its own, not
// orb/geojson, which would pull in the MongoDB BSON driver). Rings are put
// on the sphere with golang/geo's s2 package: closing vertices and repeated
// points are merged, the zero-width slit of a polygon cut along ±180° down
// to a pole is removed, crossing edges are rejected and each loop is
// normalized to enclose at most half the sphere (so a clockwise ring means
// the same footprint; a region larger than a hemisphere must be split).
// [Region.BBox] derives CMR's bounding box from the sphere polygons: West >
// East across the antimeridian, full longitude and ±90° for a polygon around
// a pole, and latitudes that include edges bulging poleward of the vertices
// (zagg 0.1.0's min/max box is [NaiveBBox]).
//
// A [Coverer] returns the HEALPix cells of one order that intersect a
// polygon. HEALPix cell edges are not great circles, so the test samples the
// true cell boundary and bounds the distance between the true edges and the
// sampled polyline; a cell is reported iff it intersects the closed polygon,
// up to a tolerance of about 1e−11 rad: a guaranteed superset that adds only
// cells passing within that distance of the polygon. It is exact for
// footprints that cross the antimeridian or enclose a pole, and it is
// checked against brute force (hashing dense samples of the polygon and of
// its boundary) in the tests. Polygon vertex latitudes are converted with
// the Coverer's [healpix.LatitudeConvention] first (authalic by default,
// geodetic for zagg 0.1.0 cells); the convention is recorded in the catalog.
//
// [Antarctica] is the default region, embedded in the binary: the 27
// grounded-ice drainage basins of Zwally et al. (2012), simplified to 19,930
// vertices (see regions/README.md for the source and derivation).
//
// # The catalog file
//
// [Catalog] is zagg 0.1.0's JSON, {"metadata": {...}, "catalog":
// {"<legacy morton>": [urls]}}, with the keys the decimal legacy (signed
// int64) morton ids of the parent cells. [ParseCatalog] validates it and
// names the bad key; [Catalog.Encode] writes exactly what Python's
// json.dump(indent=2) writes (ensure_ascii strings, repr floats), so a 0.1.0
// file round-trips byte for byte. New metadata keys: latitude (a file
// without it is geodetic), cycle_definition, cmr_query, zagg_version,
// https_urls (the HTTPS twin of every S3 URL) and skipped_granules (granules
// in no cell, with the reason: no polygon, no link, outside the region).
// [Build] makes catalogs deterministically: cells by ascending legacy id,
// granules by start time.
//
// # Earthdata credentials
//
// [FindLogin] looks, in order, at explicit options, EARTHDATA_TOKEN,
// EARTHDATA_USERNAME + EARTHDATA_PASSWORD and the netrc entry for
// urs.earthdata.nasa.gov. [TokenSource] turns a username and password into
// an EDL bearer token (find_or_create_token) and caches it; [S3Credentials]
// exchanges the token for temporary S3 credentials at a DAAC's
// s3credentials endpoint, and [NewS3CredentialsProvider] wraps it in an
// aws.CredentialsCache that renews them before they expire. Credentials are
// [Secret] values, which print as "[redacted]"; they never appear in errors,
// logs or catalog files.
//
// # Conventions
//
// Longitudes and latitudes are degrees; rings are [orb.Ring] values of
// [lon, lat] points (GeoJSON order). Time is UTC. Nested HEALPix indices are
// uint64 at the Coverer's order. Errors wrap the Err… sentinels of this
// package; test them with [errors.Is].
//
// Facts behind this package: NASA CMR's search API (UMM-G JSON,
// Search-After paging, CMR-Hits/CMR-Took/CMR-Time-Out headers), NSIDC's
// s3credentials endpoint and Earthdata Login, and the catalog format of
// Python zagg 0.1.0 (catalog.py), which this package reads and writes
// unchanged.
package cmr
