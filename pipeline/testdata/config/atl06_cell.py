#!/usr/bin/python3
"""Generate atl06_cell.json: one synthetic ATL06 parent cell and what zagg
0.1.0's atl06.yaml statistics are when numpy computes them.

Run with Debian's python3-numpy:  /usr/bin/python3 pipeline/testdata/config/atl06_cell.py

The cell is order-8 parent 123456 with child order 12 (256 children, some
empty). Points carry their order-29 nested cell, h_li and h_li_sigma as
float32 (as in ATL06 granules) and atl06_quality_summary; some points lie
outside the parent or fail the quality filter. For every order 12..8 and
every cell with data, the statistics are computed the way zagg 0.1.0 does
(numpy on the float32 arrays of the cell's rows, in input order):
count, h_min, h_max, h_mean = np.average(h, weights=1.0 / s**2),
h_sigma = 1.0 / np.sqrt(np.sum(1.0 / s**2)), h_variance = np.var(h),
h_q25/50/75 = np.quantile(h, q) -> "np32"; and on the data widened to float64
-> "np64". Floats are written with float.hex().
"""
import json
import warnings

import numpy as np

warnings.simplefilter("ignore")
rng = np.random.default_rng(6)
PARENT_ORDER, PARENT, CHILD_ORDER = 8, 123456, 12
D = CHILD_ORDER - PARENT_ORDER
N = 3000

child = rng.integers(0, 200, N)  # children 200..255 stay empty
# a few children with one point, and one with two
child[:3] = [201, 202, 202]
sub = rng.integers(0, 1 << (2 * (29 - CHILD_ORDER)), N, dtype=np.uint64)
cells = ((np.uint64(PARENT) << np.uint64(2 * (29 - PARENT_ORDER))) |
         (child.astype(np.uint64) << np.uint64(2 * (29 - CHILD_ORDER))) | sub)
outside = rng.random(N) < 0.03
cells[outside] += np.uint64(1) << np.uint64(2 * (29 - PARENT_ORDER))  # next parent
h = rng.normal(1500.0, 30.0, N).astype(np.float32)
s = rng.uniform(0.02, 0.5, N).astype(np.float32)
quality = (rng.random(N) < 0.1).astype(np.int8)

keep = (~outside) & (quality == 0)


def stats(hh, ss):
    return {
        "count": int(len(hh)),
        "h_min": np.min(hh),
        "h_max": np.max(hh),
        "h_mean": np.average(hh, weights=1.0 / ss**2),
        "h_sigma": 1.0 / np.sqrt(np.sum(1.0 / ss**2)),
        "h_variance": np.var(hh),
        "h_q25": np.quantile(hh, 0.25),
        "h_q50": np.quantile(hh, 0.50),
        "h_q75": np.quantile(hh, 0.75),
    }


def enc(d):
    return {k: (v if isinstance(v, int) else float(v).hex()) for k, v in d.items()}


orders = []
for o in range(CHILD_ORDER, PARENT_ORDER - 1, -1):
    shift = np.uint64(2 * (29 - o))
    local = (cells >> shift) - (np.uint64(PARENT) << np.uint64(2 * (o - PARENT_ORDER)))
    out = []
    for j in range(1 << (2 * (o - PARENT_ORDER))):
        m = keep & (local == np.uint64(j))
        if not m.any():
            continue
        out.append({"cell": j, "np32": enc(stats(h[m], s[m])),
                    "np64": enc(stats(h[m].astype(np.float64), s[m].astype(np.float64)))})
    orders.append({"order": o, "cells": out})

doc = {
    "numpy": np.__version__,
    "parent_order": PARENT_ORDER, "parent": PARENT, "child_order": CHILD_ORDER,
    "cells": [int(c) for c in cells],
    "h_li": [float(v).hex() for v in h],
    "h_li_sigma": [float(v).hex() for v in s],
    "atl06_quality_summary": [int(q) for q in quality],
    "orders": orders,
}
with open(__file__.replace(".py", ".json"), "w") as f:
    json.dump(doc, f, separators=(",", ":"))
    f.write("\n")
