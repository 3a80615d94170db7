#!/usr/bin/env bash
# setup: Debian's python3-h5py (and numpy) for the tests that write HDF5
# fixtures on demand (bench/cycle's TestCycleTotals generates three
# granules with h5py). Installs them with apt-get when /usr/bin/python3
# cannot import h5py (CI runs as root on Debian); with CI set, those tests
# fail instead of skipping when h5py is missing.
set -euo pipefail
if /usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1; then
  echo "h5py: $(/usr/bin/python3 -c 'import h5py; print(h5py.__version__)')"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "h5py: installing python3-h5py python3-numpy"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-h5py python3-numpy >/dev/null
  /usr/bin/python3 -c 'import h5py; print("h5py:", h5py.__version__)'
else
  echo "h5py: /usr/bin/python3 cannot import h5py and this user cannot install python3-h5py (need root and apt-get)" >&2
  if [ -n "${CI:-}" ]; then exit 1; fi
fi
