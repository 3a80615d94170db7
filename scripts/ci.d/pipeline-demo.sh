#!/usr/bin/env bash
# pipeline: the README's first command, `go run ./examples/local demo`, on this
# fresh machine: it must finish well under a minute with no network, write a
# store, check it against numpy's values, and the store must then summarise
# and export.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/zagg" ./examples/local
start=$(date +%s)
(cd "$tmp" && ./zagg demo --quiet > demo.txt)
elapsed=$(( $(date +%s) - start ))
cat "$tmp/demo.txt"
grep -q "against numpy" "$tmp/demo.txt"
if [ "$elapsed" -ge 45 ]; then
  echo "pipeline-demo: the demo took ${elapsed}s; it must finish well under a minute" >&2
  exit 1
fi
(cd "$tmp" && ./zagg info --store demo.zarr --no-values > /dev/null && ./zagg export --store demo.zarr --order 12 --output demo.csv)
echo "pipeline-demo: demo in ${elapsed}s, $(($(wc -l < "$tmp/demo.csv") - 1)) order-12 cells exported"
