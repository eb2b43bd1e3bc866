#!/usr/bin/env bash
# make assets: the front-end packages of package.json (DSFR, DSFR charts, axe-core) installed
# from the npm registry with the lock file (npm ci), and the files the portal serves copied
# into ckanext/internalportal/public/internalportal/vendor/ (git-ignored; CKAN's webassets
# bundle them, see ckanext/internalportal/assets/webassets.yml). Nothing comes from a CDN.
# Skips the work when package-lock.json has not changed since the last copy.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
cd "$ROOT"
VENDOR="$ROOT/ckanext/internalportal/public/internalportal/vendor"

stamp="$VENDOR/.installed-$(cat package.json package-lock.json scripts/assets.sh | md5sum | cut -c1-12)"
if [ -f "$stamp" ] && [ -d node_modules/axe-core ]; then
  exit 0
fi
command -v npm >/dev/null || die "npm introuvable : les ressources du DSFR s'installent depuis le registre npm (paquets Debian nodejs et npm)."
say "Ressources graphiques : DSFR et axe-core depuis le registre npm (npm ci)"
# the DSFR's install script checks that its terms of use are accepted (.dsfr.yml)
npm ci --no-audit --no-fund --loglevel=error >/dev/null \
  || die "npm ci a échoué (réseau vers le registre npm ?)."

DSFR=node_modules/@gouvfr/dsfr/dist
rm -rf "$VENDOR"
mkdir -p "$VENDOR/dsfr/utility/icons" "$VENDOR/dsfr-chart"
cp "$DSFR"/dsfr.min.css "$DSFR"/dsfr.module.min.js "$DSFR"/dsfr.nomodule.min.js "$VENDOR/dsfr/"
cp "$DSFR"/utility/icons/icons.min.css "$VENDOR/dsfr/utility/icons/"
cp -r "$DSFR"/fonts "$DSFR"/icons "$DSFR"/favicon "$DSFR"/artwork "$VENDOR/dsfr/"
cp -r node_modules/@gouvfr/dsfr-chart/dist/DSFRChart/. "$VENDOR/dsfr-chart/"
cp node_modules/@gouvfr/dsfr/LICENSE.md "$VENDOR/dsfr/LICENSE.md"
touch "$stamp"
ok "DSFR $(node -p "require('./node_modules/@gouvfr/dsfr/package.json').version") dans ckanext/internalportal/public/internalportal/vendor/"
