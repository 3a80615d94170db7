// Package zarrstore writes and reads Zarr v3 stores laid out on the HEALPix
// grid with the DGGS convention, on a local folder, S3, or memory.
//
// # Layout
//
// A zagg store (layout "dense", docs/format.md) holds one group per HEALPix
// order ("12/", "6/", …) and, in the root's "zagg" attribute, the parent
// list: the parent cells (NESTED ids at the parent order) in chunk order.
// Each group carries the zarr-conventions/dggs v1 attributes (HEALPix,
// NESTED, the refinement level, the WGS84 ellipsoid for authalic latitudes
// and none — a sphere — for geodetic ones, coordinate "cell_ids"; built by
// [Grid.GroupAttributes]) and a project attribute "zagg" with the parent
// order and the latitude convention. The arrays of a group run along the
// dimension "cells": "cell_ids" (uint64 NESTED ids; also carrying the
// attributes xdggs' default convention reads), "morton" (int64 legacy or
// uint64 packed ids) and one array per statistic. For orders at or finer
// than the parent order chunk i holds the 4^(order−parent order) children
// of the i-th parent, so an array has len(parents)·4^(order−parent order)
// elements ([Grid]); coarser orders hold only the cells with data, in
// chunks of [CoarseChunkLen]. Every cell_ids value is a real cell; the
// fill value 12·4^order is none.
//
// # Time
//
// A store with a time axis ([Layout.Time], a [TimeAxis]) has a leading
// dimension "time": each statistic with [Variable.PerWindow] is 2-D,
// [time, cells], in chunks of [1, chunk length] (chunk (t, i) is window t
// of parent i, key "<array>/c/<t>/<i>"), and each order group has the CF
// coordinates "time" ([TimeArray], float64 [time]) and "time_bnds"
// ([TimeBoundsArray], float64 [time, 2]); the root's "zagg" attribute
// counts the committed "windows". Other statistics (e.g. a trend over all
// windows), cell_ids and morton stay 1-D. [Store.Setup] appends windows as
// it appends parents: only metadata and the time coordinates are
// rewritten, never a statistic chunk. [Store.TimeAxis] reads the windows
// back.
//
// # Writing
//
// A run calls [Store.Setup] once with a [Layout]; it writes all metadata
// and the coordinates of the run's parents (root last), or, for an existing
// store, checks that it matches and appends the new parents. Workers then
// call [Store.WriteChunk] (or [Array.WriteChunk]; [Store.WriteChunkAt] and
// [Array.WriteChunkAt] for [time, cells] arrays) for their own chunks: each
// chunk is encoded in memory and stored with one atomic Put (temporary file
// plus rename on a folder, one PutObject on S3), and metadata is never
// rewritten, so any number of goroutines or processes write distinct chunks
// without locks, and a retried write is idempotent. [Array.ChunkExists] and
// [Array.ListChunks] let a resumed run skip finished cells. At the end
// [Store.Consolidate] writes consolidated metadata into the root zarr.json as
// zarr-python does.
//
// # Reading
//
// [Store.OpenOrder] opens an order group of a zagg store with its arrays
// (also the stores of Python zagg 0.1.0 and of the first whole-sphere
// layout); [Store.OpenGroup] and [Store.OpenArray] read metadata back
// ([GridFromAttributes] recovers the grid of an order group), [Store.Nodes]
// lists the hierarchy,
// [Array.ReadChunk] returns one chunk and [Array.ReadRange] any element
// range of a 1-D array, [Array.ReadChunkAt] one chunk of an array of any
// rank ([Array.Rank]; [OrderGroup.PerWindow]); chunks never written read as
// the fill value. The reader also accepts stores written by other Zarr v3
// writers within the features below.
//
// # Supported Zarr v3 features
//
//   - Arrays: rank 1 to 4, regular chunk grid (a chunk holds at most
//     1 GiB), default chunk key encoding with "/" (reading also "."; keys
//     "c/<i>/<j>/…"), data types bool, int8…int64, uint8…uint64, float32,
//     float64, fill values as numbers, true/false, "NaN", "Infinity",
//     "-Infinity" and "0x…" raw bits. Chunks of N-D arrays are whole (the
//     edge chunks too, padded with the fill value as Zarr stores them) and
//     passed as flat C-order slices.
//   - Codecs: bytes (little or big endian), gzip, zstd, crc32c,
//     sharding_indexed of any rank (index at the end when writing, either
//     end when reading; inner chunks holding only the fill value are not
//     stored; written N-D shards split the last dimension, e.g. [1, 4096]
//     into [1, 256], and any inner chunk shape that divides the shard is
//     read), and the identity transpose.
//   - Groups with attributes, consolidated metadata (kind "inline").
//   - Not supported: arrays of rank above 4, other chunk grids, storage
//     transformers, variable-length types, non-identity transposes,
//     partial (range) reads of shards, [Array.ReadRange] of N-D arrays.
//
// Go data is passed as slices of the element type matching the data type
// ([]float32 for float32, []uint64 for uint64, …; see [Element]).
// Metadata and chunks from a store are untrusted: malformed input gives an
// error wrapping one of the Err… sentinels, never a panic, and every
// allocation is bounded by the chunk size declared in validated metadata
// (itself at most 1 GiB).
//
// # Backends
//
// [Backend] is a small key-value interface with two implementations here,
// [FSBackend] and [MemBackend]; the S3 backend is package zarrstore/s3store
// (aws-sdk-go-v2; seekable bodies; configurable checksum modes; retries of
// 5xx, 503 SlowDown, 429 and dropped connections with exponential backoff
// and jitter), kept apart so that this package imports no AWS SDK. [Open]
// picks a backend from a location string: a folder or "memory:" here, and
// any location whose prefix an option registers with [WithScheme] for that
// call ("s3://" with s3store.WithClient). [Versioned] backends (all three)
// also do the conditional writes that fence concurrent writers.
//
// The S3 tests, and how to run them against another S3-compatible server
// such as versitygw, are described in zarrstore/s3store.
package zarrstore
