#!/usr/bin/env bash
# h5read: a build of the package for arm64 (Lambda) and s390x (big-endian
# host), then short fuzzing passes over the whole HDF5 parser (FuzzOpen,
# seeded with the tiny libhdf5 fixtures and the committed regression inputs)
# and over the DEFLATE decoder against compress/flate (FuzzInflateInto).
#
# Budgets are execution counts (about 10 s each here), not durations: see
# cmr-fuzz.sh for the Go 1.26 coordinator race a duration can trip.
# H5READ_FUZZTIME overrides both (e.g. 10m for a long local run).
set -euo pipefail
cd "$(dirname "$0")/../.."
GOARCH=arm64 go build ./h5read/ ./bench/h5read/
GOARCH=s390x go vet ./h5read/
go test -run '^$' -fuzz '^FuzzOpen$' -fuzztime "${H5READ_FUZZTIME:-150000x}" -fuzzminimizetime 1000x ./h5read/
go test -run '^$' -fuzz '^FuzzInflateInto$' -fuzztime "${H5READ_FUZZTIME:-80000x}" -fuzzminimizetime 1000x ./h5read/
