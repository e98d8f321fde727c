#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for tests and prints its URL; a watchdog left behind stops
# it and removes its files once the process PARENT_PID (the test that asked for it) has exited.
#
#   scripts/postgres-for-tests.sh PARENT_PID
#
# Debian's PostgreSQL 15 (scripts/setup.sh --tests installs it), in a new temporary directory, on
# a free loopback port, as the `postgres` user when run as root (PostgreSQL refuses root).
set -euo pipefail
parent=$1
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d "${TMPDIR:-/tmp}/lost-device-pg.XXXXXX")
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi
# Only this machine's loopback is let in, without a password: the server lives for one test run.
as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
# The watchdog runs on after this script has printed the URL and exited, in a session of its
# own, so that stopping the test's process group does not stop it before it has cleaned up.
owner=$([ "$(id -u)" = 0 ] && echo "runuser -u postgres --" || true)
setsid bash -c '
  while kill -0 "$1" 2>/dev/null; do sleep 0.5; done
  $2 "$3/pg_ctl" -D "$4/data" -m immediate stop || true
  rm -rf "$4"
' watchdog "$parent" "$owner" "$bin" "$dir" </dev/null >/dev/null 2>&1 &
echo "postgres://postgres@127.0.0.1:$port"
