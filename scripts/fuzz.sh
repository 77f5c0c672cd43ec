#!/usr/bin/env bash
# Fuzzes every parser that takes outside bytes for longer than the test suite does, with random seeds.
# The harness is the test suite's (tests/Citadel.Server.Tests/Fuzz): each target runs in a test process
# of its own, so a stack overflow ends only that target's run and its input is still shown.
#
#   scripts/fuzz.sh [--minutes N] [--target NAME] [--seed S] [--out DIR]
#
#   --minutes N   total time, shared out among the targets (default 10)
#   --target NAME one target (default: all; the names are in FuzzTargets.All)
#   --seed S      the first seed (default: random); each target's run uses S, S+1, ...
#   --out DIR     where summaries and crash inputs go (default: artifacts/fuzz/<time>)
#
# Prints per target: seed, executions, time, and any finding with its input as base64 and hex. A crash
# input belongs in tests/Citadel.Server.Tests/Fuzz/corpus/<target>/ with its fix (a regression case).
# Exits non-zero when anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=10
target=""
seed=$(( (RANDOM << 15 | RANDOM) % 2000000000 ))
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

project=tests/Citadel.Server.Tests
out=${out:-artifacts/fuzz/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

echo "building $project (Release)..."
dotnet build "$project" -c Release --nologo -v q >/dev/null
# Run from a copy, so that building the project again during a long run does not change what runs.
rm -rf "$out/bin"
cp -r "$project/bin/Release/net10.0" "$out/bin"
assembly="$out/bin/Citadel.Server.Tests.dll"

if [ -n "$target" ]; then
  targets=("$target")
else
  # The target names, as the test runner lists the fuzz theory's cases: ...(name: "json").
  mapfile -t targets < <(dotnet test "$assembly" --nologo --list-tests 2>/dev/null \
    | sed -n 's/.*Fuzzing_the_parser_finds_no_input_that_crashes_or_hangs_it(name: "\([a-z0-9-]*\)").*/\1/p')
fi

seconds=$(( minutes * 60 / ${#targets[@]} ))
[ "$seconds" -lt 5 ] && seconds=5
echo "fuzzing ${#targets[@]} target(s), ${seconds} s each, first seed $seed, output in $out"

found=0
for name in "${targets[@]}"; do
  set +e
  CITADEL_FUZZ_SECONDS=$seconds CITADEL_FUZZ_SEED=$seed CITADEL_FUZZ_OUT=$out \
    dotnet test "$assembly" --nologo \
      --filter "FullyQualifiedName~Fuzz.FuzzTests.Fuzzing&DisplayName~\"$name\"" >"$out/$name.log" 2>&1
  status=$?
  set -e
  if grep -q "^$name	" "$out/summary.txt" 2>/dev/null && [ $status -eq 0 ]; then
    grep "^$name	" "$out/summary.txt" | tail -1
  elif ls "$out"/crash-"$name"-"$seed"-*.txt >/dev/null 2>&1; then
    found=1
    grep "^$name	" "$out/summary.txt" | tail -1
    cat "$out"/crash-"$name"-"$seed"-*.txt
  else
    # The test process died (a stack overflow cannot be caught): the input it was running is in <target>.current.
    found=1
    echo "$name	seed $seed	PROCESS DIED (exit $status): $(grep -m1 -E 'overflow|crashed|aborted' "$out/$name.log" || echo 'see the log')"
    if [ -f "$out/$name.current" ]; then
      cp "$out/$name.current" "$out/crash-$name-$seed-process.bin"
      echo "input ($(stat -c %s "$out/$name.current") bytes) in $out/crash-$name-$seed-process.bin"
      echo "base64: $(head -c 65536 "$out/$name.current" | base64 -w0)"
    fi
  fi
  seed=$(( seed + 1 ))
done

echo "summary: $out/summary.txt"
exit $found
