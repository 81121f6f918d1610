#!/usr/bin/env bash
# make bench: generate a synthetic corpus (once), then measure sesam on it in a dedicated
# database: import, text extraction, indexing, memory, and the search API's latency under
# load beside PostgreSQL full-text search. Prints one table; writes the same as JSON to
# var/bench/results-<date>.json so that runs can be compared.
#
#   BENCH_UNITS=100000 BENCH_TENANTS=300   corpus size (regenerated when they change)
#   BENCH_CLIENTS=16 BENCH_DURATION=20s    load: clients, and time per query and principal
#   BENCH_DATABASE=sesam_bench             database on the server pg-server.sh finds (dropped and recreated)
#   BENCH_ARGS="--profile var/bench/prof"  more flags for `sesam bench run`
set -euo pipefail
cd "$(dirname "$0")/.."

export SESAM_DATA_DIR=${SESAM_DATA_DIR:-var}
units=${BENCH_UNITS:-100000}
tenants=${BENCH_TENANTS:-300}
dir=$SESAM_DATA_DIR/bench
corpus=$dir/corpus

server=$(scripts/pg-server.sh)
export SESAM_DATABASE_URL=${server%/postgres\?*}/${BENCH_DATABASE:-sesam_bench}?sslmode=disable
command -v pdftotext >/dev/null || echo "note: pdftotext is not installed: the PDFs' text will not be extracted (Debian: poppler-utils)" >&2

# The corpus is kept between runs; another size makes a new one.
if [ -f "$corpus/corpus.json" ] && ! grep -q "^  \"units\": $units,\$" "$corpus/corpus.json"; then
  echo "bench: the corpus in $corpus is not of $units units: generating it again" >&2
  rm -rf "$corpus"
fi
if [ ! -f "$corpus/corpus.json" ] || [ "$(grep -c "/" "$corpus/tenants.txt")" -ne "$tenants" ]; then
  rm -rf "$corpus"
  bin/sesam bench gen --units "$units" --tenants "$tenants" --out "$corpus"
fi

mkdir -p "$dir"
results=$dir/results-$(date +%Y-%m-%d-%H%M%S).json
# shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
bin/sesam bench run --corpus "$corpus" --data "$dir/data" --reset \
  --clients "${BENCH_CLIENTS:-16}" --duration "${BENCH_DURATION:-20s}" --json "$results" ${BENCH_ARGS:-}
echo "results written to $results" >&2
