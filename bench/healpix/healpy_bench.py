#!/usr/bin/python3
"""healpy's single-core ang2pix throughput, for compare.sh.

Usage: /usr/bin/python3 healpy_bench.py [N] [ROUNDS] [ORDER] [uniform|track]

Times hp.ang2pix(2**ORDER, lon, lat, nest=True, lonlat=True) on N points
uniform on the sphere (degrees in, as the Go benchmark), in process CPU time,
best of ROUNDS. Prints "healpy <Mpts/s>". Needs Debian's python3-healpy.
"""
import os, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import healpy as hp

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 20
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
order = int(sys.argv[3]) if len(sys.argv) > 3 else 29
dist = sys.argv[4] if len(sys.argv) > 4 else "uniform"
if dist == "track":  # the same formula as trackPoint in main.go
    k = np.arange(n)
    seg, i = k // 10000, (k % 10000) / 10000
    lat = np.where(seg % 2 == 1, -87.9 + 27.9 * i, -60 - 27.9 * i)
    lon = np.mod(seg * 137.508 + 40 * i, 360) - 180
else:
    rng = np.random.default_rng(1)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lon = rng.uniform(-180, 180, n)
best = float("inf")
for _ in range(rounds):
    t = time.process_time()
    pix = hp.ang2pix(2 ** order, lon, lat, nest=True, lonlat=True)
    best = min(best, time.process_time() - t)
print("healpy %.2f" % (n / best / 1e6))
