#!/usr/bin/python3
"""Make zagg's built-in sample data: synthetic ATL06-like granules, a catalog,
and the statistics numpy computes on the same points.

Run with Debian's interpreter (python3-h5py, python3-healpy, python3-numpy):

    /usr/bin/python3 internal/sampledata/mksample.py            # the committed sample
    /usr/bin/python3 internal/sampledata/mksample.py --dense DIR   # benchmark input (not committed)
    /usr/bin/python3 internal/sampledata/mksample.py --cycles       # the multi-window sample (cycles/)

The granules copy the structure of a real ATL06 file (see the ATL06 data
dictionary): six beam groups /gtXX/land_ice_segments with more than eight links
(dense link storage, creation order tracked), f8 latitude/longitude, f4 h_li and
h_li_sigma with fill value FLT_MAX, an i1 atl06_quality_summary with shuffle,
chunked, deflate level 6, unlimited max shape. Tracks are synthetic: three
reference ground tracks crossing East Antarctica between 76S and 78.6S, six
beams each (three pairs 3.3 km apart, 90 m within a pair).

expected.json holds, for every order from the child order (12) down to 0
(orders below the parent order 6 are what a finalize step merges from the
parent cells' partial states), the statistics of zagg 0.1.0's atl06.yaml for every cell with
data, computed here with numpy in float64 on the points that pass the filters:
  * the point lies in a parent cell of the catalog (all do, by construction);
  * atl06_quality_summary == 0;
  * no variable of the row (h_li, h_li_sigma) equals its HDF5 fill value
    (zagg Go drops such rows; zagg 0.1.0 did not).
Cells are assigned with healpy at nside 2^29 (NESTED) after converting geodetic
latitude to authalic latitude (WGS84 series, Karney 2022, "On auxiliary latitudes"), then
truncated to each order: an implementation independent of zagg's Go code.
"""
import argparse
import json
import os
import sys

import h5py
import healpy
import numpy as np

FILL = np.float32(3.4028235e38)
PARENT_ORDER = 6
CHILD_ORDER = 12
BUCKET = "zagg-sample"
PREFIX = "ATLAS/ATL06/007"

# Authalic latitude series coefficients (float64 bit patterns, Karney 2022).
F = [float.fromhex(h) for h in ("-0x1.257f6a0d4ec34p-9", "0x1.1dffd07b72abcp-19",
                                "-0x1.5fbdd3c5f03e3p-29", "0x1.da40e51e5f741p-39",
                                "-0x1.4aaaccce996d9p-48")]


def authalic(lat_deg):
    x = np.radians(lat_deg)
    acc = np.zeros_like(x)
    for k, c in enumerate(F, start=1):
        acc += c * np.sin(2 * k * x)
    return np.clip(np.degrees(x + acc), -90.0, 90.0)


def nest29(lat, lon):
    return healpy.ang2pix(1 << 29, lon, authalic(lat), nest=True, lonlat=True).astype(np.uint64)


def legacy_morton(order, nest):
    """zagg 0.1.0's signed decimal morton id of a NESTED cell (mortie, Youngren & Petty 2017)."""
    base = nest >> (2 * order)
    normed = nest & ((1 << (2 * order)) - 1)
    digits = 0
    for k in range(1, order + 1):
        digits = digits * 10 + 1 + ((normed >> (2 * (order - k))) & 3)
    if base < 6:
        return (base + 1) * 10 ** order + digits
    return -((base - 5) * 10 ** order + digits)


def make_track(rng, lon0, lat_start, lat_end, n, drift):
    """Centre-line of a reference ground track: n segments from lat_start to lat_end."""
    t = np.linspace(0.0, 1.0, n)
    lat = lat_start + (lat_end - lat_start) * t
    lon = lon0 + drift * t
    return lat, lon


def surface(lat, lon):
    """A smooth synthetic ice surface (metres)."""
    return (2800.0 + 400.0 * np.sin(np.radians(lat) * 40.0) * np.cos(np.radians(lon) * 7.0)
            + 60.0 * np.sin(np.radians(lon - 100.0) * 90.0))


def write_granule(path, rng, lon0, lat_start, lat_end, drift, nseg, chunk, rgt, cycle, t0=1.9e8):
    beams = ["gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"]
    cols = {}
    with h5py.File(path, "w") as f:
        f.attrs["short_name"] = np.bytes_("ATL06")
        f.attrs["description"] = np.bytes_("zagg synthetic ATL06-like sample granule (not NASA data)")
        oi = f.create_group("orbit_info")
        oi.create_dataset("rgt", data=np.array([rgt], dtype="i2"))
        oi.create_dataset("cycle_number", data=np.array([cycle], dtype="i1"))
        for b, beam in enumerate(beams):
            pair = b // 2
            side = -1 if beam.endswith("l") else 1
            across_km = (pair - 1) * 3.3 + side * 0.045
            n = nseg + int(rng.integers(-nseg // 30, nseg // 30 + 1))
            lat, lon = make_track(rng, lon0, lat_start, lat_end, n, drift)
            lon = lon + across_km / (111.32 * np.cos(np.radians(lat)))
            lat = lat + rng.normal(0.0, 2e-6, n)
            h = (surface(lat, lon) + rng.normal(0.0, 0.3, n)).astype("f4")
            s = (np.abs(rng.normal(0.05, 0.03, n)) + 0.01).astype("f4")
            q = (rng.random(n) < 0.12).astype("i1")
            fill_both = rng.random(n) < 0.015
            h[fill_both] = FILL
            s[fill_both] = FILL
            fill_sigma = (rng.random(n) < 0.005) & ~fill_both
            s[fill_sigma] = FILL
            g = f.create_group(f"{beam}/land_ice_segments", track_order=True)
            kw = dict(chunks=(chunk,), maxshape=(None,), compression="gzip",
                      compression_opts=6, track_times=False)
            attrs = {
                "latitude": ("degrees_north", "Latitude"),
                "longitude": ("degrees_east", "Longitude"),
                "h_li": ("meters", "Standard Land-ice segment height"),
                "h_li_sigma": ("meters", "Expected RMS segment misfit"),
                "atl06_quality_summary": ("1", "ATL06_Quality_Summary"),
                "delta_time": ("seconds since 2018-01-01", "Elapsed GPS seconds"),
                "segment_id": ("1", "Reference Point, m"),
                "x_atc": ("meters", "Along Track Distance"),
                "sigma_geo_h": ("meters", "Height Error"),
            }
            data = {
                "latitude": lat,
                "longitude": lon,
                "h_li": h,
                "h_li_sigma": s,
                "atl06_quality_summary": q,
                "delta_time": t0 + np.arange(n, dtype="f8") * 0.0028,
                "segment_id": (600000 + np.arange(n)).astype("i4"),
                "x_atc": (2.0e7 + np.arange(n) * 20.0).astype("f8"),
                "sigma_geo_h": np.full(n, 0.03, dtype="f4"),
            }
            for name, arr in data.items():
                extra = {}
                if name in ("h_li", "h_li_sigma", "sigma_geo_h"):
                    extra["fillvalue"] = FILL
                if name == "atl06_quality_summary":
                    extra["shuffle"] = True
                d = g.create_dataset(name, data=arr, **kw, **extra)
                units, long_name = attrs[name]
                d.attrs["units"] = np.bytes_(units)
                d.attrs["long_name"] = np.bytes_(long_name)
                if "fillvalue" in extra:
                    d.attrs["_FillValue"] = extra["fillvalue"]
            cols.setdefault("lat", []).append(lat)
            cols.setdefault("lon", []).append(lon)
            cols.setdefault("h", []).append(h)
            cols.setdefault("s", []).append(s)
            cols.setdefault("q", []).append(q)
    return {k: np.concatenate(v) for k, v in cols.items()}


def stats(h, s):
    """zagg 0.1.0 atl06.yaml statistics on one cell's rows (float64)."""
    h = h.astype("f8")
    s = s.astype("f8")
    w = 1.0 / s ** 2
    return {
        "count": int(h.size),
        "h_min": float(np.min(h)),
        "h_max": float(np.max(h)),
        "h_mean": float(np.average(h, weights=w)),
        "h_sigma": float(1.0 / np.sqrt(np.sum(1.0 / s ** 2))),
        "h_variance": float(np.var(h)),
        "h_q25": float(np.quantile(h, 0.25)),
        "h_q50": float(np.quantile(h, 0.50)),
        "h_q75": float(np.quantile(h, 0.75)),
    }


GRANULES = [
    # name, lon0, lat_start, lat_end, drift, rgt, cycle
    ("ATL06_20240106031522_02542214_007_01.h5", 101.0, -76.0, -78.6, 1.2, 254, 22),
    ("ATL06_20240111150418_03382212_007_01.h5", 104.5, -78.6, -76.0, -1.0, 338, 22),
    ("ATL06_20240203112047_06892214_007_01.h5", 107.0, -76.0, -78.6, 0.8, 689, 22),
]


def sample(outdir):
    """The committed sample: granules, catalog.json and expected.json in outdir."""
    rng = np.random.default_rng(20261121)
    gdir = os.path.join(outdir, "granules")
    os.makedirs(gdir, exist_ok=True)
    allcols = []
    catalog = {}
    for name, lon0, la, lb, drift, rgt, cycle in GRANULES:
        date = name[6:14]
        url = f"s3://{BUCKET}/{PREFIX}/{date[:4]}/{date[4:6]}/{date[6:]}/{name}"
        c = write_granule(os.path.join(gdir, name), rng, lon0, la, lb, drift,
                          nseg=2000, chunk=1000, rgt=rgt, cycle=cycle)
        cells = nest29(c["lat"], c["lon"])
        c["cell"] = cells
        allcols.append(c)
        for p in np.unique(cells >> np.uint64(2 * (29 - PARENT_ORDER))):
            catalog.setdefault(legacy_morton(PARENT_ORDER, int(p)), []).append(url)
    cols = {k: np.concatenate([c[k] for c in allcols]) for k in allcols[0]}
    keep = (cols["q"] == 0) & (cols["h"] != FILL) & (cols["s"] != FILL)
    cell, h, s = cols["cell"][keep], cols["h"][keep], cols["s"][keep]
    expected = {"parent_order": PARENT_ORDER, "child_order": CHILD_ORDER,
                "latitude": "authalic", "points_total": int(keep.size),
                "points_kept": int(keep.sum()), "orders": {}}
    for order in range(CHILD_ORDER, -1, -1):
        oc = cell >> np.uint64(2 * (29 - order))
        order_idx = np.argsort(oc, kind="stable")
        oc, hs, ss = oc[order_idx], h[order_idx], s[order_idx]
        uniq, start = np.unique(oc, return_index=True)
        bounds = list(start) + [oc.size]
        table = {"cell_ids": [int(u) for u in uniq]}
        for i in range(uniq.size):
            st = stats(hs[bounds[i]:bounds[i + 1]], ss[bounds[i]:bounds[i + 1]])
            for k, v in st.items():
                table.setdefault(k, []).append(v)
        expected["orders"][str(order)] = table
    keys = sorted(catalog)
    cat = {
        "metadata": {
            "short_name": "ATL06", "version": "007", "provider": "NSIDC_CPRD",
            "start_date": "2024-01-06", "end_date": "2024-04-06",
            "parent_order": PARENT_ORDER,
            "total_granules": len(GRANULES),
            "total_cells": len(keys),
            "created": "2026-11-21T00:00:00",
            "s3_base": f"s3://{BUCKET}",
            "cycle": 22,
            "latitude": "authalic",
        },
        "catalog": {str(k): catalog[k] for k in keys},
    }
    with open(os.path.join(outdir, "catalog.json"), "w") as fh:
        json.dump(cat, fh, indent=2)
        fh.write("\n")
    with open(os.path.join(outdir, "expected.json"), "w") as fh:
        json.dump(expected, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"{len(GRANULES)} granules, {keep.size} points ({keep.sum()} kept), "
          f"{len(keys)} parent cells, {len(expected['orders'][str(CHILD_ORDER)]['cell_ids'])} "
          f"order-{CHILD_ORDER} cells with data", file=sys.stderr)


def dense(outdir, ngranules, nseg, spread=False):
    """Benchmark input: ngranules full-length granules whose tracks all cross one
    parent cell (the order-6 cell holding 77.3S 104.5E). With spread, granule i
    lies in ICESat-2 cycle 3 + i % 20 (30 days after the cycle's start), for
    the multi-window benchmark (bench/windows); otherwise all share one time."""
    rng = np.random.default_rng(7)
    gdir = os.path.join(outdir, "granules")
    os.makedirs(gdir, exist_ok=True)
    target = int(nest29(np.array([-77.3]), np.array([104.5]))[0]) >> (2 * (29 - PARENT_ORDER))
    urls = []
    span = nseg * 20.0 / 111320.0  # degrees of latitude at 20 m per segment
    for i in range(ngranules):
        name = f"ATL06_202401{(i % 28) + 1:02d}0000{i:02d}_{1000 + i:04d}2214_007_01.h5"
        lon0 = 104.0 + rng.uniform(-0.3, 0.3)
        la = -77.3 + span * rng.uniform(0.3, 0.7)
        lb = la - span
        cycle, t0 = 22, 1.9e8
        if spread:
            cycle = 3 + i % 20
            t0 = cycle_time_approx(cycle) + 30 * 86400.0
            name = f"ATL06_202401{(i % 28) + 1:02d}0000{i:02d}_{1000 + i:04d}{cycle:02d}14_007_01.h5"
        write_granule(os.path.join(gdir, name), rng, lon0, max(la, -60.0), max(lb, -88.0),
                      rng.uniform(-0.5, 0.5), nseg=nseg, chunk=10000, rgt=1000 + i, cycle=cycle, t0=t0)
        urls.append(f"s3://{BUCKET}/{PREFIX}/dense/{name}")
        print(f"dense granule {i + 1}/{ngranules}", file=sys.stderr)
    cat = {"metadata": {"short_name": "ATL06", "version": "007", "provider": "NSIDC_CPRD",
                        "parent_order": PARENT_ORDER, "total_granules": ngranules,
                        "total_cells": 1, "created": "2026-11-21T00:00:00",
                        "s3_base": f"s3://{BUCKET}", "latitude": "authalic"},
           "catalog": {str(legacy_morton(PARENT_ORDER, target)): urls}}
    with open(os.path.join(outdir, "catalog.json"), "w") as fh:
        json.dump(cat, fh, indent=2)
        fh.write("\n")


# The multi-window sample (cycles/): the same three reference ground tracks
# repeated in ICESat-2 cycles 19-22, on a surface that falls by TREND metres a
# year. Each track samples the same places with the same quality flags and fill
# values in every cycle, so that window means differ by the trend and noise only.
TREND = -0.8  # m/yr, imposed everywhere
CYCLES = [19, 20, 21, 22]
# Start of reference ground track 1 of each cycle and of the next, as the
# ICESat-2 orbit model gives them (cmr.TrueCycleRange prints the same); a
# cycle is 1387 reference ground tracks. Points are placed mid-orbit, hours
# away from a cycle boundary.
CYCLE_START = {19: "2023-03-21T10:16:39", 20: "2023-06-20T05:56:27", 21: "2023-09-19T01:36:16",
               22: "2023-12-18T21:16:05", 23: "2024-03-18T16:55:54"}
EPOCH = np.datetime64("2018-01-01T00:00:00", "s")  # delta_time's zero (GPS = UTC + 18 s at both ends)
YEAR = 365.25 * 86400.0


def cycle_time_approx(cycle):
    """delta_time of the start of a cycle, extrapolated from cycle 19 with the
    mean cycle length of cycles 19-22 (accurate to minutes: enough to place a
    granule 30 days inside it)."""
    a = (np.datetime64(CYCLE_START[19], "s") - EPOCH).astype("f8")
    b = (np.datetime64(CYCLE_START[23], "s") - EPOCH).astype("f8")
    return a + (cycle - 19) * (b - a) / 4


def cycle_time(cycle, rgt):
    """delta_time of the start of reference ground track rgt in cycle."""
    a = (np.datetime64(CYCLE_START[cycle], "s") - EPOCH).astype("f8")
    b = (np.datetime64(CYCLE_START[cycle + 1], "s") - EPOCH).astype("f8")
    return a + (b - a) * (rgt - 1) / 1387.0


def write_cycle_granule(path, lon0, lat_start, lat_end, drift, nseg, chunk, rgt, cycle, t0):
    """One granule of the multi-window sample; returns its points."""
    beams = ["gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"]
    cols = {}
    noise = np.random.default_rng(1000 * rgt + cycle)  # differs per cycle
    with h5py.File(path, "w") as f:
        f.attrs["short_name"] = np.bytes_("ATL06")
        f.attrs["description"] = np.bytes_("zagg synthetic ATL06-like multi-cycle sample granule (not NASA data)")
        oi = f.create_group("orbit_info")
        oi.create_dataset("rgt", data=np.array([rgt], dtype="i2"))
        oi.create_dataset("cycle_number", data=np.array([cycle], dtype="i1"))
        for b, beam in enumerate(beams):
            place = np.random.default_rng(10 * rgt + b)  # the same in every cycle
            pair = b // 2
            side = -1 if beam.endswith("l") else 1
            across_km = (pair - 1) * 3.3 + side * 0.045
            lat, lon = make_track(place, lon0, lat_start, lat_end, nseg, drift)
            lon = lon + across_km / (111.32 * np.cos(np.radians(lat)))
            s = (np.abs(place.normal(0.05, 0.03, nseg)) + 0.01).astype("f4")
            q = (place.random(nseg) < 0.12).astype("i1")
            fill_both = place.random(nseg) < 0.015
            fill_sigma = (place.random(nseg) < 0.005) & ~fill_both
            dt = t0 + np.arange(nseg, dtype="f8") * 0.028
            h = (surface(lat, lon) + TREND * dt / YEAR + noise.normal(0.0, 1.0, nseg) * s).astype("f4")
            h[fill_both] = FILL
            s[fill_both] = FILL
            s[fill_sigma] = FILL
            g = f.create_group(f"{beam}/land_ice_segments")
            kw = dict(chunks=(chunk,), maxshape=(None,), compression="gzip",
                      compression_opts=6, track_times=False)
            for name, arr, units, long_name in (
                    ("latitude", lat, "degrees_north", "Latitude"),
                    ("longitude", lon, "degrees_east", "Longitude"),
                    ("h_li", h, "meters", "Standard Land-ice segment height"),
                    ("h_li_sigma", s, "meters", "Expected RMS segment misfit"),
                    ("atl06_quality_summary", q, "1", "ATL06_Quality_Summary"),
                    ("delta_time", dt, "seconds since 2018-01-01", "Elapsed GPS seconds")):
                extra = {}
                if name in ("h_li", "h_li_sigma"):
                    extra["fillvalue"] = FILL
                if name == "atl06_quality_summary":
                    extra["shuffle"] = True
                d = g.create_dataset(name, data=arr, **kw, **extra)
                d.attrs["units"] = np.bytes_(units)
                d.attrs["long_name"] = np.bytes_(long_name)
                if "fillvalue" in extra:
                    d.attrs["_FillValue"] = extra["fillvalue"]
            for k, v in (("lat", lat), ("lon", lon), ("h", h), ("s", s), ("q", q), ("t", dt)):
                cols.setdefault(k, []).append(v)
    return {k: np.concatenate(v) for k, v in cols.items()}


def fit(t, y, sigma):
    """Weighted least-squares line as agg.FitTrend: slope, and its standard
    error as ErrorMax (the larger of numpy's unscaled and scaled)."""
    if len(t) < 3:
        return None
    p, cu = np.polyfit(t, y, 1, w=1.0 / sigma, cov="unscaled")
    _, cs = np.polyfit(t, y, 1, w=1.0 / sigma, cov=True)
    return float(p[0]), float(np.sqrt(max(cu[0, 0], cs[0, 0]))), len(t), float(t.max() - t.min())


def cycles(outdir):
    """The multi-window sample: granules, catalog.json and expected.json in outdir."""
    gdir = os.path.join(outdir, "granules")
    os.makedirs(gdir, exist_ok=True)
    tracks = [(254, 101.4, -77.0, -78.0, 0.5), (338, 104.5, -78.0, -77.0, -0.4), (689, 106.6, -77.0, -78.0, 0.3)]
    allcols, catalog, names = [], {}, []
    for w, cycle in enumerate(CYCLES):
        for rgt, lon0, la, lb, drift in tracks:
            t0 = cycle_time(cycle, rgt)
            stamp = str(EPOCH + np.timedelta64(int(t0), "s")).replace("-", "").replace(":", "").replace("T", "")
            name = f"ATL06_{stamp}_{rgt:04d}{cycle:02d}14_007_01.h5"
            url = f"s3://{BUCKET}/{PREFIX}/cycles/{name}"
            c = write_cycle_granule(os.path.join(gdir, name), lon0, la, lb, drift, nseg=300, chunk=300,
                                    rgt=rgt, cycle=cycle, t0=t0)
            c["cell"] = nest29(c["lat"], c["lon"])
            c["w"] = np.full(c["cell"].size, w)
            allcols.append(c)
            names.append(name)
            for p in np.unique(c["cell"] >> np.uint64(2 * (29 - PARENT_ORDER))):
                catalog.setdefault(legacy_morton(PARENT_ORDER, int(p)), []).append(url)
    cols = {k: np.concatenate([c[k] for c in allcols]) for k in allcols[0]}
    keep = (cols["q"] == 0) & (cols["h"] != FILL) & (cols["s"] != FILL)
    cell, h, s, win = cols["cell"][keep], cols["h"][keep], cols["s"][keep], cols["w"][keep]
    # Window mid-times in Julian years since 2018-01-01 (the trend's abscissae).
    mids = []
    for cycle in CYCLES:
        a = (np.datetime64(CYCLE_START[cycle], "s") - EPOCH).astype("f8")
        b = (np.datetime64(CYCLE_START[cycle + 1], "s") - EPOCH).astype("f8")
        mids.append((a + (b - a) / 2) / YEAR)
    mids = np.array(mids)
    expected = {"parent_order": PARENT_ORDER, "child_order": CHILD_ORDER, "latitude": "authalic",
                "cycles": CYCLES, "trend_m_per_year": TREND, "window_mid_years": mids.tolist(),
                "points_total": int(keep.size), "points_kept": int(keep.sum()), "orders": {}}
    for order in (12, 9, 6, 4):
        oc = cell >> np.uint64(2 * (29 - order))
        table = {"windows": []}
        per_cell = {}
        for w in range(len(CYCLES)):
            sel = win == w
            ocw, hw, sw = oc[sel], h[sel], s[sel]
            idx = np.argsort(ocw, kind="stable")
            ocw, hw, sw = ocw[idx], hw[idx], sw[idx]
            uniq, start = np.unique(ocw, return_index=True)
            bounds = list(start) + [ocw.size]
            wt = {"cell_ids": [int(u) for u in uniq]}
            for i in range(uniq.size):
                st = stats(hw[bounds[i]:bounds[i + 1]], sw[bounds[i]:bounds[i + 1]])
                for k, v in st.items():
                    wt.setdefault(k, []).append(v)
                per_cell.setdefault(int(uniq[i]), []).append((mids[w], st["h_mean"], st["h_sigma"]))
            table["windows"].append(wt)
        trend = {"cell_ids": [], "dhdt": [], "dhdt_sigma": [], "dhdt_windows": [], "dhdt_span": []}
        for c in sorted(per_cell):
            r = fit(*(np.array(x) for x in zip(*per_cell[c])))
            if r is None:
                continue
            trend["cell_ids"].append(c)
            for k, v in zip(("dhdt", "dhdt_sigma", "dhdt_windows", "dhdt_span"), r):
                trend[k].append(v)
        table["trend"] = trend
        expected["orders"][str(order)] = table
    keys = sorted(catalog)
    cat = {
        "metadata": {
            "short_name": "ATL06", "version": "007", "provider": "NSIDC_CPRD",
            "start_date": CYCLE_START[CYCLES[0]][:10], "end_date": CYCLE_START[CYCLES[-1] + 1][:10],
            "parent_order": PARENT_ORDER, "total_granules": len(names), "total_cells": len(keys),
            "created": "2026-12-07T00:00:00", "s3_base": f"s3://{BUCKET}",
            "cycle": CYCLES[0], "latitude": "authalic", "cycle_definition": "true", "last_cycle": CYCLES[-1],
        },
        "catalog": {str(k): catalog[k] for k in keys},
    }
    with open(os.path.join(outdir, "catalog.json"), "w") as fh:
        json.dump(cat, fh, indent=2)
        fh.write("\n")
    with open(os.path.join(outdir, "expected.json"), "w") as fh:
        json.dump(expected, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"{len(names)} granules, {keep.size} points ({keep.sum()} kept), {len(keys)} parent cells, "
          f"{len(expected['orders'][str(PARENT_ORDER)]['trend']['cell_ids'])} parent cells with a trend",
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dense", metavar="DIR", help="write the dense benchmark cell to DIR")
    ap.add_argument("--granules", type=int, default=20)
    ap.add_argument("--segments", type=int, default=150000)
    ap.add_argument("--cycles", action="store_true", help="write the multi-window sample to cycles/")
    ap.add_argument("--spread", action="store_true", help="with --dense: granule i in cycle 3 + i %% 20")
    a = ap.parse_args()
    if a.cycles:
        cycles(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cycles"))
    elif a.dense:
        dense(a.dense, a.granules, a.segments, a.spread)
    else:
        sample(os.path.dirname(os.path.abspath(__file__)))


if __name__ == "__main__":
    main()
