#!/usr/bin/env bash
# CPU and bytes per audited Encrypt on PostgreSQL, audit on vs off: a measurement that holds on a busy
# machine (it counts CPU time spent, not requests per second). Starts a private PostgreSQL (as the tests
# and scripts/bench-encrypt.sh do) and, per run, a fresh database and one `citadel serve --dev --storage
# postgres` node, drives it with bench/Citadel.Bench encrypt-load for SECONDS, waits for the trail to
# catch up, runs CHECKPOINT (so the heap and index pages written count), and reads before and after:
#   the server's CPU (/proc/<pid>/stat utime+stime), PostgreSQL's (every postgres process, plus the
#   postmaster's cutime+cstime for children that ended, e.g. autovacuum workers), the bytes each wrote
#   (/proc/<pid>/io write_bytes; ended children's are not counted) and the WAL PostgreSQL generated.
# Prints one line per run: µs CPU per request (server, PostgreSQL) and bytes per request.
# CITADEL_BASE=<another checkout, built>: each run also measures that build's audit on, between this
# build's audit on and off, so a before/after comparison shares the machine's load of the moment.
# CITADEL_VARIANTS="name:VAR=value,VAR=value other:VAR=value": each run also measures this build's audit on
# with those environment variables set for the server (one variant after the other), to compare settings.
# CITADEL_NO_OFF=1: no audit-off runs.
# Build first: dotnet build -c Release. Usage: nice -n 19 scripts/audit-pg-cost.sh [SECONDS] [RUNS] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"; runs="${2:-3}"; concurrency="${3:-32}"
bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")"
work="$(mktemp -d /tmp/citadel-pgcost.XXXXXX)"; chmod 755 "$work"
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  run_pg "$bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
  # CITADEL_KEEP_LOGS=DIR: the nodes' and PostgreSQL's logs are kept there.
  [ -n "${CITADEL_KEEP_LOGS:-}" ] && { mkdir -p "$CITADEL_KEEP_LOGS"; cp "$work"/node-*.log "$work/pg/log" "$CITADEL_KEEP_LOGS/" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

cli=src/Citadel.Cli/bin/Release/net10.0/citadel.dll
bench=bench/Citadel.Bench/bin/Release/net10.0/Citadel.Bench.dll
[ -f "$cli" ] && [ -f "$bench" ] || { echo "build first: dotnet build -c Release" >&2; exit 1; }
hz=$(getconf CLK_TCK)
port=55433

mkdir -p "$work/pg"; chown postgres "$work/pg" 2>/dev/null || true
run_pg "$bin/initdb" -D "$work/pg/data" -U postgres -A trust --no-locale >/dev/null
run_pg "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1${CITADEL_PG_STATS:+ -c shared_preload_libraries=pg_stat_statements}" start >/dev/null
postmaster=$(head -1 "$work/pg/data/postmaster.pid")
sql() { psql -h 127.0.0.1 -p "$port" -U postgres -d "$1" -Atqc "$2"; }

# ticks of a process: utime+stime (+ cutime+cstime with "all")
ticks() { awk -v all="${2:-}" '{ sub(/^.*\) /, ""); t = $12 + $13; if (all) t += $14 + $15; print t }' "/proc/$1/stat" 2>/dev/null || echo 0; }
wbytes() { awk '/^write_bytes/ { print $2 }' "/proc/$1/io" 2>/dev/null || echo 0; }
pg_pids() { ps -o pid= --ppid "$postmaster"; }
pg_ticks() { local t; t=$(ticks "$postmaster" all); for p in $(pg_pids); do t=$((t + $(ticks "$p"))); done; echo "$t"; }
pg_wbytes() { local b; b=$(wbytes "$postmaster"); for p in $(pg_pids); do b=$((b + $(wbytes "$p"))); done; echo "$b"; }
heads() { sql "$1" "SELECT COALESCE(sum(head_seq), 0) FROM audit_chains;"; }
wal() { sql postgres "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn;"; }
journal_rows() { sql "$1" "SELECT count(*) FROM audit_journal;"; }
xacts() { sql "$1" "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database();"; }

run() { # name audit(on|off) [citadel.dll] [VAR=value,VAR=value]
  local name="$1" audit="$2" cli="${3:-$cli}" vars="${4:-}" db="r$RANDOM$RANDOM" url="http://127.0.0.1:4721"
  sql postgres "CREATE DATABASE $db;"
  [ -n "${CITADEL_PG_STATS:-}" ] && sql "$db" "CREATE EXTENSION pg_stat_statements;"
  local args=(serve --dev --listen 127.0.0.1:4721 --log-level Warning --data-dir "$work/node-$db" --storage postgres
    --postgres "Host=127.0.0.1;Port=$port;Username=postgres;Database=$db")
  [ "$audit" = off ] && args+=(--no-audit)
  env ${vars//,/ } dotnet "$cli" "${args[@]}" >"$work/node-$db.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 300); do curl -sf "$url/health" >/dev/null && break; sleep 0.1; done
  # Warm up (JIT, caches, the first rows and pages), then measure.
  dotnet "$bench" encrypt-load --seconds 3 --concurrency "$concurrency" "$url" >/dev/null
  sleep 2; sql "$db" "CHECKPOINT;"
  [ -n "${CITADEL_PG_STATS:-}" ] && sql "$db" "SELECT pg_stat_statements_reset(); SELECT pg_stat_reset_shared('wal');" >/dev/null
  local h0=0 j0=0 j1=0 x0 x1 s0 p0 sb0 pb0 w0 out ok s1 p1 sb1 pb1 w1
  [ "$audit" = on ] && { h0=$(heads "$db"); j0=$(journal_rows "$db"); }
  x0=$(xacts "$db")
  s0=$(ticks "$node_pid"); p0=$(pg_ticks); sb0=$(wbytes "$node_pid"); pb0=$(pg_wbytes); w0=$(wal)
  # CITADEL_PERF=DIR: also sample the server with perf (start it with DOTNET_PerfMapEnabled=1 for .NET frames).
  local perf=""
  if [ -n "${CITADEL_PERF:-}" ]; then perf record -F 499 -g -p "$node_pid" -o "$CITADEL_PERF/$db-$audit.data" 2>/dev/null & perf=$!; fi
  out=$(dotnet "$bench" encrypt-load --seconds "$seconds" --concurrency "$concurrency" "$url")
  [ -n "$perf" ] && { kill -INT "$perf"; wait "$perf" || true; }
  ok=$(sed -nE 's/.* ok ([0-9]+) .*/\1/p' <<<"$out")
  # The trail is derived behind the requests: wait until it holds every event, and 1 s more.
  if [ "$audit" = on ]; then
    for _ in $(seq 600); do
      [ "$(heads "$db")" -ge $((h0 + ok)) ] && break
      sleep 0.1
    done
  fi
  sleep 1; sql "$db" "CHECKPOINT;"
  s1=$(ticks "$node_pid"); p1=$(pg_ticks); sb1=$(wbytes "$node_pid"); pb1=$(pg_wbytes); w1=$(wal)
  [ "$audit" = on ] && j1=$(journal_rows "$db")
  x1=$(xacts "$db")
  kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""
  # CITADEL_PG_STATS=1: what PostgreSQL spent the run on, by statement and by process.
  if [ -n "${CITADEL_PG_STATS:-}" ] && [ "$audit" = on ]; then
    sql "$db" "SELECT round(total_exec_time)::text || ' ms', calls, rows, wal_bytes, wal_fpi, left(regexp_replace(query, '\s+', ' ', 'g'), 90) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12;"
    sql "$db" "SELECT * FROM pg_stat_wal;"
    for p in $(pg_pids); do echo "    $(ticks "$p") ticks $(tr '\0' ' ' < "/proc/$p/cmdline" | cut -c1-60)"; done
  fi
  awk -v n="$name" -v a="$audit" -v ok="$ok" -v hz="$hz" -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v sb=$((sb1 - sb0)) -v pb=$((pb1 - pb0)) -v w=$((w1 - w0)) -v line="$out" 'BEGIN {
    printf "%s audit %-3s requests %7d  CPU us/request: server %6.1f  postgres %6.1f  total %6.1f  bytes/request: WAL %6.0f  postgres written %6.0f  server written %5.0f\n",
      n, a, ok, s * 1e6 / hz / ok, p * 1e6 / hz / ok, (s + p) * 1e6 / hz / ok, w / ok, pb / ok, sb / ok }'
  # Journal commits (one audit_journal row each) and all of the database's commits, per second of the run.
  awk -v ok="$ok" -v sec="$seconds" -v j=$((j1 - j0)) -v x=$((x1 - x0)) 'BEGIN {
    if (j > 0) printf "    journal commits %d (%.0f/s, %.1f events each)  ", j, j / sec, ok / j; else printf "    ";
    printf "database commits %d (%.0f/s, %.3f per request)\n", x, x / sec, x / ok }'
  echo "    ($out)"
}

echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $seconds s per run, concurrency $concurrency"
for i in $(seq "$runs"); do
  run "run $i" on
  [ -n "${CITADEL_BASE:-}" ] && run "run $i base" on "$CITADEL_BASE/$cli"
  for variant in ${CITADEL_VARIANTS:-}; do run "run $i ${variant%%:*}" on "$cli" "${variant#*:}"; done
  [ -n "${CITADEL_NO_OFF:-}" ] || run "run $i" off
done
