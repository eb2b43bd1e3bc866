#!/bin/bash
# internalportal-ckan: entry point of the portal's non-web containers (harvest consumers, jobs
# worker). Usage: internalportal-ckan <ckan sub-command...>, e.g.
#   internalportal-ckan harvester gather-consumer
#
# The web container's start_ckan.sh/prerun.py writes $CKAN__PLUGINS into the ini before CKAN
# starts; these containers do not run it, so this does the same, then replaces itself with
# `ckan -c $CKAN_INI ...` (PID 1: `docker stop` reaches the consumer directly). Every other
# setting comes from the environment (CKAN_* read by CKAN, CKAN__*/CKANEXT__* by envvars).
set -euo pipefail

: "${CKAN_INI:=/srv/app/ckan.ini}"
if [ -n "${CKAN__PLUGINS:-}" ]; then
  ckan config-tool "$CKAN_INI" "ckan.plugins = ${CKAN__PLUGINS}" >/dev/null
fi
exec ckan -c "$CKAN_INI" "$@"
