#!/usr/bin/env bash
# Drives a development server with the AWS CLI as the docs show it (issue 23): aws sts get-caller-identity,
# a role with a trust policy, aws sts assume-role, then aws kms encrypt/decrypt with the session's credentials,
# and checks each answer. Builds the citadel command if needed; installs the AWS CLI (Debian's awscli) if missing.
# Usage: scripts/sts-cli-check.sh   (exits non-zero, saying which step, when an answer is not what AWS gives)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v aws >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null
  else
    echo "the AWS CLI is missing: sudo apt-get install -y awscli" >&2
    exit 1
  fi
fi

cli=src/Citadel.Cli/bin/Release/net10.0/citadel.dll
[ -f "$cli" ] || dotnet build src/Citadel.Cli -c Release --nologo -v q >/dev/null
data="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
endpoint="http://127.0.0.1:${port}"
dotnet "$cli" serve --dev --data-dir "$data" --listen "127.0.0.1:${port}" --log-level Warning >"$data.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$data" "$data.log"' EXIT
for _ in $(seq 1 100); do curl -sf "$endpoint/_citadel/ping" >/dev/null && break; sleep 0.2; done

fail() { echo "sts-cli-check: $1" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE
aws() { command aws --endpoint-url "$endpoint" --output text "$@"; }
iam() { dotnet "$cli" iam --data-dir "$data" "$@"; }

[ "$(aws sts get-caller-identity --query Arn)" = "arn:aws:iam::111122223333:root" ] || fail "get-caller-identity as the dev root"

iam create-user --account 111122223333 --name ci >/dev/null
read -r user_key user_secret < <(iam create-access-key --principal arn:aws:iam::111122223333:user/ci | awk '/AccessKeyId/{k=$2} /SecretAccessKey/{s=$2} END{print k, s}')
iam create-role --account 111122223333 --name app >/dev/null
iam set-role --principal arn:aws:iam::111122223333:role/app --max-session-duration 7200 \
  --trust-policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/ci"},"Action":"sts:AssumeRole"}]}' >/dev/null
iam attach-policy --principal arn:aws:iam::111122223333:role/app --name use-keys \
  --document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}' >/dev/null
key="$(aws kms create-key --query KeyMetadata.KeyId)"
sleep 1.5   # a running server takes identity changes within a second

caller="$(AWS_ACCESS_KEY_ID=$user_key AWS_SECRET_ACCESS_KEY=$user_secret aws sts get-caller-identity --query Arn)"
[ "$caller" = "arn:aws:iam::111122223333:user/ci" ] || fail "get-caller-identity as the user: $caller"
read -r session_key session_secret session_token < <(AWS_ACCESS_KEY_ID=$user_key AWS_SECRET_ACCESS_KEY=$user_secret \
  aws sts assume-role --role-arn arn:aws:iam::111122223333:role/app --role-session-name deploy --duration-seconds 7200 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]')
[[ "$session_key" == ASIA* ]] || fail "assume-role gave no ASIA key: $session_key"
export AWS_ACCESS_KEY_ID=$session_key AWS_SECRET_ACCESS_KEY=$session_secret AWS_SESSION_TOKEN=$session_token
[ "$(aws sts get-caller-identity --query Arn)" = "arn:aws:sts::111122223333:assumed-role/app/deploy" ] || fail "get-caller-identity as the session"
printf 'by the session' >"$data/plain"
aws kms encrypt --key-id "$key" --plaintext "fileb://$data/plain" --query CiphertextBlob | base64 -d >"$data/blob"
[ "$(aws kms decrypt --ciphertext-blob "fileb://$data/blob" --query Plaintext | base64 -d)" = "by the session" ] || fail "decrypt with the session"
if aws kms describe-key --key-id "$key" >/dev/null 2>"$data/err"; then fail "describe-key should be denied to the session"; fi
grep -q "AccessDeniedException" "$data/err" || fail "describe-key was not AccessDenied: $(cat "$data/err")"
if AWS_ACCESS_KEY_ID=$user_key AWS_SECRET_ACCESS_KEY=$user_secret AWS_SESSION_TOKEN=$session_token aws sts get-caller-identity >/dev/null 2>"$data/err"; then
  fail "a long-term key with a session token must be refused"
fi
grep -q "InvalidClientTokenId" "$data/err" || fail "the long-term key with a token was not InvalidClientTokenId: $(cat "$data/err")"
echo "sts-cli-check: get-caller-identity (root, user, session), assume-role, kms encrypt/decrypt with the session, denials: all as AWS answers"
