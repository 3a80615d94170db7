// Package healpix computes standard HEALPix cell indices (Górski et al.
// 2005, ApJ 622:759) on the sphere: latitude/longitude to nested and ring
// indices, nested ↔ ring, cell centres and boundaries, the cell hierarchy,
// and the WGS84 geodetic ↔ authalic latitude conversion. It is pure
// arithmetic: no I/O, no allocation on the hot paths, safe for concurrent
// use.
//
// # Grid and numbering
//
// At order o (also called depth or level), 0 ≤ o ≤ MaxOrder = 29, the
// sphere is divided into NPix(o) = 12·4^o cells of equal area, nside = 2^o
// cells along each side of the 12 base cells. Base cells 0–3 form the north
// polar cap (centred on longitudes 45°, 135°, 225°, 315°), 4–7 the
// equatorial belt (centred on the equator at 0°, 90°, 180°, 270°) and 8–11
// the south polar cap.
//
// NESTED numbering: nest = base·4^o + normed, where normed interleaves the
// in-face coordinates (bit k of i at bit 2k, bit k of j at bit 2k+1). The
// parent of a cell at a coarser order p is nest >> 2(o−p) (Parent), and the
// descendants at a finer order form one contiguous range (ChildRange), so
// sorting by nested index groups every cell's descendants together.
//
// RING numbering (healpy's nest=False) counts cells west to east along
// rings of constant latitude from the north pole (NestToRing, RingToNest,
// LatLonToRing).
//
// NestNeighbours gives the eight cells around a cell in healpy's order
// (SW, W, NW, N, NE, E, SE, S); NestCenter, NestCorners and NestBoundary
// give its centre, corners and points along its true (curved) edges.
//
// # Coordinates and conventions
//
// Latitudes and longitudes are in degrees. Functions that take a point on
// the sphere (LatLonToNest and friends) take the latitude on the sphere and
// apply no conversion; longitudes may be any finite value and are reduced
// modulo 360°. Centres and boundary points come back with longitudes in
// [0°, 360°).
//
// For points given on the WGS84 ellipsoid the LatitudeConvention says which
// latitude goes on the sphere: Authalic (the default, zero value) converts
// with AuthalicFromGeodetic so that HEALPix's equal-area cells stay equal
// area on the ellipsoid; Geodetic feeds the geodetic latitude unchanged, as
// zagg 0.1.0 did. Convert on the way in with ToSphere and on the way out
// (centres, boundaries) with FromSphere. The conversion is a fifth-order
// series in e², accurate to 1e−13 rad, with the same bits on every
// architecture (see below).
//
// # Exactness
//
// LatLonToNest and LatLonToRing are bit-identical to healpy (1.16, the
// standard C++ HEALPix): they use the exact √6 and follow healpy's
// floating-point path, so that even points exactly on a cell edge land in
// the same cell (checked on 4,016 points at 8 orders, 0–29, including the
// poles, ±180° and the cap/belt transition latitude; see
// testdata/make_healpix_vectors.py). Go's cosine (math.Cos, and this
// package's copy of it) differs from glibc's in the last bit for some
// arguments, so a point within ~1 ulp of a cell edge can, very rarely (order 29: roughly one point in 10^7–10^8), land in the
// neighbouring cell. Beware that points built on a lattice (for example
// k·c mod 1 sequences, or coordinates rounded to few digits) sit near cell
// edges far more often than random ones do.
//
// NestToRing and RingToNest are exact integer arithmetic. NestCenter and
// NestBoundary agree with healpy's pix2ang and boundaries to 1e−11° (near
// the poles healpy loses ~1e−16/θ through z = cos θ; these compute the
// latitude directly and stay exact). NestNeighbours equals healpy's
// get_all_neighbours.
//
// # Performance
//
// On amd64 CPUs with AVX2, LatLonToNestSlice runs a hand-written vector
// kernel (hash_amd64.s) that hashes four points at a time. Everywhere else
// (and with the purego build tag) it hashes in blocks of 256 points: it
// sorts a block into belt and cap points and hashes each group in a loop
// without data-dependent branches, then interleaves the bits in a last
// pass. Both take sin(lat) (or, in the caps, the distance from the pole)
// from a short polynomial instead of the exact cosine. The polynomials'
// error is bounded, and a point whose projected coordinates come within that
// bound of a cell edge (about one in a thousand in the caps at order 29) is
// hashed again the exact way, so the result is the same bits as without the
// shortcut, on every architecture and in both forms. LatLonToNest takes the
// same shortcut for one point. Measured with bench/healpix/compare.sh (CPU
// time, order 29, one core of a busy 2-core AMD EPYC VM), against healpy's
// ang2pix: the vector kernel runs at about 7.3× healpy on uniform points and
// 4.9× on ICESat-2-like tracks (where healpy's branches predict well), the
// portable batch form at 3.5× and 2.3×, LatLonToNest at 2.1× and 2.0×.
// Nothing allocates.
//
// # Same bits on every architecture
//
// Go may fuse x·y + z into one instruction on arm64 (our Lambda target),
// ppc64le, s390x, riscv64, loong64 and amd64/v3, which changes the last
// bit. Every product in this package that feeds a sum is wrapped in an
// explicit float64 conversion, which forbids fusion (scripts/ci.d/
// healpix-fma.sh checks the assembly for all six targets), and the
// trigonometry that decides cell ids (z = cos θ, the authalic series) uses
// this package's own transcription of math.Sincos instead of package math,
// whose arm64 build is fused and differs from amd64 on about 2% of
// arguments. The golden tests also run as arm64 binaries under qemu-user
// (scripts/ci.d/healpix-arm64.sh).
//
// mortie (and zagg ≥ 0.6, which hashes with the healpix-rs crate) differs
// from healpy in two ways, and this package follows healpy in both: the
// crate truncates √6 to 2.449489743, which moves a few polar points per
// million at order 18 (≈ 2.4 % at order 29) into a neighbouring cell; and
// the crate breaks ties on cell edges differently: it reads the sign bit of
// the longitude (so −0.0 and −180° on a polar base-cell edge go to the
// western cell, where healpy takes the eastern one), and at the equator at
// ±180° it picks the northern of the four touching cells where healpy picks
// the eastern one.
//
// # Bad input
//
// Data errors never panic. A NaN or infinite coordinate, or a latitude
// outside [−90°, 90°], hashes to Invalid; an index that is not below
// NPix(order) gives Invalid (or NaN coordinates, or an empty result) from
// every function, so Invalid propagates like NaN. Programming errors panic
// with a "healpix:" message: an order outside [0, MaxOrder], a parent order
// finer than the cell's, slices of different lengths.
package healpix
