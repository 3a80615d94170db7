#!/usr/bin/python3
"""A tiny file declaring a dataset of tiny, never-written chunks.

  fx_manychunks.h5  /many: int8, 2**26 rows in chunks of one row, fill value
                    7, no chunk written (a few KB). Reading it whole is a
                    64 MiB buffer, but planning it would keep 2**26 chunk
                    entries (gigabytes): h5read refuses with ErrTooLarge.

    /usr/bin/python3 h5read/testdata/mkmanychunks.py
(Debian 12: apt-get install python3-h5py.)
"""
import os

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))

with h5py.File(os.path.join(HERE, "fx_manychunks.h5"), "w", libver="earliest") as f:
    f.create_dataset("many", shape=(2**26,), dtype="i1", chunks=(1,), fillvalue=7, track_times=False)
    f.create_dataset("few", shape=(2**10,), dtype="i1", chunks=(1,), fillvalue=7, track_times=False)
