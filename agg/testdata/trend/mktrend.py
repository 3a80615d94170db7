#!/usr/bin/python3
"""Reference values for agg/trend_test.go, from numpy.

Writes fits.json (weighted straight-line fits: np.polyfit with w = 1/sigma,
cov="unscaled" and cov=True, cross-checked against the closed form) and
states.json (raw points per child cell and window; numpy's per-parent,
per-window mean, variance and the trend fitted from them with the pooled
fallback of agg.SigmaSEM).

Run from the repository root with Debian's python3 and numpy:

    /usr/bin/python3 agg/testdata/trend/mktrend.py

NaN is written as null (encoding/json has no NaN).
"""
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def nn(x):
    """float or None for NaN/inf (JSON null)."""
    x = float(x)
    return x if math.isfinite(x) else None


def closed_form(t, y, s, ref):
    """The formulas of agg.FitTrend's doc comment, in numpy."""
    w = 1.0 / s**2
    W = w.sum()
    tb = (w * t).sum() / W
    yb = (w * y).sum() / W
    stt = (w * (t - tb) ** 2).sum()
    sty = (w * (t - tb) * (y - yb)).sum()
    b = sty / stt
    a = yb + b * (ref - tb)
    chi2 = (w * (y - yb - b * (t - tb)) ** 2).sum()
    return b, a, 1 / stt, 1 / W + (ref - tb) ** 2 / stt, chi2


def fit(t, y, s, ref):
    """Reference fit of the usable windows: slope, intercept at ref, formal
    and scaled errors (None where numpy cannot scale), reduced chi2."""
    ok = np.isfinite(t) & np.isfinite(y)
    if s is not None:
        ok &= np.isfinite(s) & (s > 0)
    t, y = t[ok], y[ok]
    n = len(t)
    out = {"n": n, "span": nn(t.max() - t.min()) if n else 0.0}
    if n < 2:
        return out
    ss = s[ok] if s is not None else np.ones(n)
    c, cu = np.polyfit(t, y, 1, w=1 / ss, cov="unscaled")
    b, a0 = c
    a = a0 + b * ref
    va = cu[1, 1] + 2 * ref * cu[0, 1] + ref**2 * cu[0, 0]
    cb, ca, cvb, cva, chi2 = closed_form(t, y, ss, ref)
    assert abs(cb - b) <= 1e-9 * max(1, abs(b)), (cb, b)
    assert abs(ca - a) <= 1e-9 * max(1, abs(a)), (ca, a)
    assert abs(cvb - cu[0, 0]) <= 1e-9 * cu[0, 0], (cvb, cu[0, 0])
    assert abs(cva - va) <= 1e-9 * va, (cva, va)
    out.update(slope=b, intercept=a, slope_err_formal=math.sqrt(cu[0, 0]),
               intercept_err_formal=math.sqrt(va))
    if n > 2:
        _, cs = np.polyfit(t, y, 1, w=1 / ss, cov=True)
        vas = cs[1, 1] + 2 * ref * cs[0, 1] + ref**2 * cs[0, 0]
        out.update(slope_err_scaled=math.sqrt(cs[0, 0]), intercept_err_scaled=math.sqrt(vas),
                   red_chi2=chi2 / (n - 2))
        assert abs(chi2 / (n - 2) * cvb - cs[0, 0]) <= 1e-9 * cs[0, 0]
    return out


def fit_cases(rng):
    cases = []
    # ICESat-2 cycle mid-times in years since 2018-01-01 (≈ 0.2486 a apart).
    for i, (n, nan_frac, weighted, ref) in enumerate([
            (2, 0, True, 0.0), (3, 0, True, 0.0), (8, 0, True, 3.0), (20, 0.2, True, 4.5),
            (20, 0, False, 0.0), (12, 0.5, True, 2.0), (5, 0, False, 1.0), (40, 0.1, True, 5.0)]):
        t = 0.75 + 0.2486 * np.arange(n) + rng.normal(0, 0.002, n)
        b_true = rng.uniform(-2, 0.5)
        s = rng.uniform(0.02, 0.5, n)
        y = 1500.0 + b_true * t + rng.normal(0, 1, n) * s * rng.uniform(0.5, 3)
        y[rng.random(n) < nan_frac] = np.nan
        sig = s if weighted else None
        cases.append({"name": f"fit{i}_n{n}" + ("" if weighted else "_unweighted"),
                      "t": [nn(v) for v in t], "y": [nn(v) for v in y],
                      "sigma": [nn(v) for v in s] if weighted else None,
                      "ref_time": ref, "want": fit(t, y, sig, ref)})
    return cases


def cell_fit(t, windows):
    """numpy's per-window n, mean, sample variance of one cell's points,
    the window sigmas of agg.SigmaSEM (sqrt(max(own variance, the cell's
    pooled within-window variance) / n); an unweighted fit when there is no
    pooled variance) and the fit."""
    ns, means, vars_ = [], [], []
    for pts in windows:
        x = np.array(pts)
        ns.append(len(x))
        means.append(np.mean(x) if len(x) else np.nan)
        vars_.append(np.var(x, ddof=1) if len(x) >= 2 else np.nan)
    ns, means, vars_ = np.array(ns), np.array(means), np.array(vars_)
    v0 = np.nan_to_num(vars_)
    dof = (ns[ns >= 2] - 1).sum()
    m2 = (v0[ns >= 2] * (ns[ns >= 2] - 1)).sum()
    pooled = m2 / dof if dof > 0 and m2 > 0 else 0.0
    if pooled > 0:
        with np.errstate(invalid="ignore", divide="ignore"):
            sig = np.sqrt(np.maximum(v0, pooled) / ns)
        sig[ns == 0] = np.nan
    else:
        sig = None
    return {"n": ns.tolist(), "mean": [nn(v) for v in means], "var": [nn(v) for v in vars_],
            "pooled": pooled, "sigma": [nn(v) for v in sig] if sig is not None else None,
            "unweighted": sig is None, "fit": fit(t, means, sig, 0.0)}


def state_cases(rng):
    """Two parents × 4 children × W windows of raw points."""
    cases = []
    for i, (W, counts) in enumerate([(6, [0, 1, 2, 5, 30]), (10, [0, 1, 3, 50]), (4, [1]), (5, [0, 0, 1, 2])]):
        t = 0.75 + 0.2486 * np.arange(W)
        b_true = -0.8
        parents = 2
        points = []  # [parent*4+child][window] -> list
        for c in range(4 * parents):
            row = []
            for k in range(W):
                m = int(rng.choice(counts))
                h = 1200.0 + 10 * c + b_true * t[k] + rng.normal(0, 0.3, m)
                row.append([float(v) for v in h])
            points.append(row)
        parents_want = [cell_fit(t, [sum((points[4 * p + c][k] for c in range(4)), []) for k in range(W)])
                        for p in range(parents)]
        children_want = [cell_fit(t, points[c]) for c in range(4 * parents)]
        cases.append({"name": f"states{i}_w{W}", "t": t.tolist(), "points": points,
                      "parents": parents_want, "children": children_want})
    return cases


def main():
    rng = np.random.default_rng(20261207)
    meta = {"numpy": np.__version__, "generator": "agg/testdata/trend/mktrend.py"}
    with open(os.path.join(HERE, "fits.json"), "w") as f:
        json.dump({**meta, "cases": fit_cases(rng)}, f, indent=1, allow_nan=False)
        f.write("\n")
    with open(os.path.join(HERE, "states.json"), "w") as f:
        json.dump({**meta, "cases": state_cases(rng)}, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
