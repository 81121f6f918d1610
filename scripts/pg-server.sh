#!/usr/bin/env bash
# Prints the URL of a PostgreSQL server sesam can use (to its "postgres" database):
# SESAM_PG_SERVER_URL when set; else the local server on 127.0.0.1:5432 when it answers;
# else a private cluster under $SESAM_DATA_DIR/pg started here when PostgreSQL's binaries
# are installed; else it says what to install and fails.
set -euo pipefail

data_dir=${SESAM_DATA_DIR:-var}
port=${SESAM_PRIVATE_PG_PORT:-54329}

if [ -n "${SESAM_PG_SERVER_URL:-}" ]; then
  echo "$SESAM_PG_SERVER_URL"; exit 0
fi

find_bin() {
  command -v "$1" 2>/dev/null && return 0
  ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1
}

local_port=${SESAM_LOCAL_PG_PORT:-5432}
pg_isready_bin=$(find_bin pg_isready || true)
if [ -n "$pg_isready_bin" ] && "$pg_isready_bin" -q -h 127.0.0.1 -p "$local_port" -t 2; then
  echo "postgres://postgres@127.0.0.1:$local_port/postgres?sslmode=disable"; exit 0
fi

initdb_bin=$(find_bin initdb || true)
pg_ctl_bin=$(find_bin pg_ctl || true)
if [ -z "$initdb_bin" ] || [ -z "$pg_ctl_bin" ]; then
  cat >&2 <<MSG
sesam needs PostgreSQL (13 or later) and found none:
  - no server answers on 127.0.0.1:5432, and
  - PostgreSQL's programs (initdb, pg_ctl) are not installed to start a private one.
Install them (Debian/Ubuntu: sudo apt-get install postgresql), or point sesam at a server:
  export SESAM_DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/sesam
MSG
  exit 1
fi

# A private cluster: initdb refuses to run as root, so root runs it as "postgres".
pg_dir=$(mkdir -p "$data_dir" && cd "$data_dir" && pwd)/pg
as_owner=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "running as root and no postgres user to own a private cluster" >&2; exit 1; }
  as_owner=(runuser -u postgres --)
fi
# The postgres user must reach the cluster's directory; a data directory under a
# private home is out of its reach, so the cluster then lives under /var/tmp.
if [ ${#as_owner[@]} -gt 0 ] && ! "${as_owner[@]}" test -x "$(dirname "$pg_dir")"; then
  pg_dir=/var/tmp/sesam-pg-$(printf '%s' "$pg_dir" | md5sum | cut -c1-8)
fi
if [ ! -f "$pg_dir/PG_VERSION" ]; then
  mkdir -p "$pg_dir"
  [ ${#as_owner[@]} -gt 0 ] && chown postgres "$pg_dir"
  "${as_owner[@]}" "$initdb_bin" -D "$pg_dir" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! "${as_owner[@]}" "$pg_ctl_bin" -D "$pg_dir" status >/dev/null 2>&1; then
  "${as_owner[@]}" "$pg_ctl_bin" -D "$pg_dir" -l "$pg_dir/server.log" -w \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null
  echo "started a private PostgreSQL in $pg_dir on port $port" >&2
fi
echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
