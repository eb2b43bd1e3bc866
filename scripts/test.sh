#!/usr/bin/env bash
# make test (after make up): resets the test database (ckan_test) and the test Solr core,
# applies the migrations, then runs the whole suite with CKAN's pytest plugin and test.ini.
# Extra arguments go to pytest (make test PYTEST_ARGS="-k demo").
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
cd "$ROOT"
CKAN="$ROOT/.venv/bin/ckan"

# the browser tests (tests/browser) drive Debian's Chromium, never a downloaded browser
apt_install chromium
say "Base de test : remise à zéro et migrations"
# db clean also empties the test Solr core; db upgrade runs core and plugin migrations
"$CKAN" -c test.ini db clean --yes >/dev/null
"$CKAN" -c test.ini db upgrade >/dev/null
# the DataStore's test tables too (its _table_metadata view and permissions stay)
PGPASSWORD=pass psql -X -q -h 127.0.0.1 -p "${IP_PG_PORT:-5433}" -U ckan_default -d datastore_test \
  -v ON_ERROR_STOP=1 -c "DO \$\$DECLARE t record; BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public'
               AND tablename <> '_table_stats' LOOP
      EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(t.tablename) || ' CASCADE'; END LOOP;
  END\$\$;" >/dev/null || die "la base DataStore de test (datastore_test) n'a pas pu être vidée."
rm -rf "$ROOT/.state/test-storage"

say "Suite de tests"
set +e
"$ROOT/.venv/bin/python" -m pytest --ckan-ini=test.ini "$@"
rc=$?
set -e
[ $rc -eq 5 ] && die "pytest n'a trouvé aucun test."
exit $rc
