# Database migrations of the portal, at every start of the web container.
#
# Sourced (not executed) by the base image's /srv/app/start_ckan.sh, after prerun.py has run
# `ckan db init` and written $CKAN__PLUGINS into the ini: the plugins enabled at run time are
# the ones migrated here, including a plugin added to CKAN__PLUGINS after the image was built.
# Idempotent (alembic). Being sourced, it must not change shell options; `exit 1` stops the
# container (restart: unless-stopped then retries) rather than serving an unmigrated database.
#
# With several web replicas, let one run the migrations (INTERNALPORTAL_RUN_MIGRATIONS=true) and
# set it to false on the others (docker/README.md, « Montée en charge »).

if [ "${INTERNALPORTAL_RUN_MIGRATIONS:-true}" = "true" ]; then
  # the plugins of the portal that carry their own tables
  for _ip_plugin in activity harvest; do
    case " ${CKAN__PLUGINS:-} " in
      *" ${_ip_plugin} "*)
        echo "[internalportal] ckan db upgrade -p ${_ip_plugin}"
        if ! ckan -c "${CKAN_INI}" db upgrade -p "${_ip_plugin}"; then
          echo "[internalportal] échec des migrations de ${_ip_plugin} : arrêt du conteneur" >&2
          exit 1
        fi
        ;;
    esac
  done
  unset _ip_plugin
  # CKAN core and every other enabled plugin with migrations (later plugins of the suite)
  echo "[internalportal] ckan db upgrade"
  if ! ckan -c "${CKAN_INI}" db upgrade; then
    echo "[internalportal] échec des migrations : arrêt du conteneur" >&2
    exit 1
  fi
else
  echo "[internalportal] migrations non exécutées (INTERNALPORTAL_RUN_MIGRATIONS=${INTERNALPORTAL_RUN_MIGRATIONS})"
fi
