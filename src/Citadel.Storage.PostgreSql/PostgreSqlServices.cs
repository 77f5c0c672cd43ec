using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Citadel.Storage.PostgreSql;

/// <summary>Registers the store of several nodes.</summary>
public static class PostgreSqlServices
{
    /// <summary>
    /// Registers the PostgreSQL store of <paramref name="connectionString"/> (Npgsql's) under every store
    /// contract (see <see cref="StoreServices.AddCitadelStore{TStore}"/>), with the audit journal store, the
    /// LISTEN/NOTIFY change feed (checked every <paramref name="changeCheckInterval"/> as a backstop), the
    /// advisory-lock job lock and the cluster view. The node's dedicated sessions are named
    /// <c>citadel:&lt;nodeId&gt;</c>. Nothing connects before first use.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is malformed.</exception>
    public static IServiceCollection AddCitadelPostgreSql(this IServiceCollection services, string connectionString, TimeSpan changeCheckInterval, string? nodeId = null)
    {
        _ = PostgreSqlStorage.Describe(connectionString);
        services.AddSingleton(sp => PostgreSqlStorage.Create(connectionString, changeCheckInterval, sp.GetRequiredService<ILoggerFactory>(), nodeId, sp.GetService<TimeProvider>()));
        services.AddCitadelStore(sp => sp.GetRequiredService<PostgreSqlStorage>().Store);
        services.AddSingleton<IAuditJournalStore>(sp => sp.GetRequiredService<PostgreSqlStorage>().Store);
        services.AddSingleton(sp => sp.GetRequiredService<PostgreSqlStorage>().ChangeFeed);
        services.AddSingleton(sp => sp.GetRequiredService<PostgreSqlStorage>().JobLock);
        services.AddSingleton(sp => sp.GetRequiredService<PostgreSqlStorage>().Cluster);
        return services;
    }

    /// <summary>Where the database is, without credentials: host:port/database. Throws ArgumentException for a malformed connection string.</summary>
    public static string Describe(string connectionString) => PostgreSqlStorage.Describe(connectionString);
}
