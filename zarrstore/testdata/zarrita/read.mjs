// Independent reader for zarrstore's tests: reads a Zarr v3 store with
// zarrita (npm) and validates group metadata against the DGGS convention's
// JSON schema with ajv. Prints one JSON document on stdout.
//
// usage: node read.mjs REQUEST.json
//
// REQUEST: {"store": DIR, "schema": FILE, "consolidated": bool,
//           "groups": [PATH, ...], "arrays": [PATH, ...]}
// Arrays (of any rank) are read whole; values are printed as strings, flat
// in C order (uint64/int64 come back as BigInt, floats as "NaN"/"Infinity"
// where needed).
import * as zarr from "zarrita";
import FileSystemStore from "@zarrita/storage/fs";
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const req = JSON.parse(readFileSync(process.argv[2], "utf8"));
let store = new FileSystemStore(req.store);
const out = { groups: {}, arrays: {} };
if (req.consolidated) {
  store = await zarr.withConsolidatedMetadata(store, { format: "v3" });
  out.contents = store.contents().map((c) => `${c.kind}:${c.path}`).sort();
}
const root = zarr.root(store);

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(readFileSync(req.schema, "utf8")));

for (const path of req.groups ?? []) {
  const grp = await zarr.open(root.resolve(path), { kind: "group" });
  // Validate the stored document itself, as written.
  const doc = JSON.parse(readFileSync(join(req.store, path, "zarr.json"), "utf8"));
  const valid = validate(doc);
  out.groups[path] = { attrs: grp.attrs, valid, errors: validate.errors ?? [] };
}

const str = (v) => (typeof v === "bigint" ? v.toString() : String(v));

for (const path of req.arrays ?? []) {
  const arr = await zarr.open(root.resolve(path), { kind: "array" });
  const sel = await zarr.get(arr, arr.shape.map(() => null));
  // Walk the result in C order through its strides (whatever its layout).
  const size = sel.shape.reduce((a, b) => a * b, 1);
  const idx = sel.shape.map(() => 0);
  const data = [];
  for (let k = 0; k < size; k++) {
    let off = 0;
    for (let d = 0; d < idx.length; d++) off += idx[d] * sel.stride[d];
    data.push(str(sel.data.get ? sel.data.get(off) : sel.data[off]));
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < sel.shape[d]) break;
      idx[d] = 0;
    }
  }
  out.arrays[path] = {
    dtype: arr.dtype,
    shape: arr.shape,
    chunks: arr.chunks,
    fill_value: str(arr.fillValue),
    attrs: arr.attrs,
    dimension_names: arr.dimensionNames ?? null,
    data,
  };
}
console.log(JSON.stringify(out));
