using Citadel.Server.Cluster;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Server.Hosting;

/// <summary>Registers the composed store with what comes with it: the change feed that keeps caches of several nodes fresh, and the job lock.</summary>
internal static class StorageRegistration
{
    /// <summary>Registers the store of <see cref="ServerSettings.Storage"/> under each of its contracts (see StoreServices), IChangeFeed and IJobLock; returns the provider's name and location for the start-up log.</summary>
    public static (string Provider, string Location) AddStorage(IServiceCollection services, ServerSettings settings)
    {
        var provider = Provider(settings);
        services.AddSingleton<CacheInvalidator>();
        services.AddHostedService<ChangeFeedService>();
        var location = provider.Register(services, new StorageLocation(settings.DataDirectory)
        {
            ConnectionString = settings.PostgresConnectionString,
            DurableSync = settings.Durability == Durability.Full,
            ChangeCheckInterval = settings.ChangeCheckInterval,
            NodeId = settings.Audit.ChainId,
            BeforeOpen = OwnerOnly.CreateFile,
        });
        return (provider.Name, location);
    }

    /// <summary>The composed provider; a program that embeds the server and forgot it is told what to set.</summary>
    public static IStorageProvider Provider(ServerSettings settings) =>
        settings.Storage ?? throw new InvalidOperationException("ServerSettings.Storage is not set: the program that hosts the server composes a storage provider (SqliteStorageProvider.Instance or PostgreSqlStorageProvider.Instance).");
}
