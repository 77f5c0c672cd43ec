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

        var command = new Command("serve", "Run the Citadel server.")
        {
            dev, dataDir, listen, account, region, logLevel, storage, postgres,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(dev))
            {
                await Console.Error.WriteLineAsync(
                    "citadel serve: production mode needs identities and a seal from a configuration file (--config), which this version does not have yet. Run `citadel serve --dev` for a development server.");
                return 2;
            }

            var settings = new ServerSettings
            {
                Development = true,
                DataDirectory = parse.GetValue(dataDir)!,
                Listen = parse.GetValue(listen)!,
                DevAccountId = parse.GetValue(account)!,
                Region = parse.GetValue(region)!,
                LogLevel = parse.GetValue(logLevel),
                Storage = parse.GetValue(storage) == "postgres" ? StorageProvider.PostgreSql : StorageProvider.Sqlite,
                PostgresConnectionString = parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("CITADEL_POSTGRES"),
            };
            WebApplication app;
            try
            {
                app = await CitadelHost.BuildAsync(settings, ct: ct);
            }
            catch (InvalidOperationException exception)
            {
                await Console.Error.WriteLineAsync($"citadel serve: {exception.Message}");
                return 2;
            }
            catch (System.Data.Common.DbException exception)
            {
                await Console.Error.WriteLineAsync($"citadel serve: could not open the database: {exception.Message}");
                return 2;
            }

            await using (app)
            {
                await app.StartAsync(ct);
                PrintBanner(settings, app.Urls.FirstOrDefault() ?? $"http://{settings.Listen}");
                await app.WaitForShutdownAsync(ct);
            }

            return 0;
        });
        return command;
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
              storage            {(settings.Storage == StorageProvider.PostgreSql ? "postgres" : "sqlite")}

            Try it:
              export AWS_ACCESS_KEY_ID={settings.DevAccessKeyId} AWS_SECRET_ACCESS_KEY={settings.DevSecretAccessKey} AWS_DEFAULT_REGION={settings.Region}
              aws kms create-key --endpoint-url {endpoint}

            Press Ctrl-C to stop.
            """);
    }
}
