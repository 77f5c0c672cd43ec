#!/usr/bin/env bash
# The web console's customer managed keys page with many keys (docs/console.md, "How it scales").
# Seeds a development server's data directory with N keys (default 100,000) through seed files,
# one start per 10,000 keys, then serves it and times the page in headless Chromium:
#   bench/console/keys-page.sh [N] [pages]
# Needs the built CLI (dotnet build src/Citadel.Cli -c Release), chromium and chromium-driver
# (scripts/test.sh installs them). The data directory is kept in $WORK for a second run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
count="${1:-100000}"
pages="${2:-5}"
citadel="$root/src/Citadel.Cli/bin/Release/net10.0/citadel"
work="${WORK:-/tmp/citadel-console-$count}"
port="${PORT:-4612}"
[ -x "$citadel" ] || { echo "keys-page.sh: build the CLI first: dotnet build src/Citadel.Cli -c Release" >&2; exit 2; }
mkdir -p "$work"
if [ ! -f "$work/seeded" ]; then
  python3 "$here/seed.py" "$count" "$work/seeds"
  start=$(date +%s)
  for seed in "$work"/seeds/seed-*.yaml; do
    # A start applies the seed file and then serves; stop it once it listens.
    "$citadel" serve --dev --seed "$seed" --data-dir "$work/data" --listen "127.0.0.1:$port" --log-level warning > "$work/seed.log" 2>&1 &
    pid=$!
    until curl -s -o /dev/null "http://127.0.0.1:$port/console/"; do
      kill -0 "$pid" 2>/dev/null || { cat "$work/seed.log" >&2; exit 1; }
      sleep 0.5
    done
    kill "$pid"; wait "$pid" || true
    echo "seeded $(basename "$seed") ($(( $(date +%s) - start )) s so far)"
  done
  touch "$work/seeded"
fi
"$citadel" serve --dev --data-dir "$work/data" --listen "127.0.0.1:$port" --log-level warning > "$work/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$port/console/"; do sleep 0.5; done
python3 "$here/keys_page.py" "http://127.0.0.1:$port" "$pages"
