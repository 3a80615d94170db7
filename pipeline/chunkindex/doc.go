// Package chunkindex builds, stores and reads per-granule chunk indexes: a
// small sidecar object per granule that tells a worker which row blocks of
// each beam can hold points of its parent cell, and where the chunks of the
// datasets it reads lie in the file, so that it fetches and decodes only
// those chunks.
//
// Without an index, every worker of a parent cell inflates the whole
// latitude and longitude arrays of every granule that touches its cell, to
// find the rows inside it. An ICESat-2 ATL06 granule crosses tens of
// order-6 parent cells, so over a run each granule's coordinates are
// decoded tens of times. An [Index] is built once per granule ([Build]: one
// decode of its coordinates) and records, for every group (beam):
//
//   - the rows of each block (a latitude chunk: 10,000 rows in ATL06) and the
//     parent cells its points fall in, hashed exactly as the pipeline's
//     reader hashes them (latitude convention, then HEALPix nested order 29,
//     then the parent's order), so a block not listing a cell holds none of
//     its points and the reader's result is the same with or without the
//     index;
//   - for every dataset a worker reads (the coordinates, the variables and
//     the filter datasets of a config), the location of each stored chunk:
//     row, file offset, stored size and filter mask, which
//     h5read.Dataset.UseChunkLocations reads through instead of the
//     dataset's B-tree.
//
// An index carries the identity of its granule (size and the SHA-256 of its
// first 4 KiB, [Index.Check]) and the parent order and latitude convention
// it was built for: a stale or foreign index is refused and the reader
// falls back to reading the granule whole.
//
// Indexes are encoded in a compact, versioned binary form ([Index.Encode],
// [Decode]) that is validated when read, and stored as sidecar objects next
// to the output store, under [Prefix] ([Store], written through a
// zarrstore.Backend). [Builder] builds the indexes of many granules with
// bounded parallelism.
package chunkindex
