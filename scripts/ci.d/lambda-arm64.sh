#!/usr/bin/env bash
# Build the deployable Lambda artefacts exactly as a user does
# (examples/lambda/build.sh: linux/arm64 bootstrap + function.zip), check the
# zip, and run the Runtime API test against that arm64 binary under qemu-user
# (installed by healpix-arm64.sh, or here when it is missing).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v qemu-aarch64 >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
OUT="$out" bash examples/lambda/build.sh
# The zip must hold exactly an executable "bootstrap" at its root.
go run ./scripts/ci.d/zipcheck "$out/function.zip"
ZAGG_TEST_BOOTSTRAP="$out/bootstrap" ZAGG_TEST_BOOTSTRAP_EXEC=qemu-aarch64 \
  go test -count=1 -run 'TestBootstrapAgainstRuntimeAPI' ./examples/lambda
echo "lambda-arm64: arm64 bootstrap served the sample events under qemu-user"
