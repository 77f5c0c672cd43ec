using Citadel.Server.Hosting;
using Citadel.Storage;
using Citadel.Storage.Cluster;
using Citadel.Storage.PostgreSql;
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
        StorageRegistration.AddStorage(services, new ServerSettings { DataDirectory = _directory, Storage = SqliteStorageProvider.Instance });
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
        var settings = new ServerSettings { DataDirectory = _directory, Storage = PostgreSqlStorageProvider.Instance, PostgresConnectionString = "Host=127.0.0.1;Port=1;Database=citadel;Username=citadel" };

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
        StorageRegistration.AddStorage(services, new ServerSettings { DataDirectory = _directory, Storage = SqliteStorageProvider.Instance });
        await using var replacement = new SqliteStore(Path.Combine(_directory, "other.db"), durableSync: false);
        services.AddCitadelStore(_ => replacement);
        await using var provider = services.BuildServiceProvider();

        Assert.Same(replacement, provider.GetRequiredService<IStore>());
        Assert.Same(replacement, provider.GetRequiredService<IStoreStatistics>());
        Assert.Same(replacement, provider.GetRequiredKeyedService<IAuditStore>(StoreServices.AuditTrail));
    }

    [Fact]
    public void A_server_without_a_composed_storage_provider_is_told_what_to_set()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<InvalidOperationException>(() => StorageRegistration.AddStorage(services, new ServerSettings { DataDirectory = _directory }));

        Assert.Equal("ServerSettings.Storage is not set: the program that hosts the server composes a storage provider (SqliteStorageProvider.Instance or PostgreSqlStorageProvider.Instance).", error.Message);
        Assert.Empty(services);
    }

    [Fact]
    public void The_postgresql_provider_without_a_connection_string_says_what_to_pass_and_registers_nothing()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<InvalidOperationException>(() => StorageRegistration.AddStorage(services, new ServerSettings { DataDirectory = _directory, Storage = PostgreSqlStorageProvider.Instance }));

        Assert.Equal("Storage PostgreSql needs a connection string (--postgres \"Host=…;Database=…;Username=…\").", error.Message);
    }

    [Fact]
    public void Opening_a_sqlite_data_directory_that_holds_no_database_creates_nothing()
    {
        var missing = Path.Combine(_directory, "nothing-here");

        var error = Assert.Throws<InvalidOperationException>(() => SqliteStorageProvider.Instance.Open(new StorageLocation(missing)));

        Assert.Equal($"no data directory at {missing}: pass --data-dir or start a server first.", error.Message);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task The_postgresql_provider_opens_a_store_with_its_shared_journal_without_connecting()
    {
        await using var opened = PostgreSqlStorageProvider.Instance.Open(new StorageLocation(_directory) { ConnectionString = "Host=127.0.0.1;Port=1;Database=citadel;Username=citadel;Password=secret" });

        Assert.Equal("127.0.0.1:1/citadel", opened.Location);
        Assert.Same(opened.Store, opened.Audit);
        Assert.Same(opened.Store, opened.Journal);
    }
}
