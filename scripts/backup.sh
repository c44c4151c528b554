#!/usr/bin/env bash
# Dumps the portal's database to backups/ (or $PORTAL_BACKUP_DIR) in pg_dump's custom format:
# every table, staff's edits and the import records included. Prints the file it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."

db_name=${PORTAL_DB_NAME:-portal}
out_dir=${PORTAL_BACKUP_DIR:-backups}
mkdir -p "$out_dir"
label=${PORTAL_BACKUP_LABEL:+-${PORTAL_BACKUP_LABEL}}
stem="${out_dir}/${db_name}${label}-$(date -u +%Y%m%dT%H%M%SZ)"
file="${stem}.dump"
n=1
while [ -e "$file" ]; do  # never overwrite a backup, even one made the same second
  n=$((n + 1))
  file="${stem}-${n}.dump"
done
tmp="${file}.partial"

# Written under another name first, so a dump cut short never looks like a backup.
pg_dump --format=custom --no-owner --no-privileges --file "$tmp" "$db_name"
mv -n "$tmp" "$file"
echo "Backed up database ${db_name} to ${file} ($(du -h "$file" | cut -f1))."
