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

# The demo people of --dev-login (portal/auth.go) and their roles.
role() { $sesam role grant "$@" >/dev/null; }
role agent.ruitz@demo.sesam reader cdg62/ruitz
role maire.ruitz@demo.sesam producer cdg62/ruitz
role archiviste@demo.sesam archivist cdg62
role auditeur@demo.sesam auditor cdg62
role agent.lille@demo.sesam reader cdg59/lille
role admin@demo.sesam admin '*'

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
