using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Storage.Sqlite;

/// <summary>The embedded store: citadel.db in the data directory, one process.</summary>
public sealed class SqliteStorageProvider : IStorageProvider
{
    /// <summary>The database file's name in the data directory.</summary>
    public const string DatabaseFileName = "citadel.db";

    private SqliteStorageProvider()
    {
    }

    public static SqliteStorageProvider Instance { get; } = new();

    public string Name => "sqlite";

    public bool SingleNode => true;

    public IStoreBackup Backup => SqliteSnapshot.Backup;

    public string Register(IServiceCollection services, StorageLocation location)
    {
        var path = Path.Combine(location.DataDirectory, DatabaseFileName);
        services.AddCitadelSqlite(path, location.DurableSync, location.BeforeOpen);
        return Path.GetFullPath(path);
    }

    public OpenedStore Open(StorageLocation location)
    {
        var database = Path.GetFullPath(Path.Combine(location.DataDirectory, DatabaseFileName));
        if (!File.Exists(database))
        {
            throw new InvalidOperationException($"no data directory at {Path.GetFullPath(location.DataDirectory)}: pass --data-dir or start a server first.");
        }

        return OpenedStore.Of(new SqliteStore(database), database);
    }
}
