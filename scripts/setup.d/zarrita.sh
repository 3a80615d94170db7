#!/usr/bin/env bash
# setup: install the independent Zarr reader (zarrita) and the JSON-schema
# validator (ajv) from the committed lockfile. The go
# tests TestZarritaReadsWhatWeWrite and TestRunSampleS3 then read stores
# written by zarrstore with them;
# with CI set it fails (never skips) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/../../zarrstore/testdata/zarrita"
if ! command -v npm >/dev/null; then
  echo "zarrstore-zarrita: npm is required (apt-get install nodejs npm)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
node -e 'import("zarrita").then(() => import("ajv")).then(() => console.log("zarrita + ajv installed"))'
