#!/usr/bin/python3
"""numpy baselines for bench/agg: the ATL06 statistics (count, min, max,
inverse-variance weighted mean, sigma, population variance, q25/q50/q75) of
n points of one order-6 parent cell, per order-12 child, in CPU time.

  /usr/bin/python3 bench/agg/numpy_bench.py N ROUNDS [loop]

"sorted": the vectorised numpy way (zagg >= 0.4.0's sort grouping): one
stable argsort by child, reduceat for the sums and extremes, two-pass
variance, a lexsort by (h, child) and index arithmetic for the quantiles
(numpy's linear method). "loop": zagg 0.1.0's per-child boolean mask, O(N
* 4096) (use a small N). Prints "<mode> <Mpts/s>", the best of the rounds.
"""
import sys
import time

import numpy as np

n = int(sys.argv[1])
rounds = int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else "sorted"
rng = np.random.default_rng(1)
cells = (np.uint64(1234) << np.uint64(46)) | rng.integers(0, 1 << 46, n, dtype=np.uint64)
h = (1500 + 30 * rng.standard_normal(n)).astype(np.float32)
s = (0.02 + 0.5 * rng.random(n)).astype(np.float32)
q = (rng.random(n) < 0.05).astype(np.int8)
NC = 4096


def sorted_stats():
    keep = q == 0
    c = ((cells[keep] >> np.uint64(34)) & np.uint64(NC - 1)).astype(np.int64)
    hh, ss = h[keep], s[keep]
    order = np.argsort(c, kind="stable")
    c, hh, ss = c[order], hh[order], ss[order]
    cnt = np.bincount(c, minlength=NC)
    nz = cnt > 0
    starts = np.concatenate(([0], np.cumsum(cnt)[:-1]))[nz]
    k = cnt[nz]
    out = {"count": cnt}
    out["h_min"] = np.minimum.reduceat(hh, starts)
    out["h_max"] = np.maximum.reduceat(hh, starts)
    w = 1.0 / ss**2
    sw = np.add.reduceat(w, starts)
    out["h_mean"] = np.add.reduceat(w * hh, starts) / sw
    out["h_sigma"] = 1.0 / np.sqrt(sw)
    mean = np.add.reduceat(hh, starts) / k
    d = hh - np.repeat(mean, k)
    out["h_variance"] = np.add.reduceat(d * d, starts) / k
    hs = hh[np.lexsort((hh, c))]
    for name, qq in (("h_q25", 0.25), ("h_q50", 0.5), ("h_q75", 0.75)):
        p = (k - 1) * qq
        lo = np.floor(p).astype(np.int64)
        g = p - lo
        a = hs[starts + lo].astype(np.float64)
        b = hs[starts + np.minimum(lo + 1, k - 1)].astype(np.float64)
        out[name] = np.where(g >= 0.5, b - (b - a) * (1 - g), a + (b - a) * g)
    return out


def loop_stats():
    keep = q == 0
    c = ((cells >> np.uint64(34)) & np.uint64(NC - 1)).astype(np.int64)
    res = np.full((9, NC), np.nan, dtype=np.float32)
    for j in range(NC):
        m = keep & (c == j)
        if not m.any():
            continue
        hh, ss = h[m], s[m]
        res[:, j] = [len(hh), np.min(hh), np.max(hh), np.average(hh, weights=1.0 / ss**2),
                     1.0 / np.sqrt(np.sum(1.0 / ss**2)), np.var(hh),
                     np.quantile(hh, 0.25), np.quantile(hh, 0.5), np.quantile(hh, 0.75)]
    return res


f = loop_stats if mode == "loop" else sorted_stats
best = 0.0
for _ in range(rounds):
    t0 = time.process_time()
    f()
    d = time.process_time() - t0
    best = max(best, n / d / 1e6)
print(f"numpy-{mode} {best:.2f}")
