#!/usr/bin/env bash
# The portal under wrk (issue 6): the search page and the search API at 1, 16 and 64
# connections, as the public, against `sesam serve` on the benchmark's data (run
# `make bench` first: it leaves the database sesam_bench and var/bench/data).
#
#   WRK_DURATION=15s   per run
#   WRK_WORDS="..."    the words searched (each connection takes them in turn)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 1; }

server=$(scripts/pg-server.sh)
export SESAM_DATABASE_URL=${server%/postgres\?*}/${BENCH_DATABASE:-sesam_bench}?sslmode=disable
export SESAM_DATA_DIR=${SESAM_DATA_DIR:-var}/bench/data
export SESAM_INDEX_DIR=$SESAM_DATA_DIR/index
export SESAM_SEARCH_RATE=100000000 SESAM_LOG_LEVEL=warn
[ -f "$SESAM_INDEX_DIR/CURRENT" ] || { echo "no bench index in $SESAM_INDEX_DIR: run make bench first" >&2; exit 1; }
duration=${WRK_DURATION:-15s}
words=${WRK_WORDS:-conseil registre commune budget}
addr=127.0.0.1:18090

bin/sesam serve --addr "$addr" > var/bench/wrk-serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "http://$addr/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://$addr/readyz" >/dev/null || { echo "sesam serve did not become ready: see var/bench/wrk-serve.log" >&2; exit 1; }

tmp=$(mktemp -d)
for w in $words; do echo "/search?q=$w"; done > "$tmp/page"
for w in $words; do echo "/api/v1/search?q=$w&size=20"; done > "$tmp/api-facets"
for w in $words; do echo "/api/v1/search?q=$w&size=20&facets=0"; done > "$tmp/api"

printf '%-34s %5s %s\n' "what" "conn" "result"
for kind in page api-facets api; do
  for c in 1 16 64; do
    t=$(( c < 2 ? 1 : 2 ))
    out=$(WRK_PATHS="$tmp/$kind" wrk -t"$t" -c"$c" -d"$duration" --latency -s scripts/wrk-paths.lua "http://$addr" | grep '^WRK')
    printf '%-34s %5d %s\n' "$kind ($words)" "$c" "${out#WRK }"
  done
done
echo "RSS of sesam serve after the runs: $(awk '/VmRSS/{print $2/1024 " MB"}' /proc/$pid/status), peak $(awk '/VmHWM/{print $2/1024 " MB"}' /proc/$pid/status)"
rm -rf "$tmp"
