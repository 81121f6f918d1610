#!/usr/bin/env bash
# make run: the portal on demo data, from nothing. Migrates, creates the demo tenants,
# imports the valid samples of ../shared/testdata/seda/sip, then serves.
set -euo pipefail
cd "$(dirname "$0")/.."

export SESAM_DATA_DIR=${SESAM_DATA_DIR:-var}
if [ -z "${SESAM_DATABASE_URL:-}" ]; then
  server=$(scripts/pg-server.sh)
  export SESAM_DATABASE_URL=${server%/postgres\?*}/sesam?sslmode=disable
fi
sesam=bin/sesam
samples=${SESAM_DEMO_SAMPLES:-../shared/testdata/seda/sip}

$sesam migrate
tenant() { $sesam tenant add "$@" 2>&1 | grep -v 'already exists' || true; }
tenant cdg59 --name "Centre de gestion du Nord"
tenant cdg59/lille --name "Ville de Lille"
tenant cdg62 --name "Centre de gestion du Pas-de-Calais"
tenant cdg62/ruitz --name "Commune de Ruitz" --publish

if [ -d "$samples" ]; then
  i=0
  for p in "$samples"/*; do
    case $((i % 3)) in
      0) t=cdg62/ruitz ;; 1) t=cdg59/lille ;; 2) t=cdg62 ;;
    esac
    i=$((i + 1))
    $sesam import --tenant "$t" "$p" || true
  done
else
  echo "demo samples not found in $samples: starting with empty tenants" >&2
fi

exec $sesam serve --dev-login "$@"
