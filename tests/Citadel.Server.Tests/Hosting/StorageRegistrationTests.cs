using Citadel.Server.Hosting;
using Citadel.Storage;
using Citadel.Storage.Cluster;
using Citadel.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Server.Tests.Hosting;

public sealed class StorageRegistrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-registration-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_sqlite_store_is_registered_under_every_aggregate_contract_as_one_instance()
    {
        var services = new ServiceCollection();
        StorageRegistration.AddStorage(services, new ServerSettings { DataDirectory = _directory, Storage = StorageProvider.Sqlite });
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IStore>();

        Assert.Same(store, provider.GetRequiredService<IKeyStore>());
        Assert.Same(store, provider.GetRequiredService<IKeyMaterialStore>());
        Assert.Same(store, provider.GetRequiredService<IAliasStore>());
        Assert.Same(store, provider.GetRequiredService<IGrantStore>());
        Assert.Same(store, provider.GetRequiredService<IIdentityStore>());
        Assert.Same(store, provider.GetRequiredService<IAccessKeyLookup>());
        Assert.Same(store, provider.GetRequiredService<IRootKeyStore>());
        Assert.Same(store, provider.GetRequiredService<IStoreStatistics>());
        Assert.Same(store, provider.GetRequiredKeyedService<IAuditStore>(StoreServices.AuditTrail));
        Assert.Null(provider.GetService<IAuditJournalStore>());
    }

    [Fact]
    public async Task The_postgresql_store_is_registered_with_its_journal_change_feed_job_lock_and_cluster_view_without_connecting()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var settings = new ServerSettings { DataDirectory = _directory, Storage = StorageProvider.PostgreSql, PostgresConnectionString = "Host=127.0.0.1;Port=1;Database=citadel;Username=citadel" };

        var (provider, location) = StorageRegistration.AddStorage(services, settings);
        await using var built = services.BuildServiceProvider();

        Assert.Equal(("postgresql", "127.0.0.1:1/citadel"), (provider, location));
        var store = built.GetRequiredService<IStore>();
        Assert.Same(store, built.GetRequiredService<IAuditJournalStore>());
        Assert.Same(store, built.GetRequiredService<IStoreStatistics>());
        Assert.Same(store, built.GetRequiredKeyedService<IAuditStore>(StoreServices.AuditTrail));
        Assert.NotSame(SingleNode.Instance, built.GetRequiredService<IChangeFeed>());
        Assert.NotSame(SingleNode.Instance, built.GetRequiredService<IJobLock>());
        Assert.NotNull(built.GetRequiredService<IClusterView>());
    }

    [Fact]
    public async Task A_store_registered_again_replaces_the_first_for_every_contract()
    {
        var services = new ServiceCollection();
        StorageRegistration.AddStorage(services, new ServerSettings { DataDirectory = _directory, Storage = StorageProvider.Sqlite });
        await using var replacement = new SqliteStore(Path.Combine(_directory, "other.db"), durableSync: false);
        services.AddCitadelStore(_ => replacement);
        await using var provider = services.BuildServiceProvider();

        Assert.Same(replacement, provider.GetRequiredService<IStore>());
        Assert.Same(replacement, provider.GetRequiredService<IStoreStatistics>());
        Assert.Same(replacement, provider.GetRequiredKeyedService<IAuditStore>(StoreServices.AuditTrail));
    }
}
