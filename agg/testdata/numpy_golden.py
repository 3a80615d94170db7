#!/usr/bin/python3
"""Generate numpy_golden.json: numpy's results for agg's statistics.

Run with Debian's python3-numpy (1.24):  /usr/bin/python3 agg/testdata/numpy_golden.py
Floats are written with float.hex() ("nan", "inf" and "-inf" included) so the
Go test reads them back bit for bit. Each case records the input (dtype
float32 or float64), the weights where used, and for every function numpy's
result on the data in its own dtype ("np") and on the data widened to float64
("np64", what agg computes before the cast to the stored dtype).
"""
import json
import warnings

import numpy as np

warnings.simplefilter("ignore")
rng = np.random.default_rng(20261121)


def inputs():
    yield "random", rng.normal(120.0, 3.0, 137)
    yield "random_long", rng.normal(-30.0, 50.0, 1100)
    yield "constant", np.full(9, 118.25)
    yield "single", np.array([121.5])
    yield "two", np.array([3.0, -1.5])
    yield "nan", np.where(rng.random(40) < 0.2, np.nan, rng.normal(0, 1, 40))
    yield "all_nan", np.full(4, np.nan)
    yield "huge", rng.normal(0, 1, 64) * 1e30
    yield "small", rng.normal(0, 1, 64) * 1e-30
    yield "mixed_magnitude", rng.normal(0, 1, 200) * 10.0 ** rng.integers(-8, 9, 200)
    yield "offset", 1e7 + rng.normal(0, 1e-3, 300)
    yield "inf", np.array([1.0, np.inf, 2.0, 3.0])


def h(v):
    v = float(v)
    if np.isnan(v):
        return "nan"
    return v.hex()


QS = [0.0, 0.1, 0.25, 0.333, 0.5, 0.75, 0.9, 1.0]
PS = [5.0, 50.0, 95.0]


def stats(x, w):
    out = {}
    out["len"] = len(x)
    for f in ["sum", "nansum", "mean", "nanmean", "min", "max", "nanmin", "nanmax",
              "median", "nanmedian"]:
        out[f] = getattr(np, f)(x)
    for d in [0, 1, 2]:
        for f in ["var", "std", "nanvar", "nanstd"]:
            out[f"{f}:ddof={d}"] = getattr(np, f)(x, ddof=d)
    for q in QS:
        out[f"quantile:q={q}"] = np.quantile(x, q)
        out[f"nanquantile:q={q}"] = np.nanquantile(x, q)
    for p in PS:
        out[f"percentile:q={p}"] = np.percentile(x, p)
        out[f"nanpercentile:q={p}"] = np.nanpercentile(x, p)
    out["average"] = np.average(x, weights=w)
    out["h_sigma"] = 1.0 / np.sqrt(np.sum(1.0 / w))  # w = s**2 below: 1/sqrt(sum(1/s**2))
    return {k: (v if isinstance(v, int) else h(v)) for k, v in out.items()}


cases = []
for name, x64 in inputs():
    s64 = rng.uniform(0.02, 0.2, len(x64))  # sigma; weights 1/sigma**2
    for dt in (np.float64, np.float32):
        x = x64.astype(dt)
        s = s64.astype(dt)
        w = 1.0 / s**2
        r = stats(x, w)
        # h_sigma from the sigma column as the ATL06 expression writes it
        r["h_sigma"] = h(1.0 / np.sqrt(np.sum(1.0 / s**2)))
        xw, sw = x.astype(np.float64), s.astype(np.float64)
        ww = 1.0 / sw**2
        r64 = stats(xw, ww)
        r64["h_sigma"] = h(1.0 / np.sqrt(np.sum(1.0 / sw**2)))
        cases.append({
            "name": name,
            "dtype": np.dtype(dt).name,
            "x": [h(v) for v in x],
            "sigma": [h(v) for v in s],
            "np": r,
            "np64": r64,
        })

with open(__file__.replace("numpy_golden.py", "numpy_golden.json"), "w") as f:
    json.dump({"numpy": np.__version__, "cases": cases}, f, indent=0)
    f.write("\n")
