#!/usr/bin/python3
"""Expected values for the built-in atl07 config on a real ATL07 granule.

Rerun from the repository root with Debian's interpreter (python3-h5py,
python3-healpy, python3-numpy; `apt-get install -y python3-h5py python3-healpy`):

    /usr/bin/python3 pipeline/testdata/atl07/mkexpected.py

It reads ../shared/testdata/granules/processed_ATL07-01_20190222003738_08490201_003_02.h5
(an Arctic subset: RGT 849, 2019-02-22; beam gt2r holds no sea_ice_segments
coordinates) and writes pipeline/testdata/atl07/expected.json, which
pipeline/config_atl07_test.go compares with what zagg stores.

Independently of zagg's Go code it
  * reads latitude, longitude, height_segment_height, height_segment_rms,
    height_segment_type and height_segment_fit_quality_flag of the six beams
    with h5py;
  * hashes every segment to a NESTED cell at order 29 with healpy after
    converting geodetic latitude to authalic latitude (WGS84 series, the
    formula of internal/sampledata/mksample.py), truncated to each order;
  * writes the catalog: every parent cell (order 6) a segment lies in, keyed
    by zagg 0.1.0's legacy morton id;
  * drops the rows whose height or rms equals its dataset's _FillValue, keeps
    the rows with 1 <= height_segment_fit_quality_flag <= 2 (the config's
    filter), and computes, in float64 over the kept rows of each cell at
    every order from 12 down to 6: count, min, max, mean, population std,
    median of the height, mean rms and the fraction of rows whose
    height_segment_type is >= 2 (a lead).
"""
import json
import os
import sys

import h5py
import numpy as np

GRANULE = "processed_ATL07-01_20190222003738_08490201_003_02.h5"
SRC = os.path.join("..", "shared", "testdata", "granules", GRANULE)
OUT = os.path.join("pipeline", "testdata", "atl07", "expected.json")
URL = "s3://zagg-real/" + GRANULE
BEAMS = ["gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"]
PARENT_ORDER = 6
CHILD_ORDER = 12

# The cell assignment of the sample data's script (the WGS84 authalic series,
# healpy at order 29, zagg 0.1.0's legacy morton ids): one copy for every
# fixture script.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "internal", "sampledata"))
from mksample import legacy_morton, nest29  # noqa: E402


def read_beam(f, beam):
    g = f.get(beam + "/sea_ice_segments")
    if g is None or "latitude" not in g:
        return None
    cols = {"lat": g["latitude"][:], "lon": g["longitude"][:]}
    keep = np.ones(len(cols["lat"]), dtype=bool)
    for name, path in (("height", "heights/height_segment_height"),
                       ("rms", "heights/height_segment_rms"),
                       ("seg_type", "heights/height_segment_type")):
        d = g[path]
        v = d[:]
        if "_FillValue" in d.attrs:
            keep &= v != d.attrs["_FillValue"][0]
        cols[name] = v
    cols["fill_keep"] = keep
    cols["fit_quality"] = g["heights/height_segment_fit_quality_flag"][:]
    return cols


def main():
    rows = {k: [] for k in ("cell", "height", "rms", "seg_type")}
    parents = set()
    total = fill_dropped = filtered = 0
    with h5py.File(SRC, "r") as f:
        for beam in BEAMS:
            c = read_beam(f, beam)
            if c is None:
                continue
            cell = nest29(c["lat"], c["lon"])
            parents.update(int(p) for p in cell >> np.uint64(2 * (29 - PARENT_ORDER)))
            total += len(cell)
            fill_dropped += int((~c["fill_keep"]).sum())
            q = c["fit_quality"].astype(np.float64)
            passq = (q >= 1) & (q <= 2)
            filtered += int((c["fill_keep"] & ~passq).sum())
            keep = c["fill_keep"] & passq
            rows["cell"].append(cell[keep])
            rows["height"].append(c["height"][keep].astype(np.float64))
            rows["rms"].append(c["rms"][keep].astype(np.float64))
            rows["seg_type"].append(c["seg_type"][keep].astype(np.float64))
    cols = {k: np.concatenate(v) for k, v in rows.items()}
    orders = {}
    for order in range(CHILD_ORDER, PARENT_ORDER - 1, -1):
        ids = cols["cell"] >> np.uint64(2 * (29 - order))
        table = {k: [] for k in ("cell_ids", "count", "h_min", "h_max", "h_mean", "h_std",
                                 "h_median", "rms_mean", "lead_fraction")}
        for cid in np.unique(ids):
            m = ids == cid
            h, r, t = cols["height"][m], cols["rms"][m], cols["seg_type"][m]
            table["cell_ids"].append(int(cid))
            table["count"].append(int(m.sum()))
            table["h_min"].append(float(np.min(h)))
            table["h_max"].append(float(np.max(h)))
            table["h_mean"].append(float(np.mean(h)))
            table["h_std"].append(float(np.std(h)))
            table["h_median"].append(float(np.median(h)))
            table["rms_mean"].append(float(np.mean(r)))
            table["lead_fraction"].append(float(np.mean(t >= 2)))
        orders[str(order)] = table
    out = {
        "granule": GRANULE,
        "parent_order": PARENT_ORDER,
        "child_order": CHILD_ORDER,
        "segments": total,
        "fill_dropped": fill_dropped,
        "filtered": filtered,
        "kept": int(len(cols["cell"])),
        "catalog": {
            "metadata": {"parent_order": PARENT_ORDER, "latitude": "authalic",
                         "total_granules": 1, "total_cells": len(parents)},
            "catalog": {str(legacy_morton(PARENT_ORDER, p)): [URL] for p in sorted(parents)},
        },
        "orders": orders,
    }
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1, allow_nan=False)
        fh.write("\n")
    print(f"{OUT}: {total} segments, {fill_dropped} at a fill value, {filtered} filtered, "
          f"{len(cols['cell'])} kept, {len(parents)} parent cells, "
          f"{len(orders[str(CHILD_ORDER)]['cell_ids'])} cells at order {CHILD_ORDER}")


if __name__ == "__main__":
    main()
