#!/usr/bin/python3
"""Write testdata/catalog_v010.json exactly as zagg 0.1.0's catalog.py does.

zagg 0.1.0 (englacial/zagg src/zagg/catalog.py@3ee5b58e) builds a dict
{"metadata": {...}, "catalog": {str(morton): [s3 urls]}} and writes it with
json.dump(result, f, indent=2): ensure_ascii escapes, float repr ("-180.0"),
no trailing newline. The keys here are legacy signed decimal morton ids of
real order-6 cells (healpy nested index -> mortie legacy digits) and the URLs
follow NSIDC's layout; the granule lists are illustrative.

Run: /usr/bin/python3 mkcatalog.py   (healpy, numpy from Debian)
"""
import json
import os

import healpy as hp

ORDER = 6


def legacy(order, nest):
    base = nest >> (2 * order)
    normed = nest & ((1 << (2 * order)) - 1)
    digits = 0
    for k in range(1, order + 1):
        digits = digits * 10 + 1 + ((normed >> (2 * (order - k))) & 3)
    if base < 6:
        return (base + 1) * 10 ** order + digits
    return -((base - 5) * 10 ** order + digits)


def main():
    points = [(-78.5, -132.0), (-75.0, 0.0), (-85.0, 120.0), (-70.0, 60.0), (-80.0, 179.9), (-80.0, -179.9)]
    keys = sorted({legacy(ORDER, int(hp.ang2pix(2 ** ORDER, lon, lat, nest=True, lonlat=True))) for lat, lon in points})
    base = "s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007"
    names = [
        "2024/01/06/ATL06_20240106003512_02772211_007_01.h5",
        "2024/01/07/ATL06_20240107113015_03002210_007_01.h5",
        "2024/02/11/ATL06_20240211051240_08332212_007_01.h5",
        "2024/03/30/ATL06_20240330220145_01452311_007_01.h5",
    ]
    catalog = {}
    for i, k in enumerate(keys):
        catalog[str(k)] = [f"{base}/{names[(i + j) % len(names)]}" for j in range(1 + i % 3)]
    result = {
        "metadata": {
            "short_name": "ATL06",
            "version": "007",
            "provider": "NSIDC_CPRD",
            "start_date": "2024-01-06",
            "end_date": "2024-04-06",
            "parent_order": ORDER,
            "total_granules": 4103,
            "total_cells": len(catalog),
            "created": "2026-04-20T16:16:29.123456",
            "s3_base": "s3://nsidc-cumulus-prod-protected",
            "https_base": "https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-protected",
            "cycle": 22,
            "bbox": [-180.0, -88.4, 180.0, -63.2],
            "polygon": "régions/antarctique \"sud\".geojson",
        },
        "catalog": catalog,
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "catalog_v010.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
