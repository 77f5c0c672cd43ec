using System.CommandLine;
using Citadel.Server.Hosting;
using Citadel.Server.Identity;
using Citadel.Storage;

namespace Citadel.Cli;

/// <summary>
/// Where `citadel iam` and `citadel audit` find the deployment: a development data directory
/// (default), a PostgreSQL database (--postgres), or everything a production configuration file names (--config).
/// </summary>
internal sealed class AdminOptions
{
    public Option<string> DataDir { get; } = new("--data-dir")
    {
        Description = "The server's data directory (SQLite database and root key file).",
        DefaultValueFactory = _ => ".citadel",
        Recursive = true,
    };

    public Option<string?> RootKey { get; } = new("--root-key-file")
    {
        Description = "The root key file, if not <data-dir>/root.key.",
        Recursive = true,
    };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "The PostgreSQL connection string of a deployment on several nodes (the root key still comes from --data-dir or --root-key-file).",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "A production configuration file: its data directory, storage and seal (key file or PKCS#11 token) are used.",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(DataDir);
        command.Options.Add(RootKey);
        command.Options.Add(Postgres);
        command.Options.Add(Config);
    }

    public Task<LocalAdmin> OpenAsync(ParseResult parse, CancellationToken ct, bool drainJournals = true)
    {
        if (parse.GetValue(Config) is { } configPath)
        {
            var config = ConfigFile.Load(configPath, Environment.GetEnvironmentVariable);
            var location = new StorageLocation(config.DataDirectory) { ConnectionString = config.PostgresConnectionString };
            return LocalAdmin.OpenAsync(StorageProviders.For(config), location, config.RootKeyFile, ct, config.Pkcs11, drainJournals);
        }

        var connectionString = parse.GetValue(Postgres);
        return LocalAdmin.OpenAsync(
            StorageProviders.For(postgres: connectionString is not null),
            new StorageLocation(parse.GetValue(DataDir)!) { ConnectionString = connectionString },
            parse.GetValue(RootKey),
            ct,
            drainJournals: drainJournals);
    }

    /// <summary>The data directory the options name: the configuration file's, or --data-dir.</summary>
    public string DataDirectory(ParseResult parse) =>
        parse.GetValue(Config) is { } configPath ? ConfigFile.Load(configPath, Environment.GetEnvironmentVariable).DataDirectory : parse.GetValue(DataDir)!;

    /// <summary>
    /// Opens the deployment, runs <paramref name="work"/> and closes it; a mistake (no data directory
    /// there, the wrong root key, a database that cannot be opened) is one line on standard error and exit code 2.
    /// </summary>
    public async Task<int> RunAsync(string command, ParseResult parse, Func<LocalAdmin, Task<int>> work, CancellationToken ct, bool drainJournals = true)
    {
        try
        {
            await using var admin = await OpenAsync(parse, ct, drainJournals);
            return await work(admin);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"citadel {command}: {exception.Message}");
            return 2;
        }
    }
}
