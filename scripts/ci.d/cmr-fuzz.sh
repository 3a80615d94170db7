#!/usr/bin/env bash
# Short fuzzing smoke test of the cmr decoders of untrusted input (CMR replies,
# granule names, netrc files, GeoJSON regions, catalog files). The seed corpora
# also run in the ordinary `go test`; this explores a little beyond them.
#
# Budgets are execution counts, not durations: Go 1.26's fuzz coordinator can
# report a spurious "context deadline exceeded" failure when a -fuzztime
# duration expires (golang/go#75804, fixed in Go 1.27). A count has no
# deadline, so a slow machine only takes longer. 60000 runs take about 2-4 s
# each here. CMR_FUZZTIME overrides it (e.g. 5m for a long local run).
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${CMR_FUZZTIME:-60000x}
for target in FuzzParseUMMResults FuzzParseGranuleName FuzzParseNetrc FuzzParseGeoJSON FuzzParseCatalog; do
  echo "-- cmr $target"
  go test ./cmr -run '^$' -fuzz "^${target}\$" -fuzztime "$n" -fuzzminimizetime 1000x
done
