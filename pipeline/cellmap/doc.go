// Package cellmap is the one-pass map step of issue #19: for each granule,
// one object holding the granule's points routed to their parent cells, so
// that the worker of a parent cell reads only its cell's bytes of each of
// its granules instead of decoding the granule's coordinates again.
//
// The map step (pipeline.CellReader.MapGranule, driven by [Builder] through
// pipeline.MapBuild) reads a granule once — every column a config's
// aggregation needs, with the same per-group rules, fill checks, latitude
// convention and column selectors as the cell reader — hashes each point to
// its order-29 cell once, and writes one object per granule: the points
// grouped by parent cell, in the reader's order (groups in config order,
// rows in file order), each cell's order-29 cells and columns stored as
// separate blocks, optionally byte-shuffled and zstd-compressed ([Zstd]).
//
// Layout of an object (version 1):
//
//	[cell 0: cells block, column 0 block, column 1 block, …][cell 1 …]…
//	[footer][trailer: footer length u32, CRC-32C of the footer u32, version u16, "ZCMAP\x00"]
//
// The footer ([Footer]) carries the granule's identity (size and SHA-256
// of its first 4 KiB, as package chunkindex), a digest of the reader
// settings the object was built for (pipeline computes it), the parent
// order, the codec, the columns and, per parent cell in ascending order,
// its point count, the reader's counters, the stored length of each block
// and the CRC-32C of the cell's bytes. A worker reads the footer with one
// suffix read (cached per process by [Store]), then its cell's bytes with
// one range read ([Store.ReadCell]).
//
// Objects live next to the output store under [Prefix], written through a
// zarrstore.Backend (a local folder or S3). Decoding is safe on hostile
// input: every count is bounded by the bytes present, a cell's points by a
// limit the caller gives, and every failure wraps one of the package's
// sentinel errors.
package cellmap
