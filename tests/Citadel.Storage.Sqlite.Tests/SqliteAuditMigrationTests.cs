using Citadel.Storage.Tests.StoreContract;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite.Tests;

/// <summary>Migration 6 (audit lookups by resource) on a database that already holds events.</summary>
public sealed class SqliteAuditMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-migration-").FullName;

    private string DatabasePath => Path.Combine(_directory, "citadel.db");

    [Fact]
    public async Task Events_written_before_migration_6_are_found_by_resource_after_it()
    {
        var records = ResourceHoursMigrationCase.Records();
        await using (var store = new SqliteStore(DatabasePath, durableSync: false))
        {
            await store.MigrateAsync(CancellationToken.None);
            await store.AppendAsync("c1", records, CancellationToken.None);
        }

        // Back to schema 5: the events as version 5 left them, without the hours table.
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var undo = connection.CreateCommand();
            undo.CommandText = SqliteAuditIndexMigrationTests.Undo14 + ResourceHoursMigrationCase.Undo(6);
            await undo.ExecuteNonQueryAsync();
        }

        await using (var store = new SqliteStore(DatabasePath, durableSync: false))
        {
            await store.MigrateAsync(CancellationToken.None);
            var (found, next) = await store.LookupAsync(ResourceHoursMigrationCase.ByKey, CancellationToken.None);
            ResourceHoursMigrationCase.AssertFound(found, next);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>A database a later Citadel migrated is refused, not written to.</summary>
public sealed class SqliteNewerSchemaTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-newer-").FullName;

    private string DatabasePath => Path.Combine(_directory, "citadel.db");

    [Fact]
    public async Task A_database_migrated_by_a_later_version_is_refused_with_what_to_run_and_is_left_as_it_is()
    {
        await using (var store = new SqliteStore(DatabasePath, durableSync: false))
        {
            await store.MigrateAsync(CancellationToken.None);
        }

        var newer = Citadel.Storage.Sqlite.SqliteMigrations.All.Max(m => m.Version) + 1;
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var add = connection.CreateCommand();
            add.CommandText = $"INSERT INTO schema_version (version, description, applied_at) VALUES ({newer}, 'a later step', '2030-01-01T00:00:00Z');";
            await add.ExecuteNonQueryAsync();
        }

        await using (var store = new SqliteStore(DatabasePath, durableSync: false))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.MigrateAsync(CancellationToken.None));
            Assert.Equal($"The database's schema is at version {newer}, newer than this Citadel knows ({newer - 1}): a later version of Citadel has upgraded it. Run that version or a later one; an older one must not write to it.", refused.Message);
        }

        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM schema_version;";
            Assert.Equal((long)newer, (long)(await count.ExecuteScalarAsync())!);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
