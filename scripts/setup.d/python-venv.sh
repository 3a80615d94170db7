#!/usr/bin/env bash
# setup: the pinned Python venv of scripts/python (xarray, zarr, xdggs;
# scripts/python/venv.sh, reused when its pins have not changed), before the
# unit tests: internal/doctest runs the guide's Python blocks (opening the
# demo store in xarray) with it, and under CI fails instead of skipping
# when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/python/venv.sh >/dev/null
