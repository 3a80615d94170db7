#!/usr/bin/python3
"""Write an ATL06-sized benchmark granule with libhdf5 (h5py).

Usage: /usr/bin/python3 mkbench.py OUT.h5 [ROWS]

Six beams of ROWS (default 140,000: a full-size ATL06 granule, ~1/14 orbit
at 20 m) land-ice segments; the five variables zagg reads, with ATL06's
storage: chunks of 10,000, deflate level 6, shuffle on the int8 flag, fill
value FLT_MAX on the heights. Values are noisy like real data so the
chunks compress like real ones (f8 ~ 75 %, f4 ~ 80 % of raw).
"""
import sys

import h5py
import numpy as np


def main(out, n):
    rng = np.random.default_rng(2018)
    fill = np.float32(3.4028235e38)
    with h5py.File(out, "w") as f:
        for b, beam in enumerate(("gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r")):
            g = f.create_group(f"{beam}/land_ice_segments", track_order=True)
            kw = dict(chunks=(10_000,), maxshape=(None,), compression="gzip", compression_opts=6)
            lat = np.linspace(-60.0, -88.0, n) + rng.normal(0, 1e-6, n)
            lon = np.linspace(100.0 + b * 0.01, 160.0, n) + rng.normal(0, 1e-6, n)
            h = (2000 + np.cumsum(rng.normal(0, 0.5, n))).astype("f4")
            h[rng.random(n) < 0.02] = fill
            hs = np.abs(rng.normal(0.05, 0.02, n)).astype("f4")
            q = (rng.random(n) < 0.2).astype("i1")
            g.create_dataset("latitude", data=lat, **kw)
            g.create_dataset("longitude", data=lon, **kw)
            g.create_dataset("h_li", data=h, fillvalue=fill, **kw)
            g.create_dataset("h_li_sigma", data=hs, fillvalue=fill, **kw)
            g.create_dataset("atl06_quality_summary", data=q, shuffle=True, **kw)
            for i in range(8):
                g.create_dataset(f"other_{i}", data=rng.normal(size=n).astype("f4"), **kw)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 140_000)
