using System.CommandLine;
using Citadel.Server.Audit.Streaming;
using Citadel.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Cli;

/// <summary>`citadel serve`: run the server.</summary>
internal static class ServeCommand
{
    /// <summary>
    /// How often a development server's audit verification walks the whole trail; its rounds every 10 s read only new
    /// events. Ten minutes: a load benchmark run (a few minutes on a fresh data directory, ~12,000 events/s) sees one walk,
    /// at start, of an empty trail, and a change made to an old event while trying out the trail's checks still shows
    /// within minutes (a change to the last verified one, at the next round). A walk every 10 s grew with the trail and
    /// took ~9% of the server's CPU in a 25 s Encrypt run.
    /// </summary>
    private static readonly TimeSpan DevFullVerifyInterval = TimeSpan.FromMinutes(10);

    public static Command Build()
    {
        var dev = new Option<bool>("--dev")
        {
            Description = "Development mode: data in --data-dir, well-known credentials (access key 'test', secret 'test'), loopback only, a clock that tests can advance.",
        };
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "Directory for the database and (in development) the root key file.",
            DefaultValueFactory = _ => ".citadel",
        };
        var listen = new Option<string>("--listen")
        {
            Description = "Address and port to listen on.",
            DefaultValueFactory = _ => "127.0.0.1:4599",
        };
        var account = new Option<string>("--account")
        {
            Description = "Account id (12 digits) of the development administrator.",
            DefaultValueFactory = _ => "111122223333",
        };
        var region = new Option<string>("--region")
        {
            Description = "Region printed at start. Requests may use any region: a key lives in the region of the request that created it.",
            DefaultValueFactory = _ => "us-east-1",
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Console log level (Trace, Debug, Information, Warning, Error).",
            DefaultValueFactory = _ => LogLevel.Information,
        };

        var storage = new Option<string>("--storage")
        {
            Description = "Where keys and identities live: sqlite (one node, in --data-dir) or postgres (several nodes on one database, see --postgres).",
            DefaultValueFactory = _ => "sqlite",
        };
        storage.AcceptOnlyFromAmong("sqlite", "postgres");
        var postgres = new Option<string?>("--postgres")
        {
            Description = "Npgsql connection string of the shared database (with --storage postgres), e.g. \"Host=db;Database=citadel;Username=citadel\". " +
                "Defaults to the CITADEL_POSTGRES environment variable; the password may come from PGPASSWORD or ~/.pgpass.",
        };
        var durability = new Option<string>("--durability")
        {
            Description = "What an acknowledged request survives: full (a machine crash; every commit is synced to disk) or process (a process crash; faster on slow disks). SQLite only.",
            DefaultValueFactory = _ => "full",
        };
        durability.AcceptOnlyFromAmong("full", "process");
        var noAudit = new Option<bool>("--no-audit")
        {
            Description = "Development only: record no audit events. For benchmarks that measure what auditing costs.",
        };

        var auditStream = new Option<string?>("--audit-stream")
        {
            Description = "Development only: also write the audit trail, as it happens, to this directory in CloudTrail's layout " +
                "(AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz), a file every second or 1000 events. In production: audit.stream in the configuration file.",
        };
        var metrics = new Option<bool?>("--metrics")
        {
            Description = "Serve Prometheus metrics at GET /metrics (docs/monitoring.md). On by default with --dev; in production, metrics.enabled in the configuration file.",
        };
        var metricsListen = new Option<string?>("--metrics-listen")
        {
            Description = "Serve /metrics (and /health/*) on this address and port instead of the API's, e.g. 127.0.0.1:9464, to keep metrics off the public port. Implies --metrics.",
        };
        var logFormat = new Option<string?>("--log-format")
        {
            Description = "Console log format: text (one line per message, the default) or json (one JSON object per line, for log shippers).",
        };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var noAccessLog = new Option<bool>("--no-access-log")
        {
            Description = "Write no access log (one line per request at Information, category Citadel.Access). It shows only at --log-level Information or below.",
        };

        var config = new Option<string?>("--config")
        {
            Description = "Production mode: listen address, data directory, seal, audit settings and identities from this YAML file (see docs/operations.md).",
        };

        var seed = new Option<string?>("--seed")
        {
            Description = "A seed file (YAML, see docs/seeding.md): keys with fixed ids and known material, created at start. Idempotent; never overwrites a key.",
        };

        var tlsCert = new Option<string?>("--tls-cert")
        {
            Description = "Serve HTTPS with this PEM certificate (then its intermediates), read again when it changes. Overrides tls.certificateFile. Needs --tls-key.",
        };
        var tlsKey = new Option<string?>("--tls-key")
        {
            Description = "The certificate's unencrypted PEM private key; refused when every user can read it (chmod o=). Overrides tls.keyFile.",
        };
        var bindAll = new Option<bool>("--bind-all")
        {
            Description = "Development only: listen on every interface (0.0.0.0, at --listen's port), as a container needs. " +
                "Anyone who can reach the port can use the well-known credentials: publish it to localhost only (-p 127.0.0.1:4599:4599).",
        };

        var command = new Command(
            "serve",
            "Run the Citadel server: `serve --dev` for development and tests, `serve --config citadel.yaml` for production. " +
            "Engine limits and timings come from CITADEL_ environment variables, e.g. CITADEL_Kms__JobInterval=00:00:05 or CITADEL_SigV4__ClockSkew=00:05:00 (docs/operations.md, \"Options\"); a value out of range stops the start and says which.")
        {
            dev, config, seed, dataDir, listen, account, region, logLevel, storage, postgres, durability, noAudit, auditStream,
            metrics, metricsListen, logFormat, noAccessLog, tlsCert, tlsKey, bindAll,
        };
        command.SetAction(async (parse, ct) =>
        {
            var development = parse.GetValue(dev);
            var configPath = parse.GetValue(config);
            if (development == (configPath is not null))
            {
                await Console.Error.WriteLineAsync("citadel serve: choose one: --dev (development server on loopback) or --config <file> (production).");
                return 2;
            }

            if (parse.GetValue(noAudit) && !development)
            {
                await Console.Error.WriteLineAsync("citadel serve: --no-audit is for development servers only (--dev).");
                return 2;
            }

            if (parse.GetValue(auditStream) is not null && !development)
            {
                await Console.Error.WriteLineAsync("citadel serve: --audit-stream is for development servers (--dev); in production set audit.stream.directory in the configuration file (docs/audit.md).");
                return 2;
            }

            if (parse.GetValue(bindAll) && !development)
            {
                await Console.Error.WriteLineAsync("citadel serve: --bind-all is for development servers only (--dev); a production server listens where listen: in the configuration file says.");
                return 2;
            }

            ServerSettings? settings = null;
            WebApplication? app = null;
            try
            {
                settings = development
                    ? new ServerSettings
                    {
                        Development = true,
                        DataDirectory = parse.GetValue(dataDir)!,
                        Listen = parse.GetValue(listen)!,
                        DevAccountId = parse.GetValue(account)!,
                        Region = parse.GetValue(region)!,
                        LogLevel = parse.GetValue(logLevel),
                        Audit = { Enabled = !parse.GetValue(noAudit), VerifyInterval = TimeSpan.FromSeconds(10), FullVerifyInterval = DevFullVerifyInterval },
                        AuditStream = parse.GetValue(auditStream) is { } streamDirectory
                            ? new AuditStreamOptions { Directory = Path.GetFullPath(streamDirectory), MaxAge = TimeSpan.FromSeconds(1) }
                            : null,
                    }
                    : Production(ConfigFile.Load(configPath!, Environment.GetEnvironmentVariable), parse.GetValue(logLevel));
                if (parse.GetResult(storage) is { Implicit: false } || development)
                {
                    settings.Storage = parse.GetValue(storage) == "postgres" ? StorageProviders.For(postgres: true) : settings.Storage;
                }

                settings.Storage ??= StorageProviders.For(postgres: false);

                settings.PostgresConnectionString = parse.GetValue(postgres) ?? settings.PostgresConnectionString ?? Environment.GetEnvironmentVariable("CITADEL_POSTGRES");

                if (parse.GetResult(durability) is { Implicit: false })
                {
                    settings.Durability = parse.GetValue(durability) == "process" ? Durability.Process : Durability.Full;
                }

                settings.TlsCertificateFile = parse.GetValue(tlsCert) ?? settings.TlsCertificateFile;
                settings.TlsKeyFile = parse.GetValue(tlsKey) ?? settings.TlsKeyFile;
                if (parse.GetValue(bindAll))
                {
                    settings.DevListenAnywhere = true;
                    settings.Listen = $"0.0.0.0:{settings.Listen[(settings.Listen.LastIndexOf(':') + 1)..]}";
                }

                settings.SeedFile = parse.GetValue(seed) is { } seedPath ? Path.GetFullPath(seedPath) : settings.SeedFile;
                ApplyObservability(settings, parse.GetValue(metrics), parse.GetValue(metricsListen), parse.GetValue(logFormat), parse.GetValue(noAccessLog));
                app = await CitadelHost.BuildAsync(settings, ct: ct);
                await app.StartAsync(ct);
            }
            catch (Exception exception) when (StartFailure(exception, settings) is { } line)
            {
                if (app is not null)
                {
                    await app.DisposeAsync();
                }

                await Console.Error.WriteLineAsync($"citadel serve: {line}");
                return 2;
            }

            await using (app)
            {
                if (settings.Development)
                {
                    PrintBanner(settings, app.Urls.FirstOrDefault() ?? $"http://{settings.Listen}");
                }
                else
                {
                    Console.WriteLine($"Citadel is running: {app.Urls.FirstOrDefault() ?? settings.Listen}, data in {Path.GetFullPath(settings.DataDirectory)}. Press Ctrl-C to stop.");
                }

                await app.WaitForShutdownAsync(ct);
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// What an operator can fix, said in one line (the caller prints it and exits with 2); null for a
    /// bug, which keeps its stack trace.
    /// </summary>
    private static string? StartFailure(Exception exception, ServerSettings? settings) => exception switch
    {
        IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException } =>
            CitadelHost.AddressInUse(settings?.Listen ?? ""),
        InvalidOperationException => exception.Message,
        System.Data.Common.DbException => $"could not open the database: {exception.Message}",
        IOException or UnauthorizedAccessException => exception.Message,
        _ => null,
    };

    /// <summary>The flags override the configuration file's metrics: and logging:.</summary>
    private static void ApplyObservability(ServerSettings settings, bool? metrics, string? metricsListen, string? logFormat, bool noAccessLog)
    {
        var options = settings.Observability;
        options.MetricsListen = metricsListen ?? options.MetricsListen;
        options.Metrics = metrics ?? (metricsListen is not null ? true : options.Metrics);
        options.LogFormat = logFormat switch
        {
            "json" => Server.Observability.LogFormat.Json,
            "text" => Server.Observability.LogFormat.Text,
            _ => options.LogFormat,
        };
        options.AccessLog = options.AccessLog && !noAccessLog;
    }

    private static ServerSettings Production(ConfigFile file, LogLevel logLevel)
    {
        var settings = new ServerSettings
        {
            Development = false,
            Listen = file.Listen,
            DataDirectory = file.DataDirectory,
            Region = file.Region,
            RootKeyFile = file.RootKeyFile,
            Pkcs11 = file.Pkcs11,
            Config = file,
            LogLevel = logLevel,
            Storage = StorageProviders.For(file),
            PostgresConnectionString = file.PostgresConnectionString,
            AuditStream = file.AuditStream,
            Observability = file.Observability,
            TlsCertificateFile = file.TlsCertificateFile,
            TlsKeyFile = file.TlsKeyFile,
            XksClientCaFile = file.XksClientCaFile,
            XksClientSubjectNames = file.XksClientSubjectNames,
            TrustedProxies = file.TrustedProxies,
            WebConsole = file.WebConsole,
        };
        if (file.AuditRetentionDays is { } days)
        {
            settings.Audit.Retention = TimeSpan.FromDays(days);
        }

        if (file.AuditChainId is { } chain)
        {
            settings.Audit.ChainId = chain;
        }

        return settings;
    }

    private static void PrintBanner(ServerSettings settings, string url)
    {
        var endpoint = url.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal);
        Console.WriteLine($"""
            Citadel is running in development mode (not for production data).
              endpoint           {endpoint}
              web console        {endpoint.TrimEnd('/')}/console/
              region             {settings.Region}
              account            {settings.DevAccountId}
              access key id      {settings.DevAccessKeyId}
              secret access key  {settings.DevSecretAccessKey}
              data directory     {Path.GetFullPath(settings.DataDirectory)}
              storage            {(settings.Storage is { SingleNode: false } ? "postgres" : "sqlite")}

            External key store (XKS) proxy, store "{Citadel.Server.Xks.XksSetup.DevStoreName}" (citadel xks --help):
              XksProxyUriPath    {Citadel.Server.Xks.XksSetup.DevUriPrefix}/kms/xks/v1
              AccessKeyId        {Citadel.Server.Xks.XksSetup.DevAccessKeyId}
              RawSecretAccessKey {Citadel.Server.Xks.XksSetup.DevSecretAccessKey}

            Try it:
              export AWS_ACCESS_KEY_ID={settings.DevAccessKeyId} AWS_SECRET_ACCESS_KEY={settings.DevSecretAccessKey} AWS_DEFAULT_REGION={settings.Region}
              aws kms create-key --endpoint-url {endpoint}

            Press Ctrl-C to stop.
            """);
        if (settings.DevListenAnywhere)
        {
            Console.WriteLine($"WARNING: --bind-all: listening on every interface ({settings.Listen}); anyone who can reach this port can use the credentials above. Publish it to this machine only (docker run -p 127.0.0.1:4599:4599).");
        }
    }
}
