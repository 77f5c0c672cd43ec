using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Storage.PostgreSql;

/// <summary>The store of several nodes: a shared PostgreSQL database named by a connection string.</summary>
public sealed class PostgreSqlStorageProvider : IStorageProvider
{
    private PostgreSqlStorageProvider()
    {
    }

    public static PostgreSqlStorageProvider Instance { get; } = new();

    public string Name => "postgresql";

    public bool SingleNode => false;

    /// <summary>None: the database is backed up with its own tools (pg_dump, a base backup).</summary>
    public IStoreBackup? Backup => null;

    public string Register(IServiceCollection services, StorageLocation location)
    {
        var connectionString = ConnectionString(location);
        try
        {
            var described = PostgreSqlStorage.Describe(connectionString);
            services.AddCitadelPostgreSql(connectionString, location.ChangeCheckInterval, location.NodeId);
            return described;
        }
        catch (ArgumentException exception)
        {
            throw NotValid(exception);
        }
    }

    public OpenedStore Open(StorageLocation location)
    {
        var connectionString = ConnectionString(location);
        string described;
        try
        {
            described = PostgreSqlStorage.Describe(connectionString);
        }
        catch (ArgumentException exception)
        {
            throw NotValid(exception);
        }

        var storage = PostgreSqlStorage.Create(connectionString, location.ChangeCheckInterval, NullLoggerFactory.Instance);
        return OpenedStore.WithJournal(storage.Store, described, storage);
    }

    private static string ConnectionString(StorageLocation location) =>
        string.IsNullOrWhiteSpace(location.ConnectionString)
            ? throw new InvalidOperationException("Storage PostgreSql needs a connection string (--postgres \"Host=…;Database=…;Username=…\").")
            : location.ConnectionString;

    private static InvalidOperationException NotValid(ArgumentException exception) =>
        new($"The PostgreSQL connection string is not valid: {exception.Message}", exception);
}
