#!/usr/bin/env bash
# Create or reuse the Python venv of scripts/python (xarray, zarr 3, xdggs,
# healpy, pinned in scripts/python/requirements.txt) and print its path on
# the last line of standard output. The venv is .venv at the repo root unless
# ZAGG_VENV names another folder. The pins are installed (wheels only) only
# when requirements.txt changed since the last install: a stamp file in the
# venv holds its sha256. Needs CPython 3.11 as python3 (or ZAGG_PYTHON).
#
#   venv=$(bash scripts/python/venv.sh | tail -1); "$venv/bin/python" ...
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=${ZAGG_VENV:-$PWD/.venv}
py=${ZAGG_PYTHON:-python3}
req=scripts/python/requirements.txt
stamp=$venv/.zagg-requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)

if [ ! -x "$venv/bin/python" ]; then
  echo "venv: creating $venv with $($py --version 2>&1)" >&2
  "$py" -m venv "$venv"
fi
ver=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$ver" != 3.11 ]; then
  echo "venv: $venv has Python $ver; the pins are resolved for 3.11 (set ZAGG_PYTHON or remove the venv)" >&2
  exit 1
fi
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "venv: $venv up to date (requirements sha256 ${want:0:12})" >&2
else
  echo "venv: installing $(grep -c '==' "$req") pinned packages into $venv" >&2
  rm -f "$stamp"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --only-binary=:all: --no-deps -r "$req" >&2
  "$venv/bin/python" -m pip check --disable-pip-version-check >&2
  echo "$want" >"$stamp"
  echo "venv: installed (requirements sha256 ${want:0:12})" >&2
fi
echo "$venv"
