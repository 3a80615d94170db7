// Package dispatch runs many jobs, one parent cell each, on an Executor with
// bounded concurrency and zagg's retry policy, and reports one record per
// job.
//
// It knows nothing of configs, granules or stores: a Job is a cell, the
// granule URLs the catalog lists for it and the identity of the attempt
// (run, generation, attempt number) that fences its writes; an Executor
// runs one attempt and answers with the worker's CellResult, zagg 0.1.0's
// per-cell record. The local executor (package pipeline) runs the cell in
// this process; the Lambda executor (package pipeline/lambda) invokes a
// function.
//
// # Retry policy
//
// A failure says what it is, so nothing is retried on a guess: an Executor
// returns errors wrapping ErrTransient, ErrTimeout or ErrDeterministic, or a
// *ThrottleError, and a worker's CellResult carries an ErrorKind. Throttles
// back off (honouring Retry-After) and pause every worker; attempts that
// failed before the worker answered get up to Dispatcher.MaxAttempts; a
// worker's transient result, whose requests were already retried inside it,
// gets one more attempt; timeouts get one more; deterministic failures and
// empty cells are final. Transient and timeout retries draw on a run-wide
// budget, so a broken dependency cannot multiply a run's cost. Backoff is
// exponential with full jitter (internal/retry, the one backoff of zagg).
//
// # Reports
//
// Dispatcher.Run returns a Report: one CellRecord per job in input order,
// and a Summary (cells with data, empty, failed, timed out, skipped;
// attempts; compute seconds and, given the memory and a price, GB-seconds
// and an estimated cost). Report.Failed turns failed cells into a
// *CellsFailedError, Report.Redact removes credentials from messages, and
// Finish does both at the end of a run. OnStart and OnRecord let a caller
// show progress.
package dispatch
