#!/usr/bin/env bash
# The project's test command (README): formatting, vet, staticcheck, the unit
# tests with the race detector (first, so a broken unit fails in minutes), then
# every slower check in scripts/ci.d/ (real S3 server, Lambda emulator, xarray,
# fuzzing).
# It installs what it needs (staticcheck from the Go module proxy; npm packages
# from committed lockfiles via the ci.d scripts), so it works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"
STATICCHECK_VERSION=v0.8.2

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$bad" ]; then echo "gofmt needed on:"; echo "$bad"; exit 1; fi

step "go vet"
go vet ./...

step "staticcheck $STATICCHECK_VERSION"
if ! staticcheck -version 2>/dev/null | grep -q "${STATICCHECK_VERSION#v}"; then
  go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
fi
staticcheck ./...

# What the unit tests need installed (the independent Zarr reader).
for f in scripts/setup.d/*.sh; do
  [ -e "$f" ] || continue
  step "$f"
  bash "$f"
done

step "go test -race"
go test -race -count=1 -timeout 20m ./...

# Slower checks, one script per concern (npm installs, cross-arch builds, ...).
for f in scripts/ci.d/*.sh; do
  [ -e "$f" ] || continue
  step "$f"
  bash "$f"
done
