#!/usr/bin/python3
"""Golden values for the real ATL06 granule, made with libhdf5 through h5py.

Usage (from h5read/): /usr/bin/python3 testdata/mkgolden_atl06.py \
    ../../shared/testdata/granules/ATL06_20181013235645_02340114_209_01.h5 testdata/atl06_golden.json

For every dataset under /gt*/land_ice_segments (recursively): shape, numpy
dtype string, chunk shape, fill value, attributes, libhdf5's chunk table
(H5Dget_chunk_info), the sha256 of the data as
little-endian bytes, and a few sample values; the same for every other
dataset of the file ("other_datasets"), and the attributes of every group.
Attribute values longer than 1024 are stored as a digest. The Go tests
compare h5read against this file; CI does not run Python.
"""
import hashlib
import json
import math
import sys

import h5py
import numpy as np


def num(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def digest(v):
    """Long values are compared by digest: sha256 of the string, or of the
    numbers written with repr and joined by commas."""
    if isinstance(v, str):
        return {"len": len(v), "sha256": hashlib.sha256(v.encode("utf-8", "surrogateescape")).hexdigest()}
    return {"len": len(v), "sha256": hashlib.sha256(",".join(str(x) for x in v).encode()).hexdigest()}


def attr_value(a):
    v = attr_value_full(a)
    if isinstance(v, (str, list)) and len(v) > 1024:
        return digest(v)
    return v


def attr_value_full(a):
    if isinstance(a, bytes):
        return a.decode("utf-8", "surrogateescape")
    if isinstance(a, str):
        return a
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return int(a) if a.ndim == 0 else [int(x) for x in a.ravel()]
    if a.dtype.kind == "f":
        return num(a) if a.ndim == 0 else [num(x) for x in a.ravel()]
    if a.dtype.kind == "S":
        return a.item().decode() if a.ndim == 0 else [x.decode() for x in a.ravel()]
    return None


def attrs_of(obj):
    attrs = {}
    for k in obj.attrs:
        cls = obj.attrs.get_id(k).get_type().get_class()
        if cls in (h5py.h5t.INTEGER, h5py.h5t.FLOAT, h5py.h5t.STRING):
            attrs[k] = attr_value(obj.attrs[k])
        else:
            attrs[k] = None
    return attrs


def main(src, dst):
    out = {"file": src.rsplit("/", 1)[-1], "h5py": h5py.version.version,
           "hdf5": h5py.version.hdf5_version, "datasets": {}}
    with h5py.File(src, "r") as f:
        beams = sorted(k for k in f if k.startswith("gt"))

        def record(obj):
            data = np.asarray(obj[()])
            numeric = data.dtype.kind in "iuf"
            le = np.ascontiguousarray(data)
            if numeric:
                le = le.astype(data.dtype.newbyteorder("<"))
            flat = le.ravel()
            fv = obj.fillvalue
            table = []
            if obj.chunks:
                for i in range(obj.id.get_num_chunks()):
                    ci = obj.id.get_chunk_info(i)
                    table.append([list(ci.chunk_offset), ci.filter_mask, ci.byte_offset, ci.size])
            plist = obj.id.get_create_plist()
            return {
                "chunk_table": table if obj.chunks else None,
                "fill_defined": plist.fill_value_defined() == h5py.h5d.FILL_VALUE_USER_DEFINED,
                "shape": list(obj.shape),
                "dtype": obj.dtype.str,
                "chunks": list(obj.chunks) if obj.chunks else None,
                "filters": [k for k in ("shuffle", "compression", "fletcher32") if getattr(obj, k)],
                "fill": (num(fv) if obj.dtype.kind == "f" else int(fv)) if numeric else 0,
                "attrs": attrs_of(obj),
                "sha256": hashlib.sha256(le.tobytes()).hexdigest(),
                "head": [num(x) for x in flat[:3]] if numeric else [],
                "tail": [num(x) for x in flat[-2:]] if numeric else [],
                "nfill": int(np.count_nonzero(flat == fv)) if numeric else 0,
            }

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out["datasets"][obj.name] = record(obj)

        def visit_other(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.name not in out["datasets"]:
                out["other_datasets"][obj.name] = record(obj)

        for b in beams:
            g = f[b + "/land_ice_segments"]
            g.visititems(visit)

        # Attributes of every group in the file (compact and dense storage).
        groups = {"/": attrs_of(f)}

        def visit_group(name, obj):
            if isinstance(obj, h5py.Group):
                groups[obj.name] = attrs_of(obj)

        f.visititems(visit_group)
        out["groups"] = groups

        # Every other dataset of the file (ancillary data, metadata, other
        # groups): compact, contiguous and chunked layouts, strings.
        out["other_datasets"] = {}
        f.visititems(visit_other)
    with open(dst, "w") as fh:
        json.dump(out, fh, indent=0, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
