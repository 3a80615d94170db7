#!/usr/bin/env bash
# Cross-check healpix against healpy on N random points (default 4 million).
# Needs Debian's python3-healpy; not run by CI.
set -euo pipefail
cd "$(dirname "$0")/../../.."
n=${1:-4000000}
f=$(mktemp /tmp/crosscheck.XXXXXX.bin)
trap 'rm -f "$f"' EXIT
/usr/bin/python3 bench/healpix/crosscheck/healpy_dump.py "$n" "${2:-7}" "$f"
go run ./bench/healpix/crosscheck "$f"
