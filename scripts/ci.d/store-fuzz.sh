#!/usr/bin/env bash
# Short fuzzing smoke test of the decoders of what workers store and read
# back: partial states and quantile sketches (zagg-partials/), Zarr chunks
# and array/group metadata, and the pipeline config. The seed corpora also
# run in the ordinary `go test`; this explores a little beyond them.
#
# Budgets are execution counts, not durations (see cmr-fuzz.sh for the Go
# 1.26 coordinator race a duration can trip). STORE_FUZZTIME overrides them
# (e.g. 5m for a long local run).
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${STORE_FUZZTIME:-50000x}
for t in agg:FuzzDecodeDigest agg:FuzzStateUnmarshal pipeline:FuzzDecodePartial \
  zarrstore:FuzzDecodeChunk zarrstore:FuzzArrayMetadata zarrstore:FuzzGroupMetadata pipeline:FuzzParseConfig; do
  pkg=${t%%:*} target=${t#*:}
  echo "-- $pkg $target"
  go test "./$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$n" -fuzzminimizetime 1000x
done
