#!/usr/bin/env bash
# Writes ckan.ini, the dev portal's configuration (generated once with fresh secrets by
# `ckan generate config`, then brought to the portal's settings on every run; git-ignored).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
CKAN="$ROOT/.venv/bin/ckan"
INI="$ROOT/ckan.ini"
PORT=${IP_CKAN_PORT:-5000}

if [ ! -f "$INI" ]; then
  say "Génération de ckan.ini"
  "$CKAN" generate config "$INI" >/dev/null
fi
mkdir -p "$ROOT/.state/storage"
"$CKAN" config-tool "$INI" \
  "sqlalchemy.url=postgresql://ckan_default:pass@127.0.0.1:${IP_PG_PORT:-5433}/ckan" \
  "solr_url=http://127.0.0.1:${IP_SOLR_PORT:-8983}/solr/ckan" \
  "ckan.redis.url=redis://127.0.0.1:${IP_REDIS_PORT:-6380}/0" \
  "ckan.site_url=http://127.0.0.1:$PORT" \
  "ckan.site_id=internalportal" \
  "ckan.plugins=internalportal scheming_datasets dcat harvest ckan_harvester activity" \
  "ckan.locale_default=fr" \
  "ckan.locales_offered=fr en" \
  "ckan.storage_path=$ROOT/.state/storage" \
  "ckan.max_resource_size=100" \
  "scheming.dataset_schemas=ckanext.scheming:ckan_dataset.yaml" \
  "scheming.presets=ckanext.scheming:presets.json" \
  "ckan.harvest.mq.type=redis" \
  "ckan.auth.create_user_via_web=false" \
  "ckan.activity_streams_email_notifications=false" >/dev/null
"$CKAN" config-tool "$INI" -s DEFAULT "debug=false" >/dev/null
