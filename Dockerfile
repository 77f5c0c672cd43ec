# Citadel container image: a self-contained single-file build on the runtime-deps base (no .NET
# runtime, no shell tools the server does not need), run as the base image's non-root user.
#
#   docker build -t citadel .
#   docker run --rm -p 127.0.0.1:4599:4599 citadel serve --dev --bind-all          # development
#   docker compose up                                                              # production, SQLite (compose.yaml)
#
# See docs/operations.md, "Install".

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so that a source change reuses the restored layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Citadel.Core/Citadel.Core.csproj src/Citadel.Core/
COPY src/Citadel.Storage/Citadel.Storage.csproj src/Citadel.Storage/
COPY src/Citadel.Storage.Sqlite/Citadel.Storage.Sqlite.csproj src/Citadel.Storage.Sqlite/
COPY src/Citadel.Storage.PostgreSql/Citadel.Storage.PostgreSql.csproj src/Citadel.Storage.PostgreSql/
COPY src/Citadel.Server/Citadel.Server.csproj src/Citadel.Server/
COPY src/Citadel.Cli/Citadel.Cli.csproj src/Citadel.Cli/
RUN dotnet restore src/Citadel.Cli/Citadel.Cli.csproj -r linux-x64 -p:SelfContained=true -p:PublishSingleFile=true
COPY src/ src/
# The same publish as scripts/package.sh: one executable with the runtime inside.
RUN dotnet publish src/Citadel.Cli/Citadel.Cli.csproj -c Release -r linux-x64 --self-contained \
        -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
        -p:PublishDocumentationFiles=false -p:PublishReferencesDocumentationFiles=false -p:DebugType=none --no-restore -o /out

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime
# The base image's unprivileged user ("app", uid 1654); the data directory is its own, 0700.
USER root
# /var/lib/citadel-seal is for a root key file kept on a volume of its own (compose.yaml): a named
# volume takes the owner and mode of the folder it is mounted on.
RUN mkdir -p /var/lib/citadel /var/lib/citadel-seal /etc/citadel \
    && chown "$APP_UID:$APP_UID" /var/lib/citadel /var/lib/citadel-seal \
    && chmod 0700 /var/lib/citadel /var/lib/citadel-seal
COPY --from=build --chown=root:root --chmod=0755 /out/citadel /usr/local/bin/citadel
USER $APP_UID
WORKDIR /var/lib/citadel
VOLUME ["/var/lib/citadel"]
EXPOSE 4599
# `citadel health` asks /health (the image has no curl). Behind TLS set
# CITADEL_HEALTH_ENDPOINT=https://localhost:4599 (loopback: the certificate is not checked).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["citadel", "health"]
ENTRYPOINT ["citadel"]
# Production: mount a configuration file (packaging/citadel.yaml is an example) at /etc/citadel/citadel.yaml.
CMD ["serve", "--config", "/etc/citadel/citadel.yaml"]
