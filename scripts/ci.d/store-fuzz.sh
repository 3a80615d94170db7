#!/usr/bin/env bash
# Fuzzing smoke test (scripts/fuzz-smoke.sh) of the decoders of what workers
# store and read back: partial states and quantile sketches
# (zagg-partials/), Zarr chunks and array/group metadata, chunk indexes
# (zagg-index/), cell maps (zagg-cellmap/), and the pipeline
# config. STORE_FUZZTIME overrides the count (e.g. 5m for a long local run).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/fuzz-smoke.sh "${STORE_FUZZTIME:-50000x}" \
  agg:FuzzDecodeDigest agg:FuzzStateUnmarshal agg:FuzzDecodePartial agg:FuzzDecodeWindowPartials zarrstore:FuzzDecodeChunkND \
  zarrstore:FuzzDecodeChunk zarrstore:FuzzArrayMetadata zarrstore:FuzzGroupMetadata pipeline/config:FuzzParse pipeline/config:FuzzParseColumn pipeline/chunkindex:FuzzDecode pipeline/cellmap:FuzzDecode
