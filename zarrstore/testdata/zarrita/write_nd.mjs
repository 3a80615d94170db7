// Independent writer of N-D arrays for zarrstore's tests: zarrita (npm)
// writes [time, cells]-like 2-D arrays and a 3-D one, with missing chunks,
// partial edge chunks, big-endian bytes, the "." separator and an identity
// transpose, and prints every array's shape, fill, the region written and
// all values (flat, C order, as strings) so the Go test can compare.
//
// usage: node write_nd.mjs DIR
import * as zarr from "zarrita";
import FileSystemStore from "@zarrita/storage/fs";

const dir = process.argv[2];
const store = new FileSystemStore(dir);
const root = await zarr.create(store, { attributes: { writer: "zarrita" } });
const grp = await zarr.create(root.resolve("t"), { attributes: {} });

const le = { name: "bytes", configuration: { endian: "little" } };
const cases = [
  // [time, cells] like zagg's per-window arrays: chunks [1, C].
  { name: "h_mean", dtype: "float32", fill: NaN, shape: [3, 40], chunks: [1, 16], dims: ["time", "cells"],
    codecs: [le, { name: "zstd", configuration: { level: 1, checksum: true } }], region: [[0, 3], [16, 40]], skipRow: 1 },
  // Chunks spanning several rows, partial at both edges, big endian, ".".
  { name: "big", dtype: "float64", fill: -1.5, shape: [5, 17], chunks: [2, 8], dims: ["a", "b"], sep: ".",
    codecs: [{ name: "bytes", configuration: { endian: "big" } }], region: [[1, 5], [3, 17]] },
  // The identity transpose before bytes.
  { name: "tr", dtype: "int32", fill: 7, shape: [4, 6], chunks: [2, 3], dims: ["x", "y"],
    codecs: [{ name: "transpose", configuration: { order: [0, 1] } }, le], region: [[0, 2], [0, 6]] },
  // 3-D.
  { name: "cube", dtype: "uint16", fill: 9, shape: [2, 3, 5], chunks: [1, 2, 4], dims: ["t", "y", "x"],
    codecs: [le], region: [[1, 2], [0, 3], [1, 5]] },
];
const Typed = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint16: Uint16Array };
const out = { arrays: {} };
for (const c of cases) {
  const arr = await zarr.create(grp.resolve(c.name), {
    shape: c.shape, chunkShape: c.chunks, dtype: c.dtype, fillValue: c.fill, codecs: c.codecs,
    chunkSeparator: c.sep ?? "/", dimensionNames: c.dims,
  });
  const size = c.shape.reduce((a, b) => a * b, 1);
  const all = new Array(size).fill(String(c.fill));
  const strides = c.shape.map((_, d) => c.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const value = (flat) => {
    switch (c.dtype) {
      case "float32": return Math.fround((flat - 20) * 1.25);
      case "float64": return (flat - 20) * 1e10 + 0.5;
      case "int32": return flat * 1000 - 5000;
      case "uint16": return flat * 3;
    }
  };
  const ext = c.region.map(([a, b]) => b - a);
  const n = ext.reduce((a, b) => a * b, 1);
  const vals = new Typed[c.dtype](n);
  for (let k = 0; k < n; k++) {
    // k → index within the region → flat index in the array.
    let rem = k, flat = 0, skip = false;
    for (let d = c.shape.length - 1; d >= 0; d--) {
      const i = c.region[d][0] + (rem % ext[d]);
      rem = Math.floor(rem / ext[d]);
      flat += i * strides[d];
      if (d === 0 && c.skipRow === i) skip = true;
    }
    vals[k] = skip ? c.fill : value(flat);
    all[flat] = String(vals[k]);
  }
  const regionStrides = ext.map((_, d) => ext.slice(d + 1).reduce((a, b) => a * b, 1));
  await zarr.set(arr, c.region.map(([a, b]) => zarr.slice(a, b)), { data: vals, shape: ext, stride: regionStrides });
  out.arrays["t/" + c.name] = { dtype: c.dtype, fill: String(c.fill), shape: c.shape, chunks: c.chunks, region: c.region, data: all };
}
console.log(JSON.stringify(out));
