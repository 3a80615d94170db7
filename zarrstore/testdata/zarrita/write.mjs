// Independent writer for zarrstore's tests: zarrita (npm) writes a Zarr v3
// store that zarrstore must read. Prints, as JSON, every array's path and
// the values written (as strings) so the Go test can compare.
//
// usage: node write.mjs DIR
import * as zarr from "zarrita";
import FileSystemStore from "@zarrita/storage/fs";

const dir = process.argv[2];
const store = new FileSystemStore(dir);
const root = await zarr.create(store, { attributes: { writer: "zarrita" } });
const grp = await zarr.create(root.resolve("g"), { attributes: { note: "written by zarrita" } });

const n = 40, chunk = 16;
const cases = [
  // zarrita 0.7.5 encodes only bytes, zstd (numcodecs wasm) and a few
  // filters: gzip, crc32c and sharding are decode-only there.
  { name: "f32_zstd_sum", dtype: "float32", fill: NaN, codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "zstd", configuration: { level: 1, checksum: true } }] },
  { name: "f64_big", dtype: "float64", fill: -1.5, codecs: [{ name: "bytes", configuration: { endian: "big" } }] },
  { name: "i64_zstd", dtype: "int64", fill: 0, codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "zstd", configuration: { level: 3, checksum: false } }] },
  { name: "u16", dtype: "uint16", fill: 9, codecs: [{ name: "bytes", configuration: { endian: "little" } }] },
  { name: "i8_dot", dtype: "int8", fill: -1, sep: ".", codecs: [{ name: "bytes" }] },
];
const out = { arrays: {} };
for (const c of cases) {
  const arr = await zarr.create(grp.resolve(c.name), {
    shape: [n], chunkShape: [chunk], dtype: c.dtype, fillValue: c.fill, codecs: c.codecs,
    chunkSeparator: c.sep ?? "/", dimensionNames: ["cells"],
  });
  // Write elements 16..39 (chunks 1 and the partial edge chunk 2); chunk 0
  // stays missing and reads as fill.
  const vals = [];
  for (let i = 16; i < n; i++) {
    let v;
    switch (c.dtype) {
      case "float32": v = Math.fround((i - 20) * 1.25); break;
      case "float64": v = (i - 20) * 1e10 + 0.5; break;
      case "int64": v = BigInt(i - 20) * 1000000000000n; break;
      case "uint16": v = i * 1000; break;
      case "int8": v = i - 30; break;
    }
    vals.push(v);
  }
  const Typed = { float32: Float32Array, float64: Float64Array, int64: BigInt64Array, uint16: Uint16Array, int8: Int8Array }[c.dtype];
  await zarr.set(arr, [zarr.slice(16, n)], { data: Typed.from(vals), shape: [n - 16], stride: [1] });
  const all = [];
  for (let i = 0; i < n; i++) all.push(i < 16 ? String(c.fill) : String(vals[i - 16]));
  out.arrays["g/" + c.name] = { dtype: c.dtype, fill: String(c.fill), data: all };
}
console.log(JSON.stringify(out));
