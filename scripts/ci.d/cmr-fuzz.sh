#!/usr/bin/env bash
# Short fuzzing smoke test of the cmr decoders of untrusted input (CMR replies,
# granule names, netrc files, GeoJSON regions, catalog files). The seed corpora
# also run in the ordinary `go test`; this explores a little beyond them.
set -euo pipefail
cd "$(dirname "$0")/../.."
for target in FuzzParseUMMResults FuzzParseGranuleName FuzzParseNetrc FuzzParseGeoJSON FuzzParseCatalog; do
  echo "-- cmr $target"
  go test ./cmr -run '^$' -fuzz "^${target}\$" -fuzztime 5s
done
