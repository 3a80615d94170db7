#!/usr/bin/python3
"""Time libhdf5 (through h5py) reading the five ATL06 variables of every
beam of FILE, the same work as BenchmarkDecode in this folder.

Usage: /usr/bin/python3 bench_h5py.py FILE [REPEATS]
Prints the best wall time and the best CPU time of REPEATS (default 7) runs, the decoded bytes and
MB/s, as one line of JSON.
"""
import json
import sys
import time

import h5py

VARS = ("latitude", "longitude", "h_li", "h_li_sigma", "atl06_quality_summary")


def once(path):
    nbytes = 0
    with h5py.File(path, "r") as f:
        for beam in ("gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"):
            for v in VARS:
                a = f[f"{beam}/land_ice_segments/{v}"][()]
                nbytes += a.nbytes
    return nbytes


def main(path, repeats):
    best, best_cpu, nbytes = float("inf"), float("inf"), 0
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        nbytes = once(path)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print(json.dumps({"tool": "h5py " + h5py.version.version + " / HDF5 " + h5py.version.hdf5_version,
                      "seconds": best, "cpu_seconds": best_cpu, "bytes": nbytes, "MBps": nbytes / best / 1e6}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 7)
