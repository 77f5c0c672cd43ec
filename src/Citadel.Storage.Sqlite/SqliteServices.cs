using Citadel.Storage.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Storage.Sqlite;

/// <summary>Registers the embedded store.</summary>
public static class SqliteServices
{
    /// <summary>
    /// Registers the SQLite store at <paramref name="databasePath"/> under every store contract (see
    /// <see cref="StoreServices.AddCitadelStore{TStore}"/>), with a single node's change feed and job lock.
    /// The database opens on first use; <paramref name="beforeOpen"/>, when given, runs then with the path
    /// (the server creates the file readable by its owner only). <paramref name="durableSync"/> false
    /// commits without waiting for the disk (synchronous=NORMAL).
    /// </summary>
    public static IServiceCollection AddCitadelSqlite(this IServiceCollection services, string databasePath, bool durableSync = true, Action<string>? beforeOpen = null)
    {
        services.AddCitadelStore(sp =>
        {
            beforeOpen?.Invoke(databasePath);
            return new SqliteStore(databasePath, durableSync) { Time = sp.GetService<TimeProvider>() ?? TimeProvider.System };
        });
        services.AddSingleton<IChangeFeed>(SingleNode.Instance);
        services.AddSingleton<IJobLock>(SingleNode.Instance);
        return services;
    }
}
