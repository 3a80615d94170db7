#!/usr/bin/env bash
# Single-core throughput of agg on the ATL06 config against numpy (Debian
# python3-numpy) on the same machine: the vectorised sort-grouping numpy
# version (zagg >= 0.4.0's approach) at N points, and zagg 0.1.0's per-child
# loop at a small N (it is O(N * 4096)). CPU time, Mpts/s, best of ROUNDS.
# Usage: bash bench/agg/compare.sh [N] [ROUNDS] [LOOP_N]
# Not run by CI (CI has no numpy); the numbers go into the report/commit.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000000}
rounds=${2:-3}
loopn=${3:-200000}
go build -o /tmp/agg-bench.$$ ./bench/agg
trap 'rm -f /tmp/agg-bench.$$' EXIT
gc=$(/tmp/agg-bench.$$ -n "$n" -rounds "$rounds" -orders child | awk '/go-agg/{print $3}')
ga=$(/tmp/agg-bench.$$ -n "$n" -rounds "$rounds" -orders all | awk '/go-agg/{print $3}')
ns=$(/usr/bin/python3 bench/agg/numpy_bench.py "$n" "$rounds" sorted | awk '{print $2}')
gl=$(/tmp/agg-bench.$$ -n "$loopn" -rounds "$rounds" -orders child | awk '/go-agg/{print $3}')
nl=$(/usr/bin/python3 bench/agg/numpy_bench.py "$loopn" 1 loop | awk '{print $2}')
r() { echo "$1 / $2" | bc -l | xargs printf '%.1f'; }
echo "ATL06 config, one order-6 parent, order-12 children, CPU time, Mpts/s"
echo "N=$n:      numpy sort-grouping $ns | go child order $gc ($(r "$gc" "$ns")x) | go orders 12..6 $ga ($(r "$ga" "$ns")x)"
echo "N=$loopn: zagg 0.1.0 numpy loop $nl | go child order $gl ($(r "$gl" "$nl")x)"
