// Independent check of zagg stores for pipeline's end-to-end test: opens a
// store folder with zarrita (npm; installed by scripts/ci.d/zarrstore-zarrita.sh
// into zarrstore/testdata/zarrita/node_modules, which the Go test links next
// to a copy of this script) through its consolidated metadata, and reads the
// requested ranges of arrays. Prints one JSON document on stdout.
//
// usage: node read_chunks.mjs REQUEST.json
//
// REQUEST: {"store": DIR, "reads": [{"array": "12/count", "start": N, "stop": M}, ...]}
// OUTPUT:  {"contents": ["array:/12/count", ...],
//           "reads": [{"array", "dtype", "shape", "chunks", "attrs", "data": [strings]}]}
// Values are strings: uint64/int64 come back as BigInt, floats may be NaN.
import * as zarr from "zarrita";
import FileSystemStore from "@zarrita/storage/fs";
import { readFileSync } from "node:fs";

const req = JSON.parse(readFileSync(process.argv[2], "utf8"));
const store = await zarr.withConsolidatedMetadata(new FileSystemStore(req.store), { format: "v3" });
const root = zarr.root(store);
const out = { contents: store.contents().map((c) => `${c.kind}:${c.path}`).sort(), reads: [] };
const str = (v) => (typeof v === "bigint" ? v.toString() : String(v));
for (const r of req.reads) {
  const arr = await zarr.open(root.resolve(r.array), { kind: "array" });
  const sel = await zarr.get(arr, [zarr.slice(r.start, r.stop)]);
  const data = [];
  for (let i = 0; i < sel.data.length; i++) {
    data.push(str(sel.data.get ? sel.data.get(i) : sel.data[i]));
  }
  out.reads.push({ array: r.array, dtype: arr.dtype, shape: arr.shape, chunks: arr.chunks, attrs: arr.attrs, data });
}
console.log(JSON.stringify(out));
