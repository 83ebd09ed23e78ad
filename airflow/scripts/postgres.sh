#!/usr/bin/env bash
# The local Airflow's metadata database: a PostgreSQL server from Debian's packages (as in
# production; SQLite's single writer lock made CLI commands fail with "database is locked"
# while the scheduler ran). Data in $AIRFLOW_HOME/postgres, loopback only, port $AIRFLOW_PG_PORT.
#
#   airflow/scripts/postgres.sh up|down|status
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

data="$AIRFLOW_HOME/postgres"
port="$AIRFLOW_PG_PORT"
log="$AIRFLOW_HOME/postgres.log"

pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/postgres" ] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_installed() {
  pg_bin > /dev/null && return 0
  echo "postgres: no PostgreSQL server found: apt-get install -y postgresql" >&2
  [ "$(id -u)" = 0 ] || { echo "postgres: run as root, or install the postgresql package" >&2; exit 2; }
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  pg_bin > /dev/null || { echo "postgres: the postgresql package did not install a server" >&2; exit 1; }
}

# PostgreSQL refuses to run as root: as root, the server runs as the package's postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ready() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; }

up() {
  ensure_installed
  local bin; bin=$(pg_bin)
  mkdir -p "$AIRFLOW_HOME"
  if ready; then
    return 0
  fi
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
    chmod 700 "$data"
    as_owner "$bin/initdb" -D "$data" -U airflow --auth=trust -E UTF8 --locale=C.UTF-8 > "$log" 2>&1 \
      || { cat "$log" >&2; echo "postgres: initdb failed" >&2; exit 1; }
  fi
  [ "$(id -u)" = 0 ] && { touch "$log"; chown postgres:postgres "$log"; }
  as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c max_connections=200" start > /dev/null \
    || { tail -20 "$log" >&2; echo "postgres: the server did not start (log: $log)" >&2; exit 1; }
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U airflow -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='airflow'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U airflow airflow
  fi
  echo "postgres: 127.0.0.1:$port (database airflow, data $data)"
}

down() {
  local bin
  bin=$(pg_bin) || return 0
  [ -s "$data/postmaster.pid" ] || return 0
  as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop > /dev/null 2>&1 || true
  echo "postgres: stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) if ready; then echo "postgres: up (127.0.0.1:$port)"; else echo "postgres: down"; fi ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
