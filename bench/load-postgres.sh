#!/usr/bin/env bash
# load.sh on PostgreSQL storage, audit on and audit off back to back: starts a private PostgreSQL
# (from the installed binaries, fsync on as in production, on loopback), then for each audit setting
# a fresh database and `citadel serve --dev --storage postgres`, and drives it with load.sh --target.
# Usage: ./bench/load-postgres.sh [load.sh options, e.g. --ops Encrypt --keys 10 --duration 10]
# Needs the postgresql package (scripts/test.sh installs it); as root, PostgreSQL runs as `postgres`.
set -euo pipefail
# The audit verification job at its production interval (--dev walks the new records every 10 s).
export CITADEL_Audit__VerifyInterval="${CITADEL_Audit__VerifyInterval:-01:00:00}"
cd "$(dirname "$0")/.."
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
  echo "PostgreSQL server binaries not found: sudo apt-get install -y postgresql" >&2
  exit 1
fi

run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
dir=$(mktemp -d /tmp/citadel-bench-pg-XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres "$dir"
port=$((20000 + RANDOM % 20000))
run_pg "$bin/initdb -D $dir/data -U postgres -A trust -E UTF8 --no-locale >/dev/null"
run_pg "$bin/pg_ctl -D $dir/data -l $dir/server.log -w -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200' start >/dev/null"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  run_pg "$bin/pg_ctl -D $dir/data -m fast -w stop >/dev/null" || true
  rm -rf "$dir"
}
trap cleanup EXIT

dotnet build -c Release --nologo -v q bench/Citadel.Load >/dev/null
cli=bench/Citadel.Load/bin/Release/net10.0/citadel.dll
for audit in on off; do
  run_pg "$bin/psql -h 127.0.0.1 -p $port -U postgres -q -c 'CREATE DATABASE bench_$audit'"
  data=$(mktemp -d /tmp/citadel-bench-node-XXXXXX)
  listen=$((40000 + RANDOM % 20000))
  flags=()
  [ "$audit" = off ] && flags=(--no-audit)
  dotnet "$cli" serve --dev --data-dir "$data" --listen "127.0.0.1:$listen" --log-level Warning \
    --storage postgres --postgres "Host=127.0.0.1;Port=$port;Username=postgres;Database=bench_$audit" "${flags[@]}" &
  server=$!
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$listen/health" >/dev/null && break; sleep 0.5; done
  echo "== PostgreSQL, audit $audit"
  dotnet bench/Citadel.Load/bin/Release/net10.0/Citadel.Load.dll --target "http://127.0.0.1:$listen" "$@"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  rm -rf "$data"
done
