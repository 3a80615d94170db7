#!/usr/bin/env python3
"""Write a small zagg store in the data-sized ("dense", layout_version 1)
layout with zarr-python 3, so that check_store.py can be developed and tested
without the Go writer.

Layout (what the Go writer produces from issue #13 on):

* root group: CF/ACDD attributes and ``zagg`` = {layout: "dense",
  layout_version: 1, parent_order P, child_order C, latitude, parents (NESTED
  ids at order P; chunk i of every fine group = parents[i]), version,
  granules, config}; consolidated metadata (zarr-python 3 format);
* one group per order "<o>": for P <= o <= C, dimension ``cells`` of length
  len(parents)·4^(o−P), chunk shape 4^(o−P), chunk i = the children of
  parents[i] in NESTED order; for o < P only the cells with data, in
  ascending id order, in chunks of ``coarse_chunk`` cells;
* arrays ``cell_ids`` (uint64, fill 12·4^o), ``morton`` (int64 legacy id) and
  one per statistic (count int32 fill 0, the others float32 fill NaN), each
  statistic with units, long_name and coordinates = "cell_ids";
* each group declares the DGGS zarr convention; ``cell_ids`` carries the
  xdggs attributes. Authalic latitude declares WGS84; geodetic the sphere.

Statistics are computed by numpy from random (seeded) samples per finest
cell and merged upwards, so count/min/max are consistent across orders.

    python scripts/python/fixture.py OUT.zarr [--latitude authalic|geodetic]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil

import warnings

import numpy as np
import zarr
from zarr.codecs import BytesCodec, ZstdCodec

CONVENTION = {
    "schema_url": "https://raw.githubusercontent.com/zarr-conventions/dggs/refs/tags/v1/schema.json",
    "spec_url": "https://github.com/zarr-conventions/dggs/blob/v1/README.md",
    "uuid": "7b255807-140c-42ca-97f6-7a1cfecdbc38",
    "name": "dggs",
    "description": "Discrete Global Grid Systems convention for zarr",
}
WGS84 = {"name": "WGS84", "semimajor_axis": 6378137.0, "inverse_flattening": 298.257223563}

# name -> (dtype, units, long_name)
STATS = {
    "count": ("int32", "1", "number of ATL06 land-ice segments in the cell"),
    "h_min": ("float32", "m", "minimum land-ice height h_li"),
    "h_max": ("float32", "m", "maximum land-ice height h_li"),
    "h_mean": ("float32", "m", "inverse-variance weighted mean of h_li"),
    "h_sigma": ("float32", "m", "uncertainty of the weighted mean of h_li"),
    "h_variance": ("float32", "m2", "population variance of h_li"),
    "h_q25": ("float32", "m", "25th percentile of h_li"),
    "h_q50": ("float32", "m", "median of h_li"),
    "h_q75": ("float32", "m", "75th percentile of h_li"),
}

# Default parents: order-6 NESTED ids, two of them neighbours, in both
# hemispheres and across base cells (chunk order is the list order, not
# sorted, on purpose: readers must use zagg.parents, not assume sorting).
DEFAULT_PARENTS = [45763, 45762, 2049, 30000]


def legacy_morton(order: int, ids: np.ndarray) -> np.ndarray:
    """Legacy signed decimal morton ids (zagg 0.1.0) of NESTED ids, orders 1-18."""
    if not 1 <= order <= 18:
        raise ValueError(f"legacy morton ids exist for orders 1..18, not {order}")
    ids = np.asarray(ids, dtype=np.uint64)
    base = (ids >> np.uint64(2 * order)).astype(np.int64)
    lead = np.where(base < 6, base + 1, base - 5)
    m = lead.copy()
    for k in range(order - 1, -1, -1):
        d = ((ids >> np.uint64(2 * k)) & np.uint64(3)).astype(np.int64) + 1
        m = m * 10 + d
    return np.where(base >= 6, -m, m)


def stats_of(samples: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """The statistics of one cell from its (h, sigma) sample blocks."""
    if not samples:
        return {"count": 0} | {k: np.nan for k in STATS if k != "count"}
    h = np.concatenate([s[0] for s in samples])
    s = np.concatenate([s[1] for s in samples])
    w = 1.0 / s.astype(np.float64) ** 2
    return {
        "count": len(h),
        "h_min": h.min(),
        "h_max": h.max(),
        "h_mean": np.average(h.astype(np.float64), weights=w),
        "h_sigma": 1.0 / np.sqrt(w.sum()),
        "h_variance": np.var(h.astype(np.float64)),
        "h_q25": np.quantile(h.astype(np.float64), 0.25),
        "h_q50": np.quantile(h.astype(np.float64), 0.50),
        "h_q75": np.quantile(h.astype(np.float64), 0.75),
    }


def random_values(rng, n: int) -> dict[str, np.ndarray]:
    """Independent random statistics for n cells, about half of them empty."""
    cnt = np.where(rng.random(n) < 0.5, rng.integers(1, 7, n), 0)
    q = np.sort(rng.normal(1500.0, 300.0, (5, n)), axis=0)
    out = {"count": cnt, "h_min": q[0], "h_q25": q[1], "h_q50": q[2], "h_q75": q[3], "h_max": q[4],
           "h_mean": q[2], "h_sigma": rng.uniform(0.02, 0.3, n), "h_variance": rng.uniform(0, 90000, n)}
    for k in out:
        if k != "count":
            out[k] = np.where(cnt > 0, out[k], np.nan)
    return out


def grid_attrs(order: int, latitude: str) -> tuple[dict, dict]:
    """(group attributes, cell_ids attributes) declaring the grid."""
    dggs = {
        "name": "healpix",
        "refinement_level": order,
        "indexing_scheme": "nested",
        "spatial_dimension": "cells",
    }
    ids = {"grid_name": "healpix", "level": order, "indexing_scheme": "nested"}
    if latitude == "authalic":
        dggs["ellipsoid"] = dict(WGS84)
        ids["ellipsoid"] = dict(WGS84)
    dggs["coordinate"] = "cell_ids"
    dggs["compression"] = "none"
    return {"zarr_conventions": [dict(CONVENTION)], "dggs": dggs}, ids


def write_group(root: zarr.Group, order: int, ids: np.ndarray, values: dict[str, np.ndarray],
                chunk: int, latitude: str) -> None:
    gattrs, idattrs = grid_attrs(order, latitude)
    g = root.create_group(str(order), attributes=gattrs)
    codecs = dict(serializer=BytesCodec(endian="little"), compressors=[ZstdCodec(level=3)])

    def arr(name, data, dtype, fill, attrs):
        a = g.create_array(name, shape=(len(data),), chunks=(chunk,), dtype=dtype,
                           fill_value=fill, dimension_names=["cells"], attributes=attrs, **codecs)
        a[:] = np.asarray(data, dtype=dtype)

    arr("cell_ids", ids, "uint64", 12 * 4**order, idattrs)
    arr("morton", legacy_morton(order, ids), "int64", 0,
        {"long_name": "legacy morton id (zagg 0.1.0) of the cell", "coordinates": "cell_ids"})
    for name, (dtype, units, long_name) in STATS.items():
        arr(name, values[name], dtype, 0 if dtype == "int32" else np.nan,
            {"units": units, "long_name": long_name, "coordinates": "cell_ids"})


def make_store(path: str, *, latitude: str = "authalic", parents=None, parent_order: int = 6,
               child_order: int = 9, coarse_orders=(4, 5), coarse_chunk: int = 3,
               seed: int = 13, simple: bool = False) -> dict:
    """Write the fixture store at path (replaced) and return its root zagg attribute.

    simple=True draws the statistics of every cell independently (fast, for
    large stores such as the memory calibration); they are then not
    consistent across orders, and no coarse orders are written."""
    if latitude not in ("authalic", "geodetic"):
        raise ValueError(f"latitude must be authalic or geodetic, not {latitude!r}")
    parents = list(DEFAULT_PARENTS if parents is None else parents)
    P, C = parent_order, child_order
    rng = np.random.default_rng(seed)
    # Samples per finest cell: about half the cells hold 1-6 points.
    nfine = 4 ** (C - P)
    fine_ids = (np.asarray(parents, dtype=np.uint64)[:, None] * np.uint64(nfine)
                + np.arange(nfine, dtype=np.uint64)[None, :]).ravel()
    samples: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for cid in ([] if simple else fine_ids):
        n = int(rng.integers(0, 7)) if rng.random() < 0.5 else 0
        if n:
            h = (rng.normal(1500.0, 300.0, n)).astype(np.float32)
            s = rng.uniform(0.02, 0.3, n).astype(np.float32)
            samples[int(cid)] = (h, s)

    def cell_values(order, ids):
        if simple:
            return random_values(rng, len(ids))
        out = {k: np.empty(len(ids), dtype=np.float64) for k in STATS}
        shift = 2 * (C - order)
        lists: dict[int, list] = {}
        for cid, smp in samples.items():
            lists.setdefault(cid >> shift, []).append(smp)
        for i, cid in enumerate(ids):
            for k, v in stats_of(lists.get(int(cid), [])).items():
                out[k][i] = v
        return out

    if os.path.exists(path):
        shutil.rmtree(path)
    zagg = {
        "layout": "dense",
        "layout_version": 1,
        "parent_order": P,
        "child_order": C,
        "latitude": "authalic-wgs84" if latitude == "authalic" else latitude,
        "parents": [int(p) for p in parents],
        "version": "fixture (scripts/python/fixture.py)",
        "runs": [{"granule_count": 0, "granules_sha256": "", "parent_cells": len(parents)}],
        "config": {"name": "atl06", "output": {"latitude": latitude}},
    }
    root = zarr.open_group(path, mode="w", zarr_format=3, attributes={
        "Conventions": "CF-1.11, ACDD-1.3",
        "title": "zagg test fixture (random statistics)",
        "source": "synthetic samples, scripts/python/fixture.py",
        "history": "written by scripts/python/fixture.py",
        "time_coverage_start": "2024-01-06T00:00:00Z",
        "time_coverage_end": "2024-04-06T00:00:00Z",
        "zagg": zagg,
    })
    for o in range(P, C + 1):
        ids = (np.asarray(parents, dtype=np.uint64)[:, None] * np.uint64(4 ** (o - P))
               + np.arange(4 ** (o - P), dtype=np.uint64)[None, :]).ravel()
        write_group(root, o, ids, cell_values(o, ids), 4 ** (o - P), latitude)
    for o in ([] if simple else coarse_orders):
        if o >= P:
            raise ValueError(f"coarse order {o} must be below the parent order {P}")
        ids = np.unique(np.fromiter(samples.keys(), dtype=np.uint64) >> np.uint64(2 * (C - o)))
        write_group(root, o, ids, cell_values(o, ids), coarse_chunk, latitude)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "not part of the Zarr format 3 specification"
        zarr.consolidate_metadata(path, zarr_format=3)
    return zagg


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--latitude", default="authalic", choices=["authalic", "geodetic"])
    ap.add_argument("--parent-order", type=int, default=6)
    ap.add_argument("--child-order", type=int, default=9)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--parents", type=int, default=0,
                    help="use the first N order-P cells of base cell 8 as parents instead of the default four")
    ap.add_argument("--simple", action="store_true", help="independent random statistics (fast, large stores)")
    a = ap.parse_args(argv)
    parents = None
    if a.parents:
        parents = [8 * 4**a.parent_order + i for i in range(a.parents)]
    z = make_store(a.out, latitude=a.latitude, parent_order=a.parent_order, parents=parents,
                   child_order=a.child_order, seed=a.seed, simple=a.simple)
    print(json.dumps({"store": a.out, "zagg": z}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
