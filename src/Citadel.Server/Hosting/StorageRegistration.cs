using Citadel.Server.Cluster;
using Citadel.Storage.PostgreSql;
using Citadel.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Server.Hosting;

/// <summary>Registers the configured store with what comes with it: the change feed that keeps caches of several nodes fresh, and the job lock.</summary>
internal static class StorageRegistration
{
    /// <summary>Registers the store under each of its contracts (see StoreServices), IChangeFeed and IJobLock; returns the provider's name and location for the start-up log.</summary>
    public static (string Provider, string Location) AddStorage(IServiceCollection services, ServerSettings settings)
    {
        services.AddSingleton<CacheInvalidator>();
        services.AddHostedService<ChangeFeedService>();
        switch (settings.Storage)
        {
            case StorageProvider.Sqlite:
                var path = Path.Combine(settings.DataDirectory, "citadel.db");
                services.AddCitadelSqlite(path, durableSync: settings.Durability == Durability.Full, beforeOpen: OwnerOnly.CreateFile);
                return ("sqlite", Path.GetFullPath(path));

            case StorageProvider.PostgreSql:
                if (string.IsNullOrWhiteSpace(settings.PostgresConnectionString))
                {
                    throw new InvalidOperationException("Storage PostgreSql needs a connection string (--postgres \"Host=…;Database=…;Username=…\").");
                }

                string location;
                try
                {
                    location = PostgreSqlServices.Describe(settings.PostgresConnectionString);
                    services.AddCitadelPostgreSql(settings.PostgresConnectionString, settings.ChangeCheckInterval, settings.Audit.ChainId);
                }
                catch (ArgumentException exception)
                {
                    throw new InvalidOperationException($"The PostgreSQL connection string is not valid: {exception.Message}", exception);
                }

                return ("postgresql", location);

            default:
                throw new InvalidOperationException($"Storage must be Sqlite or PostgreSql, but was '{settings.Storage}'.");
        }
    }
}
