#!/usr/bin/env bash
# make demo (after make up): configuration, migrations, sysadmin, French demo data (with one
# agent account per ministry, shares between ministries and a pending access request), search
# index, one harvest source of each type harvested once (a PostgreSQL « business
# application », a shared folder, a local data.gouv.fr), then the portal at
# http://127.0.0.1:5000 in the foreground until Ctrl-C, with the harvest consumers and the
# local data.gouv.fr in the background (stopped with it).
#   IP_ADMIN_NAME / IP_ADMIN_PASSWORD: the sysadmin (default: admin, password drawn once and
#   kept in .state/admin-password). IP_AGENT_PASSWORD: the agents' password, one for all
#   (default: drawn once and kept in .state/agents-password). IP_DEMO_NO_SERVE=1: stop after
#   loading (no server). IP_DEMO_UDATA_PORT: the local data.gouv.fr's port (5081; another
#   free one if taken). The demo's e-mails go to the SMTP sink of `make up` (.state/mail/).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
CKAN="$ROOT/.venv/bin/ckan"
INI="$ROOT/ckan.ini"
PORT=${IP_CKAN_PORT:-5000}
started=$(date +%s)
# the password of the demo's « business application » database (demo_app, owned by CKAN's
# user: PG_PASSWORD of scripts/services.sh), which its harvest source names as
# ${DEMO_APP_DB_PASSWORD} in its URL: exported for the load and for the served portal
export DEMO_APP_DB_PASSWORD=${DEMO_APP_DB_PASSWORD:-pass}
# what runs beside the portal (local data.gouv.fr, harvest consumers): stopped on exit
BACKGROUND=()
stop_background() { for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_background EXIT

"$ROOT/.venv/bin/python" "$ROOT/scripts/ckan_ini.py"
# the demo client's secret at the local ProConnect (drawn once by scripts/oidc_config.py when
# `make up` starts the provider), from the environment, as the plugin reads it
PROCONNECT_SECRET_FILE="$ROOT/.state/proconnect-client-secret"
[ -s "$PROCONNECT_SECRET_FILE" ] \
  || die "le secret du client ProConnect de démonstration manque (.state/proconnect-client-secret) : lancez 'make up'."
export CKANEXT__INTERNALPORTAL__PROCONNECT__CLIENT_SECRET
CKANEXT__INTERNALPORTAL__PROCONNECT__CLIENT_SECRET=$(cat "$PROCONNECT_SECRET_FILE")

say "Migrations de la base (CKAN et chaque plugin activé qui en a)"
"$CKAN" -c "$INI" db upgrade >/dev/null

# password NAME_OF_ENV_VARIABLE FILE: the variable if set, else a password drawn once and kept
# in FILE (readable by its owner only)
password() {
  if [ -n "${!1:-}" ]; then echo "${!1}"; return; fi
  if [ ! -s "$2" ]; then
    (umask 077; "$ROOT/.venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))' > "$2")
  fi
  cat "$2"
}
ADMIN=${IP_ADMIN_NAME:-admin}
PWFILE="$ROOT/.state/admin-password"
PASSWORD=$(password IP_ADMIN_PASSWORD "$PWFILE")
AGENT_PWFILE="$ROOT/.state/agents-password"
AGENT_PASSWORD=$(password IP_AGENT_PASSWORD "$AGENT_PWFILE")
# the served portal's data.gouv.fr (fixtures), harvested by the load and again from the web
# interface; without a portal to serve, the load serves it itself for its harvest
HARVEST_STATE="$ROOT/.state/harvest"
mkdir -p "$HARVEST_STATE"
UDATA_URL=""
if [ -z "${IP_DEMO_NO_SERVE:-}" ]; then
  rm -f "$HARVEST_STATE/datagouv.port"
  "$ROOT/.venv/bin/python" -m ckanext.internalportal.demo.udata_site \
    --data "$ROOT/ckanext/internalportal/demo/data/harvest/datagouv" \
    --port "${IP_DEMO_UDATA_PORT:-5081}" --port-file "$HARVEST_STATE/datagouv.port" \
    >"$HARVEST_STATE/datagouv.log" 2>&1 < /dev/null &
  BACKGROUND+=($!)
  for _ in $(seq 1 50); do [ -s "$HARVEST_STATE/datagouv.port" ] && break; sleep 0.1; done
  [ -s "$HARVEST_STATE/datagouv.port" ] \
    || die "le data.gouv.fr local n'a pas démarré (journal : .state/harvest/datagouv.log)."
  UDATA_URL="http://127.0.0.1:$(cat "$HARVEST_STATE/datagouv.port")"
fi
say "Administrateur système « $ADMIN », données de démonstration (puis index Solr) et moissonnage"
INTERNALPORTAL_ADMIN_PASSWORD="$PASSWORD" INTERNALPORTAL_AGENT_PASSWORD="$AGENT_PASSWORD" \
IP_DEMO_UDATA_URL="$UDATA_URL" \
  "$CKAN" -c "$INI" internalportal demo load --admin "$ADMIN" --harvest
say "Historique d'usage de démonstration (six mois, par les compteurs puis l'agrégation)"
"$CKAN" -c "$INI" internalportal stats demo
# the agents of the demo data, one line each (name, ministry), then what to try first
AGENTS=$("$ROOT/.venv/bin/python" -c 'import textwrap
from ckanext.internalportal.demo import loader
data = loader.read_demo_data()
print("\n".join("      " + line for line in loader.accounts_lines(data)))
for line in loader.example_lines(data):
    print(textwrap.fill(line, 92, initial_indent="    ", subsequent_indent="      ",
                        break_on_hyphens=False))')
# the ProConnect agents of the local provider, their ministry, what to try
PROCONNECT=$("$ROOT/.venv/bin/python" -c 'import textwrap
from ckanext.internalportal.demo import loader, proconnect
data = loader.read_demo_data()
print("\n".join("      " + line for line in proconnect.accounts_lines(data)))
for line in proconnect.example_lines(data):
    print(textwrap.fill(line, 92, initial_indent="    ", subsequent_indent="      ",
                        break_on_hyphens=False))')
PROCONNECT_PASSWORD=$(cat "$ROOT/.state/proconnect-password" 2>/dev/null || echo "?")
# the harvest sources, where to see them, how to harvest them again
HARVEST=$(SITE="http://127.0.0.1:$PORT" SERVING="${IP_DEMO_NO_SERVE:-serve}" \
  "$ROOT/.venv/bin/python" -c 'import os, textwrap
from ckanext.internalportal.demo import harvest
lines = harvest.message_lines(harvest.read_sources(), os.environ["SITE"],
                              serving=os.environ["SERVING"] == "serve")
for line in lines:
    print(textwrap.fill(line, 92, initial_indent="    ", subsequent_indent="      ",
                        break_on_hyphens=False))')

say "Portail prêt en $(( $(date +%s) - started )) s"
cat <<MSG

    Portail        : http://127.0.0.1:$PORT
    Administrateur : $ADMIN
    Mot de passe   : $PASSWORD $( [ -z "${IP_ADMIN_PASSWORD:-}" ] && echo "(conservé dans .state/admin-password)")

    Agents des ministères (administrateurs de leur ministère), mot de passe commun :
      $AGENT_PASSWORD $( [ -z "${IP_AGENT_PASSWORD:-}" ] && echo "(conservé dans .state/agents-password)")
$AGENTS

    Agents ProConnect (« S'identifier avec ProConnect » sur la page de connexion, fournisseur
    d'identité local http://127.0.0.1:${IP_OIDC_PORT:-9090}), sans compte avant leur première
    connexion, mot de passe commun :
      $PROCONNECT_PASSWORD (conservé dans .state/proconnect-password)
$PROCONNECT
$HARVEST
    E-mails de la démonstration : un fichier .eml par message dans .state/mail/

MSG
if [ -n "${IP_DEMO_NO_SERVE:-}" ]; then exit 0; fi
port_busy "$PORT" && die "le port $PORT est déjà pris (un autre 'make demo' ?). Arrêtez-le ou choisissez IP_CKAN_PORT=…"
# the harvest consumers: « Moissonner à nouveau » in the web interface queues a job on Redis,
# which they run (logs in .state/harvest/). They wait on the queue with a BLPOP without end,
# which redis-py 8's default 5 s socket timeout breaks: their Redis URL says a week instead.
for stage in gather fetch; do
  CKAN_REDIS_URL="redis://127.0.0.1:${IP_REDIS_PORT:-6380}/0?socket_timeout=604800" \
    "$CKAN" -c "$INI" harvester "$stage-consumer" >"$HARVEST_STATE/$stage-consumer.log" 2>&1 < /dev/null &
  BACKGROUND+=($!)
done
# CKAN's background jobs: the statistics' rollup every minute (flush_interval), e-mails
CKAN_REDIS_URL="redis://127.0.0.1:${IP_REDIS_PORT:-6380}/0?socket_timeout=604800" \
  "$CKAN" -c "$INI" jobs worker >"$HARVEST_STATE/jobs-worker.log" 2>&1 < /dev/null &
BACKGROUND+=($!)
say "Service du portail sur http://127.0.0.1:$PORT (Ctrl-C pour arrêter)"
# not exec: on exit (Ctrl-C included) the trap stops what runs in the background
"$CKAN" -c "$INI" run -H 127.0.0.1 -p "$PORT" --disable-reloader
