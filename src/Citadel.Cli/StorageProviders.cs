using Citadel.Server.Hosting;
using Citadel.Storage;
using Citadel.Storage.PostgreSql;
using Citadel.Storage.Sqlite;

namespace Citadel.Cli;

/// <summary>
/// The composition of storage: the CLI is the one place that knows the providers, and hands the chosen
/// one to the server (<see cref="ServerSettings.Storage"/>) and to the commands run without a server.
/// </summary>
internal static class StorageProviders
{
    /// <summary>PostgreSQL (several nodes) when asked for, else SQLite in the data directory (one node).</summary>
    public static IStorageProvider For(bool postgres) => postgres ? PostgreSqlStorageProvider.Instance : SqliteStorageProvider.Instance;

    /// <summary>The provider a configuration file's storage.provider names.</summary>
    public static IStorageProvider For(ConfigFile config) => For(config.Storage == "postgres");
}
