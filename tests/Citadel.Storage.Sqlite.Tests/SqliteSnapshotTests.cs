using Citadel.Core.Audit;

namespace Citadel.Storage.Sqlite.Tests;

/// <summary>The copy `citadel backup` takes of a live database: the database as of one moment, whatever is written after it.</summary>
[Trait("Issue", "22")]
public sealed class SqliteSnapshotTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-snapshot-").FullName;

    private string Database => Path.Combine(_directory, "citadel.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_copy_holds_the_database_as_of_its_moment_and_not_what_was_written_after()
    {
        await using var store = new SqliteStore(Database);
        await store.MigrateAsync(CancellationToken.None);
        await store.PutRootKeyCheckAsync([1, 2, 3], DateTimeOffset.UnixEpoch, CancellationToken.None);
        await store.CreateAccountAsync("111111111111", DateTimeOffset.UnixEpoch, CancellationToken.None);
        var copy = Path.Combine(_directory, "copy.db");
        File.WriteAllBytes(copy, []);

        using (var moment = SqliteSnapshot.Begin(Database))
        {
            await store.CreateAccountAsync("222222222222", DateTimeOffset.UnixEpoch, CancellationToken.None);
            moment.CopyTo(copy);
        }

        await using var copied = new SqliteStore(copy);
        Assert.Equal(["111111111111"], await copied.ListAccountsAsync(CancellationToken.None));
        var (schemaVersion, rootKeyCheck) = SqliteSnapshot.Describe(copy);
        Assert.Equal(SqliteSnapshot.KnownSchemaVersion, schemaVersion);
        Assert.Equal([1, 2, 3], rootKeyCheck);
        Assert.Equal(["111111111111", "222222222222"], await store.ListAccountsAsync(CancellationToken.None));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_copy_names_each_audit_chains_head_as_of_its_moment()
    {
        await using var store = new SqliteStore(Database);
        await store.MigrateAsync(CancellationToken.None);
        await store.AppendAsync("node-a", Records("node-a", 1, 3), CancellationToken.None);
        await store.AppendAsync("node-b", Records("node-b", 1, 2), CancellationToken.None);
        var copy = Path.Combine(_directory, "copy.db");
        File.WriteAllBytes(copy, []);

        using (var moment = SqliteSnapshot.Begin(Database))
        {
            await store.AppendAsync("node-a", Records("node-a", 4, 5), CancellationToken.None);
            moment.CopyTo(copy);
        }

        Assert.Equal(new Dictionary<string, long> { ["node-a"] = 3, ["node-b"] = 2 }, SqliteSnapshot.ChainHeads(copy));
        Assert.Equal(5, SqliteSnapshot.ChainHeads(Database)["node-a"]);
    }

    private static List<AuditRecord> Records(string chainId, int first, int last) =>
        Enumerable.Range(first, last - first + 1).Select(i => new AuditRecord(
            chainId, i, Guid.NewGuid().ToString(), DateTimeOffset.UnixEpoch.AddSeconds(i), "111111111111", "Encrypt", "kms.amazonaws.com", "alice", "AKIDALICE", null, false, "{}", $"hash{i - 1}", $"hash{i}")).ToList();
}
