// Package lambda runs zagg's per-cell pipeline on AWS Lambda: the only
// package of zagg that imports the Lambda SDK.
//
// Both sides of an invocation live here. On the caller's side, Runner
// processes a catalog the way pipeline.Runner does locally — it selects the
// cells, takes the store's lease, sends one setup event, dispatches one
// process event per parent cell with a dispatch.Dispatcher and finalizes —
// and Executor runs each attempt as one synchronous invocation, mapping
// throttles, timeouts, crashes and the worker's answer onto the
// dispatcher's retry policy. On the function's side, Worker answers
// Events: "process" runs pipeline.Run for one cell, "setup" and "finalize"
// prepare and finish the store. Events and Responses keep zagg 0.1.0's JSON
// field names, so either side interoperates with the Python release.
//
// Cells travel as CellKey (the decimal legacy morton id, a JSON number or
// string) only inside events; everything else carries morton.Cell. See
// docs/lambda.md for deployment, the retry table and why invocations are
// synchronous.
package lambda
