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
// is not timed.
package renderbench
