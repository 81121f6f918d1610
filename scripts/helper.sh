#!/usr/bin/env bash
# Builds bin/sesam-pdftotext (pdftext/helper), the long-lived pdftotext the importer uses
# when it is there: one process for all the PDFs instead of one pdftotext per PDF. It
# needs g++ and poppler's private headers (Debian: g++ libpoppler-private-dev); without
# them sesam runs pdftotext for each PDF, with the same text, more slowly.
set -euo pipefail
cd "$(dirname "$0")/.."
src=pdftext/helper/sesam-pdftotext.cc
out=bin/sesam-pdftotext
if ! command -v g++ >/dev/null || ! pkg-config --exists poppler 2>/dev/null ||
  [ ! -e "$(pkg-config --variable=includedir poppler)/poppler/TextOutputDev.h" ]; then
  echo "note: $out not built (Debian: g++ libpoppler-private-dev); one pdftotext per PDF instead" >&2
  exit 0
fi
if [ "$out" -nt "$src" ]; then
  exit 0
fi
mkdir -p bin
# shellcheck disable=SC2046 # pkg-config prints several flags
g++ -std=c++17 -O2 -Wall -o "$out.tmp" "$src" $(pkg-config --cflags --libs poppler)
mv "$out.tmp" "$out"
