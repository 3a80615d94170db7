#!/usr/bin/env python3
"""Self-test of check_store.py: it passes the fixture stores (both latitude
conventions) and fails broken ones (wrong ellipsoid, a fill cell id, a wrong
dimension length, a wrong value in the export, ...).

    .venv/bin/python scripts/python/test_check_store.py      # or: pytest scripts/python

The export comparison is exercised with ref_export() below (this file run as
``--export STORE ORDER OUT``), a reader of the store written independently of
the Go code in the same CSV format as ``examples/local export``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
import tempfile
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import check_store as cs  # noqa: E402
import fixture  # noqa: E402

warnings.filterwarnings("ignore", message="Consolidated metadata is currently not part")

REF_EXPORT = f"{sys.executable} {os.path.abspath(__file__)} --export {{store}} {{order}} {{output}}"


def ref_export(store, order, out, tamper=None):
    """CSV of the cells with data of one order, like examples/local export."""
    import healpy as hp
    import zarr

    g = zarr.open_group(store, mode="r")[str(order)]
    latitude = zarr.open_group(store, mode="r").attrs["zagg"]["latitude"]
    names = sorted(k for k in g.array_keys() if k not in ("cell_ids", "morton"))
    names.sort(key=lambda k: k != "count")
    ids = g["cell_ids"][:]
    vals = {k: g[k][:] for k in names}
    mort = g["morton"][:]
    lon, lat = hp.pix2ang(2**order, ids.astype(np.int64), nest=True, lonlat=True)
    if latitude in ("authalic", "authalic-wgs84"):
        lat = cs.geodetic_from_authalic(lat)
    lon = np.where(lon > 180, lon - 360, lon)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["cell_id", "morton", "lat", "lon"] + names)
        for i in np.flatnonzero(vals["count"] > 0):
            row = [str(ids[i]), str(mort[i]), f"{lat[i]:.6f}", f"{lon[i]:.6f}"]
            for k in names:
                v = vals[k][i]
                row.append("" if np.isnan(v) else str(v))
            if tamper == "value" and i == np.flatnonzero(vals["count"] > 0)[-1]:
                row[-1] = str(np.nextafter(np.float32(row[-1]), np.float32(np.inf)))
            w.writerow(row)
        if tamper == "extra":
            w.writerow([str(ids[0] + 1)] + row[1:])


def run(store, export=True, memory=False):
    out = io.StringIO()
    rep = cs.run_checks(store, REF_EXPORT if export else None, memory=memory, out=out)
    return rep, out.getvalue()


def failed_names(rep):
    return {n for s, n, _ in rep.results if s == "FAIL"}


def reconsolidate(store):
    import zarr

    zarr.consolidate_metadata(store, zarr_format=3)


def edit_json(path, fn):
    with open(path) as f:
        d = json.load(f)
    fn(d)
    with open(path, "w") as f:
        json.dump(d, f)


class Fixture:
    """A temporary fixture store (small: orders 4..8, P=6)."""

    def __init__(self, latitude="authalic"):
        self.dir = tempfile.mkdtemp(prefix="zagg-check-")
        self.path = os.path.join(self.dir, "s.zarr")
        fixture.make_store(self.path, latitude=latitude, child_order=8)

    def __enter__(self):
        return self.path

    def __exit__(self, *a):
        shutil.rmtree(self.dir)


# ---- tests ----------------------------------------------------------------

def test_series_matches_closed_form():
    # Not at the poles, where arcsin in the closed form loses precision.
    phi = np.linspace(-89.5, 89.5, 20001)
    beta = cs.authalic_exact(phi)
    assert cs.authalic_from_geodetic(90.0) == 90.0 and cs.geodetic_from_authalic(-90.0) == -90.0
    assert np.abs(cs.authalic_from_geodetic(phi) - beta).max() < 1e-9
    assert np.abs(cs.geodetic_from_authalic(beta) - phi).max() < 1e-9
    assert 0.12 < np.abs(beta - phi).max() < 0.13  # the shift is real: 0.128° near 45°


def test_legacy_morton():
    assert cs.legacy_morton(1, [0, 3, 47]).tolist() == [11, 14, -64]
    # order 6: base cell 8 (lead 3, negative), digits 1..4 per level
    assert cs.legacy_morton(6, [8 * 4**6]).tolist() == [-3111111]
    assert cs.legacy_morton(6, [8 * 4**6 + 4**6 - 1]).tolist() == [-3444444]


def test_good_authalic():
    with Fixture("authalic") as s:
        rep, out = run(s, memory=True)
        assert not rep.failed(), out
        assert rep.status("8/export") == "PASS", out
        assert rep.status("memory/8") == "PASS", out
        assert rep.status("4/hierarchy") == "PASS", out


def test_good_geodetic():
    with Fixture("geodetic") as s:
        rep, out = run(s)
        assert not rep.failed(), out
        assert rep.status("7/decode-zarr") == "PASS", out


def test_wrong_ellipsoid_group():
    # geodetic store whose group declares WGS84 (as if authalic)
    with Fixture("geodetic") as s:
        edit_json(os.path.join(s, "7", "zarr.json"),
                  lambda d: d["attributes"]["dggs"].update(ellipsoid=dict(fixture.WGS84)))
        reconsolidate(s)
        rep, out = run(s, export=False)
        assert {"7/decode-zarr", "7/grid-attrs", "7/centres"} <= failed_names(rep), out
        assert rep.status("7/decode-xdggs") == "PASS", out
        assert rep.status("8/decode-zarr") == "PASS", out


def test_missing_ellipsoid_cell_ids():
    # authalic store whose cell_ids lack the ellipsoid: xdggs assumes a sphere
    with Fixture("authalic") as s:
        edit_json(os.path.join(s, "6", "cell_ids", "zarr.json"),
                  lambda d: d["attributes"].pop("ellipsoid"))
        reconsolidate(s)
        rep, out = run(s, export=False)
        assert {"6/decode-xdggs", "6/centres"} <= failed_names(rep), out
        assert rep.status("6/decode-zarr") == "PASS", out


def test_extra_cell_ids_attribute():
    with Fixture("authalic") as s:
        edit_json(os.path.join(s, "8", "cell_ids", "zarr.json"),
                  lambda d: d["attributes"].update(long_name="HEALPix cell"))
        reconsolidate(s)
        rep, out = run(s, export=False)
        assert {"8/arrays", "8/decode-xdggs"} <= failed_names(rep), out


def test_stale_consolidated_metadata():
    # an attribute changed after consolidation: xarray would not see it
    with Fixture("authalic") as s:
        edit_json(os.path.join(s, "7", "count", "zarr.json"),
                  lambda d: d["attributes"].update(long_name="changed"))
        rep, out = run(s, export=False)
        assert "root/consolidated" in failed_names(rep), out
        assert "7/count" in out, out


def test_fill_cell_id():
    import zarr

    with Fixture("authalic") as s:
        a = zarr.open_array(s, path="8/cell_ids", mode="r+")
        a[5] = 12 * 4**8  # the fill value: not a cell
        rep, out = run(s, export=False)
        assert "8/cell_ids" in failed_names(rep), out
        assert "≥ 12·4^8" in out, out
        assert rep.status("7/cell_ids") == "PASS", out


def test_chunk_with_wrong_parent():
    import zarr

    with Fixture("authalic") as s:
        a = zarr.open_array(s, path="7/cell_ids", mode="r+")
        ids = a[:]
        a[:16] = np.concatenate([ids[4:8], ids[:4], ids[8:16]])  # chunks 0 and 1 swapped
        rep, out = run(s, export=False)
        assert "7/cell_ids" in failed_names(rep), out
        assert "children of their chunk's parent" in out, out


def test_wrong_dim_length():
    # the parents list loses its last entry: every fine group is one chunk too long
    with Fixture("authalic") as s:
        edit_json(os.path.join(s, "zarr.json"),
                  lambda d: d["attributes"]["zagg"]["parents"].pop())
        reconsolidate(s)
        rep, out = run(s, export=False)
        assert {"6/layout", "7/layout", "8/layout"} <= failed_names(rep), out
        assert "want len(parents)" in out, out


def test_empty_cell_not_nan():
    import zarr

    with Fixture("authalic") as s:
        cnt = zarr.open_array(s, path="8/count", mode="r")[:]
        i = int(np.flatnonzero(cnt == 0)[0])
        a = zarr.open_array(s, path="8/h_mean", mode="r+")
        a[i] = 1.0
        rep, out = run(s, export=False)
        assert "8/stats" in failed_names(rep), out


def test_count_hierarchy():
    import zarr

    with Fixture("authalic") as s:
        a = zarr.open_array(s, path="7/count", mode="r+")
        a[0] = a[0] + 1
        rep, out = run(s, export=False)
        assert "7/hierarchy" in failed_names(rep), out


def test_export_mismatch():
    with Fixture("authalic") as s:
        rep, out = cs.run_checks(s, REF_EXPORT + " value", memory=False, out=io.StringIO()), None
        assert "8/export" in failed_names(rep)
        assert any("differences" in d for st, n, d in rep.results if n == "8/export")
        rep = cs.run_checks(s, REF_EXPORT + " extra", memory=False, out=io.StringIO())
        assert "8/export" in failed_names(rep)


def test_export_float32_rounding():
    v = np.float32(0.1)
    assert cs._f32_rounds_to("0.1", v)
    assert cs._f32_rounds_to("0.100000001", v)
    assert not cs._f32_rounds_to("0.10000002", v)


def test_memory_bound_fails():
    # The same store with a bound of 0 bytes per cell and no base must fail:
    # the probe does allocate for the cells it decodes.
    with tempfile.TemporaryDirectory(prefix="zagg-check-") as d:
        s = os.path.join(d, "s.zarr")
        fixture.make_store(s, child_order=11, parents=[2049, 30000, 45763], coarse_orders=(), simple=True)
        base, per = cs.MEM_BASE, cs.MEM_PER_CELL
        try:
            cs.MEM_BASE, cs.MEM_PER_CELL = 0, 0
            rep = cs.Report(out=io.StringIO())
            st = cs.StoreInfo(s)
            st.P, st.C, st.parents = 6, 11, np.array([2049, 30000, 45763], dtype=np.uint64)
            cs.check_memory(rep, st)
            assert rep.status("memory/11") == "FAIL", rep.results
        finally:
            cs.MEM_BASE, cs.MEM_PER_CELL = base, per


def main():
    if sys.argv[1:2] == ["--export"]:
        ref_export(sys.argv[2], int(sys.argv[3]), sys.argv[4], *(sys.argv[5:6]))
        return 0
    tests = [(k, f) for k, f in sorted(globals().items()) if k.startswith("test_") and callable(f)]
    if sys.argv[1:]:
        tests = [(k, f) for k, f in tests if any(a in k for a in sys.argv[1:])]
    bad = 0
    for k, f in tests:
        try:
            f()
            print(f"ok   {k}", flush=True)
        except Exception as e:  # report every failure, then exit 1
            bad += 1
            print(f"FAIL {k}: {type(e).__name__}: {str(e)[:3000]}", flush=True)
    print(f"{len(tests) - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
