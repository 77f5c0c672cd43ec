using System.CommandLine;
using Citadel.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Cli;

/// <summary>`citadel serve`: run the server.</summary>
internal static class ServeCommand
{
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

        var noAudit = new Option<bool>("--no-audit")
        {
            Description = "Development only: record no audit events. For benchmarks that measure what auditing costs.",
        };

        var config = new Option<string?>("--config")
        {
            Description = "Production mode: listen address, data directory, seal, audit settings and identities from this YAML file (see docs/operations.md).",
        };

        var command = new Command("serve", "Run the Citadel server: `serve --dev` for development and tests, `serve --config citadel.yaml` for production.")
        {
            dev, config, dataDir, listen, account, region, logLevel, noAudit,
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

            ServerSettings settings;
            WebApplication app;
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
                        Audit = { Enabled = !parse.GetValue(noAudit) },
                    }
                    : Production(ConfigFile.Load(configPath!, Environment.GetEnvironmentVariable), parse.GetValue(logLevel));
                app = await CitadelHost.BuildAsync(settings, ct: ct);
            }
            catch (InvalidOperationException exception)
            {
                await Console.Error.WriteLineAsync($"citadel serve: {exception.Message}");
                return 2;
            }

            await using (app)
            {
                await app.StartAsync(ct);
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

    private static ServerSettings Production(ConfigFile file, LogLevel logLevel)
    {
        var settings = new ServerSettings
        {
            Development = false,
            Listen = file.Listen,
            DataDirectory = file.DataDirectory,
            Region = file.Region,
            RootKeyFile = file.RootKeyFile,
            Config = file,
            LogLevel = logLevel,
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
        var endpoint = url.Replace("[::]", "localhost", StringComparison.Ordinal);
        Console.WriteLine($"""
            Citadel is running in development mode (not for production data).
              endpoint           {endpoint}
              region             {settings.Region}
              account            {settings.DevAccountId}
              access key id      {settings.DevAccessKeyId}
              secret access key  {settings.DevSecretAccessKey}
              data directory     {Path.GetFullPath(settings.DataDirectory)}

            Try it:
              export AWS_ACCESS_KEY_ID={settings.DevAccessKeyId} AWS_SECRET_ACCESS_KEY={settings.DevSecretAccessKey} AWS_DEFAULT_REGION={settings.Region}
              aws kms create-key --endpoint-url {endpoint}

            Press Ctrl-C to stop.
            """);
    }
}
