#!/usr/bin/env bash
# A streaming replica of this machine's PostgreSQL cluster (the portal's database and every
# other in it), as a second cluster on another port, for public reads (config/db_router.py).
# Safe to run again: it allows local replication on the primary if it is not yet allowed,
# makes the replica with pg_basebackup -R if it does not exist, starts it if it is down, and
# makes it again if it cannot catch up with the primary.
# PORTAL_REPLICA_FRESH=1 makes it again from a new base backup.
set -euo pipefail

port=${PORTAL_REPLICA_PORT:-5433}
name=${PORTAL_REPLICA_CLUSTER:-portal_replica}
db_name=${PORTAL_DB_NAME:-portal}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The primary: the first cluster that is not the replica.
read -r version primary primary_port _ < <(pg_lsclusters --no-header | awk -v n="$name" '$2 != n' | head -1)
psql_primary() { as_postgres psql -p "$primary_port" -v ON_ERROR_STOP=1 -qtAX "$@"; }

# Replication connections match only lines naming "replication": allow them over the local
# socket, for the postgres user alone (peer: the operating system's user is the role).
hba=$(psql_primary -c "SHOW hba_file")
if ! as_root grep -qE '^[[:space:]]*local[[:space:]]+replication[[:space:]]' "$hba"; then
  echo "Allowing local replication connections to PostgreSQL ${version}/${primary} (${hba})"
  printf '\n# Added by the portal'"'"'s scripts/replica.sh: a streaming replica on this machine.\nlocal   replication     postgres                                peer\n' |
    as_root tee -a "$hba" >/dev/null
  psql_primary -c "SELECT pg_reload_conf()" >/dev/null
fi

exists() { pg_lsclusters --no-header | awk -v v="$version" -v n="$name" '$1 == v && $2 == n' | grep -q .; }
online() { pg_lsclusters --no-header | awk -v v="$version" -v n="$name" '$1 == v && $2 == n {print $4}' | grep -q online; }

drop() {
  echo "Dropping the replica ${version}/${name} to make it again"
  as_root pg_dropcluster --stop "$version" "$name"
}

make_replica() {
  echo "Making a streaming replica of ${version}/${primary} as ${version}/${name} on port ${port}"
  as_root pg_createcluster --port "$port" "$version" "$name" >/dev/null
  data_dir=$(pg_lsclusters --no-header | awk -v v="$version" -v n="$name" '$1 == v && $2 == n {print $6}')
  as_root find "$data_dir" -mindepth 1 -delete
  # -R writes standby.signal and primary_conninfo: the replica follows the primary from here.
  as_postgres pg_basebackup --pgdata "$data_dir" --port "$primary_port" \
    --write-recovery-conf --wal-method stream --checkpoint fast
}

start() {
  if ! online; then
    echo "Starting the replica ${version}/${name}"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start
  fi
  for _ in $(seq 1 30); do
    as_postgres pg_isready -q -p "$port" && break
    sleep 1
  done
}

# Has the replica replayed all the primary had written when we asked? A replica that was
# down while the primary wrote more than it keeps of its write-ahead log (there is no
# replication slot, so a stopped replica cannot fill the primary's disk) asks for segments
# the primary has removed, and never catches up however long it runs.
caught_up() {
  local target
  target=$(psql_primary -c "SELECT pg_current_wal_lsn()")
  for _ in $(seq 1 "${PORTAL_REPLICA_CATCH_UP_SECONDS:-60}"); do
    [ "$(as_postgres psql -p "$port" -qtAX -c \
      "SELECT COALESCE(pg_last_wal_replay_lsn() >= '${target}'::pg_lsn, false)" 2>/dev/null)" = "t" ] &&
      return 0
    sleep 1
  done
  return 1
}

if exists && [ "${PORTAL_REPLICA_FRESH:-}" = "1" ]; then
  drop
fi
exists || make_replica
start
if ! caught_up; then
  echo "The replica ${version}/${name} cannot catch up with the primary (it was down while the primary removed the log it needs)."
  drop
  make_replica
  start
  caught_up || { echo "The new replica did not catch up with the primary either." >&2; exit 1; }
fi
in_recovery=$(as_postgres psql -p "$port" -qtAX -c "SELECT pg_is_in_recovery()")
[ "$in_recovery" = "t" ] || { echo "Port ${port} is not a replica." >&2; exit 1; }
lag=$(as_postgres psql -p "$port" -qtAX -c \
  "SELECT COALESCE('its last transaction replayed ' || round(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::numeric, 1) || ' s ago', 'no transaction replayed yet')")
echo "Replica ${version}/${name}: streaming from port ${primary_port}, caught up (${lag})."
echo "Use it for public reads: DATABASE_REPLICA_URL=postgis://:${port}/${db_name}"
