// Package renderbench measures package render end to end on an order-12
// store of the Antarctic ice sheet: every order-12 cell of the order-6
// parent cells that cover the 27 drainage basins (cmr.Antarctica), about
// 1,500 chunks of 4,096 cells, in a memory store (zstd).
//
// Run it with
//
//	go test -run XXX -bench . -benchtime 3x ./bench/render/
//
// Benchmarks:
//
//   - ReadLayer: reading and decoding every chunk into a render.Layer
//     (cells/s).
//   - Render/3000x3000: render.Render of that layer to a 3000×3000-pixel
//     EPSG:3031 map with title and colorbar (the target: well under
//     2 s), reporting Mpixel/s.
//   - Rasterize/3000x3000: the map alone, without layout and limits.
//
// Setup (covering Antarctica and writing the store) takes a few seconds and
// is not timed. Besides wall time, each benchmark reports the process's CPU
// time per operation (cpu-s/map, cpu-s/op), which stays meaningful on a
// shared machine.
//
// Results on the 2-core AMD EPYC development sandbox, shared with other jobs
// (load average 16–20, so wall times were 2.4–7.5 s per map and are not
// representative), Go 1.26, 1,345 chunks, 5.5 million cells, 9 million
// pixels of which about 45 % show data:
//
//	ReadLayer                 0.06–0.07 CPU-s per read (about 80 Mcells per CPU-second)
//	Render/3000x3000          0.73–0.80 CPU-s per map, 1 or 2 goroutines
//	Rasterize/3000x3000       0.63–0.69 CPU-s per map
//
// So a 3000×3000 map takes about 0.75 s of CPU: ~0.75 s on one idle core,
// ~0.4 s on two. Before empty-region skipping and the sin/cos-free inverse
// projection the rasteriser took about 1.05 CPU-s per map. The per-pixel
// cost splits roughly evenly between the inverse projection, the authalic
// latitude conversion and the HEALPix hash.
package renderbench
