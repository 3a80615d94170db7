#!/usr/bin/env bash
# The store scientists open (issue #13): build the demo store in both
# latitude conventions and check each with xarray + xdggs + healpy
# (scripts/python/check_store.py: layout, grid declarations in both xdggs
# conventions, cell centres, every value against `export`, peak memory of
# open + decode). First the checker's self-test (it must pass the fixture
# stores and fail broken ones). The Python environment is the pinned venv of
# scripts/python/venv.sh (.venv, or ZAGG_VENV), made on first use.
#
# Authalic: `demo` (built-in config and sample data). Geodetic: `demo` takes
# no config, so `run` with a copy of the ATL06 config plus
# `output.latitude: geodetic` and of the sample catalog with
# `metadata.latitude: geodetic`, over the sample granules (file driver).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=$(bash scripts/python/venv.sh | tail -1)
py=$venv/bin/python
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "xdggs: self-test of check_store.py"
"$py" scripts/python/test_check_store.py >"$tmp/selftest.out" 2>&1 || {
  cat "$tmp/selftest.out" >&2
  echo "xdggs: check_store.py self-test FAILED" >&2
  exit 1
}
tail -1 "$tmp/selftest.out"

go build -o "$tmp/zagg-local" ./examples/local
export_cmd="$tmp/zagg-local export --store {store} --order {order} --format csv --output {output}"

"$tmp/zagg-local" demo --store "$tmp/authalic.zarr" --quiet >"$tmp/demo.out"

sed 's/^  grid: {type: healpix, indexing_scheme: nested, child_order: 12}$/&\n  latitude: geodetic/' \
  pipeline/configs/atl06.yaml >"$tmp/atl06-geodetic.yaml"
grep -q '^  latitude: geodetic$' "$tmp/atl06-geodetic.yaml" || {
  echo "xdggs: could not add output.latitude to a copy of pipeline/configs/atl06.yaml (its output.grid line changed?)" >&2
  exit 1
}
"$py" - internal/sampledata/catalog.json "$tmp/catalog-geodetic.json" <<'EOF'
import json, sys
cat = json.load(open(sys.argv[1]))
cat["metadata"]["latitude"] = "geodetic"
json.dump(cat, open(sys.argv[2], "w"), indent=1)
EOF
"$tmp/zagg-local" run --config "$tmp/atl06-geodetic.yaml" --catalog "$tmp/catalog-geodetic.json" \
  --store "$tmp/geodetic.zarr" --driver file --granule-dir internal/sampledata/granules \
  --results "$tmp/results.json" --quiet >"$tmp/run.out"

fail=0
for s in authalic geodetic; do
  echo "xdggs: check_store.py on the $s demo store"
  if ! "$py" scripts/python/check_store.py "$tmp/$s.zarr" --export-cmd "$export_cmd" >"$tmp/$s.check" 2>&1; then
    grep "^FAIL" "$tmp/$s.check" >&2 || true
    fail=1
  fi
  tail -1 "$tmp/$s.check"
done
if [ "$fail" != 0 ]; then
  echo "xdggs: the demo stores do not open as scientists open them (see FAIL lines)" >&2
  exit 1
fi
