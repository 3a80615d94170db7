#!/usr/bin/env bash
# The real bootstrap under the AWS Lambda Runtime Interface Emulator: install
# the emulator pinned from the Go module proxy (cached in GOPATH/bin), then
# run the examples/lambda tests that start it on explicit 127.0.0.1 addresses
# (its default is 0.0.0.0:8080), each with its own temporary folder, and kill
# its process group by PID when they end:
#   TestBootstrapUnderRIE      setup, process, finalize and malformed events
#                              (classic mode), the store checked after finalize
#   TestDispatchUnderRIE       the dispatch command against the concurrent mode
#                              (AWS_LAMBDA_MAX_CONCURRENCY=3) for the sample
#                              catalog with injected timeouts (one, and on
#                              every attempt of four cells): every cell once
#   TestRuntimeRepliesUnderRIE Runtime.Unavailable and the emulator's timeout
#                              reply, as the executor classifies them
# The emulator starts the test processes itself because each scenario needs
# its own configuration (function timeout, concurrency); the concurrent mode
# needs root (it runs the bootstrap as its own user) and a private mount
# namespace (unshare -m), as it only looks for /var/task/bootstrap.
set -euo pipefail
cd "$(dirname "$0")/../.."
RIE_MODULE=github.com/aws/aws-lambda-runtime-interface-emulator
RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
bin="$(go env GOPATH)/bin"
rie="$bin/aws-lambda-rie"
if ! go version -m "$rie" 2>/dev/null | grep -qE "^[[:space:]]+mod[[:space:]]+$RIE_MODULE[[:space:]]+$RIE_VERSION[[:space:]]"; then
  echo "lambda-rie: installing $RIE_MODULE/cmd/aws-lambda-rie@$RIE_VERSION"
  GOBIN="$bin" go install "$RIE_MODULE/cmd/aws-lambda-rie@$RIE_VERSION"
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
ZAGG_TEST_RIE="$rie" go test -count=1 -v -timeout 10m -run 'UnderRIE' ./examples/lambda >"$log" 2>&1 || status=$?
grep -E -- '^[[:space:]]*(--- (PASS|FAIL|SKIP)|rie_test.go:[0-9]+: rie)' "$log" | sed 's/^[[:space:]]*/lambda-rie: /'
if [ "$status" -ne 0 ]; then
  grep -v '^        time=' "$log" | tail -80
  echo "lambda-rie: FAILED" >&2
  exit 1
fi
if grep -q -- '--- SKIP' "$log"; then
  grep -A1 -- '--- SKIP' "$log"
  probe=$(mktemp -d)
  if [ "$(id -u)" = 0 ] && unshare -m sh -c 'mount --bind "$0" /var' "$probe" 2>/dev/null; then
    rmdir "$probe"
    echo "lambda-rie: a test skipped although the emulator is installed and private mount namespaces work" >&2
    exit 1
  fi
  rmdir "$probe" 2>/dev/null || true
  echo "lambda-rie: WARNING: the concurrent-mode tests need root and unshare -m (a private mount namespace); they were skipped"
  exit 0
fi
echo "lambda-rie: the bootstrap answered every event kind under aws-lambda-rie and the dispatcher ended every cell once"
