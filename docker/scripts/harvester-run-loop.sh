#!/bin/bash
# internalportal-harvester-run: the harvest scheduler. Every HARVEST_RUN_INTERVAL seconds,
# `ckan harvester run` starts the jobs that are due (sources with a frequency, jobs requested
# from the web interface) and closes the finished ones. Run it in ONE container only.
#
# After each successful run it touches $HARVEST_RUN_HEARTBEAT; the container's healthcheck
# (internalportal-healthcheck heartbeat) turns unhealthy when runs stop succeeding.
set -uo pipefail

: "${CKAN_INI:=/srv/app/ckan.ini}"
interval=${HARVEST_RUN_INTERVAL:-300}
heartbeat=${HARVEST_RUN_HEARTBEAT:-/tmp/internalportal-harvester-run.heartbeat}

if [ -n "${CKAN__PLUGINS:-}" ]; then
  ckan config-tool "$CKAN_INI" "ckan.plugins = ${CKAN__PLUGINS}" >/dev/null || exit 1
fi

trap 'echo "[harvester-run] arrêt"; exit 0' TERM INT
while true; do
  if ckan -c "$CKAN_INI" harvester run; then
    touch "$heartbeat"
  else
    echo "[harvester-run] échec de « ckan harvester run » (nouvel essai dans ${interval} s)" >&2
  fi
  # sleep in the background so that `docker stop` (SIGTERM) is handled at once
  sleep "$interval" &
  wait $!
done
