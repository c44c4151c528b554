#!/usr/bin/env bash
# Starts Redis if it is not answering: the API's rate-limit counters live there, shared by
# every gunicorn worker. Safe to run again: it does nothing when Redis already answers.
# The counters are worth nothing after a restart, so a Redis started here keeps no files.
set -euo pipefail

host=${PORTAL_REDIS_HOST:-127.0.0.1}
port=${PORTAL_REDIS_PORT:-6379}

answers() { redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG; }

if ! answers; then
  echo "Starting Redis on ${host}:${port}"
  if [ "$port" = 6379 ] && [ -x /etc/init.d/redis-server ]; then
    # Debian's own service, with its configuration (loopback, port 6379).
    if [ "$(id -u)" -eq 0 ]; then service redis-server start; else sudo service redis-server start; fi || true
  fi
  if ! answers; then
    log_dir=${TMPDIR:-/tmp}
    redis-server --bind "$host" --port "$port" --daemonize yes --save "" --appendonly no \
      --dir "$log_dir" --logfile "$log_dir/portal-redis-${port}.log"
  fi
  for _ in $(seq 1 30); do
    answers && break
    sleep 0.2
  done
fi
answers || { echo "Redis does not answer on ${host}:${port}." >&2; exit 1; }
echo "Redis on ${host}:${port}: ready ($(redis-cli -h "$host" -p "$port" info server | awk -F: '/^redis_version/ {print $2}' | tr -d '\r'))."
