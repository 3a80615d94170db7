#!/usr/bin/env bash
# h5read: a build of the package for arm64 (Lambda) and s390x (big-endian
# host), then fuzzing smoke tests (scripts/fuzz-smoke.sh, about 10 s each
# here) of the whole HDF5 parser (FuzzOpen, seeded with the tiny libhdf5
# fixtures and the committed regression inputs) and of the DEFLATE decoder
# against compress/flate (FuzzInflateInto). H5READ_FUZZTIME overrides both
# counts (e.g. 10m for a long local run).
set -euo pipefail
cd "$(dirname "$0")/../.."
GOARCH=arm64 go build ./h5read/ ./bench/h5read/
GOARCH=s390x go vet ./h5read/
bash scripts/fuzz-smoke.sh "${H5READ_FUZZTIME:-150000x}" h5read:FuzzOpen
bash scripts/fuzz-smoke.sh "${H5READ_FUZZTIME:-80000x}" h5read:FuzzInflateInto
