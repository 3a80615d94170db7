"""Check a multi-window zagg store (config output.time / output.trend) as a
scientist opens it: xarray + xdggs.

    python scripts/python/check_time.py STORE --export-cmd "zagg export --store {store} --order {order} --window {window} --format csv --output {output}"

For every order group it checks that
  * the statistics have dimensions (time, cells) and the trend arrays (cells);
  * `time` decodes to datetime64 with CF bounds `time_bnds` (decode_times),
    every midpoint lies inside its bounds and the windows are increasing and
    disjoint;
  * xdggs decodes the group (the cell_ids coordinate with a time dimension
    beside it) and gives cell centres;
  * window k of every statistic equals what `zagg export --window k` writes
    (the same values through another reader), for the first and last window;
  * the trend arrays equal numpy's weighted least-squares fit of the
    per-window h_mean against the window mid-times in years, weights
    1/h_sigma, standard error the larger of np.polyfit's unscaled and scaled
    ones, for cells with at least min_windows windows, within the bound the
    float32 rounding of the stored window values puts on the slope.
Prints one line per check; exits 1 on any FAIL.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np
import xarray as xr
import xdggs
import zarr

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def export(cmd, store, order, window):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "e.csv")
        subprocess.run(cmd.format(store=store, order=order, window=window, output=out), shell=True, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as fh:
            rows = list(csv.DictReader(fh))
    return {int(r["cell_id"]): r for r in rows}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store")
    ap.add_argument("--export-cmd", required=True)
    ap.add_argument("--min-windows", type=int, default=3)
    a = ap.parse_args(argv)

    root = zarr.open_group(a.store, mode="r")
    orders = sorted((int(k) for k in root.group_keys() if k.isdigit()), reverse=True)
    check(len(orders) > 0, f"{len(orders)} order groups")
    for order in orders:
        ds = xr.open_zarr(a.store, group=str(order), consolidated=False)
        stats = [v for v in ds.data_vars if ds[v].dims == ("time", "cells")]
        trend = [v for v in ds.data_vars if v.startswith("dhdt")]
        check(len(stats) >= 9 and "h_mean" in stats and "count" in stats,
              f"order {order}: {len(stats)} statistics with dims (time, cells)")
        check(all(ds[v].dims == ("cells",) for v in trend) and len(trend) == 4,
              f"order {order}: trend arrays {sorted(trend)} with dims (cells,)")
        t = ds["time"]
        check(np.issubdtype(t.dtype, np.datetime64), f"order {order}: time decodes to {t.dtype}")
        b = ds["time_bnds"]
        check(np.issubdtype(b.dtype, np.datetime64) and b.shape == (t.size, 2) and t.attrs.get("bounds") == "time_bnds"
              or t.encoding.get("bounds") == "time_bnds" or "bounds" in t.attrs,
              f"order {order}: time_bnds {b.dtype} {b.shape}")
        tv, bv = t.values, b.values
        check(bool(np.all((bv[:, 0] <= tv) & (tv < bv[:, 1]))), f"order {order}: every midpoint inside its bounds")
        check(bool(np.all(bv[1:, 0] >= bv[:-1, 1])), f"order {order}: windows increasing and disjoint")
        check(str(bv[0, 0])[:10] != "2018-01-01", f"order {order}: first window starts {str(bv[0, 0])[:19]}")

        dec = ds.pipe(xdggs.decode)
        lat = dec.dggs.cell_centers()
        check("latitude" in lat.coords or "latitude" in lat, f"order {order}: xdggs decodes, cell centres of {ds.sizes['cells']} cells")

        ids = ds["cell_ids"].values
        nw = t.size
        for k in sorted({0, nw - 1}):
            exp = export(a.export_cmd, a.store, order, k)
            hm = ds["h_mean"].isel(time=k).values
            cnt = ds["count"].isel(time=k).values
            has = cnt > 0
            same = len(exp) == int(has.sum())
            worst = 0.0
            for cid, v, n in zip(ids[has], hm[has], cnt[has]):
                r = exp.get(int(cid))
                if r is None or int(r["count"]) != int(n):
                    same = False
                    break
                worst = max(worst, abs(float(r["h_mean"]) - float(v)))
            check(same and worst <= 1e-3, f"order {order} window {k}: {int(has.sum())} cells equal export --window {k} (max |dh_mean| {worst:.2g})")

        # The trend against numpy on the store's own window values.
        years = (tv - np.datetime64("2018-01-01T00:00:00")) / np.timedelta64(1, "s") / (365.25 * 86400.0)
        hm = ds["h_mean"].values.astype("f8")
        hs = ds["h_sigma"].values.astype("f8")
        dh, dhs = ds["dhdt"].values, ds["dhdt_sigma"].values
        nwin = ds["dhdt_windows"].values
        n_ok = n_fit = 0
        worst = 0.0
        for c in range(ids.size):
            use = np.isfinite(hm[:, c]) & np.isfinite(hs[:, c]) & (hs[:, c] > 0)
            if int(nwin[c]) != int(use.sum()):
                n_fit = -1
                break
            if use.sum() < a.min_windows:
                if not np.isnan(dh[c]):
                    n_fit = -1
                    break
                continue
            x, y, s = years[use], hm[use, c], hs[use, c]
            p, cu = np.polyfit(x, y, 1, w=1.0 / s, cov="unscaled")
            se = np.sqrt(cu[0, 0])
            if use.sum() > 2:
                _, cs = np.polyfit(x, y, 1, w=1.0 / s, cov=True)
                se = max(se, np.sqrt(cs[0, 0]))
            n_fit += 1
            # The store's window values are float32: the slope of the
            # float64 values before rounding may differ from this one by
            # at most sum |dslope/dy_k| * ulp(y_k)/2, dslope/dy_k =
            # w_k (t_k - tbar) / Stt (plus the slope's own float32 rounding).
            wk = 1.0 / s ** 2
            xbar = np.sum(wk * x) / np.sum(wk)
            stt = np.sum(wk * (x - xbar) ** 2)
            bound = np.sum(wk * np.abs(x - xbar) * np.spacing(y.astype("f4")).astype("f8") / 2) / stt
            bound += float(np.spacing(np.float32(dh[c])))
            err = abs(p[0] - dh[c])
            worst = max(worst, err / bound)
            # The standard error depends on the residuals too (scaled
            # errors), which the rounding moves by up to the same amount.
            if err <= bound and abs(se - dhs[c]) <= 0.25 * se + bound:
                n_ok += 1
        check(n_fit > 0 and n_ok == n_fit,
              f"order {order}: dhdt of {n_fit} cells equals numpy's polyfit of the stored windows (worst {worst:.2f} of the float32 rounding bound)")
    print(f"{'FAILED' if failures else 'passed'}: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
