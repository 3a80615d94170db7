#!/usr/bin/python3
"""Random points and healpy's nested indices, for crosscheck (main.go).

Usage: /usr/bin/python3 healpy_dump.py N SEED OUT.bin

Writes N little-endian records of (lat float64, lon float64, nest@18 int64,
nest@29 int64, ring@29 int64): points uniform on the sphere plus a quarter
of them in the polar caps (|lat| > 80), as hashed by Debian's healpy.
"""
import sys
import numpy as np
import healpy as hp

n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(seed)
lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
lon = rng.uniform(-180, 180, n)
cap = n // 4
lat[:cap] = rng.choice([-1, 1], cap) * rng.uniform(80, 90, cap)
rec = np.zeros(n, dtype=[("lat", "<f8"), ("lon", "<f8"), ("n18", "<i8"), ("n29", "<i8"), ("r29", "<i8")])
rec["lat"], rec["lon"] = lat, lon
rec["n18"] = hp.ang2pix(2 ** 18, lon, lat, nest=True, lonlat=True)
rec["n29"] = hp.ang2pix(2 ** 29, lon, lat, nest=True, lonlat=True)
rec["r29"] = hp.ang2pix(2 ** 29, lon, lat, nest=False, lonlat=True)
rec.tofile(out)
