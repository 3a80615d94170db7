#!/usr/bin/env bash
# Build the zagg Lambda worker: dist/bootstrap (static, stripped, linux/arm64
# by default) and dist/function.zip with bootstrap at its root (exec bit kept).
#
#   bash examples/lambda/build.sh            # arm64 for provided.al2023
#   GOARCH=amd64 bash examples/lambda/build.sh
#   OUT=/tmp/dist bash examples/lambda/build.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-dist}
arch=${GOARCH:-arm64}
mkdir -p "$out"
CGO_ENABLED=0 GOOS=linux GOARCH="$arch" \
  go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o "$out/bootstrap" ./examples/lambda
# build-lambda-zip (from aws-lambda-go) writes the zip portably, exec bit included.
go run github.com/aws/aws-lambda-go/cmd/build-lambda-zip@v1.55.1 -o "$out/function.zip" "$out/bootstrap" >/dev/null
size() { stat -c %s "$1" 2>/dev/null || stat -f %z "$1"; }
mb() { awk -v b="$(size "$1")" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }
echo "bootstrap     linux/$arch  $(mb "$out/bootstrap")"
echo "function.zip  $(mb "$out/function.zip")  ($out/function.zip)"
