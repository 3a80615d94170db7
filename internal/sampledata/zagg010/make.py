#!/usr/bin/env python3
"""Write store.zarr beside this file with the real zagg 0.1.0 (PyPI), as its
local runner would, from the synthetic sample granules of ../granules and the
catalog ../catalog.json, at child order 10 (parent order 6 from the catalog).

Only zagg's own code writes the store:

* the template: zagg.schema.xdggs_zarr_template(store, 6, 10,
  n_parent_cells=8, config=cfg) ("dense pack": length 8·4^4 per array);
* each parent cell: zagg.processing.process_morton_cell(...) with h5coro's
  FileDriver on the local granule files (the runner passes the S3 driver and
  NSIDC credentials; the worker takes the driver class as an argument), then
  zagg.processing.write_dataframe_to_zarr(df, store, chunk_idx=i, ...) with
  i = the cell's position in the catalog's key list, as runner.agg does;
* zarr.consolidate_metadata(store, zarr_format=3), as runner.agg does.

The config is zagg's built-in atl06 config with output.grid.child_order set
to 10 (12 would make a 6 MB store). Needs the venv of README.md (zagg 0.1.0,
mortie 0.8.0, h5coro 0.0.8, zarr 3.1.6 on Python 3.11); no network.

    $VENV/bin/python internal/sampledata/zagg010/make.py
"""
from __future__ import annotations

import copy
import json
import logging
import os
import shutil
import sys
from importlib.metadata import version

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.dirname(HERE)
CHILD_ORDER = 10


def main() -> int:
    import zarr
    from h5coro.filedriver import FileDriver
    from zagg.config import default_config
    from zagg.processing import process_morton_cell, write_dataframe_to_zarr
    from zagg.schema import xdggs_zarr_template
    from zagg.store import open_store

    logging.basicConfig(level=logging.WARNING)
    with open(os.path.join(SAMPLE, "catalog.json")) as f:
        catalog = json.load(f)
    parent_order = catalog["metadata"]["parent_order"]
    keys = list(catalog["catalog"])

    cfg = default_config("atl06")
    cfg = copy.deepcopy(cfg)
    cfg.output["grid"]["child_order"] = CHILD_ORDER

    out = os.path.join(HERE, "store.zarr")
    if os.path.exists(out):
        shutil.rmtree(out)
    store = open_store(out)
    xdggs_zarr_template(store, parent_order, CHILD_ORDER, n_parent_cells=len(keys), config=cfg)

    total = 0
    for i, key in enumerate(keys):
        files = [os.path.join(SAMPLE, "granules", os.path.basename(u)) for u in catalog["catalog"][key]]
        df, meta = process_morton_cell(int(key), parent_order, CHILD_ORDER, files, {},
                                       h5coro_driver=FileDriver, config=cfg)
        write_dataframe_to_zarr(df, store, chunk_idx=i, child_order=CHILD_ORDER, parent_order=parent_order)
        total += meta["total_obs"]
        print(f"chunk {i}: cell {key}: {meta['cells_with_data']} cells with data, "
              f"{meta['total_obs']} obs, {meta['files_processed']}/{meta['granule_count']} granules"
              + (f", {meta['error']}" if meta["error"] else ""))
    zarr.consolidate_metadata(store, zarr_format=3)
    print(f"{out}: {len(keys)} parent cells, {total} obs; zagg {version('zagg')}, mortie {version('mortie')}, "
          f"h5coro {version('h5coro')}, zarr {zarr.__version__}, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
