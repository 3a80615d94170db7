#!/usr/bin/env bash
# Fuzzing smoke test (scripts/fuzz-smoke.sh) of the cmr decoders of
# untrusted input: CMR replies, granule names, netrc files, GeoJSON regions,
# catalog files. 60000 runs take about 2-4 s per target here; CMR_FUZZTIME
# overrides the count (e.g. 5m for a long local run).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/fuzz-smoke.sh "${CMR_FUZZTIME:-60000x}" \
  cmr:FuzzParseUMMResults cmr:FuzzParseGranuleName cmr:FuzzParseNetrc cmr:FuzzParseGeoJSON cmr:FuzzParseCatalog cmr:FuzzParseGEDIGranuleName
