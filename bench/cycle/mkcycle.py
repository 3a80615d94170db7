#!/usr/bin/python3
"""Write synthetic ATL06-layout granules of a simulated Antarctic cycle (h5py).

Driven by `go run ./bench/cycle gen` (which then builds the catalog from the
files); runnable alone with Debian's interpreter (python3-h5py, python3-numpy):

    /usr/bin/python3 bench/cycle/mkcycle.py OUTDIR --rgts 50 --seed 22

Geometry (spherical Earth, R = 6371 km, circular orbit):
  * inclination 92°, 1387 reference ground tracks (RGTs) in a 91-day repeat:
    the ground track of one revolution shifts west by 360°·91/1387 ≈ 23.62°,
    so consecutive RGTs in time cross the equator 23.62° apart and the 1387
    of a cycle interleave 360/1387 ≈ 0.26° apart;
  * the southern pass of each selected RGT, south of --lat-max (default
    −60°), cut at ATL06's granule region boundaries: region 10 (descending,
    down to 79°S), 11 (79°S, the turn at 88°S, back to 79°S), 12 (ascending
    from 79°S); three granules per RGT;
  * six beams: three pairs 3.3 km apart across track, the two beams of a pair
    90 m apart, one row per 20 m along track (land_ice_segments);
  * --rgts RGTs evenly spread over 1..1387 (the thinning: a full cycle has
    1387); every row of the pass is kept (no cloud gaps).

Layout as real ATL06 (../shared/docs/hdf5.md §6): /gtXX/land_ice_segments
groups with more than eight links (dense link storage, creation order
tracked); latitude, longitude, delta_time and x_atc f8, h_li, h_li_sigma and
sigma_geo_h f4 with fill value FLT_MAX, atl06_quality_summary i1 with shuffle,
segment_id i4; chunks of 10,000 rows, deflate level 6, unlimited max shape;
/orbit_info/rgt and cycle_number. Values: a smooth synthetic surface plus
noise, 12 % of rows flagged, 1.5 % fill (flagged too). Prints one JSON line per granule
(name, rgt, region, rows per beam, rows that pass the
quality filter) to stdout.
"""
import argparse
import datetime
import json
import os
import sys

import h5py
import numpy as np

R_KM = 6371.0
INC = np.radians(92.0)
N_RGT = 1387
REPEAT_DAYS = 91
PERIOD_S = REPEAT_DAYS * 86400.0 / N_RGT  # nodal period
SHIFT_DEG = 360.0 * REPEAT_DAYS / N_RGT  # westward shift of the track per revolution
SEG_M = 20.0
FILL = np.float32(3.4028235e38)
BEAMS = ["gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"]
CYCLE = 22
START = datetime.datetime(2024, 1, 6)  # the cycle's first day (names only)


def beam_offsets_km():
    """Across-track offset of each beam: pairs at −3.3, 0, +3.3 km, ±45 m."""
    out = []
    for b in range(6):
        pair = b // 2
        side = -1 if BEAMS[b].endswith("l") else 1
        out.append((pair - 1) * 3.3 + side * 0.045)
    return out


def ground_track(rgt, u, across_km):
    """Geodetic-as-spherical lat/lon (degrees) of the point across_km to the
    right of RGT rgt at argument of latitude u (radians, from the ascending
    node), and its time since the RGT's node crossing (s)."""
    # Position on the orbit in the orbit frame, then across-track offset
    # along the orbit normal, rotated by the inclination.
    d = across_km / R_KM
    cu, su = np.cos(u), np.sin(u)
    x, y, z = cu * np.cos(d), su * np.cos(d), np.full_like(u, np.sin(d))
    # Orbit frame (x to the node, y in plane, z normal) to inertial with
    # inclination about x.
    ci, si = np.cos(INC), np.sin(INC)
    X = x
    Y = y * ci - z * si
    Z = y * si + z * ci
    lat = np.degrees(np.arcsin(np.clip(Z, -1, 1)))
    t = u / (2 * np.pi) * PERIOD_S
    node = -SHIFT_DEG * (rgt - 1)  # longitude of the RGT's ascending node (deg)
    # The Earth turns under the orbit plane (nodal regression included) by
    # SHIFT_DEG per revolution.
    lon = node + np.degrees(np.arctan2(Y, X)) - SHIFT_DEG * t / PERIOD_S
    lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon, t


def region_u(lat_max):
    """Argument-of-latitude intervals (radians) of regions 10, 11, 12 south
    of lat_max: the southern pass runs u in (π, 2π), southernmost at 3π/2."""
    def u_at(lat_deg, descending):
        a = np.arcsin(np.sin(np.radians(lat_deg)) / np.sin(INC))  # in (−π/2, 0)
        return np.pi - a if descending else 2 * np.pi + a
    u_top_d, u_79_d = u_at(lat_max, True), u_at(-79.0, True)
    u_79_a, u_top_a = u_at(-79.0, False), u_at(lat_max, False)
    return {10: (u_top_d, u_79_d), 11: (u_79_d, u_79_a), 12: (u_79_a, u_top_a)}


def surface(lat, lon):
    """A smooth synthetic ice surface (metres)."""
    return (2000.0 + 1200.0 * np.cos(np.radians(lat + 90.0) * 5.0)
            + 300.0 * np.sin(np.radians(lat) * 40.0) * np.cos(np.radians(lon) * 7.0))


def write_granule(path, rng, rgt, region, u0, u1):
    du = SEG_M / 1000.0 / R_KM
    n = int((u1 - u0) / du)
    u = u0 + du * np.arange(n)
    kw = dict(chunks=(10_000,), maxshape=(None,), compression="gzip", compression_opts=6, track_times=False)
    with h5py.File(path, "w") as f:
        f.attrs["short_name"] = np.bytes_("ATL06")
        f.attrs["description"] = np.bytes_("zagg simulated-cycle benchmark granule (synthetic, not NASA data)")
        oi = f.create_group("orbit_info")
        oi.create_dataset("rgt", data=np.array([rgt], dtype="i2"))
        oi.create_dataset("cycle_number", data=np.array([CYCLE], dtype="i1"))
        valid = 0  # rows that pass the quality filter (fill rows are flagged)
        for b, beam in enumerate(BEAMS):
            lat, lon, t = ground_track(rgt, u, beam_offsets_km()[b])
            h = (surface(lat, lon) + rng.normal(0.0, 0.3, n)).astype("f4")
            s = (np.abs(rng.normal(0.05, 0.03, n)) + 0.01).astype("f4")
            q = (rng.random(n) < 0.12).astype("i1")
            # Invalid segments: h_li and h_li_sigma hold the fill value and
            # the quality summary flags them, so every zagg version drops
            # them (0.1.0 and 0.61.0 filter on the flag only, we on both).
            fill = rng.random(n) < 0.015
            h[fill] = FILL
            s[fill] = FILL
            q[fill] = 1
            seg0 = int(u0 / du)
            data = {
                "latitude": lat,
                "longitude": lon,
                "h_li": h,
                "h_li_sigma": s,
                "atl06_quality_summary": q,
                "delta_time": 1.9e8 + (rgt - 1) * PERIOD_S + t,
                "segment_id": (seg0 + np.arange(n)).astype("i4"),
                "x_atc": (u * R_KM * 1000.0).astype("f8"),
                "sigma_geo_h": np.full(n, 0.03, dtype="f4"),
            }
            g = f.create_group(f"{beam}/land_ice_segments", track_order=True)
            for name, arr in data.items():
                extra = {}
                if name in ("h_li", "h_li_sigma", "sigma_geo_h"):
                    extra["fillvalue"] = FILL
                if name == "atl06_quality_summary":
                    extra["shuffle"] = True
                g.create_dataset(name, data=arr, **kw, **extra)
            valid += int(np.count_nonzero(q == 0))
    return n, valid


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--rgts", type=int, default=50, help="RGTs, evenly spread over 1..1387 (3 granules each)")
    ap.add_argument("--seed", type=int, default=22)
    ap.add_argument("--lat-max", type=float, default=-60.0, help="keep rows south of this latitude")
    ap.add_argument("--only", type=int, default=0, help="write only the first N granules (tests)")
    ap.add_argument("--beam-rows", type=int, default=0, help="cap rows per beam (tests; 0: none)")
    ap.add_argument("--part", type=int, default=0, help="write granules i with i %% parts == part")
    ap.add_argument("--parts", type=int, default=1, help="number of processes sharing the work")
    a = ap.parse_args()
    if not 1 <= a.rgts <= N_RGT:
        sys.exit(f"--rgts {a.rgts}: want 1..{N_RGT}")
    if not -79.0 < a.lat_max < 0:
        sys.exit(f"--lat-max {a.lat_max}: want between -79 and 0")
    os.makedirs(a.outdir, exist_ok=True)
    regions = region_u(a.lat_max)
    rgts = sorted({1 + (k * N_RGT) // a.rgts for k in range(a.rgts)})
    todo = [(rgt, region) for rgt in rgts for region in sorted(regions)]
    if a.only:
        todo = todo[:a.only]
    for i, (rgt, region) in enumerate(todo):
        if i % a.parts != a.part:
            continue
        u0, u1 = regions[region]
        if a.beam_rows:
            u1 = min(u1, u0 + a.beam_rows * SEG_M / 1000.0 / R_KM)
        # Each granule has its own random stream, so --only and
        # --beam-rows do not change the other granules.
        rng = np.random.default_rng([a.seed, rgt, region])
        when = START + datetime.timedelta(seconds=(rgt - 1) * PERIOD_S + (u0 / (2 * np.pi)) * PERIOD_S)
        name = f"ATL06_{when:%Y%m%d%H%M%S}_{rgt:04d}{CYCLE:02d}{region:02d}_007_01.h5"
        path = os.path.join(a.outdir, name)
        n, valid = write_granule(path + ".tmp", rng, rgt, region, u0, u1)
        os.replace(path + ".tmp", path)
        print(json.dumps({"name": name, "rgt": rgt, "region": region, "rows_per_beam": n, "valid_rows": valid}), flush=True)


if __name__ == "__main__":
    main()
