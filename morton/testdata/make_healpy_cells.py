#!/usr/bin/python3
"""healpy's cells for every point of morton_vectors.json (the mortie goldens).

Usage: /usr/bin/python3 make_healpy_cells.py > healpy_cells.json

For each point, convention and order used in morton_vectors.json this writes the
nested index healpy 1.16.1 (Debian python3-healpy, the standard exact-sqrt(6)
HEALPix) assigns, so the Go tests can check that morton.FromLatLon follows healpy
where mortie's kernel differs (truncated sqrt(6); ties on cell edges). Authalic
latitudes use the same series and float64 coefficients as the Go code
(healpix/latitude.go).
"""
import json, math, os, sys
import numpy as np
import healpy as hp

F = [float.fromhex(h) for h in ["-0x1.257f6a0d4ec34p-9", "0x1.1dffd07b72abcp-19", "-0x1.5fbdd3c5f03e3p-29",
                                "0x1.da40e51e5f741p-39", "-0x1.4aaaccce996d9p-48"]]

def authalic(lat):
    x = lat * (math.pi / 180)
    s2, c2 = math.sin(2 * x), math.cos(2 * x)
    prev, cur, acc = 0.0, s2, F[0] * s2
    for k in range(1, 5):
        nxt = 2 * c2 * cur - prev
        prev, cur = cur, nxt
        acc += F[k] * nxt
    return max(-90.0, min(90.0, (x + acc) * (180 / math.pi)))

def sphere(lat, conv):
    return lat if conv == "geodetic" else authalic(lat)

here = os.path.dirname(os.path.abspath(__file__))
v = json.load(open(os.path.join(here, "morton_vectors.json")))
cases = []
def add(lat, lon, conv, order):
    nest = int(hp.ang2pix(2 ** order, lon, sphere(lat, conv), nest=True, lonlat=True))
    cases.append({"lat": lat, "lon": lon, "conv": conv, "order": order, "nested": nest})

for p in v["golden_points"]:
    for conv in ("geodetic", "authalic"):
        for o in (6, 12, 18, 29):
            add(p["lat"], p["lon"], conv, o)
d = v["interchange_doc_o14"]
for lat, lon in zip(d["lats"], d["lons"]):
    for conv in ("geodetic", "authalic"):
        add(lat, lon, conv, 14)
for c in v["edge_cases_o18"]["cases"]:
    lon = -0.0 if c["lon_signbit"] and c["lon"] == 0 else c["lon"]
    for conv in ("geodetic", "authalic"):
        add(c["lat"], lon, conv, 18)
for c in v["healpix_crate_vs_healpy_o18"]["cases"]:
    add(c["lat"], c["lon"], "geodetic", 18)
add(-80, 120, "geodetic", 6)
add(-80, 120, "authalic", 3)
add(-80, 120, "authalic", 29)
json.dump({"source": "healpy %s ang2pix(2**order, lon, lat', nest=True, lonlat=True), lat' = authalic(lat) or lat" % hp.__version__,
           "cases": cases}, sys.stdout, indent=0)
sys.stdout.write("\n")
