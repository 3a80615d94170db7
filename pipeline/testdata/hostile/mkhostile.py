#!/usr/bin/python3
"""Small malformed ATL06-like granules for the CellReader's error tests.

Every file has the six beam groups of the atl06 config, with points at
77.3S 104.5E (inside order-6 parent cell -4113342 under the authalic
convention), and one defect:

  ok.h5            no defect (the reference)
  nobeam.h5        only gt1l exists (the other beams are skipped, not errors)
  lonshort.h5      gt2l longitude has fewer rows than latitude
  hli2d.h5         gt1l h_li is two-dimensional
  hlishort.h5      gt1l h_li has fewer rows than latitude
  nohli.h5         gt3r has no h_li dataset
  hliint.h5        gt1l h_li is stored as int16 (read as float64; no fill)
  fillzero.h5      gt1l h_li has a user-defined fill value of 0 and 10 rows
                   equal to it (dropped); every quality flag is 0 under the
                   library-default fill (kept)

    /usr/bin/python3 pipeline/testdata/hostile/mkhostile.py
"""
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BEAMS = ["gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"]
N = 50


def beam(f, name, n=N, lon_n=None, hli=None, skip_hli=False, hli_fill=None):
    g = f.create_group(name + "/land_ice_segments")
    lat = -77.3 + np.linspace(0, 0.05, n)
    lon = 104.5 + np.linspace(0, 0.05, lon_n or n)
    g.create_dataset("latitude", data=lat)
    g.create_dataset("longitude", data=lon)
    if not skip_hli:
        kw = {} if hli_fill is None else {"fillvalue": hli_fill}
        g.create_dataset("h_li", data=hli if hli is not None else np.full(n, 100.0, dtype="f4"), **kw)
    g.create_dataset("h_li_sigma", data=np.full(n, 0.1, dtype="f4"))
    g.create_dataset("atl06_quality_summary", data=np.zeros(n, dtype="i1"))


def make(name, **defects):
    with h5py.File(os.path.join(HERE, name), "w") as f:
        for b in BEAMS:
            if name == "nobeam.h5" and b != "gt1l":
                continue
            kw = defects.get(b, {})
            beam(f, b, **kw)


make("ok.h5")
make("nobeam.h5")
make("lonshort.h5", gt2l={"lon_n": N - 3})
make("hli2d.h5", gt1l={"hli": np.ones((N, 2), dtype="f4")})
make("hlishort.h5", gt1l={"hli": np.ones(N - 5, dtype="f4")})
make("nohli.h5", gt3r={"skip_hli": True})
make("hliint.h5", gt1l={"hli": np.full(N, 7, dtype="i2")})
zeros = np.full(N, 100.0, dtype="f4")
zeros[::5] = 0
make("fillzero.h5", gt1l={"hli": zeros, "hli_fill": np.float32(0)})
