#!/usr/bin/python3
"""A tiny granule that declares a huge one, for the memory budget test.

  huge.h5   beam gt1l of the atl06 config: latitude, longitude, h_li,
            h_li_sigma and atl06_quality_summary each declare 2**27 rows
            (1 GiB of float64 coordinates each), chunked by 10,000 rows
            with a fill value, and no chunk is ever written: the file is a
            few KB, and every row reads as the fill value.

    /usr/bin/python3 pipeline/testdata/hostile/mkhuge.py
(Debian 12: apt-get install python3-h5py.)
"""
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = 2**27
CHUNK = 10000

with h5py.File(os.path.join(HERE, "huge.h5"), "w", libver="earliest") as f:
    g = f.create_group("gt1l/land_ice_segments")
    for name, dtype, fill in [
        ("latitude", "f8", -77.3),
        ("longitude", "f8", 104.5),
        ("h_li", "f4", np.float32(3.4028235e38)),
        ("h_li_sigma", "f4", np.float32(3.4028235e38)),
        ("atl06_quality_summary", "i1", 0),
    ]:
        g.create_dataset(name, shape=(ROWS,), dtype=dtype, chunks=(CHUNK,),
                         fillvalue=fill, track_times=False)
