#!/usr/bin/python3
"""healpy's get_all_neighbours for a spread of cells, for neighbours_test.go.

Usage: /usr/bin/python3 make_neighbours.py > neighbours.json

Every cell at orders 0-2, and at orders 3, 6, 12, 18, 24, 29 the corner and edge
cells of every base cell plus random cells. Output: per order, the nested
indices and healpy's 8 neighbours (SW, W, NW, N, NE, E, SE, S; -1 = none).
"""
import json, sys
import numpy as np
import healpy as hp

rng = np.random.default_rng(20261121)
out = {"source": "healpy %s get_all_neighbours(nside, pix, nest=True)" % hp.__version__, "orders": {}}
for o in [0, 1, 2, 3, 6, 12, 18, 24, 29]:
    nside = 2 ** o
    if o <= 2:
        pix = np.arange(12 * nside * nside, dtype=np.int64)
    else:
        cells = set()
        n = nside
        for f in range(12):
            for i in (0, 1, n // 2, n - 2, n - 1):
                for j in (0, 1, n // 2, n - 2, n - 1):
                    cells.add((f, i, j))
        pix = [hp.xyf2pix(nside, i, j, f, nest=True) for f, i, j in sorted(cells)]
        pix = np.concatenate([np.array(pix, dtype=np.int64), rng.integers(0, 12 * nside * nside, 100, dtype=np.int64)])
    nb = hp.get_all_neighbours(nside, pix, nest=True)
    out["orders"][str(o)] = {"nested": [int(p) for p in pix], "neighbours": [[int(v) for v in nb[:, k]] for k in range(len(pix))]}
json.dump(out, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
