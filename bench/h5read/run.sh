#!/usr/bin/env bash
# Side-by-side decode benchmark: h5read vs libhdf5 (h5py) on the same
# ATL06-sized file. Needs /usr/bin/python3 with h5py (Debian python3-h5py).
# Usage: bash bench/h5read/run.sh [ROWS]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
file=${H5READ_BENCH_FILE:-/tmp/h5read_bench_atl06.h5}
[ -e "$file" ] || /usr/bin/python3 bench/h5read/mkbench.py "$file" "${1:-140000}"
echo "== libhdf5 via h5py"
/usr/bin/python3 bench/h5read/bench_h5py.py "$file"
echo "== h5read"
H5READ_BENCH_FILE="$file" go test -run '^$' -bench 'BenchmarkDecode|BenchmarkS3Cell' -benchtime 7x -count 3 ./bench/h5read/
