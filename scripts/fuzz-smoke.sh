#!/usr/bin/env bash
# Usage: bash scripts/fuzz-smoke.sh RUNS pkg:FuzzTarget ...
# Fuzzes each target for RUNS executions (a count such as 60000x, or a
# duration such as 5m for a long local run); the scripts in ci.d call it for
# their packages. The seed corpora also run in the ordinary `go test`; this
# explores a little beyond them.
#
# CI gives counts, not durations: Go 1.26's fuzz coordinator can report a
# spurious "context deadline exceeded" failure when a -fuzztime duration
# expires (golang/go#75804, fixed in Go 1.27). A count has no deadline, so a
# slow machine only takes longer.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=$1
shift
for t in "$@"; do
  pkg=${t%%:*} target=${t#*:}
  echo "-- $pkg $target ($runs)"
  go test "./$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$runs" -fuzzminimizetime 1000x
done
