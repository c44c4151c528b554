#!/usr/bin/env bash
# Installs the Debian packages the portal needs, only those that are missing.
# PostGIS is installed for the major version of the PostgreSQL server on this machine.
set -euo pipefail

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

packages=(
  postgresql postgresql-contrib libpq-dev
  gdal-bin libgdal-dev libgeos-dev libproj-dev binutils
  python3 python3-venv python3-dev build-essential
  chromium fonts-liberation
  nginx
  varnish varnish-modules
  redis-server
)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
# `system-packages.sh bench` adds the load generator `make bench` drives the server with.
[ "${1:-}" = "bench" ] && packages+=(wrk)

pg_major() {
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1}'
  fi
}

missing() {
  local wanted=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || wanted+=("$p")
  done
  printf '%s\n' "${wanted[@]}"
}

install() {
  mapfile -t wanted < <(missing "$@")
  [ "${#wanted[@]}" -eq 0 ] || [ -z "${wanted[0]}" ] && return 0
  echo "Installing Debian packages: ${wanted[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${wanted[@]}"
}

install "${packages[@]}"
major=$(pg_major)
major=${major:-15}
install "postgresql-${major}-postgis-3"
echo "Debian packages: all present (PostgreSQL ${major} with PostGIS 3)."
