#!/usr/bin/env bash
# make test: the whole suite against a real PostgreSQL (found or started by pg-server.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export SESAM_DATA_DIR=${SESAM_DATA_DIR:-var}
if [ -z "${SESAM_TEST_DATABASE_URL:-}" ]; then
  SESAM_TEST_DATABASE_URL=$(scripts/pg-server.sh)
  export SESAM_TEST_DATABASE_URL
fi
# The long-lived pdftotext (pdftext/helper), found in PATH by the tests as by sesam.
scripts/helper.sh
export PATH="$PWD/bin:$PATH"
for tool in pdftotext pdftoppm tesseract; do
  command -v $tool >/dev/null || echo "note: $tool is not installed; the tests that need it say so and skip (Debian: poppler-utils, tesseract-ocr, tesseract-ocr-fra)" >&2
done
go test ${GOTESTFLAGS:-} ./...
