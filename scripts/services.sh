#!/usr/bin/env bash
# make up / make down / make status: PostgreSQL, Redis and Apache Solr 9, for real, on 127.0.0.1,
# their data under .state/, a local SMTP sink (scripts/smtp_sink.py) that keeps every e-mail
# of the dev portal as a .eml file under .state/mail/, and a local OpenID Connect provider
# configured like ProConnect (scripts/oidc/, npm package oidc-provider) for the demo's agents.
# Each step installs what is missing and skips what is there.
#
#   scripts/services.sh up|down|status
#
# Ports (env): IP_PG_PORT (5433), IP_REDIS_PORT (6380), IP_SOLR_PORT (8983), IP_SMTP_PORT (1025),
# IP_OIDC_PORT (9090).
# PostgreSQL and Redis avoid Debian's default ports so that a system service installed by apt
# never collides with ours.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE="$ROOT/.state"
PG_PORT=${IP_PG_PORT:-5433}
REDIS_PORT=${IP_REDIS_PORT:-6380}
SOLR_PORT=${IP_SOLR_PORT:-8983}
SOLR_HEAP=${IP_SOLR_HEAP:-512m}
SMTP_PORT=${IP_SMTP_PORT:-1025}
OIDC_PORT=${IP_OIDC_PORT:-9090}
SOLR_CORES=(ckan ckan_test ckan_bench)
# demo_app: the demo's « business application » (ckanext/internalportal/demo/harvest.py fills
# it at each `make demo`; the demo's SQL harvest source reads it)
PG_DATABASES=(ckan ckan_test ckan_bench demo_app)
PG_USER=ckan_default
PG_PASSWORD=pass
# CKAN's DataStore (the datastore plugin): one database beside each CKAN database, written by
# CKAN's user, read by a read-only user (datastore_search_sql), their permissions CKAN's own
# (`ckan datastore set-permissions`): CKAN database -> its DataStore
DATASTORES=(ckan:datastore ckan_test:datastore_test ckan_bench:datastore_bench)
DS_READ_USER=datastore_default
DS_READ_PASSWORD=pass
VENV="$ROOT/.venv"

. "$ROOT/scripts/lib.sh"

STARTED=()   # what this run started: stopped again if a later step fails
on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ ${#STARTED[@]} -gt 0 ]; then
    printf 'Arrêt de ce que cette commande avait démarré : %s\n' "${STARTED[*]}" >&2
    for s in "${STARTED[@]}"; do "stop_$s" || true; done
  fi
}

# ---------------------------------------------------------------- PostgreSQL
pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || die "PostgreSQL introuvable après installation (/usr/lib/postgresql/*/bin)."
  echo "$d"
}
# PostgreSQL refuses to run as root: as root it runs as the 'postgres' system user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
pg_datadir() {
  # .state/postgres, or a directory the postgres user can reach, linked from .state/postgres
  # (a checkout under /root is not readable by the postgres user).
  local want="$STATE/postgres"
  if [ -L "$want" ]; then readlink -f "$want"; return; fi
  if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$STATE"; then echo "$want"; return; fi
  local alt="/var/lib/postgresql/internalportal-$(echo "$ROOT" | md5sum | cut -c1-10)"
  mkdir -p "$alt"; chown postgres: "$alt"; ln -sfn "$alt" "$want"; echo "$alt"
}
pg_psql() { as_pg "$(pg_bin)/psql" -X -q -h "$(pg_datadir)" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

start_postgres() {
  apt_install postgresql libpq-dev
  local bin data
  bin=$(pg_bin); mkdir -p "$STATE"; data=$(pg_datadir)
  if [ ! -f "$data/PG_VERSION" ]; then
    say "PostgreSQL : initialisation de $data"
    mkdir -p "$data"; [ "$(id -u)" -eq 0 ] && chown postgres: "$data"
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb a échoué dans $data."
  fi
  if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    ok "PostgreSQL répond déjà sur 127.0.0.1:$PG_PORT"
  else
    port_busy "$PG_PORT" && die "le port $PG_PORT (PostgreSQL) est déjà pris par un autre programme. Arrêtez-le (ss -ltnp | grep $PG_PORT) ou choisissez un autre port : IP_PG_PORT=… make up."
    say "PostgreSQL : démarrage sur 127.0.0.1:$PG_PORT"
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
      || { tail -n 20 "$data/server.log" >&2; die "PostgreSQL n'a pas démarré (journal ci-dessus : $data/server.log)."; }
    STARTED+=(postgres)
  fi
  # role and databases, created once
  pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'" | grep -q 1 \
    || pg_psql -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'"
  for db in "${PG_DATABASES[@]}"; do
    pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
      || pg_psql -c "CREATE DATABASE $db OWNER $PG_USER ENCODING 'UTF8' TEMPLATE template0"
    # only its owner connects (the DataStore's read-only user, among others, does not)
    pg_psql -c "REVOKE CONNECT ON DATABASE $db FROM PUBLIC"
  done
  datastore_databases
  ok "PostgreSQL prêt : bases ${PG_DATABASES[*]} (utilisateur $PG_USER), DataStore ${DATASTORES[*]#*:} (lecture seule : $DS_READ_USER)"
}
# the DataStore's databases, its read-only user, and CKAN's permissions script for each
# (ckanext.datastore.cli.permissions_sql, what `ckan datastore set-permissions` prints), run
# once per database: its _table_metadata view says it ran
datastore_databases() {
  pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DS_READ_USER'" | grep -q 1 \
    || pg_psql -c "CREATE ROLE $DS_READ_USER LOGIN PASSWORD '$DS_READ_PASSWORD'"
  local pair main ds
  for pair in "${DATASTORES[@]}"; do
    main=${pair%%:*}; ds=${pair#*:}
    pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname='$ds'" | grep -q 1 \
      || pg_psql -c "CREATE DATABASE $ds OWNER $PG_USER ENCODING 'UTF8' TEMPLATE template0"
    pg_psql -d "$ds" -tAc "SELECT 1 FROM pg_views WHERE viewname='_table_metadata'" | grep -q 1 && continue
    say "DataStore : droits de la base $ds (script de CKAN)"
    "$VENV/bin/python" -c 'import sys
from ckanext.datastore.cli import permissions_sql
print(permissions_sql(maindb=sys.argv[1], datastoredb=sys.argv[2], mainuser=sys.argv[3],
                      writeuser=sys.argv[3], readuser=sys.argv[4]))' "$main" "$ds" "$PG_USER" "$DS_READ_USER" \
      | pg_psql >/dev/null \
      || die "les droits du DataStore n'ont pas pu être posés sur $ds (script de ckanext.datastore)."
  done
}
stop_postgres() {
  [ -d /usr/lib/postgresql ] || return 0
  local data; data=$(pg_datadir 2>/dev/null) || return 0
  [ -f "$data/PG_VERSION" ] || return 0
  if as_pg "$(pg_bin)/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$(pg_bin)/pg_ctl" -D "$data" -m fast -w stop >/dev/null && ok "PostgreSQL arrêté"
  fi
}

# ---------------------------------------------------------------- Redis
# bounded: a port held by something that is not Redis never answers
redis_ping() { timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
start_redis() {
  apt_install redis-server
  local dir="$STATE/redis"; mkdir -p "$dir"
  if pid_alive "$dir/redis.pid" && redis_ping; then
    ok "Redis répond déjà sur 127.0.0.1:$REDIS_PORT"; return
  fi
  port_busy "$REDIS_PORT" && die "le port $REDIS_PORT (Redis) est déjà pris par un autre programme. Arrêtez-le ou choisissez IP_REDIS_PORT=…"
  say "Redis : démarrage sur 127.0.0.1:$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save 60 100 >/dev/null \
    || die "redis-server n'a pas démarré (journal : $dir/redis.log)."
  STARTED+=(redis)
  for _ in $(seq 1 50); do redis_ping && break; sleep 0.1; done
  redis_ping || die "Redis ne répond pas (journal : $dir/redis.log)."
  ok "Redis prêt"
}
stop_redis() {
  local pidf="$STATE/redis/redis.pid"
  if pid_alive "$pidf"; then
    timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$(cat "$pidf")" 2>/dev/null || true
    for _ in $(seq 1 50); do pid_alive "$pidf" || break; sleep 0.1; done
    ok "Redis arrêté"
  fi
}

# ---------------------------------------------------------------- Solr 9
solr_build() {
  command -v java >/dev/null || die "java introuvable : Solr 9 a besoin de Java 17 (apt-get install openjdk-17-jre-headless)."
  command -v mvn >/dev/null || die "mvn introuvable : Solr est résolu depuis Maven Central (apt-get install maven)."
  local cp="$ROOT/solr/target/classpath.txt"
  if [ -f "$cp" ] && [ "$cp" -nt "$ROOT/solr/pom.xml" ] \
     && [ "$cp" -nt "$ROOT/solr/src/main/java/fr/gouv/internalportal/solr/SolrLauncher.java" ] \
     && xargs -d: -n1 test -f < <(tr -d '\n' < "$cp") 2>/dev/null; then
    return
  fi
  say "Solr 9 : résolution des jars depuis Maven Central (première fois : 1 à 3 minutes)"
  (cd "$ROOT/solr" && mvn -B -q package -DskipTests >"$STATE/solr-build.log" 2>&1) \
    || { tail -n 30 "$STATE/solr-build.log" >&2; die "la résolution Maven de Solr a échoué (réseau vers Maven Central ? journal : .state/solr-build.log)."; }
}
ckan_schema_xml() {
  local f
  f=$("$VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml"))' 2>/dev/null) \
    || die "CKAN n'est pas installé dans .venv : lancez d'abord 'make venv'."
  [ -f "$f" ] || die "schema.xml de CKAN introuvable ($f)."
  echo "$f"
}
solr_home() {
  local home="$STATE/solr/home" conf="$STATE/solr/home/configsets/ckan/conf"
  mkdir -p "$conf" "$STATE/solr/logs"
  cp "$ROOT/solr/conf/solr.xml" "$home/solr.xml"
  cp "$ROOT/solr/conf/solrconfig.xml" "$(ckan_schema_xml)" "$conf/"
  for f in synonyms.txt protwords.txt stopwords.txt; do [ -f "$conf/$f" ] || : > "$conf/$f"; done
  for core in "${SOLR_CORES[@]}"; do
    mkdir -p "$home/$core"
    printf 'name=%s\nconfigSet=ckan\n' "$core" > "$home/$core/core.properties"
  done
}
solr_ping() { curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$SOLR_PORT/solr/$1/admin/ping" 2>/dev/null; }
start_solr() {
  local pidf="$STATE/solr/solr.pid"
  if pid_alive "$pidf" && solr_ping ckan; then ok "Solr répond déjà sur 127.0.0.1:$SOLR_PORT"; return; fi
  solr_build
  solr_home
  port_busy "$SOLR_PORT" && die "le port $SOLR_PORT (Solr) est déjà pris par un autre programme. Arrêtez-le ou choisissez IP_SOLR_PORT=…"
  say "Solr 9 : démarrage sur 127.0.0.1:$SOLR_PORT (cœurs ${SOLR_CORES[*]})"
  local cp; cp="$ROOT/solr/target/classes:$(cat "$ROOT/solr/target/classpath.txt")"
  nohup java -Xms128m -Xmx"$SOLR_HEAP" -XX:+UseSerialGC \
    -Dsolr.log.dir="$STATE/solr/logs" -Dlog4j2.configurationFile="$ROOT/solr/conf/log4j2.xml" \
    -Dsolr.data.home="$STATE/solr/data" -Dsolr.install.dir="$STATE/solr" \
    -cp "$cp" fr.gouv.internalportal.solr.SolrLauncher "$STATE/solr/home" "$SOLR_PORT" \
    >"$STATE/solr/logs/console.log" 2>&1 < /dev/null &
  echo $! > "$pidf"
  STARTED+=(solr)
  for _ in $(seq 1 180); do
    solr_ping ckan && break
    pid_alive "$pidf" || { tail -n 30 "$STATE/solr/logs/console.log" >&2; die "Solr s'est arrêté au démarrage (journal : .state/solr/logs/)."; }
    sleep 0.5
  done
  solr_ping ckan || { tail -n 30 "$STATE/solr/logs/console.log" >&2; die "Solr ne répond pas après 90 s (journal : .state/solr/logs/)."; }
  ok "Solr prêt : http://127.0.0.1:$SOLR_PORT/solr/ckan"
}
stop_solr() { stop_pidfile "$STATE/solr/solr.pid" 20 "Solr arrêté"; }

# ---------------------------------------------------------------- SMTP sink (e-mails of the demo)
smtp_up() { pid_alive "$STATE/smtp/smtp.pid" && port_busy "$SMTP_PORT"; }
start_smtp() {
  local dir="$STATE/smtp" pidf="$STATE/smtp/smtp.pid"
  mkdir -p "$dir" "$STATE/mail"
  if smtp_up; then ok "Puits SMTP répond déjà sur 127.0.0.1:$SMTP_PORT"; return; fi
  [ -x "$VENV/bin/python" ] || die "Python introuvable dans .venv : lancez d'abord 'make venv'."
  "$VENV/bin/python" -c 'import aiosmtpd' 2>/dev/null \
    || die "aiosmtpd manque dans .venv (requirements-dev.txt) : lancez 'make venv'."
  port_busy "$SMTP_PORT" && die "le port $SMTP_PORT (SMTP) est déjà pris par un autre programme. Arrêtez-le ou choisissez IP_SMTP_PORT=…"
  say "Puits SMTP : démarrage sur 127.0.0.1:$SMTP_PORT (messages dans .state/mail/)"
  nohup "$VENV/bin/python" "$ROOT/scripts/smtp_sink.py" --host 127.0.0.1 --port "$SMTP_PORT" \
    --dir "$STATE/mail" >>"$dir/smtp.log" 2>&1 < /dev/null &
  echo $! > "$pidf"
  STARTED+=(smtp)
  for _ in $(seq 1 100); do
    smtp_up && break
    pid_alive "$pidf" || { tail -n 10 "$dir/smtp.log" >&2; die "le puits SMTP s'est arrêté au démarrage (journal : .state/smtp/smtp.log)."; }
    sleep 0.1
  done
  smtp_up || die "le puits SMTP ne répond pas (journal : .state/smtp/smtp.log)."
  ok "Puits SMTP prêt : un fichier .eml par message dans .state/mail/"
}
stop_smtp() { stop_pidfile "$STATE/smtp/smtp.pid" 5 "Puits SMTP arrêté"; }

# ---------------------------------------------------------------- ProConnect (local OIDC provider)
# scripts/oidc/provider.mjs, configured by scripts/oidc_config.py at each start (the demo's agents,
# client internalportal-demo; its secrets and signing key are kept under .state/)
oidc_ping() { curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$OIDC_PORT/.well-known/openid-configuration" 2>/dev/null; }
oidc_up() { pid_alive "$STATE/oidc/oidc.pid" && oidc_ping; }
start_oidc() {
  local dir="$STATE/oidc" pidf="$STATE/oidc/oidc.pid"
  mkdir -p "$dir"
  if oidc_up; then ok "Fournisseur d'identité (ProConnect local) répond déjà : http://127.0.0.1:$OIDC_PORT"; return; fi
  command -v node >/dev/null || die "node introuvable : le fournisseur d'identité local (ProConnect) tourne sous Node.js (paquets Debian nodejs et npm)."
  [ -d "$ROOT/node_modules/oidc-provider" ] \
    || die "le paquet npm oidc-provider manque (node_modules/oidc-provider) : lancez 'make assets'."
  [ -x "$VENV/bin/python" ] || die "Python introuvable dans .venv : lancez d'abord 'make venv'."
  port_busy "$OIDC_PORT" && die "le port $OIDC_PORT (fournisseur d'identité ProConnect local) est déjà pris par un autre programme. Arrêtez-le (ss -ltnp | grep $OIDC_PORT) ou choisissez un autre port : IP_OIDC_PORT=…"
  "$VENV/bin/python" "$ROOT/scripts/oidc_config.py" "$dir/config.json" \
    || die "la configuration du fournisseur d'identité local n'a pas pu être écrite (scripts/oidc_config.py)."
  say "Fournisseur d'identité (ProConnect local) : démarrage sur 127.0.0.1:$OIDC_PORT"
  rm -f "$dir/oidc.port"
  NODE_ENV=development nohup node "$ROOT/scripts/oidc/provider.mjs" --config "$dir/config.json" \
    >>"$dir/oidc.log" 2>&1 < /dev/null &
  echo $! > "$pidf"
  STARTED+=(oidc)
  for _ in $(seq 1 150); do
    oidc_up && break
    pid_alive "$pidf" || { tail -n 20 "$dir/oidc.log" >&2; die "le fournisseur d'identité local s'est arrêté au démarrage (journal : .state/oidc/oidc.log)."; }
    sleep 0.1
  done
  oidc_up || { tail -n 20 "$dir/oidc.log" >&2; die "le fournisseur d'identité local ne répond pas après 15 s (journal : .state/oidc/oidc.log)."; }
  ok "Fournisseur d'identité (ProConnect local) prêt : http://127.0.0.1:$OIDC_PORT"
}
stop_oidc() {
  stop_pidfile "$STATE/oidc/oidc.pid" 5 "Fournisseur d'identité (ProConnect local) arrêté"
  rm -f "$STATE/oidc/oidc.port"
}

status() {
  local data; data=$(pg_datadir 2>/dev/null || true)
  if [ -n "$data" ] && [ -f "$data/PG_VERSION" ] && as_pg "$(pg_bin)/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "PostgreSQL : en marche (127.0.0.1:$PG_PORT)"; else echo "PostgreSQL : arrêté"; fi
  if redis_ping; then
    echo "Redis      : en marche (127.0.0.1:$REDIS_PORT)"; else echo "Redis      : arrêté"; fi
  if solr_ping ckan; then echo "Solr       : en marche (http://127.0.0.1:$SOLR_PORT/solr)"; else echo "Solr       : arrêté"; fi
  if smtp_up; then echo "SMTP       : en marche (127.0.0.1:$SMTP_PORT, messages dans .state/mail/)"; else echo "SMTP       : arrêté"; fi
  if oidc_up; then echo "ProConnect : en marche (http://127.0.0.1:$OIDC_PORT, fournisseur d'identité local)"; else echo "ProConnect : arrêté"; fi
}

case "${1:-}" in
  up)
    trap on_exit EXIT
    start_postgres; start_redis; start_solr; start_smtp; start_oidc
    say "Services prêts"
    ;;
  down) stop_oidc; stop_smtp; stop_solr; stop_redis; stop_postgres ;;
  status) status ;;
  # one service alone, for scripts and tests (the others are left as they are)
  start-smtp) start_smtp ;;
  stop-smtp) stop_smtp ;;
  start-oidc) trap on_exit EXIT; start_oidc ;;
  stop-oidc) stop_oidc ;;
  *) echo "usage: $0 up|down|status|start-smtp|stop-smtp|start-oidc|stop-oidc" >&2; exit 2 ;;
esac
