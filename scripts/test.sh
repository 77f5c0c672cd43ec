#!/usr/bin/env bash
# Runs every test of the solution. Needs the .NET SDK; installs what the tests need beyond it (PostgreSQL,
# SoftHSM2, Chromium, the AWS CLI, FUSE 3 with a C compiler).
# Prints a closing line "N passed, N failed, N skipped" and exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# The PostgreSQL tests start a private server from the installed binaries (initdb, pg_ctl); they
# never skip, so install the binaries first where they are missing.
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "PostgreSQL server binaries not found: installing the postgresql package"
    # The tests make their own clusters; Debian's default one would only run beside them.
    mkdir -p /etc/postgresql-common
    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
      echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "The PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl), and they are not installed." >&2
    echo "Install them, then run this again:  sudo apt-get update && sudo apt-get install -y postgresql" >&2
    exit 1
  fi
fi

# SoftHSM2 backs the PKCS#11 seal tests.
if [ ! -e /usr/lib/softhsm/libsofthsm2.so ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing SoftHSM2 (PKCS#11 seal tests)..."
    apt-get update -qq && apt-get install -y -qq softhsm2 >/dev/null
  else
    echo "SoftHSM2 is missing: run 'sudo apt-get install -y softhsm2' and try again." >&2
    exit 1
  fi
fi

# Debian's Chromium and its chromedriver run the web console's browser tests (Selenium; nothing is
# downloaded at test time). The tests fail, never skip, when they are missing.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Chromium and chromedriver (web console browser tests)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install -y chromium chromium-driver' and try again." >&2
    exit 1
  fi
fi

# The AWS CLI drives the IAM and STS walkthrough tests (tests/Citadel.EndToEnd.Tests/AwsCli.cs); they never skip.
if ! command -v aws >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing the AWS CLI (IAM/STS end-to-end tests)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null
  elif command -v pip3 >/dev/null; then
    echo "installing the AWS CLI (IAM/STS end-to-end tests)..."
    pip3 install -q awscli
  else
    echo "The AWS CLI is missing: run 'sudo apt-get install -y awscli' (or 'pip3 install awscli') and try again." >&2
    exit 1
  fi
fi

# The audit fault tests (tests/Citadel.EndToEnd.Tests/AuditFaultFsTests.cs) compile tests/faultfs/faultfs.c, a
# fault-injecting FUSE file system, and mount it; they never skip.
if ! command -v fusermount3 >/dev/null || ! command -v cc >/dev/null || ! command -v pkg-config >/dev/null \
  || ! pkg-config --exists fuse3 2>/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing fuse3, libfuse3-dev, gcc and pkg-config (audit fault tests)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fuse3 libfuse3-dev gcc pkg-config >/dev/null
  else
    echo "FUSE 3 or a C compiler is missing: run 'sudo apt-get install -y fuse3 libfuse3-dev gcc pkg-config' and try again." >&2
    exit 1
  fi
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

status=0
dotnet test Citadel.sln -c Release --nologo "$@" 2>&1 | tee "$log" || status=$?

passed=0; failed=0; skipped=0
while read -r f p s; do
  failed=$((failed + f)); passed=$((passed + p)); skipped=$((skipped + s))
done < <(sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/p' "$log")

echo
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
