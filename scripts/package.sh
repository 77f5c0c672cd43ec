#!/usr/bin/env bash
# Builds what an operator installs (docs/operations.md, "Install"):
#   artifacts/linux-x64/citadel          one self-contained executable (no .NET needed on the machine)
#   artifacts/tool/Citadel.Cli.*.nupkg   a .NET tool: dotnet tool install --global Citadel.Cli --add-source artifacts/tool
# Usage: scripts/package.sh [--rid linux-x64|linux-arm64|linux-musl-x64] [--only binary|tool] [--out DIR]
# Offline it needs the runtime packs of the RID from the configured NuGet source.
set -euo pipefail
cd "$(dirname "$0")/.."

rid=linux-x64
only=""
out=artifacts
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rid) rid="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scripts/package.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -z "$only" || "$only" == binary ]]; then
  dotnet publish src/Citadel.Cli/Citadel.Cli.csproj -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -p:PublishDocumentationFiles=false -p:PublishReferencesDocumentationFiles=false -p:DebugType=none --nologo -o "$out/$rid"
  echo "$out/$rid/citadel: $(du -h "$out/$rid/citadel" | cut -f1), self-contained"
fi

if [[ -z "$only" || "$only" == tool ]]; then
  dotnet pack src/Citadel.Cli/Citadel.Cli.csproj -c Release --nologo -o "$out/tool"
  echo "$out/tool: $(ls "$out/tool")"
fi
