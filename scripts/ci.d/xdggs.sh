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
  pipeline/config/builtin/atl06.yaml >"$tmp/atl06-geodetic.yaml"
grep -q '^  latitude: geodetic$' "$tmp/atl06-geodetic.yaml" || {
  echo "xdggs: could not add output.latitude to a copy of pipeline/config/builtin/atl06.yaml (its output.grid line changed?)" >&2
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

# Orders coarser than the parent (written by finalize from merged partials).
sed 's/^  grid: {type: healpix, indexing_scheme: nested, child_order: 12}$/&\n  orders: [12, 11, 10, 9, 8, 7, 6, 5, 3, 0]/' \
  pipeline/config/builtin/atl06.yaml >"$tmp/atl06-coarse.yaml"
grep -q '^  orders: ' "$tmp/atl06-coarse.yaml" || { echo "xdggs: could not add output.orders to a copy of atl06.yaml" >&2; exit 1; }
"$tmp/zagg-local" run --config "$tmp/atl06-coarse.yaml" --catalog internal/sampledata/catalog.json \
  --store "$tmp/coarse.zarr" --driver file --granule-dir internal/sampledata/granules \
  --results "$tmp/results-coarse.json" --quiet >"$tmp/run-coarse.out"

# The README's xarray block, as a reader copies it, on the demo store.
mkdir "$tmp/readme" && ln -s "$tmp/authalic.zarr" "$tmp/readme/demo.zarr"
awk '/<!-- ci: xdggs.sh runs this block/{f=1; next} f && /^```python( runnable)?$/{p=1; next} p && /^```$/{exit} p' README.md >"$tmp/readme/snippet.py"
[ -s "$tmp/readme/snippet.py" ] || { echo "xdggs: no marked python block in README.md" >&2; exit 1; }
echo "xdggs: README.md's xarray block on the demo store"
(cd "$tmp/readme" && "$py" snippet.py) || { echo "xdggs: the README's xarray block failed" >&2; exit 1; }

fail=0
for s in authalic geodetic coarse; do
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

# The multi-window store (issue #17): `demo --trend` (four cycles, dh/dt),
# opened with xarray + xdggs: (time, cells) statistics, CF time with bounds,
# windows equal to `export --window`, dh/dt equal to numpy's polyfit of the
# stored windows (scripts/python/check_time.py).
"$tmp/zagg-local" demo --trend --store "$tmp/trend.zarr" --quiet >"$tmp/demo-trend.out"
echo "xdggs: check_time.py on the multi-window demo store"
if ! "$py" scripts/python/check_time.py "$tmp/trend.zarr" \
  --export-cmd "$tmp/zagg-local export --store {store} --order {order} --window {window} --format csv --output {output}" >"$tmp/trend.check" 2>&1; then
  grep "^FAIL" "$tmp/trend.check" >&2 || cat "$tmp/trend.check" >&2
  echo "xdggs: the multi-window store does not open as scientists open it" >&2
  exit 1
fi
tail -1 "$tmp/trend.check"

# The same windows stored three per chunk (output.time.chunk: 3; the fourth
# window alone in a padded chunk), run from a copy of the sample config.
sed 's/^    cycles: 19-22 .*$/    cycles: 19-22\n    chunk: 3/' internal/sampledata/cycles/config.yaml >"$tmp/chunk3.yaml"
grep -q '^    chunk: 3$' "$tmp/chunk3.yaml" || { echo "xdggs: could not add output.time.chunk to a copy of the cycles config" >&2; exit 1; }
"$tmp/zagg-local" run --config "$tmp/chunk3.yaml" --catalog internal/sampledata/cycles/catalog.json \
  --store "$tmp/chunk3.zarr" --driver file --granule-dir internal/sampledata/cycles/granules \
  --results "$tmp/results-chunk3.json" --quiet >"$tmp/run-chunk3.out"
echo "xdggs: check_time.py on the multi-window store with three windows per chunk"
if ! "$py" scripts/python/check_time.py "$tmp/chunk3.zarr" \
  --export-cmd "$tmp/zagg-local export --store {store} --order {order} --window {window} --format csv --output {output}" >"$tmp/chunk3.check" 2>&1; then
  grep "^FAIL" "$tmp/chunk3.check" >&2 || cat "$tmp/chunk3.check" >&2
  echo "xdggs: the three-windows-per-chunk store does not open as scientists open it" >&2
  exit 1
fi
tail -1 "$tmp/chunk3.check"
