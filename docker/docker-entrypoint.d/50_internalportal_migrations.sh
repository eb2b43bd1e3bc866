# Database migrations of the portal, at every start of the web container.
#
# Sourced (not executed) by the base image's /srv/app/start_ckan.sh, after prerun.py has run
# `ckan db init` and written $CKAN__PLUGINS into the ini. `ckan db upgrade` without `-p` applies
# CKAN's own migrations, then those of every plugin enabled at run time that has pending ones
# (CKAN reads `ckan.plugins` and finds each plugin's migration folder from its module path:
# activity, harvest, and each plugin of the suite that carries tables, including one added to
# CKAN__PLUGINS after the image was built). No list of plugins here: it would drift.
# Idempotent (alembic). Being sourced, it must not change shell options; `exit 1` stops the
# container (restart: unless-stopped then retries) rather than serving an unmigrated database.
#
# With several web replicas, let one run the migrations (INTERNALPORTAL_RUN_MIGRATIONS=true) and
# set it to false on the others (docker/README.md, « Montée en charge »).

if [ "${INTERNALPORTAL_RUN_MIGRATIONS:-true}" = "true" ]; then
  echo "[internalportal] ckan db upgrade (CKAN et chaque plugin activé qui a des migrations)"
  if ! ckan -c "${CKAN_INI}" db upgrade; then
    echo "[internalportal] échec des migrations : arrêt du conteneur" >&2
    exit 1
  fi
else
  echo "[internalportal] migrations non exécutées (INTERNALPORTAL_RUN_MIGRATIONS=${INTERNALPORTAL_RUN_MIGRATIONS})"
fi
