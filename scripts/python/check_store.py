#!/usr/bin/env python3
"""Check that a zagg store opens the way scientists open it: xarray + xdggs.

    python scripts/python/check_store.py STORE [--export-cmd CMD] [--no-export]
                                                [--no-memory]

Checks the data-sized ("dense", layout_version 1) layout of issue #13:

* root: CF/ACDD attributes, the ``zagg`` attribute (layout, parent/child
  order, latitude convention, parents list, ...), consolidated metadata that
  lists every group and array;
* per order group: ``xr.open_zarr(STORE, group=g)`` works and sees
  ``cell_ids`` as a coordinate; array dtypes, fill values, dimension names and
  attributes; the dimension length and chunk shape (len(parents)·4^(o−P) and
  4^(o−P) for orders P..C); every cell id is a real cell (< 12·4^o), chunk i
  holds exactly the children of parents[i] (coarse orders: exactly the
  ancestors of the cells with data); morton = legacy id of cell_ids;
  ``ds.dggs.decode(convention="zarr")`` and ``ds.dggs.decode()`` (xdggs
  convention, cell_ids attributes) give level = order, nested indexing, and
  WGS84 (authalic latitude) or the sphere (geodetic latitude); xdggs' cell
  centres equal healpy's pix2ang + our authalic→geodetic series to 1e-9°;
  empty cells are count 0 / NaN; count, min and max agree with the next finer
  order; every value equals the CSV of ``export`` (exact float32, NaN = empty);
* memory: opening + decoding the child order in a subprocess stays below
  MEM_BASE + MEM_PER_CELL × covered cells above a baseline subprocess that
  only imports the same modules.

Prints one PASS/FAIL/SKIP line per check and ``N passed, N failed``; exits 1
on any failure. Importable: ``run_checks(store, ...)`` returns a Report.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import fractions
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import warnings

# Zarr-python warns on every open that consolidated metadata is not part of
# the v3 spec; that is known (zarr-python issue tracker) and not a finding.
warnings.filterwarnings("ignore", message="Consolidated metadata is currently not part")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

DEFAULT_EXPORT_CMD = ("go run ./examples/local export --store {store} --order {order} "
                      "--format csv --output {output}")

# Memory bound of the decode probe, above the import-only baseline:
# MEM_BASE + MEM_PER_CELL × covered cells (len(parents)·4^(C−P)). See
# scripts/python/README.md for the calibration.
MEM_BASE = 64 << 20
MEM_PER_CELL = 200

# Groups larger than this are not loaded (the old whole-sphere layout: 201M
# cells at order 12); their value checks are reported as failed, not run.
MAX_LOAD_CELLS = 4 << 20
# ... and when the layout check failed, groups above this size are not loaded
# either (zarr-python takes minutes over the empty chunks of a whole sphere).
MAX_LOAD_BAD_LAYOUT = 1 << 16

CONVENTION = {
    "schema_url": "https://raw.githubusercontent.com/zarr-conventions/dggs/refs/tags/v1/schema.json",
    "spec_url": "https://github.com/zarr-conventions/dggs/blob/v1/README.md",
    "uuid": "7b255807-140c-42ca-97f6-7a1cfecdbc38",
    "name": "dggs",
    "description": "Discrete Global Grid Systems convention for zarr",
}
DGGS_KEYS = {"name", "refinement_level", "indexing_scheme", "spatial_dimension", "ellipsoid",
             "coordinate", "compression"}
XDGGS_KEYS = {"grid_name", "level", "indexing_scheme", "ellipsoid"}
WGS84_A, WGS84_INVF = 6378137.0, 298.257223563
CENTRE_TOL_DEG = 1e-9

# Series coefficients of the WGS84 authalic latitude (healpix/latitude.go,
# as mortie evaluates them): β = φ + Σ c[k]·sin(2(k+1)φ) and the inverse.
AUTHALIC_FORWARD = [float.fromhex(h) for h in (
    "-0x1.257f6a0d4ec34p-9", "0x1.1dffd07b72abcp-19", "-0x1.5fbdd3c5f03e3p-29",
    "0x1.da40e51e5f741p-39", "-0x1.4aaaccce996d9p-48")]
AUTHALIC_INVERSE = [float.fromhex(h) for h in (
    "0x1.257f62d1047f7p-9", "0x1.82f9ec108ffe7p-19", "0x1.5d85b261a3984p-28",
    "0x1.66e61685b8d89p-37", "0x1.84768432f3dafp-46")]


def _series(deg, coef):
    x = np.radians(np.asarray(deg, dtype=np.float64))
    acc = np.zeros_like(x)
    for k, c in enumerate(coef):
        acc += c * np.sin(2 * (k + 1) * x)
    return np.clip(np.degrees(x + acc), -90.0, 90.0)


def authalic_from_geodetic(lat_deg):
    """WGS84 geodetic → authalic latitude (degrees), the series healpix/latitude.go uses."""
    return _series(lat_deg, AUTHALIC_FORWARD)


def geodetic_from_authalic(lat_deg):
    """WGS84 authalic → geodetic latitude (degrees), inverse of authalic_from_geodetic."""
    return _series(lat_deg, AUTHALIC_INVERSE)


def authalic_exact(lat_deg):
    """Closed-form WGS84 authalic latitude (for testing the series)."""
    f = 1 / WGS84_INVF
    e = np.sqrt(f * (2 - f))
    phi = np.radians(np.asarray(lat_deg, dtype=np.float64))

    def q(s):
        return (1 - e * e) * (s / (1 - e * e * s * s) - np.log((1 - e * s) / (1 + e * s)) / (2 * e))

    return np.degrees(np.arcsin(np.clip(q(np.sin(phi)) / q(1.0), -1, 1)))


def legacy_morton(order, ids):
    """Legacy signed decimal morton ids (zagg 0.1.0) of NESTED ids, orders 1-18."""
    ids = np.asarray(ids, dtype=np.uint64)
    base = (ids >> np.uint64(2 * order)).astype(np.int64)
    m = np.where(base < 6, base + 1, base - 5)
    for k in range(order - 1, -1, -1):
        m = m * 10 + ((ids >> np.uint64(2 * k)) & np.uint64(3)).astype(np.int64) + 1
    return np.where(base >= 6, -m, m)


class Report:
    """Results of the checks: (status, name, detail), status PASS, FAIL or SKIP."""

    def __init__(self, out=sys.stdout):
        self.results = []
        self.out = out
        self.t = time.monotonic()

    def add(self, ok, name, detail=""):
        status = {True: "PASS", False: "FAIL", None: "SKIP"}[ok]
        self.results.append((status, name, detail))
        now = time.monotonic()
        if self.out is not None:
            print(f"{status} {name}" + (f": {detail}" if detail else "") + f" [{now - self.t:.1f}s]",
                  file=self.out, flush=True)
        self.t = now
        return ok

    def failed(self):
        return [r for r in self.results if r[0] == "FAIL"]

    def passed(self):
        return [r for r in self.results if r[0] == "PASS"]

    def status(self, name):
        """The status of the check called name (None if it did not run)."""
        for s, n, _ in self.results:
            if n == name:
                return s
        return None

    def summary(self):
        return f"{len(self.passed())} passed, {len(self.failed())} failed"


class Check:
    """Context manager: records FAIL with the exception text if the body raises."""

    def __init__(self, rep, name):
        self.rep, self.name = rep, name
        self.done = False

    def __enter__(self):
        return self

    def ok(self, cond, detail=""):
        self.done = True
        return self.rep.add(bool(cond), self.name, detail)

    def skip(self, detail):
        self.done = True
        self.rep.add(None, self.name, detail)

    def __exit__(self, et, ev, tb):
        if ev is not None and not self.done:
            if isinstance(ev, CheckFailed):
                self.rep.add(False, self.name, str(ev))
            else:
                self.rep.add(False, self.name, f"{type(ev).__name__}: {ev}")
            return isinstance(ev, Exception)
        if not self.done:
            self.rep.add(True, self.name)
        return False


class CheckFailed(Exception):
    """A check's expectation did not hold (message says which)."""


def expect(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def ellipsoid_kind(e):
    """'WGS84', 'sphere' or 'other: …' for an xdggs grid_info.ellipsoid."""
    from xdggs.ellipsoid import Ellipsoid, Sphere

    if e is None or isinstance(e, Sphere):
        return "sphere"
    if isinstance(e, str):
        low = e.lower()
        if low == "wgs84":
            return "WGS84"
        if low == "sphere":
            return "sphere"
        return f"other: {e!r}"
    if isinstance(e, Ellipsoid):
        if e.semimajor_axis == WGS84_A and e.inverse_flattening == WGS84_INVF:
            return "WGS84"
    return f"other: {e!r}"


def _iso8601(s):
    if not isinstance(s, str):
        return False
    try:
        dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class StoreInfo:
    """What the checks learn about the store as they go."""

    def __init__(self, path):
        self.path = path
        self.zagg = None
        self.P = self.C = None
        self.latitude = None
        self.parents = None
        self.orders = []
        self.values = {}  # order -> {name: ndarray} (loaded groups only)


def check_root(rep, st):
    import zarr

    root = zarr.open_group(st.path, mode="r")
    attrs = root.attrs.asdict()
    with Check(rep, "root/attributes") as c:
        missing = [k for k in ("Conventions", "title", "source", "history") if not attrs.get(k)]
        expect(not missing, f"missing CF/ACDD attributes {missing}")
        for k in ("time_coverage_start", "time_coverage_end"):
            if k in attrs:
                expect(_iso8601(attrs[k]), f"{k} = {attrs[k]!r} is not ISO 8601")
        c.ok(True, ", ".join(f"{k}={attrs[k]!r}" for k in ("Conventions", "title")))
    with Check(rep, "root/zagg") as c:
        z = attrs.get("zagg")
        expect(isinstance(z, dict), "root attribute 'zagg' missing")
        st.zagg = z
        expect(z.get("layout") == "dense", f"zagg.layout = {z.get('layout')!r}, want 'dense'")
        expect(z.get("layout_version") == 1, f"zagg.layout_version = {z.get('layout_version')!r}, want 1")
        P, C = z.get("parent_order"), z.get("child_order")
        expect(_is_int(P) and _is_int(C) and 0 <= P <= C <= 29, f"parent_order {P!r} / child_order {C!r}")
        st.P, st.C = P, C
        # zarrstore.Latitude values: "authalic-wgs84" (default) or "geodetic".
        expect(z.get("latitude") in ("authalic-wgs84", "authalic", "geodetic"), f"zagg.latitude = {z.get('latitude')!r}")
        st.latitude = "geodetic" if z["latitude"] == "geodetic" else "authalic"
        par = z.get("parents")
        expect(isinstance(par, list) and par and all(_is_int(p) for p in par), "zagg.parents is not a non-empty list of ints")
        expect(all(0 <= p < 12 * 4**P for p in par), f"zagg.parents holds ids outside [0, 12·4^{P})")
        expect(len(set(par)) == len(par), "zagg.parents has duplicates")
        st.parents = np.asarray(par, dtype=np.uint64)
        for k, t in (("version", str), ("runs", list), ("config", dict)):
            expect(isinstance(z.get(k), t), f"zagg.{k} missing or not a {t.__name__}")
        for r in z["runs"]:
            expect(isinstance(r, dict) and _is_int(r.get("granule_count")) and isinstance(r.get("granules_sha256"), str),
                   f"zagg.runs entry without granule_count/granules_sha256: {r!r}")
        c.ok(True, f"P={P} C={C} latitude={st.latitude} parents={len(par)}")
    if st.zagg is None or st.P is None:
        # Old layouts keep the orders in each group's "zagg"; learn them so
        # the remaining checks can still say what is wrong.
        for k in root.group_keys():
            ga = root[k].attrs.asdict().get("zagg", {})
            if isinstance(ga, dict) and "parent_order" in ga:
                st.P, st.C = ga.get("parent_order"), ga.get("child_order")
                lat = str(ga.get("latitude", ""))
                st.latitude = "geodetic" if lat.startswith("geodetic") else "authalic"
                break
    st.orders = sorted(int(k) for k in root.group_keys() if k.isdigit())
    with Check(rep, "root/orders") as c:
        expect(st.P is not None, "parent/child order unknown")
        need = set(range(st.P, st.C + 1))
        expect(need <= set(st.orders), f"groups {sorted(need - set(st.orders))} missing")
        expect(max(st.orders) == st.C, f"group {max(st.orders)} finer than child order {st.C}")
        c.ok(True, f"groups {st.orders}")
    with Check(rep, "root/consolidated") as c:
        with open(os.path.join(st.path, "zarr.json")) as f:
            meta = json.load(f)
        cm = meta.get("consolidated_metadata")
        expect(isinstance(cm, dict) and cm.get("kind") == "inline", "root zarr.json has no inline consolidated_metadata")
        listed = cm.get("metadata", {})
        missing = []
        for o in st.orders:
            if str(o) not in listed:
                missing.append(str(o))
            for a in root[str(o)].array_keys():
                if f"{o}/{a}" not in listed:
                    missing.append(f"{o}/{a}")
        expect(not missing, f"not in consolidated metadata: {missing[:8]}")
        # Readers take attributes and shapes from the consolidated copy, and
        # open_zarr(group=g) raises KeyError for a group it does not list:
        # the copy must equal every node's own zarr.json.
        stale = []
        for key, doc in listed.items():
            try:
                with open(os.path.join(st.path, key, "zarr.json")) as f:
                    disk = json.load(f)
            except OSError:
                stale.append(f"{key} (no zarr.json)")
                continue
            a = {k: v for k, v in doc.items() if k != "consolidated_metadata"}
            b = {k: v for k, v in disk.items() if k != "consolidated_metadata"}
            if a != b:
                stale.append(key)
        expect(not stale, f"consolidated metadata differs from the nodes' zarr.json: {stale[:8]}")
        c.ok(True, f"{len(listed)} nodes, equal to their zarr.json")
    return root


def _open_ds(st, o):
    import xarray as xr

    return xr.open_zarr(st.path, group=str(o))


def check_group(rep, st, root, o, export_cmd):
    import xarray as xr  # noqa: F401
    import xdggs  # noqa: F401  (registers the accessor)

    g = root[str(o)]
    pre = f"{o}"
    fine = st.P is not None and st.P <= o <= st.C
    npix = 12 * 4**o
    arrays = {k: g[k] for k in g.array_keys()}
    stats = sorted(k for k in arrays if k not in ("cell_ids", "morton"))
    n = arrays["cell_ids"].shape[0] if "cell_ids" in arrays else None

    with Check(rep, f"{pre}/open") as c:
        ds = _open_ds(st, o)
        expect(tuple(ds.sizes) == ("cells",), f"dimensions {dict(ds.sizes)}, want only 'cells'")
        expect("cell_ids" in ds.coords, "cell_ids is not a coordinate (no 'coordinates: cell_ids' on the variables?)")
        seen = set(ds.data_vars) | set(ds.coords)
        expect(set(stats) <= set(ds.data_vars) and seen == set(arrays),
               f"data variables {sorted(ds.data_vars)}, coordinates {sorted(ds.coords)}, arrays {sorted(arrays)}")
        c.ok(True, f"cells={ds.sizes['cells']}, {len(ds.data_vars)} variables")

    with Check(rep, f"{pre}/arrays") as c:
        expect("cell_ids" in arrays, "no cell_ids array")
        expect("morton" in arrays, "no morton array")
        expect("count" in arrays, "no count array")
        for k, a in arrays.items():
            md = a.metadata
            expect(md.dimension_names == ("cells",), f"{k}: dimension_names {md.dimension_names}")
            expect(a.shape == (n,), f"{k}: shape {a.shape}, cell_ids has {n}")
            expect(a.chunks == arrays["cell_ids"].chunks, f"{k}: chunks {a.chunks} differ from cell_ids {arrays['cell_ids'].chunks}")
        ci = arrays["cell_ids"]
        expect(ci.dtype == np.uint64, f"cell_ids dtype {ci.dtype}")
        expect(int(ci.fill_value) == npix, f"cell_ids fill_value {ci.fill_value}, want 12·4^{o} = {npix}")
        ca = ci.attrs.asdict()
        expect(set(ca) <= XDGGS_KEYS, f"cell_ids attributes {sorted(set(ca) - XDGGS_KEYS)} break xdggs (HealpixInfo(**attrs))")
        expect(arrays["morton"].dtype == np.int64, f"morton dtype {arrays['morton'].dtype}")
        expect(arrays["count"].dtype == np.int32 and arrays["count"].fill_value == 0,
               f"count {arrays['count'].dtype} fill {arrays['count'].fill_value}")
        for k in stats:
            a = arrays[k]
            at = a.attrs.asdict()
            for key in ("units", "long_name"):
                expect(isinstance(at.get(key), str) and at[key], f"{k}: attribute {key} missing")
            expect(at.get("coordinates") == "cell_ids", f"{k}: coordinates = {at.get('coordinates')!r}")
            if np.issubdtype(a.dtype, np.floating):
                expect(np.isnan(a.fill_value), f"{k}: fill_value {a.fill_value}, want NaN")
        c.ok(True, f"{len(arrays)} arrays")

    with Check(rep, f"{pre}/grid-attrs") as c:
        ga = g.attrs.asdict()
        conv = ga.get("zarr_conventions")
        expect(isinstance(conv, list) and CONVENTION in conv, "zarr_conventions lacks the exact dggs v1 entry")
        d = ga.get("dggs")
        expect(isinstance(d, dict), "no dggs attribute")
        expect(set(d) <= DGGS_KEYS, f"extra keys in dggs: {sorted(set(d) - DGGS_KEYS)} (xdggs TypeError)")
        want = {"name": "healpix", "refinement_level": o, "indexing_scheme": "nested",
                "spatial_dimension": "cells", "coordinate": "cell_ids", "compression": "none"}
        bad = {k: d.get(k) for k, v in want.items() if d.get(k) != v}
        expect(not bad, f"dggs {bad}")
        ell = d.get("ellipsoid")
        if st.latitude == "authalic":
            expect(isinstance(ell, dict) and ell.get("semimajor_axis") == WGS84_A and ell.get("inverse_flattening") == WGS84_INVF,
                   f"authalic store: dggs.ellipsoid {ell!r}, want WGS84")
        else:
            # Absent is the only sphere both the convention's schema and
            # xdggs 0.6 accept ({"radius"} breaks the schema; a semiminor_axis
            # makes xdggs raise TypeError).
            expect(ell is None, f"geodetic store: dggs.ellipsoid {ell!r}, want the sphere (no ellipsoid key)")
        c.ok(True)

    expected_n = len(st.parents) * 4 ** (o - st.P) if (fine and st.parents is not None) else None
    with Check(rep, f"{pre}/layout") as c:
        if fine:
            expect(st.parents is not None, "zagg.parents unknown")
            ch = 4 ** (o - st.P)
            expect(n == expected_n, f"cells = {n}, want len(parents)·4^({o}−{st.P}) = {expected_n}")
            expect(arrays["cell_ids"].chunks == (ch,), f"chunk shape {arrays['cell_ids'].chunks}, want ({ch},)")
            c.ok(True, f"{n} cells in {len(st.parents)} chunks of {ch}")
        else:
            c.ok(n is not None and n <= npix, f"coarse order: {n} cells, chunks {arrays['cell_ids'].chunks}")

    nchunks = -(-n // arrays["cell_ids"].chunks[0]) if n else 0
    if n is None or n > MAX_LOAD_CELLS or (rep.status(f"{pre}/layout") == "FAIL" and
                                          (n > MAX_LOAD_BAD_LAYOUT or nchunks > 4096)):
        rep.add(False, f"{pre}/values", f"cell_ids, morton, decode-zarr, decode-xdggs, centres, stats, "
                f"hierarchy and export not run: the group has {n} cells in {nchunks} chunks (see layout)")
        return

    vals = {k: a[:] for k, a in arrays.items()}
    st.values[o] = vals
    ids = vals["cell_ids"]
    with Check(rep, f"{pre}/cell_ids") as c:
        bad = np.flatnonzero(ids >= np.uint64(npix))
        expect(bad.size == 0, f"{bad.size} cell ids ≥ 12·4^{o} (first at index {bad[:1].tolist()}: {ids[bad[:1]].tolist()})")
        expect(np.unique(ids).size == ids.size, "duplicate cell ids")
        if fine:
            ch = 4 ** (o - st.P)
            want = (st.parents[:, None] * np.uint64(ch) + np.arange(ch, dtype=np.uint64)[None, :]).ravel()
            wrong = np.flatnonzero(ids != want)
            expect(wrong.size == 0, f"{wrong.size} ids are not the children of their chunk's parent "
                   f"(first: index {wrong[0] if wrong.size else -1}, chunk {wrong[0] // ch if wrong.size else -1})")
            c.ok(True, f"chunk i = children of parents[i] for all {len(st.parents)} chunks")
        else:
            cnt = vals["count"]
            expect((cnt > 0).all(), f"{int((cnt <= 0).sum())} coarse cells without data")
            if st.P in st.values:
                pv = st.values[st.P]
                anc = np.unique(pv["cell_ids"][pv["count"] > 0] >> np.uint64(2 * (st.P - o)))
                expect(np.array_equal(np.sort(ids), anc),
                       f"coarse cells ≠ ancestors of the order-{st.P} cells with data ({ids.size} vs {anc.size})")
            c.ok(True, f"{ids.size} cells with data")

    with Check(rep, f"{pre}/morton") as c:
        if not 1 <= o <= 18:
            c.skip(f"no legacy morton at order {o}")
        else:
            m = vals["morton"]
            wrong = np.flatnonzero(m != legacy_morton(o, ids))
            expect(wrong.size == 0, f"{wrong.size} morton ids differ from the legacy id of cell_ids "
                   f"(first: {m[wrong[:1]].tolist()} vs {legacy_morton(o, ids[wrong[:1]]).tolist()})")

    want_ell = "WGS84" if st.latitude == "authalic" else "sphere"
    decoded = {}
    for conv, label in (("zarr", "decode-zarr"), ("xdggs", "decode-xdggs")):
        with Check(rep, f"{pre}/{label}") as c:
            # A fresh dataset each time: decode(convention="zarr") empties the
            # source dataset's zarr_conventions list (shallow copy).
            ds = _open_ds(st, o)
            d = ds.dggs.decode(convention=conv) if conv == "zarr" else ds.dggs.decode()
            decoded[conv] = d  # the centres check compares it even if the grid info is wrong
            gi = d.dggs.grid_info
            expect(type(gi).__name__ == "HealpixInfo", f"grid info {gi!r}")
            expect(gi.level == o, f"level {gi.level}, want {o}")
            expect(gi.indexing_scheme == "nested", f"indexing {gi.indexing_scheme}")
            kind = ellipsoid_kind(gi.ellipsoid)
            expect(kind == want_ell, f"ellipsoid {kind} ({gi.ellipsoid!r}), want {want_ell} for {st.latitude} latitude")
            c.ok(True, f"level={gi.level} nested ellipsoid={kind}")

    with Check(rep, f"{pre}/centres") as c:
        import healpy as hp

        expect(decoded, "nothing decoded")
        expect((ids < np.uint64(npix)).all(), "invalid cell ids (see cell_ids)")
        hlon, hlat = hp.pix2ang(2**o, ids.astype(np.int64), nest=True, lonlat=True)
        if st.latitude == "authalic":
            hlat = geodetic_from_authalic(hlat)
        worst = 0.0
        for conv, d in decoded.items():
            cc = d.dggs.cell_centers()
            lat, lon = cc["latitude"].values, cc["longitude"].values
            dlat = np.abs(lat - hlat)
            dlon = np.abs((lon - hlon + 180.0) % 360.0 - 180.0) * (np.abs(hlat) < 90)
            w = float(max(dlat.max(initial=0), dlon.max(initial=0)))
            expect(w <= CENTRE_TOL_DEG, f"{conv}: centres differ from healpy + series by up to {w:.3g}° (cell {ids[np.argmax(dlat)]})")
            worst = max(worst, w)
        st.centres = (hlat, hlon)
        c.ok(True, f"max |Δ| {worst:.2g}° over {ids.size} cells, both conventions")

    with Check(rep, f"{pre}/stats") as c:
        cnt = vals["count"]
        expect((cnt >= 0).all(), "negative counts")
        empty = cnt == 0
        for k in stats:
            v = vals[k]
            if k == "count" or not np.issubdtype(v.dtype, np.floating):
                continue
            expect(np.isnan(v[empty]).all(), f"{k}: {int((~np.isnan(v[empty])).sum())} empty cells not NaN")
        chain = [k for k in ("h_min", "h_q25", "h_q50", "h_q75", "h_max") if k in vals]
        full = ~empty
        for a, b in zip(chain, chain[1:]):
            expect((vals[a][full] <= vals[b][full]).all(), f"{a} > {b} somewhere")
        if {"h_mean", "h_min", "h_max"} <= set(vals):
            expect(((vals["h_min"][full] <= vals["h_mean"][full]) & (vals["h_mean"][full] <= vals["h_max"][full])).all(),
                   "h_mean outside [h_min, h_max]")
        c.ok(True, f"{int(full.sum())} cells with data, {int(empty.sum())} empty")

    with Check(rep, f"{pre}/hierarchy") as c:
        finer = o + 1
        if finer not in st.values:
            c.skip(f"order {finer} not loaded" if finer <= st.C else "finest order")
        else:
            fv = st.values[finer]
            has = fv["count"] > 0
            par = fv["cell_ids"][has] >> np.uint64(2)
            idx, found = _positions(ids, par)
            expect(found.all(), f"cells with data at order {finer} whose parent is not in order {o}: {par[~found][:5].tolist()}")
            s = np.zeros(ids.size, dtype=np.int64)
            np.add.at(s, idx, fv["count"][has])
            expect(np.array_equal(s, vals["count"].astype(np.int64)), f"count ≠ sum of order-{finer} counts at {int((s != vals['count']).sum())} cells")
            for k, fn in (("h_min", np.fmin), ("h_max", np.fmax)):
                if k in vals and k in fv:
                    agg = np.full(ids.size, np.nan, dtype=np.float32)
                    fn.at(agg, idx, fv[k][has])
                    same = (agg == vals[k]) | (np.isnan(agg) & np.isnan(vals[k]))
                    expect(same.all(), f"{k} ≠ {k} of order-{finer} children at {int((~same).sum())} cells")
            c.ok(True, f"count, h_min, h_max match order {finer}")

    with Check(rep, f"{pre}/export") as c:
        if export_cmd is None:
            c.skip("--no-export")
        else:
            c.ok(*compare_export(st, o, vals, stats, export_cmd))


def _positions(ids, want):
    """Index in ids of each value of want, and whether it is there."""
    order = np.argsort(ids, kind="stable")
    k = np.searchsorted(ids[order], want)
    k = np.minimum(k, max(len(ids) - 1, 0))
    idx = order[k] if len(ids) else np.zeros(len(want), dtype=np.int64)
    found = (ids[idx] == want) if len(ids) else np.zeros(len(want), dtype=bool)
    return idx, found


def _f32_rounds_to(s, v):
    """Whether the decimal string s rounds (correctly) to the float32 v."""
    if np.float32(float(s)) == v:
        return True
    d = fractions.Fraction(s)
    lo = np.nextafter(v, np.float32(-np.inf))
    hi = np.nextafter(v, np.float32(np.inf))
    fv = fractions.Fraction(float(v))
    return (fractions.Fraction(float(lo)) + fv) / 2 <= d <= (fractions.Fraction(float(hi)) + fv) / 2


def run_export(st, o, export_cmd):
    """Run the export command for order o; return (header, rows)."""
    with tempfile.TemporaryDirectory(prefix="zagg-export-") as tmp:
        out = os.path.join(tmp, f"order{o}.csv")
        cmd = [a.format(store=os.path.abspath(st.path), order=o, output=out) for a in shlex.split(export_cmd)]
        p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise CheckFailed(f"export exited {p.returncode}: {p.stderr.strip()[-400:]}")
        with open(out, newline="") as f:
            rows = list(csv.reader(f))
    if not rows:
        raise CheckFailed("export wrote nothing (no header)")
    return rows[0], rows[1:]


def compare_export(st, o, vals, stats, export_cmd):
    header, rows = run_export(st, o, export_cmd)
    expect(header[:4] == ["cell_id", "morton", "lat", "lon"], f"CSV header starts {header[:4]}")
    expect(sorted(header[4:]) == sorted(stats), f"CSV columns {header[4:]}, store statistics {stats}")
    ids = vals["cell_ids"]
    has = vals["count"] > 0
    for r in rows:
        expect(len(r) == len(header), f"CSV row of {len(r)} fields: {r[:3]}")
    rid = np.array([int(r[0]) for r in rows], dtype=np.uint64)
    where, found = _positions(ids, rid)
    expect(found.all(), f"export has cells {rid[~found][:3].tolist()}, not in the store's cell_ids")
    seen = set()
    bad = []
    for r, cid, i in zip(rows, rid.tolist(), where.tolist()):
        expect(cid not in seen, f"export repeats cell {cid}")
        seen.add(cid)
        if r[1] != str(int(vals["morton"][i])):
            bad.append(f"cell {cid} morton {r[1]} vs {vals['morton'][i]}")
        hlat, hlon = st.centres[0][i], st.centres[1][i]
        if abs(float(r[2]) - hlat) > 5.0001e-7 or abs((float(r[3]) - hlon + 180) % 360 - 180) > 5.0001e-7:
            bad.append(f"cell {cid} centre ({r[2]}, {r[3]}) vs ({hlat:.9f}, {hlon:.9f})")
        for k, s in zip(header[4:], r[4:]):
            v = vals[k][i]
            if np.issubdtype(v.dtype, np.floating):
                same = np.isnan(v) if s == "" else (not np.isnan(v) and _f32_rounds_to(s, v))
            else:
                same = s != "" and float(s) == float(v)
            if not same:
                bad.append(f"cell {cid} {k} {s!r} vs {v!r}")
    expect(not bad, f"{len(bad)} differences, first: {bad[:3]}")
    want = {int(x) for x in ids[has]}
    expect(seen == want, f"export has {len(seen)} cells, the store {len(want)} with count > 0 "
           f"(only in store: {sorted(want - seen)[:3]}, only in export: {sorted(seen - want)[:3]})")
    return True, f"{len(rows)} cells × {len(stats)} statistics equal (float32 exact, NaN = empty)"


# ---- memory ---------------------------------------------------------------

PROBE_IMPORTS = "import numpy, zarr, xarray, xdggs, healpy"


def _probe(mode, store, order):
    """Child process body: import, then (mode 'decode') open + decode order."""
    import healpy  # noqa: F401
    import numpy  # noqa: F401
    import xarray as xr
    import xdggs  # noqa: F401
    import zarr  # noqa: F401

    # The import's own high-water mark can exceed the steady RSS after it,
    # hiding a small decode under ru_maxrss; where Linux lets us (writing 5
    # to /proc/self/clear_refs resets VmHWM), measure the decode alone too.
    rss0 = _status_kib("self", "VmRSS")
    reset = False
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        reset = True
    except OSError:
        pass
    if mode == "decode":
        ds = xr.open_zarr(store, group=str(order))
        d = ds.dggs.decode(convention="zarr")
        xr.open_zarr(store, group=str(order)).dggs.decode()
        d.dggs.cell_centers()
    print(json.dumps({"rss_after_import": rss0 * 1024, "hwm_after": _status_kib("self", "VmHWM") * 1024,
                      "hwm_reset": reset}))
    return 0


def _status_kib(pid, key):
    """A /proc/PID/status field in KiB (0 if unreadable)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure_rss(mode, store, order, kill_above=None):
    """Peak RSS (bytes) of a probe subprocess, from wait4's rusage; the
    child is killed if its RSS passes kill_above bytes (then killed=True)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errf:
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--probe", mode, store, str(order)],
                             stdout=out, stderr=errf)
        killed = False
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if kill_above is not None and _status_kib(p.pid, "VmRSS") * 1024 > kill_above:
                os.kill(p.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.02)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        errf.seek(0)
        err = errf.read().decode(errors="replace")
        try:
            info = json.loads(out.read().decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            info = {}
    return ru.ru_maxrss * 1024, killed, p.returncode, err, info


def covered_cells(st):
    """len(parents)·4^(C−P), or, without a parents list, the written
    cell_ids chunks of the child order × the chunk length."""
    if st.parents is not None:
        return len(st.parents) * 4 ** (st.C - st.P)
    d = os.path.join(st.path, str(st.C), "cell_ids", "c")
    n = sum(len(fs) for _, _, fs in os.walk(d))
    return n * 4 ** (st.C - st.P)


def check_memory(rep, st):
    with Check(rep, f"memory/{st.C}") as c:
        expect(st.C is not None, "child order unknown")
        cells = covered_cells(st)
        bound = MEM_BASE + MEM_PER_CELL * cells
        base, _, rc, err, _ = measure_rss("baseline", st.path, st.C)
        expect(rc == 0, f"baseline probe failed ({rc}): {err.strip()[-300:]}")
        peak, killed, rc, err, info = measure_rss("decode", st.path, st.C, kill_above=base + bound + (64 << 20))
        mib = 1 << 20
        expect(not killed, f"decode probe killed at {peak / mib:.0f} MiB RSS "
               f"(baseline {base / mib:.0f} MiB, bound {bound / mib:.1f} MiB for {cells} cells)")
        expect(rc == 0, f"decode probe failed ({rc}): {err.strip()[-300:]}")
        used = peak - base
        detail = f"peak {peak / mib:.1f} MiB − baseline {base / mib:.1f} MiB = {used / mib:.1f} MiB"
        if info.get("hwm_reset"):
            alone = info["hwm_after"] - info["rss_after_import"]
            detail += f"; decode alone {alone / mib:.1f} MiB"
            used = max(used, alone)
        c.ok(used <= bound, f"open+decode order {st.C}: {detail}; bound {MEM_BASE / mib:.0f} MiB + "
             f"{MEM_PER_CELL} B × {cells} cells = {bound / mib:.1f} MiB")


# ---- driver ---------------------------------------------------------------

def run_checks(store, export_cmd=DEFAULT_EXPORT_CMD, memory=True, out=sys.stdout):
    """Run every check on store; return the Report."""
    rep = Report(out)
    st = StoreInfo(store)
    try:
        root = check_root(rep, st)
    except Exception as e:  # not even a zarr group
        rep.add(False, "root/open", f"{type(e).__name__}: {e}")
        return rep
    if st.P is None:
        return rep
    # Finest first, so each order's hierarchy check finds the finer one loaded.
    for o in sorted(st.orders, reverse=True):
        try:
            check_group(rep, st, root, o, export_cmd)
        except Exception as e:
            rep.add(False, f"{o}/group", f"{type(e).__name__}: {e}")
    if memory:
        check_memory(rep, st)
    return rep


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--probe"]:
        return _probe(argv[1], argv[2], int(argv[3]))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store")
    ap.add_argument("--export-cmd", default=os.environ.get("ZAGG_EXPORT_CMD", DEFAULT_EXPORT_CMD),
                    help="export command template with {store} {order} {output}, run in the repo root "
                         f"(default: $ZAGG_EXPORT_CMD or {DEFAULT_EXPORT_CMD!r})")
    ap.add_argument("--no-export", action="store_true", help="skip the comparison with export")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory check")
    a = ap.parse_args(argv)
    if not os.path.isfile(os.path.join(a.store, "zarr.json")):
        print(f"FAIL root/open: {a.store} has no zarr.json\n0 passed, 1 failed")
        return 1
    print(f"store: {a.store}")
    rep = run_checks(a.store, None if a.no_export else a.export_cmd, memory=not a.no_memory)
    print(f"check_store: {rep.summary()}")
    return 1 if rep.failed() else 0


if __name__ == "__main__":
    sys.exit(main())
