#!/bin/bash
# Creates the DataStore's read-only role and database at the FIRST start of the postgres
# container (after 10_create_ckan_database.sh: CKAN's role must exist). CKAN's DataStore
# (plugin `datastore`) keeps the tables of tabular resources in a database of its own:
#   - written through CKAN_DATASTORE_WRITE_URL as CKAN's role (CKAN_DB_USER), which OWNS the
#     database: no superuser is needed at run time;
#   - read through CKAN_DATASTORE_READ_URL as the read-only role (DATASTORE_READONLY_USER):
#     datastore_search_sql runs its queries with it.
# The privileges themselves (read-only role: SELECT only, no access to CKAN's database;
# _table_metadata view, full-text trigger, _table_stats) are CKAN's own script, `ckan datastore
# set-permissions`, which the base image's prerun.py runs with the write URL at every start of
# the ckan container: as the owner of this database (its public schema belongs to
# pg_database_owner, PostgreSQL 15 and later) and of CKAN's, CKAN's role may run all of it.
# Here: the role, the database, and CONNECT for the read-only role, which CKAN's start-up
# checks need before set-permissions has run (they connect with the read URL).
#
# From the environment (docker/.env): CKAN_DB_USER, CKAN_DB, DATASTORE_READONLY_USER,
# DATASTORE_READONLY_PASSWORD, DATASTORE_DB (default: datastore).
# Values are passed as psql variables (:"name" identifiers, :'value' literals, and %I / %L of
# format() for the statements run by \gexec): quoted by psql and PostgreSQL, never pasted into
# SQL. Idempotent (creates only what is missing; the read-only role gets .env's password), so
# that it can be run by hand on a pg_data volume initialised before the DataStore
# (docker/README.md, « DataStore »). Runs in a subshell: sourced or executed, it leaves the
# image's entrypoint shell options alone.
create_datastore_database() (
  set -euo pipefail
  : "${CKAN_DB_USER:?CKAN_DB_USER manquant}"
  : "${CKAN_DB:?CKAN_DB manquant}"
  : "${DATASTORE_READONLY_USER:?DATASTORE_READONLY_USER manquant}"
  : "${DATASTORE_READONLY_PASSWORD:?DATASTORE_READONLY_PASSWORD manquant}"
  DATASTORE_DB="${DATASTORE_DB:-datastore}"
  if [ "$DATASTORE_DB" = "$CKAN_DB" ]; then
    echo "[initdb] DATASTORE_DB doit différer de CKAN_DB (${CKAN_DB})" >&2
    exit 1
  fi
  if [ "$DATASTORE_READONLY_USER" = "$CKAN_DB_USER" ] \
     || [ "$DATASTORE_READONLY_USER" = "${POSTGRES_USER:-postgres}" ]; then
    echo "[initdb] DATASTORE_READONLY_USER doit être un rôle à part (ni CKAN_DB_USER ni POSTGRES_USER)" >&2
    exit 1
  fi
  echo "[initdb] DataStore : rôle en lecture seule ${DATASTORE_READONLY_USER} et base ${DATASTORE_DB} (UTF-8, propriétaire ${CKAN_DB_USER})"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
       --set=ckan_user="$CKAN_DB_USER" --set=ro_user="$DATASTORE_READONLY_USER" \
       --set=ro_password="$DATASTORE_READONLY_PASSWORD" \
       --set=datastore_db="$DATASTORE_DB" <<'SQL'
SELECT format('CREATE ROLE %I', :'ro_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'ro_user') \gexec
-- created or already there: attributes and password as .env says
ALTER ROLE :"ro_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'ro_password';
SELECT format('CREATE DATABASE %I WITH OWNER %I ENCODING %L TEMPLATE template0',
              :'datastore_db', :'ckan_user', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'datastore_db') \gexec
REVOKE ALL ON DATABASE :"datastore_db" FROM PUBLIC;
GRANT ALL ON DATABASE :"datastore_db" TO :"ckan_user";
GRANT CONNECT ON DATABASE :"datastore_db" TO :"ro_user";
SQL
)
create_datastore_database
