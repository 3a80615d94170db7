#!/usr/bin/python3
"""healpy's boundaries (step 1 and 4) for a spread of cells, for center_test.go.

Usage: /usr/bin/python3 make_boundaries.py > boundaries.json

Per order: nested indices and the (lat, lon) degrees of healpy's 4*step boundary
points (vec2ang of boundaries(nside, pix, step, nest=True)).
"""
import json, sys
import numpy as np
import healpy as hp

rng = np.random.default_rng(20261122)
out = {"source": "healpy %s boundaries(nside, pix, step, nest=True), vec2ang(lonlat=True)" % hp.__version__, "cases": []}
for o in [0, 1, 3, 6, 12, 18]:
    nside = 2 ** o
    npix = 12 * nside * nside
    pix = list(range(npix)) if npix <= 48 else []
    for f in range(12):
        for i, j in [(0, 0), (nside - 1, nside - 1), (0, nside - 1), (nside - 1, 0)]:
            pix.append(int(hp.xyf2pix(nside, i, j, f, nest=True)))
    pix += [int(p) for p in rng.integers(0, npix, 20)]
    for step in (1, 4):
        for p in sorted(set(pix)):
            v = hp.boundaries(nside, p, step=step, nest=True)
            lon, lat = hp.vec2ang(v.T, lonlat=True)
            out["cases"].append({"order": o, "nested": p, "step": step, "lat": lat.tolist(), "lon": lon.tolist()})
json.dump(out, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
