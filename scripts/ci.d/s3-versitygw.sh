#!/usr/bin/env bash
# Second S3 tier: run every package whose tests use internal/s3test (directly
# or through internal/sampletest) against a real S3 server, versitygw, on
# loopback. The in-process gofakes3 tier (plain `go test`) keeps the fault
# injection and request counts; this tier checks signatures, the region and
# real error answers. Tests that need injection skip themselves here.
#
# versitygw is installed pinned from the Go module proxy (cached in
# GOPATH/bin), started on 127.0.0.1 with its own temporary folder and random
# root credentials and a non-default region, and stopped by PID.
#
#   bash scripts/ci.d/s3-versitygw.sh              # all S3-using packages
#   bash scripts/ci.d/s3-versitygw.sh ./zarrstore  # only these
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSITYGW_MODULE=github.com/versity/versitygw
VERSITYGW_VERSION=v1.8.0
bin="$(go env GOPATH)/bin"
vgw="$bin/versitygw"

# The binary reports no version ("git"), so check the module version Go
# recorded in it.
if ! go version -m "$vgw" 2>/dev/null | grep -qE "^[[:space:]]+mod[[:space:]]+$VERSITYGW_MODULE[[:space:]]+$VERSITYGW_VERSION[[:space:]]"; then
  echo "s3-versitygw: installing $VERSITYGW_MODULE@$VERSITYGW_VERSION (a few minutes on 2 cores)"
  GOBIN="$bin" go install "$VERSITYGW_MODULE/cmd/versitygw@$VERSITYGW_VERSION"
fi

# Some S3-using packages also check what they wrote with zarrita (and fail
# rather than skip under CI when it is missing); scripts run in name order,
# so install it here when zarrstore-zarrita.sh has not yet.
if [ ! -d zarrstore/testdata/zarrita/node_modules/zarrita ]; then
  bash scripts/setup.d/zarrita.sh
fi

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

rand() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
access="zaggci$(rand 6)"
secret="$(rand 20)"
region="zagg-ci-1" # not us-east-1 or us-west-2: the region must really be passed through
mkdir -p "$work/data" "$work/iam"

# Pick a free loopback port; if the server cannot bind it (a race with
# another process), try another.
port=""
for _ in 1 2 3 4 5; do
  p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
  ROOT_ACCESS_KEY="$access" ROOT_SECRET_KEY="$secret" \
    "$vgw" --port "127.0.0.1:$p" --region "$region" --quiet --iam-dir "$work/iam" posix "$work/data" \
    >"$work/versitygw.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] && break
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
done
if [ -z "$port" ]; then
  echo "s3-versitygw: versitygw did not start:" >&2
  cat "$work/versitygw.log" >&2
  exit 1
fi
echo "s3-versitygw: versitygw $VERSITYGW_VERSION (pid $pid) on 127.0.0.1:$port, region $region, data in $work/data"

export ZAGG_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
export ZAGG_TEST_S3_ACCESS_KEY="$access" ZAGG_TEST_S3_SECRET_KEY="$secret" ZAGG_TEST_S3_REGION="$region"
# With the emulator installed (lambda-rie.sh runs first), the bootstrap-
# under-RIE tests of examples/lambda also run against versitygw.
if [ -x "$bin/aws-lambda-rie" ]; then export ZAGG_TEST_RIE="$bin/aws-lambda-rie"; fi
# Nothing may reach AWS by accident.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION
export AWS_EC2_METADATA_DISABLED=true

if [ $# -gt 0 ]; then
  pkgs=$(go list "$@")
else
  # The packages whose tests import the fixture, and the fixture's own.
  pkgs=$(go list -f '{{.ImportPath}}|{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
    grep -E 'internal/(s3test|sampletest)( |$)' | cut -d'|' -f1)
fi
fail=0
for pkg in $pkgs; do
  log="$work/$(echo "$pkg" | tr / _).log"
  start=$(date +%s)
  if go test -count=1 -v -timeout 15m "$pkg" >"$log" 2>&1; then status=PASS; else status=FAIL; fail=1; fi
  pass=$(grep -c -- '^[[:space:]]*--- PASS' "$log" || true)
  skip=$(grep -c -- '^[[:space:]]*--- SKIP' "$log" || true)
  failed=$(grep -c -- '^[[:space:]]*--- FAIL' "$log" || true)
  printf 's3-versitygw: %s %s against versitygw (%d passed, %d skipped, %d failed; %ds)\n' \
    "$status" "$pkg" "$pass" "$skip" "$failed" "$(( $(date +%s) - start ))"
  if [ "$skip" -gt 0 ]; then
    printf 's3-versitygw:   skipped: %s\n' "$(grep -- '^[[:space:]]*--- SKIP' "$log" | awk '{print $3}' | tr '\n' ' ')"
  fi
  if [ "$status" = FAIL ]; then
    grep -E -B2 -A12 -- '--- FAIL|^panic|FAIL' "$log" | head -120
  fi
done
if [ "$fail" -ne 0 ]; then
  echo "s3-versitygw: some packages failed against versitygw" >&2
  exit 1
fi
echo "s3-versitygw: every S3-using package passed against versitygw"
