#!/usr/bin/python3
"""Fixture granules for zagg's built-in product configs, and the statistics
numpy computes on them.

Rerun from the repository root with Debian's interpreter (python3-h5py,
python3-healpy, python3-numpy; `apt-get install -y python3-h5py python3-healpy`):

    /usr/bin/python3 pipeline/testdata/products/mkproducts.py

It writes, in pipeline/testdata/products/, one small synthetic granule per
product and <config>.expected.json next to it, which
pipeline/config_products_test.go compares with what zagg stores when it runs
the built-in config of that name (pipeline/config/builtin/<config>.yaml).

The granules follow the products' data dictionaries in what the configs
read: group layout, dataset names, dtypes, fill values (the HDF5 fill value
and the _FillValue attribute, as NSIDC's files carry both), and chunked,
shuffled, gzip-compressed storage with unlimited max shape. Values are
synthetic (seeded), placed on plausible tracks:

  atl03     ATL03 photons, East Antarctica (land ice): /gtXX/heights/lat_ph,
            lon_ph (f8), h_ph (f4, fill FLT_MAX on a few photons) and the 2-D
            signal_conf_ph (i1, [photons x 5]: land, ocean, sea ice, land ice,
            inland water; values -2..4), chunks of 256 rows.
  atl08     ATL08 land segments, Pacific Northwest: /gtXX/land_segments/
            latitude, longitude (f4, as in ATL08), terrain/h_te_best_fit and
            canopy/h_canopy (f4, fill FLT_MAX: no canopy on a third of the
            segments), msw_flag (i1, -1..5).
  atl10     ATL10 release-006 freeboard segments, Weddell Sea: /gtXX/
            freeboard_segment/latitude, longitude (f8), beam_fb_height (f4,
            fill FLT_MAX on a tenth), heights/height_segment_type (i1).
  gedi_l2a  GEDI L2A shots, central Amazon: /BEAMxxxx/lat_lowestmode,
            lon_lowestmode (f8), elev_lowestmode (f4, fill -9999 on a few
            shots), quality_flag and degrade_flag (u1), for the eight beams.

Cells are assigned as internal/sampledata/mksample.py does (geodetic to
authalic latitude, healpy NESTED at order 29, truncated), independently of
zagg's Go code; the statistics are computed in float64 over the rows that
pass the config's filters and whose variables are not at their fill value.
"""
import json
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "internal", "sampledata"))
from mksample import legacy_morton, nest29  # noqa: E402

PARENT_ORDER = 6
CHILD_ORDER = 12
FLT_MAX = np.float32(3.4028235e38)
ICESAT2_BEAMS = ["gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"]
GEDI_BEAMS = ["BEAM0000", "BEAM0001", "BEAM0010", "BEAM0011",
              "BEAM0101", "BEAM0110", "BEAM1000", "BEAM1011"]


def put(g, name, data, fill=None, chunk=256, **attrs):
    """A chunked, shuffled, gzip-6 dataset with unlimited rows, as the products store them."""
    data = np.asarray(data)
    shape = data.shape
    kw = dict(chunks=(min(chunk, shape[0]),) + shape[1:], maxshape=(None,) + shape[1:],
              compression="gzip", compression_opts=6, shuffle=True)
    if fill is not None:
        kw["fillvalue"] = fill
    d = g.create_dataset(name, data=data, **kw)
    if fill is not None:
        d.attrs["_FillValue"] = np.array([fill], dtype=data.dtype)
    for k, v in attrs.items():
        d.attrs[k] = v
    return d


def track(rng, n, lat0, lat1, lon0, lon1, offset):
    t = np.linspace(0.0, 1.0, n)
    lat = lat0 + (lat1 - lat0) * t + rng.normal(0, 1e-6, n)
    lon = lon0 + offset + (lon1 - lon0) * t + rng.normal(0, 1e-6, n)
    return lat, lon


# ---- granules ------------------------------------------------------------

def make_atl03(path, rng):
    beams = {}
    with h5py.File(path, "w") as f:
        for b, beam in enumerate(ICESAT2_BEAMS):
            n = 1000
            lat, lon = track(rng, n, -77.00, -77.06, 105.0, 105.02, 0.03 * (b // 2) + 0.002 * (b % 2))
            h = (2900.0 + 30.0 * np.sin(lat * 50.0) + rng.normal(0, 0.8, n)).astype(np.float32)
            h[rng.random(n) < 0.03] = FLT_MAX
            conf = rng.integers(-2, 5, size=(n, 5)).astype(np.int8)
            # Land ice photons are mostly signal; the other surface types are not considered.
            conf[:, 3] = rng.choice(np.array([0, 1, 2, 3, 4], dtype=np.int8), size=n, p=[0.2, 0.1, 0.1, 0.2, 0.4])
            g = f.create_group(beam + "/heights")
            put(g, "lat_ph", lat, units="degrees_north", long_name="Latitude")
            put(g, "lon_ph", lon, units="degrees_east", long_name="Longitude")
            put(g, "h_ph", h, fill=FLT_MAX, units="meters", long_name="Photon WGS84 Height")
            put(g, "signal_conf_ph", conf, units="counts", long_name="Photon Signal Confidence",
                flag_values=np.array([-2, -1, 0, 1, 2, 3, 4], dtype=np.int8),
                flag_meanings="possible_tep not_considered noise buffer low medium high")
            beams[beam] = {"lat": lat, "lon": lon,
                           "vars": {"height": h, "conf_landice": conf[:, 3]},
                           "fills": {"height": FLT_MAX, "conf_landice": None},
                           "keep": conf[:, 3] >= 3}
    return beams


def make_atl08(path, rng):
    beams = {}
    with h5py.File(path, "w") as f:
        for b, beam in enumerate(ICESAT2_BEAMS):
            n = 500
            lat, lon = track(rng, n, 45.10, 45.55, -122.10, -122.16, 0.03 * (b // 2) + 0.001 * (b % 2))
            lat, lon = lat.astype(np.float32), lon.astype(np.float32)
            te = (600.0 + 200.0 * np.sin(lat.astype(np.float64) * 30.0) + rng.normal(0, 2.0, n)).astype(np.float32)
            te[rng.random(n) < 0.05] = FLT_MAX
            can = rng.gamma(4.0, 6.0, n).astype(np.float32)
            can[rng.random(n) < 0.33] = FLT_MAX
            msw = rng.choice(np.array([-1, 0, 1, 2, 3, 4, 5], dtype=np.int8), size=n,
                             p=[0.05, 0.7, 0.05, 0.05, 0.05, 0.05, 0.05])
            g = f.create_group(beam + "/land_segments")
            put(g, "latitude", lat, fill=FLT_MAX, chunk=128, units="degrees_north")
            put(g, "longitude", lon, fill=FLT_MAX, chunk=128, units="degrees_east")
            put(g, "msw_flag", msw, fill=np.int8(127), chunk=128, units="1",
                flag_values=np.array([-1, 0, 1, 2, 3, 4, 5], dtype=np.int8))
            put(g.create_group("terrain"), "h_te_best_fit", te, fill=FLT_MAX, chunk=128, units="meters")
            put(g.create_group("canopy"), "h_canopy", can, fill=FLT_MAX, chunk=128, units="meters")
            beams[beam] = {"lat": lat.astype(np.float64), "lon": lon.astype(np.float64),
                           "vars": {"terrain": te, "canopy": can},
                           "fills": {"terrain": FLT_MAX, "canopy": FLT_MAX},
                           "keep": msw == 0}
    return beams


def make_atl10(path, rng):
    beams = {}
    with h5py.File(path, "w") as f:
        for b, beam in enumerate(ICESAT2_BEAMS):
            n = 500
            lat, lon = track(rng, n, -65.00, -65.40, -45.0, -45.3, 0.04 * (b // 2) + 0.002 * (b % 2))
            fb = rng.gamma(2.0, 0.15, n).astype(np.float32) - np.float32(0.05)
            fb[rng.random(n) < 0.02] = np.float32(12.0)  # implausible: dropped by the range filter
            fb[rng.random(n) < 0.10] = FLT_MAX
            stype = rng.choice(np.array([1, 2, 3, 6], dtype=np.int8), size=n, p=[0.85, 0.05, 0.05, 0.05])
            g = f.create_group(beam + "/freeboard_segment")
            put(g, "latitude", lat, chunk=128, units="degrees_north")
            put(g, "longitude", lon, chunk=128, units="degrees_east")
            put(g, "beam_fb_height", fb, fill=FLT_MAX, chunk=128, units="meters")
            put(g.create_group("heights"), "height_segment_type", stype, fill=np.int8(127), chunk=128)
            fb64 = fb.astype(np.float64)
            beams[beam] = {"lat": lat, "lon": lon,
                           "vars": {"freeboard": fb, "seg_type": stype},
                           "fills": {"freeboard": FLT_MAX, "seg_type": np.int8(127)},
                           "keep": (fb64 >= 0.0) & (fb64 <= 10.0)}
    return beams


def make_gedi(path, rng):
    beams = {}
    with h5py.File(path, "w") as f:
        for b, beam in enumerate(GEDI_BEAMS):
            n = 400
            lat, lon = track(rng, n, -3.00, -3.20, -60.00, -59.88, 0.005 * b)
            elev = (40.0 + 15.0 * np.cos(lon * 40.0) + rng.normal(0, 1.5, n)).astype(np.float32)
            elev[rng.random(n) < 0.02] = np.float32(-9999.0)
            qf = (rng.random(n) < 0.75).astype(np.uint8)
            df = (rng.random(n) < 0.05).astype(np.uint8)
            g = f.create_group(beam)
            put(g, "lat_lowestmode", lat, fill=-9999.0, chunk=128, units="degrees")
            put(g, "lon_lowestmode", lon, fill=-9999.0, chunk=128, units="degrees")
            put(g, "elev_lowestmode", elev, fill=np.float32(-9999.0), chunk=128, units="m")
            put(g, "quality_flag", qf, chunk=128)
            put(g, "degrade_flag", df, chunk=128)
            beams[beam] = {"lat": lat, "lon": lon,
                           "vars": {"elevation": elev},
                           "fills": {"elevation": np.float32(-9999.0)},
                           "keep": qf == 1}
    return beams


# ---- statistics -----------------------------------------------------------

def stats_of(name, v):
    """The statistic a config names, on float64 values (population std)."""
    kind = name.split("_", 1)[1] if "_" in name else name
    if kind == "min":
        return float(np.min(v))
    if kind == "max":
        return float(np.max(v))
    if kind == "mean":
        return float(np.mean(v))
    if kind == "std":
        return float(np.std(v))
    if kind == "median":
        return float(np.median(v))
    raise ValueError(name)


# Per product: the granule, the maker, and each float32 statistic with the
# column it reduces (the statistic's suffix names the numpy function).
PRODUCTS = {
    "atl03": ("ATL03_20190105120040_01230210_007_01.h5", make_atl03,
              {"h_min": "height", "h_max": "height", "h_mean": "height", "h_std": "height",
               "h_median": "height", "conf_mean": "conf_landice"}),
    "atl08": ("ATL08_20190612183512_11730307_007_01.h5", make_atl08,
              {"terrain_min": "terrain", "terrain_max": "terrain", "terrain_mean": "terrain",
               "terrain_std": "terrain", "terrain_median": "terrain",
               "canopy_mean": "canopy", "canopy_max": "canopy", "canopy_median": "canopy"}),
    "atl10": ("ATL10-02_20190301075233_09560201_006_02.h5", make_atl10,
              {"fb_min": "freeboard", "fb_max": "freeboard", "fb_mean": "freeboard",
               "fb_std": "freeboard", "fb_median": "freeboard"}),
    "gedi_l2a": ("GEDI02_A_2019108080338_O01964_01_T05337_02_003_01_V002.h5", make_gedi,
                 {"elev_min": "elevation", "elev_max": "elevation", "elev_mean": "elevation",
                  "elev_std": "elevation", "elev_median": "elevation"}),
}


def expected(name, granule, beams, stats):
    cols = {k: [] for k in ["cell"] + sorted({c for c in stats.values()})}
    parents = set()
    total = fill_dropped = filtered = 0
    for beam in beams.values():
        cell = nest29(beam["lat"], beam["lon"])
        parents.update(int(p) for p in cell >> np.uint64(2 * (29 - PARENT_ORDER)))
        n = len(cell)
        total += n
        fill_ok = np.ones(n, dtype=bool)
        for var, v in beam["vars"].items():
            fv = beam["fills"].get(var)
            if fv is not None and var in cols:
                fill_ok &= v != fv
        fill_dropped += int((~fill_ok).sum())
        filtered += int((fill_ok & ~beam["keep"]).sum())
        keep = fill_ok & beam["keep"]
        cols["cell"].append(cell[keep])
        for c in cols:
            if c != "cell":
                cols[c].append(beam["vars"][c][keep].astype(np.float64))
    cols = {k: np.concatenate(v) for k, v in cols.items()}
    orders = {}
    for order in range(CHILD_ORDER, PARENT_ORDER - 1, -1):
        ids = cols["cell"] >> np.uint64(2 * (29 - order))
        table = {k: [] for k in ["cell_ids", "count"] + list(stats)}
        for cid in np.unique(ids):
            m = ids == cid
            table["cell_ids"].append(int(cid))
            table["count"].append(int(m.sum()))
            for s, c in stats.items():
                table[s].append(stats_of(s, cols[c][m]))
        orders[str(order)] = table
    url = "s3://zagg-products/" + granule
    return {
        "config": name,
        "granule": granule,
        "parent_order": PARENT_ORDER,
        "child_order": CHILD_ORDER,
        "rows": total,
        "fill_dropped": fill_dropped,
        "filtered": filtered,
        "kept": int(len(cols["cell"])),
        "stats": list(stats),
        "catalog": {
            "metadata": {"parent_order": PARENT_ORDER, "latitude": "authalic",
                         "total_granules": 1, "total_cells": len(parents)},
            "catalog": {str(legacy_morton(PARENT_ORDER, p)): [url] for p in sorted(parents)},
        },
        "orders": orders,
    }


def main():
    rng = np.random.default_rng(20261207)
    for name, (granule, make, stats) in PRODUCTS.items():
        path = os.path.join(HERE, granule)
        beams = make(path, rng)
        exp = expected(name, granule, beams, stats)
        out = os.path.join(HERE, name + ".expected.json")
        with open(out, "w") as fh:
            json.dump(exp, fh, indent=1, allow_nan=False)
            fh.write("\n")
        print(f"{granule}: {os.path.getsize(path)} bytes; {exp['rows']} rows, {exp['fill_dropped']} at a fill "
              f"value, {exp['filtered']} filtered, {exp['kept']} kept, {exp['catalog']['metadata']['total_cells']} "
              f"parent cells, {len(exp['orders'][str(CHILD_ORDER)]['cell_ids'])} cells at order {CHILD_ORDER}")


if __name__ == "__main__":
    main()
