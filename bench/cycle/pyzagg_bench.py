#!/usr/bin/env python3
"""Run Python zagg's per-cell worker over the cells of a bench/cycle catalog,
reading the same local granules, and report CPU and wall per cell and per run.

    $VENV/bin/python bench/cycle/pyzagg_bench.py --dir /tmp/zagg-cycle --sample 20 --check 3 --out py.json

Supports the two releases the benchmark pins (scripts/python/bench-requirements-zagg*.txt):
  * zagg 0.1.0: zagg.processing.process_morton_cell(key, 6, 12, files, {},
    h5coro_driver=FileDriver, config=default_config("atl06")) — h5coro 0.0.8,
    mortie 0.8.0 (geodetic latitude hashed on the sphere);
  * zagg 0.61.0: zagg.processing.worker.process_shard(HealpixGrid(6, 12),
    morton_word(key), files, s3_credentials={}, h5coro_driver=FileDriver,
    config=default_config("atl06"), handoff=get_handoff(cfg)) — its default
    read path (data_source.index absent → "inline": h5coro-hidefix's compiled
    decode), mortie 1.x (authalic latitude).
Only the worker runs (read, filter, aggregate); nothing is written, as the
Go side's store writes are cheap next to it (a few % of a cell).

Cells: --sample N picks catalog entries i·len//N for i in 0..N−1 (file
order), the same rule as `go run ./bench/cycle run -sample N`; --all takes
every cell. CPU is getrusage (self + children, user + system) around each
call, wall is perf_counter. For the first --check cells the child cells with
data (NESTED id at order 12, count, h_mean, h_max) are written too, for
`go run ./bench/cycle check`.
"""
import argparse
import json
import logging
import os
import platform
import resource
import sys
import time
import warnings
from importlib.metadata import version


def cpu():
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def sample_keys(keys, n):
    if n <= 0 or n >= len(keys):
        return list(keys)
    return [keys[(i * len(keys)) // n] for i in range(n)]


def worker_010():
    from h5coro.filedriver import FileDriver
    from zagg.config import default_config
    from zagg.processing import process_morton_cell

    cfg = default_config("atl06")

    def run(key, files):
        df, meta = process_morton_cell(int(key), 6, 12, files, {}, h5coro_driver=FileDriver, config=cfg)
        return df, meta

    def children(df):
        return df["cell_ids"].to_numpy()

    return run, children, "geodetic"


def worker_061():
    from h5coro.filedriver import FileDriver
    from mortie import mort2healpix
    from zagg.config import default_config, get_handoff
    from zagg.grids import HealpixGrid
    from zagg.grids.morton import morton_word
    from zagg.processing.worker import process_shard

    cfg = default_config("atl06")
    grid = HealpixGrid(parent_order=6, child_order=12, config=cfg)
    handoff = get_handoff(cfg)

    def run(key, files):
        return process_shard(grid, morton_word(key), files, s3_credentials={}, h5coro_driver=FileDriver,
                             config=cfg, handoff=handoff)

    def children(df):
        ids, _ = mort2healpix(df["morton"].to_numpy())
        return ids

    return run, children, "authalic"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", required=True, help="bench/cycle folder (catalog.json, granules/)")
    ap.add_argument("--sample", type=int, default=20, help="cells to run (0 with --all)")
    ap.add_argument("--all", action="store_true", help="every cell of the catalog")
    ap.add_argument("--check", type=int, default=3, help="dump child cells of the first N cells run")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    warnings.simplefilter("ignore")  # numpy overflow warnings on fill values, deprecations
    logging.basicConfig(level=logging.ERROR)

    zv = version("zagg")
    if zv == "0.1.0":
        run, children, latitude = worker_010()
    elif zv == "0.61.0":
        run, children, latitude = worker_061()
    else:
        sys.exit(f"zagg {zv}: this driver knows 0.1.0 and 0.61.0")

    with open(os.path.join(a.dir, "catalog.json")) as f:
        cat = json.load(f)
    keys = list(cat["catalog"])
    keys = keys if a.all else sample_keys(keys, a.sample)
    gdir = os.path.join(a.dir, "granules")

    out = {"zagg": zv, "python": platform.python_version(), "latitude": latitude,
           "versions": {p: version(p) for p in ("h5coro", "mortie", "numpy", "pandas", "zarr")},
           "cells": []}
    try:
        out["versions"]["h5coro-hidefix"] = version("h5coro-hidefix")
    except Exception:
        pass
    c0, w0 = cpu(), time.perf_counter()
    for i, key in enumerate(keys):
        files = [os.path.join(gdir, u.rsplit("/", 1)[1]) for u in cat["catalog"][key]]
        c, w = cpu(), time.perf_counter()
        df, meta = run(key, files)
        rec = {"key": key, "cpu_s": cpu() - c, "wall_s": time.perf_counter() - w,
               "total_obs": int(meta["total_obs"]), "cells_with_data": int(meta["cells_with_data"]),
               "granules": len(files), "error": meta.get("error")}
        if i < a.check and len(df):
            cnt = df["count"].to_numpy()
            keep = cnt > 0
            rec["check"] = {"cell_ids": [int(x) for x in children(df)[keep]],
                            "count": [int(x) for x in cnt[keep]],
                            "h_mean": [float(x) for x in df["h_mean"].to_numpy()[keep]],
                            "h_max": [float(x) for x in df["h_max"].to_numpy()[keep]]}
        out["cells"].append(rec)
        print(f"zagg {zv} cell {key} ({i + 1}/{len(keys)}): {len(files)} granules, {rec['total_obs']} obs, "
              f"cpu {rec['cpu_s']:.2f}s wall {rec['wall_s']:.2f}s", file=sys.stderr, flush=True)
    out["cpu_s"], out["wall_s"] = cpu() - c0, time.perf_counter() - w0
    with open(a.out, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"zagg {zv} (Python {out['python']}): {len(keys)} cells, cpu {out['cpu_s']:.1f}s, wall {out['wall_s']:.1f}s")


if __name__ == "__main__":
    main()
