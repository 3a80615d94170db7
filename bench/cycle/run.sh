#!/usr/bin/env bash
# The simulated-Antarctic-cycle benchmark of issue #19, end to end (not part of CI):
#   1. generate N synthetic ATL06-layout granules and their catalog (h5py, Debian's python3-h5py);
#   2. today's zagg-go over every parent cell, with the one-pass and per-cell floors;
#   3. the sampled cells one at a time: zagg-go, Python zagg 0.61.0 and 0.1.0 (each in its
#      own venv, pinned by scripts/python/bench-requirements-zagg*.txt), statistics checked;
#   4. the sampled cells through a loopback HTTP server adding LATENCY per request;
#   5. the table (go run ./bench/cycle report).
# Usage (from anywhere): bash bench/cycle/run.sh
# Settings (environment): DIR (/tmp/zagg-cycle), N (150 granules), SAMPLE (20 cells), CHECK (3),
#   LATENCY (20ms), WORKERS (2), PY312 (a CPython 3.12; default: python3.12 on PATH or pyenv's;
#   without one, PY311 or python3 with the -py311 pins),
#   VENVS (${XDG_CACHE_HOME:-/tmp}/zagg-bench-venvs), SKIP_PYTHON=1, SKIP_HTTP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${DIR:-/tmp/zagg-cycle}
N=${N:-150}
SAMPLE=${SAMPLE:-20}
CHECK=${CHECK:-3}
LATENCY=${LATENCY:-20ms}
WORKERS=${WORKERS:-2}
VENVS=${VENVS:-${XDG_CACHE_HOME:-/tmp}/zagg-bench-venvs}
mkdir -p "$DIR"
bin=$DIR/cycle-bench
go build -o "$bin" ./bench/cycle

echo "== 1. granules and catalog ($N granules in $DIR)"
"$bin" gen -n "$N" -dir "$DIR" -j 2

echo "== 2. today's design, every cell ($WORKERS cells at once), and the floors"
"$bin" run -dir "$DIR" -workers "$WORKERS" -out "$DIR/result-today-local.json"

echo "== 3. $SAMPLE sampled cells, one at a time"
"$bin" run -dir "$DIR" -sample "$SAMPLE" -workers 1 -out "$DIR/result-today-sample.json"

# find_py312 prints a CPython 3.12 interpreter, or nothing.
find_py312() {
  for p in "${PY312:-}" "$(command -v python3.12 2>/dev/null || true)" "$(pyenv prefix 3.12 2>/dev/null || true)/bin/python3.12" \
    $(ls -d "$HOME"/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null || true); do
    if [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}

# venv NAME: create or reuse $VENVS/NAME-pyXY with the pins of
# scripts/python/bench-requirements-NAME.txt (CPython 3.12), or, with no 3.12
# around, of bench-requirements-NAME-py311.txt on python3 (3.11) with
# --ignore-requires-python. Wheels only, no resolver.
venv() {
  local name=$1 py req v extra=()
  py=$(find_py312)
  if [ -n "$py" ]; then
    req=scripts/python/bench-requirements-$name.txt
    v=$VENVS/$name-py312
  else
    py=${PY311:-python3}
    req=scripts/python/bench-requirements-$name-py311.txt
    v=$VENVS/$name-py311
    extra=(--ignore-requires-python)
    echo "   no CPython 3.12 found (set PY312): $name on $("$py" --version) with --ignore-requires-python" >&2
  fi
  local stamp=$v/.bench-requirements.sha256 want
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; }; then
    echo "   creating $v from $req" >&2
    rm -rf "$v"
    "$py" -m venv "$v" >&2
    "$v/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: --no-deps "${extra[@]}" -r "$req" >&2
    # On 3.11 pip check names icechunk (0.61.0) and the Python version: expected.
    "$v/bin/python" -m pip check --disable-pip-version-check >&2 || [ ${#extra[@]} -gt 0 ]
    echo "$want" >"$stamp"
  fi
  echo "$v"
}

if [ "${SKIP_PYTHON:-}" != 1 ]; then
  for ver in 061 010; do
    echo "== 3. Python zagg ($ver) on the same $SAMPLE cells"
    if v=$(venv "zagg$ver"); then
      "$v/bin/python" bench/cycle/pyzagg_bench.py --dir "$DIR" --sample "$SAMPLE" --check "$CHECK" --out "$DIR/py$ver.json"
      "$bin" check -dir "$DIR" -python "$DIR/py$ver.json"
    else
      echo "   Python zagg $ver: not run (no venv)"
      rm -f "$DIR/py$ver.json"
    fi
  done
fi

if [ "${SKIP_HTTP:-}" != 1 ]; then
  echo "== 4. the sampled cells through loopback HTTP, +$LATENCY per request"
  "$bin" run -dir "$DIR" -sample "$SAMPLE" -workers 1 -source http -latency "$LATENCY" -floors=false -out "$DIR/result-today-http.json"
  "$bin" run -dir "$DIR" -sample "$SAMPLE" -workers 1 -source http -latency 0s -floors=false -out "$DIR/result-today-http0.json"
fi

echo "== 5. table"
"$bin" report -dir "$DIR"
