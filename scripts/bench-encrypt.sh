#!/usr/bin/env bash
# Encrypt throughput on this machine: one node on SQLite, one node on PostgreSQL, two nodes on
# PostgreSQL (load spread over both). Starts a private PostgreSQL (as in the tests) and the nodes on
# loopback ports, runs bench/Citadel.Bench encrypt-load for SECONDS each, stops everything.
# Usage: scripts/bench-encrypt.sh [SECONDS] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"; concurrency="${2:-32}"
bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")"
work="$(mktemp -d /tmp/citadel-bench.XXXXXX)"; chmod 755 "$work"
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  run_pg "$bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release src/Citadel.Cli --nologo -v q >/dev/null
dotnet build -c Release bench/Citadel.Bench --nologo -v q >/dev/null
cli=src/Citadel.Cli/bin/Release/net10.0/citadel.dll
load() { dotnet bench/Citadel.Bench/bin/Release/net10.0/Citadel.Bench.dll encrypt-load --seconds "$seconds" --concurrency "$concurrency" "$@"; }
wait_ready() { for _ in $(seq 100); do curl -sf "$1/health" >/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; return 1; }
node() { # name port args...
  local port="$2"; shift 2
  dotnet "$cli" serve --dev --listen "127.0.0.1:$port" --log-level Warning "$@" >"$work/node-$port.log" 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$port"
}
stop_nodes() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait "${pids[@]}" 2>/dev/null || true; pids=(); }

mkdir -p "$work/pg"; chown postgres "$work/pg" 2>/dev/null || true
run_pg "$bin/initdb" -D "$work/pg/data" -U postgres -A trust --no-locale >/dev/null
run_pg "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p 55432 -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
pg="Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres"

echo "== one node, SQLite"
node a 4701 --data-dir "$work/sqlite"
load http://127.0.0.1:4701
stop_nodes

echo "== one node, PostgreSQL"
node a 4711 --data-dir "$work/shared" --storage postgres --postgres "$pg"
load http://127.0.0.1:4711

echo "== two nodes, PostgreSQL"
node b 4712 --data-dir "$work/shared" --storage postgres --postgres "$pg"
load http://127.0.0.1:4711 http://127.0.0.1:4712
stop_nodes
