// Package zarrstorebench measures zarrstore's chunk write and read
// throughput end to end: encoding plus the backend, for a local folder and
// for the loopback S3 server of internal/s3test (real HTTP, real SDK).
//
// Run it with
//
//	go test -run XXX -bench . -benchtime 2s ./bench/zarrstore/
//
// Each chunk is one order-12 child block of an order-6 parent cell: 4096
// float32 values (16 KiB raw), 60% NaN. Reported: MB/s of raw chunk data,
// chunks/s, stored bytes per chunk, and process CPU time per chunk
// (cpu-µs/chunk, which includes the in-process S3 server and is steadier
// than wall time on a shared machine). Writers run 4 goroutines per CPU,
// each writing distinct chunks, as the pipeline's workers do.
package zarrstorebench
