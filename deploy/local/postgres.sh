#!/usr/bin/env bash
# start DIR PORT [test] | stop DIR  -- a private PostgreSQL on 127.0.0.1 without systemd or Docker.
# initdb refuses root, so as root the server runs as the 'postgres' user on a folder it owns.
# "test" adds fsync=off etc. (never used by the product's local mode).
set -euo pipefail
cmd=$1; dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $cmd in
  start)
    port=$3; extra=""
    [ "${4:-}" = test ] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir" && chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --no-locale >/dev/null
    fi
    as_pg "$bin/pg_ctl" -D "$dir" -w -t 60 -l "$dir/server.log" \
      -o "-h 127.0.0.1 -p $port -k /tmp -c max_connections=300 $extra" start >/dev/null
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: postgres.sh start DIR PORT [test] | stop DIR" >&2; exit 2 ;;
esac
