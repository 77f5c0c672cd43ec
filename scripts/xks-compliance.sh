#!/usr/bin/env bash
# Runs AWS's XKS proxy compliance test client (github.com/aws-samples/aws-kms-xksproxy-test-client, curl + jq)
# against `citadel serve --dev` (issue 20): creates four keys with the AWS CLI, lets the development XKS key store
# use them as foo (ENCRYPT_DECRYPT), encrypt_only_key, decrypt_only_key and impotent_key (NONE), and runs
# `test-xks-proxy -a` over plain HTTP on loopback. The client is fetched (git clone at a pinned commit) into a
# temporary folder, never into this repository; curl, jq, uuidgen, xxd and the AWS CLI are installed from Debian
# when missing. The project's own end-to-end tests (XksProxyTests) cover every check the client makes; this script
# is the cross-check against AWS's own client and needs the network.
# Usage: scripts/xks-compliance.sh   (exits non-zero unless every test passes; prints the client's summary)
set -euo pipefail
cd "$(dirname "$0")/.."

client_repo=https://github.com/aws-samples/aws-kms-xksproxy-test-client.git
client_commit=${XKS_TEST_CLIENT_COMMIT:-main}

missing=()
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
command -v uuidgen >/dev/null || missing+=(uuid-runtime)
command -v xxd >/dev/null || missing+=(xxd)
command -v aws >/dev/null || missing+=(awscli)
command -v git >/dev/null || missing+=(git)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "xks-compliance: missing ${missing[*]}: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

cli=src/Citadel.Cli/bin/Release/net10.0/citadel.dll
[ -f "$cli" ] || dotnet build src/Citadel.Cli -c Release --nologo -v q >/dev/null
work="$(mktemp -d)"
data="$work/data"
port=$((20000 + RANDOM % 20000))
endpoint="http://127.0.0.1:${port}"
dotnet "$cli" serve --dev --data-dir "$data" --listen "127.0.0.1:${port}" --log-level Warning >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do curl -sf "$endpoint/_citadel/ping" >/dev/null && break; sleep 0.2; done

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE
for pair in ENCRYPT_DECRYPT:foo ENCRYPT:encrypt_only_key DECRYPT:decrypt_only_key NONE:impotent_key; do
  key=$(aws --endpoint-url "$endpoint" kms create-key --query KeyMetadata.KeyId --output text)
  dotnet "$cli" xks allow-key dev --data-dir "$data" --key-id "$key" --external-key-id "${pair#*:}" --usage "${pair%%:*}" >/dev/null
done
sleep 1.5 # the server notices the store's change within a second

git clone -q "$client_repo" "$work/client"
git -C "$work/client" checkout -q "$client_commit"
cd "$work/client"
XKS_PROXY_HOST="127.0.0.1:${port}" SCHEME= URI_PREFIX=xks/dev \
  SIGV4_ACCESS_KEY_ID=CITADELDEVXKSACCESSKEY SIGV4_SECRET_ACCESS_KEY=CitadelDevXksSecretAccessKeyNotForProduction0 \
  ANSI_ESCAPE=0 VERBOSE= ./test-xks-proxy -a | tee "$work/report.txt" | grep -E '^=> Test|tests? (PASSED|FAILED)'
grep -q "All .* tests PASSED" "$work/report.txt"
