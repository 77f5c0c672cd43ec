using Citadel.Storage.Tests.StoreContract;
using Npgsql;

namespace Citadel.Storage.PostgreSql.Tests;

/// <summary>Migration 4 (audit lookups by resource) on a database that already holds events.</summary>
public sealed class AuditMigrationTests : PostgresTestBase
{
    [Fact]
    public async Task Events_written_before_migration_4_are_found_by_resource_after_it()
    {
        await Store.AppendAsync("c1", ResourceHoursMigrationCase.Records(), CancellationToken.None);

        // Back to schema 3: the events as version 3 left them, without the hours table.
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var undo = connection.CreateCommand();
            undo.CommandText = ResourceHoursMigrationCase.Undo(4);
            await undo.ExecuteNonQueryAsync();
        }

        var store = NewStore();
        await store.MigrateAsync(CancellationToken.None);
        var (found, next) = await store.LookupAsync(ResourceHoursMigrationCase.ByKey, CancellationToken.None);
        ResourceHoursMigrationCase.AssertFound(found, next);
    }
}
