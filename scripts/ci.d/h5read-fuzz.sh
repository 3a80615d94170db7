#!/usr/bin/env bash
# h5read: a build of the package for arm64 (Lambda) and s390x (big-endian
# host), then short fuzzing passes over the whole HDF5 parser (FuzzOpen,
# seeded with the tiny libhdf5 fixtures and the committed regression inputs)
# and over the DEFLATE decoder against compress/flate (FuzzInflateInto).
set -euo pipefail
cd "$(dirname "$0")/../.."
GOARCH=arm64 go build ./h5read/ ./bench/h5read/
GOARCH=s390x go vet ./h5read/
t=${H5READ_FUZZTIME:-15s}
go test -run '^$' -fuzz '^FuzzOpen$' -fuzztime "$t" -fuzzminimizetime 2s ./h5read/
go test -run '^$' -fuzz '^FuzzInflateInto$' -fuzztime "$t" -fuzzminimizetime 2s ./h5read/
