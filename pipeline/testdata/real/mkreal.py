#!/usr/bin/python3
"""Expected statistics of the atl06 config on the real ATL06 granule of the
shared test data (../shared/testdata/granules/ATL06_20181013235645_02340114_209_01.h5,
NASA ICESat-2 data, not committed), computed independently of zagg's Go code:
h5py reads the datasets, healpy hashes the points (nside 2^29, NESTED) after
the WGS84 authalic latitude conversion, numpy computes the statistics.

Rows kept: atl06_quality_summary == 0, and neither h_li nor h_li_sigma equals
its dataset's HDF5 fill value. Output (small, committed): real_expected.json
with a catalog of every order-6 parent cell the kept points fall in, and for
orders 12..6 every cell with data and its statistics (same layout as
internal/sampledata/expected.json).

    /usr/bin/python3 pipeline/testdata/real/mkreal.py
"""
import json
import os

import h5py
import healpy
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "ATL06_20181013235645_02340114_209_01.h5"
SRC = os.path.join(HERE, "..", "..", "..", "..", "shared", "testdata", "granules", NAME)
PARENT, CHILD = 6, 12
F = [float.fromhex(h) for h in ("-0x1.257f6a0d4ec34p-9", "0x1.1dffd07b72abcp-19",
                                "-0x1.5fbdd3c5f03e3p-29", "0x1.da40e51e5f741p-39",
                                "-0x1.4aaaccce996d9p-48")]


def authalic(lat):
    x = np.radians(lat)
    acc = np.zeros_like(x)
    for k, c in enumerate(F, start=1):
        acc += c * np.sin(2 * k * x)
    return np.clip(np.degrees(x + acc), -90.0, 90.0)


def legacy(order, nest):
    base, normed = nest >> (2 * order), nest & ((1 << (2 * order)) - 1)
    digits = 0
    for k in range(1, order + 1):
        digits = digits * 10 + 1 + ((normed >> (2 * (order - k))) & 3)
    return (base + 1) * 10 ** order + digits if base < 6 else -((base - 5) * 10 ** order + digits)


def main():
    cells, hs, ss = [], [], []
    with h5py.File(SRC, "r") as f:
        for beam in ["gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"]:
            g = f.get(beam + "/land_ice_segments")
            if g is None:
                continue
            lat, lon = g["latitude"][:], g["longitude"][:]
            h, s, q = g["h_li"][:], g["h_li_sigma"][:], g["atl06_quality_summary"][:]
            keep = (q == 0) & (h != g["h_li"].fillvalue) & (s != g["h_li_sigma"].fillvalue)
            nest = healpy.ang2pix(1 << 29, lon[keep], authalic(lat[keep]), nest=True, lonlat=True)
            cells.append(nest.astype(np.uint64))
            hs.append(h[keep])
            ss.append(s[keep])
    cell, h, s = np.concatenate(cells), np.concatenate(hs).astype("f8"), np.concatenate(ss).astype("f8")
    url = "s3://zagg-real/" + NAME
    parents = sorted({int(p) for p in np.unique(cell >> np.uint64(2 * (29 - PARENT)))})
    out = {"granule": NAME, "parent_order": PARENT, "child_order": CHILD, "latitude": "authalic",
           "points_kept": int(cell.size),
           "catalog": {"metadata": {"parent_order": PARENT, "latitude": "authalic", "total_granules": 1,
                                    "total_cells": len(parents)},
                       "catalog": {str(legacy(PARENT, p)): [url] for p in parents}},
           "orders": {}}
    for order in range(CHILD, PARENT - 1, -1):
        oc = cell >> np.uint64(2 * (29 - order))
        idx = np.argsort(oc, kind="stable")
        oc, ho, so = oc[idx], h[idx], s[idx]
        uniq, start = np.unique(oc, return_index=True)
        bounds = list(start) + [oc.size]
        t = {"cell_ids": [int(u) for u in uniq]}
        for i in range(uniq.size):
            x, w = ho[bounds[i]:bounds[i + 1]], so[bounds[i]:bounds[i + 1]]
            for k, v in (("count", x.size), ("h_min", np.min(x)), ("h_max", np.max(x)),
                         ("h_mean", np.average(x, weights=1.0 / w ** 2)),
                         ("h_sigma", 1.0 / np.sqrt(np.sum(1.0 / w ** 2))), ("h_variance", np.var(x)),
                         ("h_q25", np.quantile(x, 0.25)), ("h_q50", np.quantile(x, 0.5)),
                         ("h_q75", np.quantile(x, 0.75))):
                t.setdefault(k, []).append(float(v))
        out["orders"][str(order)] = t
    with open(os.path.join(HERE, "real_expected.json"), "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"{cell.size} points in {len(parents)} parent cells")


if __name__ == "__main__":
    main()
