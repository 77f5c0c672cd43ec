#!/usr/bin/env bash
# The cost of the query every read of the audit trail on PostgreSQL makes to find the other nodes' chains
# whose journal rows end past their trail (PostgreSqlStore.ListJournalChainsAsync; docs/audit.md, "Reads
# and other nodes' chains"). Starts a private PostgreSQL (as scripts/audit-pg-cost.sh does), creates
# audit_journal and audit_chains as the migrations do, fills CHAINS chains with ROWS journal rows each
# (512 bytes of frames a row), and measures the query with EXPLAIN (ANALYZE, BUFFERS) and with pgbench
# (1,000 calls on one connection, prepared: the latency average is the time of one call, round trip
# included): first with every chain derived (its head at its newest row's end: the query returns nothing),
# then with a tenth of the chains one row behind. CITADEL_QUERY="<sql>" measures another query instead (to
# compare a rewrite of it).
# Usage: nice -n 19 scripts/audit-pg-chains-cost.sh [CHAINS] [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
chains="${1:-100}"; rows="${2:-1000}"
bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")"
work="$(mktemp -d /tmp/citadel-pgchains.XXXXXX)"; chmod 755 "$work"
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { run_pg "$bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
port=55434
mkdir -p "$work/pg"; chown postgres "$work/pg" 2>/dev/null || true
run_pg "$bin/initdb" -D "$work/pg/data" -U postgres -A trust --no-locale >/dev/null
run_pg "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
psql() { command psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -X -q "$@"; }

psql -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE audit_chains (chain_id text COLLATE "C" PRIMARY KEY, head_seq bigint NOT NULL, head_hash text NOT NULL, retained_from_seq bigint NOT NULL);
CREATE TABLE audit_journal (chain_id text COLLATE "C" NOT NULL, first_seq bigint NOT NULL, last_seq bigint NOT NULL, frames bytea NOT NULL, PRIMARY KEY (chain_id, first_seq));
INSERT INTO audit_journal SELECT 'chain-' || lpad(c::text, 4, '0') || '-' || md5(c::text), (r - 1) * 10 + 1, r * 10, decode(repeat(md5((c * 100000 + r)::text), 16), 'hex')
    FROM generate_series(1, $chains) c, generate_series(1, $rows) r;
INSERT INTO audit_chains SELECT chain_id, max(last_seq), '', 1 FROM audit_journal GROUP BY chain_id;
VACUUM ANALYZE audit_journal; VACUUM ANALYZE audit_chains;
SQL

# The query of PostgreSqlStore.ListJournalChainsAsync, as the store sends it.
query="${CITADEL_QUERY:-$(awk '/WITH RECURSIVE newest/,/ORDER BY newest.chain_id;/' src/Citadel.Storage.PostgreSql/PostgreSqlStore.Audit.cs | sed 's/^ *//')}"
echo "$query" > "$work/query.sql"
measure() {
  echo "== $1"
  psql -c "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) $query" | grep -E "Buffers: shared|Execution Time|Planning Time" | sed -n '1p;$p' 
  psql -At -c "$query" | wc -l | sed 's/^/rows returned: /'
  "$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c 1 -t 1000 -f "$work/query.sql" postgres 2>/dev/null | grep -E "latency average|tps"
}
# For scale: the primary-key query of one chain's head (GetChainHeadAsync), which every read makes already.
echo "SELECT head_seq, head_hash FROM audit_chains WHERE chain_id = (SELECT min(chain_id) FROM audit_chains);" > "$work/head.sql"
echo "$chains chains, $rows journal rows each ($(psql -At -c "SELECT pg_size_pretty(pg_total_relation_size('audit_journal'));") of audit_journal)"
echo "== one chain's head, by its primary key (reference)"
"$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c 1 -t 1000 -f "$work/head.sql" postgres 2>/dev/null | grep -E "latency average"
measure "every chain derived"
psql -c "UPDATE audit_chains SET head_seq = head_seq - 10 WHERE chain_id IN (SELECT chain_id FROM audit_chains ORDER BY chain_id LIMIT greatest($chains / 10, 1));"
psql -c "VACUUM ANALYZE audit_chains;"
measure "a tenth of the chains one journal row behind"
