#!/usr/bin/env bash
# make demo (after make up): configuration, migrations, sysadmin, French demo data (with one
# agent account per ministry, shares between ministries and a pending access request), search
# index, then the portal at http://127.0.0.1:5000 in the foreground until Ctrl-C.
#   IP_ADMIN_NAME / IP_ADMIN_PASSWORD: the sysadmin (default: admin, password drawn once and
#   kept in .state/admin-password). IP_AGENT_PASSWORD: the agents' password, one for all
#   (default: drawn once and kept in .state/agents-password). IP_DEMO_NO_SERVE=1: stop after
#   loading (no server). The demo's e-mails go to the SMTP sink of `make up` (.state/mail/).
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
say "Administrateur système « $ADMIN » et données de démonstration (puis index Solr)"
INTERNALPORTAL_ADMIN_PASSWORD="$PASSWORD" INTERNALPORTAL_AGENT_PASSWORD="$AGENT_PASSWORD" \
  "$CKAN" -c "$INI" internalportal demo load --admin "$ADMIN"
# the agents of the demo data, one line each (name, ministry), then what to try first
AGENTS=$("$ROOT/.venv/bin/python" -c 'import textwrap
from ckanext.internalportal.demo import loader
data = loader.read_demo_data()
print("\n".join("      " + line for line in loader.accounts_lines(data)))
for line in loader.example_lines(data):
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
    E-mails de la démonstration : un fichier .eml par message dans .state/mail/

MSG
if [ -n "${IP_DEMO_NO_SERVE:-}" ]; then exit 0; fi
port_busy "$PORT" && die "le port $PORT est déjà pris (un autre 'make demo' ?). Arrêtez-le ou choisissez IP_CKAN_PORT=…"
say "Service du portail sur http://127.0.0.1:$PORT (Ctrl-C pour arrêter)"
exec "$CKAN" -c "$INI" run -H 127.0.0.1 -p "$PORT" --disable-reloader
