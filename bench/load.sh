#!/usr/bin/env bash
# The load benchmark (README.md, "Performance"): builds Release, starts `citadel serve --dev` on a
# fresh temp data dir, creates keys through the AWS SDK, drives pre-signed requests with wrk.
# Options: ./bench/load.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project bench/Citadel.Load -- "$@"
