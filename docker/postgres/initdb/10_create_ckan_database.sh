#!/bin/bash
# Creates CKAN's role and database at the FIRST start of the postgres container (the official
# image runs /docker-entrypoint-initdb.d/* only when the data volume is empty).
# From the environment (docker/.env): CKAN_DB_USER, CKAN_DB_PASSWORD, CKAN_DB.
# Values are passed as psql variables (:"name" identifiers, :'value' literals): quoted by psql,
# never pasted into SQL. Runs in a subshell: sourced or executed, it leaves the image's
# entrypoint shell options alone.
create_ckan_database() (
  set -euo pipefail
  : "${CKAN_DB_USER:?CKAN_DB_USER manquant}"
  : "${CKAN_DB_PASSWORD:?CKAN_DB_PASSWORD manquant}"
  : "${CKAN_DB:?CKAN_DB manquant}"
  echo "[initdb] rôle ${CKAN_DB_USER} et base ${CKAN_DB} (UTF-8)"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
       --set=ckan_user="$CKAN_DB_USER" --set=ckan_password="$CKAN_DB_PASSWORD" \
       --set=ckan_db="$CKAN_DB" <<'SQL'
CREATE ROLE :"ckan_user" WITH LOGIN PASSWORD :'ckan_password';
CREATE DATABASE :"ckan_db" WITH OWNER :"ckan_user" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"ckan_db" FROM PUBLIC;
GRANT ALL ON DATABASE :"ckan_db" TO :"ckan_user";
SQL
)
create_ckan_database
