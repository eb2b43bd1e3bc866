#!/usr/bin/env bash
# make demo (after make up): configuration, migrations, sysadmin, French demo data, search
# index, then the portal at http://127.0.0.1:5000 in the foreground until Ctrl-C.
#   IP_ADMIN_NAME / IP_ADMIN_PASSWORD: the sysadmin (default: admin, password drawn once and
#   kept in .state/admin-password). IP_DEMO_NO_SERVE=1: stop after loading (no server).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
CKAN="$ROOT/.venv/bin/ckan"
INI="$ROOT/ckan.ini"
PORT=${IP_CKAN_PORT:-5000}
started=$(date +%s)

"$ROOT/.venv/bin/python" "$ROOT/scripts/ckan_ini.py"

say "Migrations de la base (CKAN et chaque plugin activé qui en a)"
"$CKAN" -c "$INI" db upgrade >/dev/null

ADMIN=${IP_ADMIN_NAME:-admin}
PWFILE="$ROOT/.state/admin-password"
if [ -n "${IP_ADMIN_PASSWORD:-}" ]; then
  PASSWORD=$IP_ADMIN_PASSWORD
else
  if [ ! -s "$PWFILE" ]; then
    (umask 077; "$ROOT/.venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))' > "$PWFILE")
  fi
  PASSWORD=$(cat "$PWFILE")
fi
say "Administrateur système « $ADMIN » et données de démonstration (puis index Solr)"
INTERNALPORTAL_ADMIN_PASSWORD="$PASSWORD" "$CKAN" -c "$INI" internalportal demo load --admin "$ADMIN"

say "Portail prêt en $(( $(date +%s) - started )) s"
cat <<MSG

    Portail        : http://127.0.0.1:$PORT
    Administrateur : $ADMIN
    Mot de passe   : $PASSWORD $( [ -z "${IP_ADMIN_PASSWORD:-}" ] && echo "(conservé dans .state/admin-password)")

MSG
if [ -n "${IP_DEMO_NO_SERVE:-}" ]; then exit 0; fi
port_busy "$PORT" && die "le port $PORT est déjà pris (un autre 'make demo' ?). Arrêtez-le ou choisissez IP_CKAN_PORT=…"
say "Service du portail sur http://127.0.0.1:$PORT (Ctrl-C pour arrêter)"
exec "$CKAN" -c "$INI" run -H 127.0.0.1 -p "$PORT" --disable-reloader
