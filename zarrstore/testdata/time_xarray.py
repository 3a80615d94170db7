#!/usr/bin/env python3
"""zarrstore's time dimension against xarray, zarr-python and xdggs.

Run by zarrstore's TestXarrayTimeStore and TestReadZarrPythonShards with the
pinned venv of scripts/python (xarray, zarr 3, xdggs).

    python time_xarray.py read REQUEST.json
        REQUEST: {"store": DIR, "group": "4",
                  "time": [ISO, ...], "time_bnds": [[ISO, ISO], ...],
                  "vars": {NAME: {"dims": [...], "shape": [...],
                                  "values": [flat C order, null = missing]}}}
        Opens the group with xr.open_zarr and checks: dimensions, time and
        time_bnds decoded to datetime64 (CF units, calendar and the "bounds"
        attribute), every value (missing cells NaN), a window selected by
        date, and that xdggs decodes the group. Prints "ok" and exits 0, or
        the failures and exits 1.

    python time_xarray.py write DIR
        zarr-python writes sharded [time, cells] arrays (shards [1, 32] of
        inner chunks [1, 8], zstd; shards [4, 16] of inner chunks [2, 8],
        gzip, inner chunks not contiguous in the shard) with windows and
        chunks left unwritten, and prints, as JSON, each array's dtype,
        fill value, shape, chunk (shard) shape and all values, flat in C
        order (null for NaN).
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore", message="Consolidated metadata is currently not part")

import numpy as np  # noqa: E402


def read(req):
    import xarray as xr
    import xdggs

    fails = []

    def check(cond, what):
        if not cond:
            fails.append(what)

    ds = xr.open_zarr(req["store"], group=req["group"])
    check(np.issubdtype(ds["time"].dtype, np.datetime64), f"time dtype {ds['time'].dtype}, want datetime64")
    check(ds["time"].dims == ("time",), f"time dims {ds['time'].dims}")
    got = [str(v) for v in ds["time"].values.astype("datetime64[s]")]
    check(got == req["time"], f"time = {got}, want {req['time']}")
    check(ds["time"].attrs.get("bounds") == "time_bnds", f"time attrs {ds['time'].attrs}")
    check(ds["time"].encoding.get("units") == "seconds since 2018-01-01 00:00:00",
          f"time encoding units {ds['time'].encoding.get('units')}")
    check(ds["time"].encoding.get("calendar") == "standard", f"time encoding calendar {ds['time'].encoding.get('calendar')}")
    check("time_bnds" in ds.variables, "no time_bnds")
    tb = ds["time_bnds"]
    check(tb.dims == ("time", "nv"), f"time_bnds dims {tb.dims}")
    check(np.issubdtype(tb.dtype, np.datetime64), f"time_bnds dtype {tb.dtype}, want datetime64 (decoded with time's units)")
    gotb = [[str(v) for v in row] for row in tb.values.astype("datetime64[s]")]
    check(gotb == req["time_bnds"], f"time_bnds = {gotb}, want {req['time_bnds']}")
    check("cell_ids" in ds.coords, f"cell_ids is not a coordinate: {list(ds.coords)}")
    for name, want in req["vars"].items():
        v = ds[name]
        check(list(v.dims) == want["dims"], f"{name} dims {v.dims}, want {want['dims']}")
        check(list(v.shape) == want["shape"], f"{name} shape {v.shape}, want {want['shape']}")
        exp = np.array([np.nan if x is None else x for x in want["values"]], dtype=float).reshape(want["shape"])
        vals = np.asarray(v.values, dtype=float)
        if vals.shape == exp.shape:
            bad = ~((vals == exp) | (np.isnan(vals) & np.isnan(exp)))
            check(not bad.any(), f"{name}: {int(bad.sum())} values differ, first at {np.argwhere(bad)[:3].tolist()}")
    # A window selected by date is the window's row.
    first = next((n for n, w in req["vars"].items() if w["dims"] == ["time", "cells"]), None)
    if first is not None and len(req["time"]) > 1:
        row = ds[first].sel(time=np.datetime64(req["time"][1])).values
        check(np.array_equal(row, ds[first].values[1], equal_nan=True), f"{first}.sel(time=window 1) is not row 1")
    # xdggs decodes the group with per-window variables.
    try:
        dd = ds.pipe(xdggs.decode)
        info = dd.dggs.grid_info
        check(info.level == int(req["group"]), f"xdggs level {info.level}")
        check(dd[first].dims == ("time", "cells") if first else True, f"after xdggs.decode: {dd[first].dims}")
    except Exception as e:  # noqa: BLE001
        fails.append(f"xdggs.decode: {type(e).__name__}: {e}")
    if fails:
        for f in fails:
            print("FAIL", f)
        return 1
    print("ok")
    return 0


def write(path):
    import zarr
    from zarr.codecs import GzipCodec, ZstdCodec

    root = zarr.open_group(path, mode="w", zarr_format=3)
    g = root.create_group("t")
    out = {}
    cases = [
        ("h_mean", "float32", np.nan, (3, 64), (1, 8), (1, 32), [ZstdCodec(level=1)]),
        ("count", "int32", 0, (5, 40), (2, 8), (4, 16), [GzipCodec(level=1)]),
    ]
    for name, dtype, fill, shape, inner, shard, compressors in cases:
        a = g.create_array(name, shape=shape, chunks=inner, shards=shard, dtype=dtype, fill_value=fill,
                           compressors=compressors, dimension_names=["time", "cells"])
        vals = np.full(shape, fill, dtype=dtype)
        rng = np.random.default_rng(len(name))
        # Window 0 and the last, first 24 cells; the inner chunk 8…15 of
        # window 0 stays fill (an empty inner chunk); window 1 unwritten.
        for t in (0, shape[0] - 1):
            row = (rng.normal(size=24) * 100).astype(dtype) if dtype.startswith("float") else rng.integers(1, 1000, 24).astype(dtype)
            if t == 0:
                row[8:16] = fill
            vals[t, :24] = row
            a[t, :24] = row
        flat = [None if vals.dtype.kind == "f" and np.isnan(x) else x.item() for x in vals.reshape(-1)]
        out["t/" + name] = {"dtype": dtype, "fill": None if isinstance(fill, float) and np.isnan(fill) else fill,
                            "shape": list(shape), "chunks": list(shard), "inner": list(inner), "data": flat}
    print(json.dumps({"arrays": out}))
    return 0


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("read", "write"):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "read":
        with open(sys.argv[2]) as f:
            return read(json.load(f))
    return write(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
