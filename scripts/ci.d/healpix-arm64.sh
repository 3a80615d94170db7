#!/usr/bin/env bash
# Run the healpix and morton reference-vector tests as arm64 binaries under
# user-mode emulation (Debian's qemu-user), so the golden results are checked
# on the architecture of our Lambda target, where the compiler may contract
# multiply-adds (see healpix-fma.sh for the static check). Installs qemu-user
# with apt-get when it is missing (CI runs as root on Debian).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v qemu-aarch64 >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "healpix-arm64: installing qemu-user"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user >/dev/null
  else
    echo "healpix-arm64: qemu-aarch64 not found and cannot install it (need root and apt-get)" >&2
    exit 1
  fi
fi

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
# The golden tests: healpy vectors (nested, ring, centres, neighbours),
# authalic references, mortie goldens, and the fused-vs-two-step hash check.
for pkg in healpix morton; do
  GOARCH=arm64 CGO_ENABLED=0 go test -c -o "$bin/$pkg.test" "./$pkg"
  if ! (cd "$pkg" && qemu-aarch64 "$bin/$pkg.test" -test.count=1 \
    -test.run '^(TestHealpy|TestNeighboursHealpy|TestTrig|TestAuthalic|TestMortie|TestHashNestMatchesLocPoint|TestHierarchy|Example)' \
    >"$bin/$pkg.out" 2>&1); then
    cat "$bin/$pkg.out" >&2
    echo "healpix-arm64: $pkg golden tests FAILED on arm64" >&2
    exit 1
  fi
  echo "healpix-arm64: $pkg $(tail -1 "$bin/$pkg.out") on arm64 (qemu-user)"
done
