#!/usr/bin/env bash
# Does throughput follow the disk's sync latency? load.sh's Encrypt (or the operations given) against
# `citadel serve --dev` three times back to back: audit journal on the data directory's disk, audit
# journal on a disk whose every fsync/fdatasync takes 2 ms longer (tests/faultfs/faultfs.c, a FUSE
# passthrough, where no device-mapper "delay" target is available), and audit off.
# Usage: ./bench/slowsync/load.sh [load.sh options, e.g. --ops Encrypt --duration 10]
# Needs root or /dev/fuse access, gcc and libfuse3-dev (apt-get install -y libfuse3-dev fuse3).
set -euo pipefail
# The audit verification job at its production interval (--dev walks the new records every 10 s).
export CITADEL_Audit__VerifyInterval="${CITADEL_Audit__VerifyInterval:-01:00:00}"
cd "$(dirname "$0")/../.."
delay_us=${SLOWSYNC_MICROSECONDS:-2000}
work=$(mktemp -d /tmp/citadel-slowsync-XXXXXX)
cc -O2 -o "$work/faultfs" tests/faultfs/faultfs.c $(pkg-config --cflags --libs fuse3)
mkdir -p "$work/backing" "$work/mnt"
"$work/faultfs" "$work/backing" "$work/mnt" "$delay_us"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  fusermount3 -u "$work/mnt" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release --nologo -v q bench/Citadel.Load >/dev/null
cli=bench/Citadel.Load/bin/Release/net10.0/citadel.dll
for run in plain slow off; do
  data=$(mktemp -d "$work/data-XXXXXX")
  flags=()
  case $run in
    slow) mkdir "$work/mnt/$run"; ln -s "$work/mnt/$run" "$data/audit-journal" ;;
    off) flags=(--no-audit) ;;
  esac
  listen=$((40000 + RANDOM % 20000))
  dotnet "$cli" serve --dev --data-dir "$data" --listen "127.0.0.1:$listen" --log-level Warning "${flags[@]}" &
  server=$!
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$listen/health" >/dev/null && break; sleep 0.5; done
  case $run in
    plain) echo "== audit on, journal on the data directory's disk" ;;
    slow) echo "== audit on, journal on a disk with +${delay_us} us per sync" ;;
    off) echo "== audit off" ;;
  esac
  dotnet bench/Citadel.Load/bin/Release/net10.0/Citadel.Load.dll --target "http://127.0.0.1:$listen" "$@"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
done
