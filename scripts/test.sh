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
rm -rf "$ROOT/.state/test-storage"

say "Suite de tests"
set +e
"$ROOT/.venv/bin/python" -m pytest --ckan-ini=test.ini "$@"
rc=$?
set -e
[ $rc -eq 5 ] && die "pytest n'a trouvé aucun test."
exit $rc
