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
