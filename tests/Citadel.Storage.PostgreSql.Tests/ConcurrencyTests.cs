using Citadel.Core.Keys;

namespace Citadel.Storage.PostgreSql.Tests;

/// <summary>What two nodes writing at once must never produce: a lost update, an orphan, a half-applied schema.</summary>
[Trait("Issue", "9")]
public sealed class ConcurrencyTests : PostgresTestBase
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static KeyRecord NewKey() => new()
    {
        Id = KeyId.New(),
        AccountId = "111122223333",
        Region = "us-east-1",
        CreatedAt = Now,
        State = KeyState.Enabled,
        Policy = "{}",
        CurrentKeyMaterialId = new string('a', 64),
    };

    [Fact]
    public async Task Of_updates_racing_from_the_same_row_version_exactly_one_succeeds()
    {
        var key = NewKey();
        await Store.CreateKeyAsync(key, null, [], CancellationToken.None);
        var stored = (await Store.GetKeyAsync(key.Id, CancellationToken.None))!;
        var stores = Enumerable.Range(0, 4).Select(_ => NewStore()).ToArray();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            stores[i % 4].UpdateKeyAsync(stored with { Description = $"writer {i}" }, null, CancellationToken.None)));
        var final = await Store.GetKeyAsync(key.Id, CancellationToken.None);

        Assert.Single(outcomes, o => o == StoreOutcome.Success);
        Assert.All(outcomes, o => Assert.True(o is StoreOutcome.Success or StoreOutcome.VersionConflict));
        Assert.Equal(stored.RowVersion + 1, final!.RowVersion);
    }

    [Fact]
    public async Task Aliases_and_tags_racing_the_deletion_of_their_key_never_outlive_it()
    {
        var writer = NewStore();
        for (var round = 0; round < 20; round++)
        {
            var key = NewKey();
            await Store.CreateKeyAsync(key, null, [], CancellationToken.None);
            var stored = (await Store.GetKeyAsync(key.Id, CancellationToken.None))!;
            var name = $"alias/r{round}";

            var delete = Store.DeleteKeyAsync(stored, CancellationToken.None);
            var alias = writer.CreateAliasAsync(new AliasRecord("111122223333", "us-east-1", name, key.Id, Now, Now), CancellationToken.None);
            var tags = writer.ChangeTagsAsync(key.Id, [new Tag("t", "v")], [], CancellationToken.None);
            await Task.WhenAll(delete, alias, tags);

            Assert.Equal(StoreOutcome.Success, await delete);
            Assert.True(await alias is StoreOutcome.Success or StoreOutcome.NotFound);
            Assert.True(await tags is StoreOutcome.Success or StoreOutcome.NotFound);
            Assert.Null(await Store.GetAliasAsync("111122223333", "us-east-1", name, CancellationToken.None));
            Assert.Empty(await Store.ListTagsAsync(key.Id, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Nodes_migrating_an_empty_database_at_once_apply_each_step_once()
    {
        var connectionString = await Server.CreateSchemaAsync();
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgreSqlStore(Npgsql.NpgsqlDataSource.Create(connectionString), ownsDataSource: true)).ToArray();

        await Task.WhenAll(stores.Select(s => s.MigrateAsync(CancellationToken.None)));
        var key = NewKey();
        var created = await stores[3].CreateKeyAsync(key, null, [], CancellationToken.None);
        var schema = connectionString[(connectionString.LastIndexOf('=') + 1)..];
        var steps = await Server.ScalarAsync("postgres", $"SELECT count(*) FROM \"{schema}\".schema_version;");
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        Assert.Equal(StoreOutcome.Success, created);
        Assert.Equal((long)PostgreSqlMigrations.All.Count, steps);
    }
}
