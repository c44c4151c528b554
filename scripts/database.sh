#!/usr/bin/env bash
# Starts PostgreSQL if it is not running, and makes sure the portal's role, database and the
# postgis extension exist. Safe to run again: it only creates what is missing.
set -euo pipefail

db_name=${PORTAL_DB_NAME:-portal}
role=${PORTAL_DB_ROLE:-$(id -un)}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

if ! pg_lsclusters --no-header | awk '{print $4}' | grep -q online; then
  read -r version cluster _ < <(pg_lsclusters --no-header | head -1)
  echo "Starting PostgreSQL ${version}/${cluster}"
  if [ "$(id -u)" -eq 0 ]; then
    pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
  else
    sudo pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
  fi
fi

for _ in $(seq 1 30); do
  as_postgres pg_isready -q && break
  sleep 1
done

psql_postgres() { as_postgres psql -v ON_ERROR_STOP=1 -qtAX "$@"; }

if [ -z "$(psql_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '${role}'")" ]; then
  echo "Creating database role ${role} (superuser, so tests can create the postgis extension)"
  psql_postgres -c "CREATE ROLE \"${role}\" LOGIN SUPERUSER"
fi
if [ -z "$(psql_postgres -c "SELECT 1 FROM pg_database WHERE datname = '${db_name}'")" ]; then
  echo "Creating database ${db_name}"
  psql_postgres -c "CREATE DATABASE \"${db_name}\" OWNER \"${role}\""
fi
psql_postgres -d "$db_name" -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>&1 | grep -v "already exists" || true
echo "Database ${db_name}: ready (PostGIS $(psql_postgres -d "$db_name" -c 'SELECT postgis_lib_version()'))."
