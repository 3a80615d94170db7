#!/usr/bin/env bash
# healpix and morton must give the same cell ids on every architecture. Go may
# fuse x*y + z into one fused multiply-add instruction (one rounding instead of
# two) on arm64 (our Lambda target), ppc64le, s390x, riscv64, loong64 and
# amd64 with GOAMD64=v3, which can move a point to a neighbouring cell. The code
# forbids fusion with explicit float64() conversions; this check compiles the
# two packages for each of those targets and fails if any fused instruction
# appears in their assembly. A canary (a*b + c, which must fuse) proves the
# mnemonics grepped for are the ones this toolchain emits.
set -euo pipefail
cd "$(dirname "$0")/../.."

pat='FMADD|FMSUB|FNMADD|FNMSUB' # also matches amd64's VFMADD231SD etc.
canary=$(mktemp -d)
trap 'rm -rf "$canary"' EXIT
printf 'module canary\n\ngo 1.26\n' >"$canary/go.mod"
printf 'package canary\n\nfunc F(a, b, c float64) float64 { return a*b + c }\n' >"$canary/f.go"

fail=0
for target in arm64 ppc64le s390x riscv64 loong64 amd64/v3; do
  arch=${target%%/*}
  level=
  [ "$target" = amd64/v3 ] && level=v3
  if ! (cd "$canary" && GOARCH=$arch GOAMD64=${level:-v1} go build -gcflags=-S . 2>&1 | grep -qE "$pat"); then
    echo "healpix-fma: canary a*b+c did not fuse on $target: update the pattern" >&2
    fail=1
    continue
  fi
  out=$(GOARCH=$arch GOAMD64=${level:-v1} go build -gcflags=-S ./healpix ./morton 2>&1 | grep -E "$pat" || true)
  if [ -n "$out" ]; then
    echo "healpix-fma: fused multiply-add on $target:" >&2
    echo "$out" >&2
    fail=1
  else
    echo "healpix-fma: $target ok"
  fi
done
# The hand-written vector kernels must not fuse either.
if grep -nE "$pat" healpix/*.s morton/*.s 2>/dev/null; then
  echo "healpix-fma: fused multiply-add in a hand-written kernel (above)" >&2
  fail=1
fi
# The portable build of the kernels' packages must pass its tests too.
if go test -count=1 -tags purego ./healpix ./morton >/dev/null; then
  echo "healpix-fma: -tags purego ok"
else
  echo "healpix-fma: go test -tags purego ./healpix ./morton failed" >&2
  go test -count=1 -tags purego ./healpix ./morton >&2 || true
  fail=1
fi
exit $fail
