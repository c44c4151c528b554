#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into the portal's database, all or nothing.
# What is there now is backed up first, so a restore can itself be undone. Then the schema
# is migrated (a backup may predate a migration) and the cache is cleared.
set -euo pipefail
cd "$(dirname "$0")/.."

file=${1:?Name the backup to restore: make restore FILE=backups/...}
db_name=${PORTAL_DB_NAME:-portal}
python=${PYTHON:-.venv/bin/python}

if [ ! -f "$file" ]; then
  echo "There is no backup at ${file}." >&2
  exit 2
fi
if ! pg_restore --list "$file" >/dev/null 2>&1; then
  echo "${file} is not a backup made by make backup (pg_dump's custom format)." >&2
  exit 2
fi

echo "Backing up what is in ${db_name} now, before restoring over it:"
PORTAL_DB_NAME="$db_name" PORTAL_BACKUP_LABEL=before-restore bash scripts/backup.sh

# One transaction: if any statement fails, the database is left exactly as it was.
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --dbname "$db_name" "$file"
echo "Restored ${file} into ${db_name}."

DATABASE_URL="postgis:///${db_name}" "$python" manage.py migrate --no-input -v0
DATABASE_URL="postgis:///${db_name}" "$python" manage.py shell -c \
  "from django.core.cache import cache; cache.clear()"
echo "Migrated and cleared the cache: the portal now serves the restored data."
