// Package morton implements mortie's hierarchical HEALPix cell ids: the
// packed uint64 Cell word (orders 0–29, mortie ≥ 0.8.1, zagg storage) and
// the legacy signed decimal int64 ids of zagg 0.1.0 (orders 1–18), with
// lossless conversion between them and to HEALPix nested indices.
//
// A Cell is an (order, nested index) pair packed so that an unsigned sort
// of words walks the cells in Z-order with every parent before its
// children; see Cell for the bit layout. Its decimal string form
// (Cell.String, Parse) is "-?[1-6][1-4]*p?": the sign and lead digit name
// the base cell (0…5 → 1…6, 6…11 → −1…−6; the sign is not the hemisphere),
// then one digit 1…4 per level, coarsest first, and "p" for an order-29
// point word. For area cells of orders 1–18 it is exactly the legacy int64
// printed in base 10 (Cell.Legacy, FromLegacy).
//
// Cells from coordinates (FromLatLon, PointFromLatLon) take a geodetic
// latitude and an explicit healpix.LatitudeConvention: healpix.Authalic
// (the default, zagg ≥ 0.45 / mortie ≥ 0.9.8) or healpix.Geodetic (zagg
// 0.1.0). The two give different cells for the same point (by up to
// ≈ 0.128°, 14 km, near 45°), so record the convention with any stored id.
//
// The cell for a point is computed by package healpix and is bit-identical
// to healpy. mortie's own kernel truncates √6 (2.449489743) and breaks ties
// on cell edges differently; at those points this package follows healpy
// (see the healpix package documentation). Measured on mortie's goldens:
// every golden and interchange point matches mortie in both conventions at
// orders 6, 12, 14, 18 and 29; the 4 √6 witnesses and 13 of the 34
// deliberate edge-tie cases differ, by design.
//
// Cells marshal as text in the decimal form (MarshalText, UnmarshalText),
// so a map keyed by Cell encodes as a JSON object keyed by legacy ids.
//
// Orders are programmer input: an order outside [0, 29] panics. Cells and
// legacy ids are data: a bad one gives Null, an error wrapping ErrSyntax or
// ErrLegacy, or an invalid Cell (IsValid false), never a panic.
package morton
