// Package pipeline runs zagg end to end: it turns the granules of a catalog
// into a Zarr v3 store of per-cell statistics on the HEALPix grid.
//
// # The job
//
// A run has three steps. A catalog (package cmr) maps each parent cell
// (HEALPix order ~6, ~100 km) to the granules whose footprint touches it.
// For each parent cell one worker reads, from every granule of the cell,
// only the rows whose coordinates fall in the cell (package h5read, byte
// ranges over S3, HTTPS or local files), applies the filters, bins the
// points into child cells (order ~12, ~1.5 km) and computes the configured
// statistics at every order from the child order down to the parent order
// (package agg). It then writes the cell's chunk of every output array into
// one shared Zarr v3 store (package zarrstore); chunks never overlap, so
// workers need no locks. Orders coarser than the parent come from merging
// the parent cells' partial states in a finalize step (exact for mergeable
// statistics, medians and quantiles from t-digest sketches).
//
// Workers run as goroutines (examples/local) or as AWS Lambda functions
// (examples/lambda) fanned out with bounded concurrency and retries of
// transient failures only. Everything is a library call first; the
// commands are thin.
//
// # Composable pieces
//
// Run processes one parent cell: a CellReader (granules through an Opener:
// S3, HTTPS, a directory or an fs.FS) yields the cell's Points, an
// Aggregator (the config's compiled aggregation, package agg) computes the
// statistics, and a Store (package zarrstore) writes the cell's chunks.
// Jobs turns a catalog's cells (cmr.Catalog) into dispatch.Jobs; Runner runs
// a catalog locally (resumable: cells already written are skipped) on a
// dispatch.Dispatcher with a LocalExecutor. Every call that does I/O takes a
// context.
//
// The packages below this one keep one job each:
//
//	pipeline/config     the YAML configuration: load, validate, built-ins
//	pipeline/dispatch   run many jobs with bounded concurrency and the retry policy
//	pipeline/lambda     the same run on AWS Lambda: runner, executor, worker, events
//	pipeline/chunkindex per-granule chunk indexes, so a cell decodes only its blocks of rows
//	pipeline/timewin    time windows, GPS time and the CF time coordinate
//
// # Time windows and trends
//
// With the config's output.time, Aggregator.Aggregate sorts a cell's points
// by time window (the time column is read with the others, so each granule
// is read once for all windows) and computes every statistic per window
// (CellStats.Windows); with output.trend it fits each cell's trend over the
// windows at every order (CellStats.Trend, agg.FitTrends). The Store writes
// chunk (window, parent) of the [time, cells] statistic arrays and the trend
// arrays, and Finalize merges each window's partial states into the coarser
// orders before fitting their trends.
//
// # Writing, resuming, coarser orders
//
// Store.Setup, run once before the workers, adds the run's parent cells to
// the store's parent list (chunk i of every order from the parent to the
// child order holds the children of the i-th parent; docs/format.md) and
// writes their coordinates, so a store grows with the area covered and a
// later run extends it. A cell's chunks are written only after the whole
// cell was read and aggregated, each chunk as one atomic object. Cells never
// share a chunk, so any number of workers write one store without locks.
//
// Every write is fenced (Store.WriteCell): an attempt, identified by its
// run's lease generation, run id and attempt number, claims the cell's
// object under MarkersPrefix with a conditional write before it writes any
// chunk and commits by replacing its own claim, so a stale or duplicated
// attempt never overwrites or deletes what a newer one committed
// (ErrSuperseded, ErrCellBusy). The cell object records the digest of the
// cell's input (CellDigest): a resumed run skips cells committed from the
// same input and redoes the others (Store.Skipper). Runner and lambda.Runner
// hold the store's lease (Store.AcquireLease) while they run, so a second
// run on the same store is refused (ErrStoreBusy). When output.orders lists orders
// coarser than the parent order, each cell also stores its partial states
// (count, Σw, Σwx, moments, min, max, and a t-digest of each quantile's
// argument) under zagg-partials/, a folder Zarr readers ignore, and
// Store.Finalize merges them in a deterministic order: exact for mergeable
// statistics, medians and quantiles estimated from the merged sketches
// (exact up to 500 points per cell, agg.Digest), from the cells committed
// with the current config. Failed attempts are classified in
// dispatch.CellResult.ErrorKind (empty, transient, timeout, deterministic,
// superseded) and the Dispatcher retries only what may pass.
//
// # Configuration
//
// The YAML configuration (data_source, aggregation, output) is package
// pipeline/config; a Config loaded there is what NewAggregator, NewCellReader
// and the runners take.
package pipeline
