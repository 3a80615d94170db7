#!/usr/bin/env bash
# Side-by-side single-core lat/lon -> nested throughput at order 29: this
# repository's healpix package against healpy (Debian python3-healpy) on the
# same machine, alternating the two so both see the same machine load.
# Usage: bash bench/healpix/compare.sh [ROUNDS] [N] [uniform|track]
# Not run by CI (CI has no healpy); the numbers go into the report/commit.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
n=${2:-1048576}
dist=${3:-uniform}
# The default build (with the AVX2 kernel where the CPU has it) and a
# purego build (the portable Go passes every architecture runs).
go build -o /tmp/healpix-bench.$$ ./bench/healpix
go build -tags purego -o /tmp/healpix-bench-purego.$$ ./bench/healpix
trap 'rm -f /tmp/healpix-bench.$$ /tmp/healpix-bench-purego.$$' EXIT
best() { sort -g | tail -1; }
hp=() gs=() gb=() gp=()
for r in $(seq "$rounds"); do
  hp+=("$(/usr/bin/python3 bench/healpix/healpy_bench.py "$n" 3 29 "$dist" | awk '{print $2}')")
  out=$(/tmp/healpix-bench.$$ -n "$n" -rounds 3 -order 29 -dist "$dist")
  gs+=("$(echo "$out" | awk '/go-scalar/{print $2}')")
  gb+=("$(echo "$out" | awk '/go-batch/{print $2}')")
  gp+=("$(/tmp/healpix-bench-purego.$$ -n "$n" -rounds 3 -order 29 -dist "$dist" | awk '/go-batch/{print $2}')")
done
h=$(printf '%s\n' "${hp[@]}" | best)
s=$(printf '%s\n' "${gs[@]}" | best)
b=$(printf '%s\n' "${gb[@]}" | best)
p=$(printf '%s\n' "${gp[@]}" | best)
ratio() { echo "$1 / $h" | bc -l | xargs printf '%.2f'; }
echo "points/round $n ($dist), order 29, best of $rounds x 3 rounds, CPU time, Mpts/s"
echo "healpy ang2pix(nest, lonlat)        $h"
echo "go LatLonToNest (scalar)            $s   ratio $(ratio "$s")x"
echo "go LatLonToNestSlice (batch)        $b   ratio $(ratio "$b")x"
echo "go LatLonToNestSlice (purego batch) $p   ratio $(ratio "$p")x"
