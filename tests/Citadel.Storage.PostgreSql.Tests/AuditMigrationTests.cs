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

    [Fact]
    public async Task A_database_migrated_by_a_later_version_is_refused_with_what_to_run()
    {
        var newer = PostgreSqlMigrations.All.Max(m => m.Version) + 1;
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var add = connection.CreateCommand();
            add.CommandText = $"INSERT INTO schema_version (version, description) VALUES ({newer}, 'a later step');";
            await add.ExecuteNonQueryAsync();
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => NewStore().MigrateAsync(CancellationToken.None));
        Assert.Equal($"The database's schema is at version {newer}, newer than this Citadel knows ({newer - 1}): a later version of Citadel has upgraded it. Run that version or a later one; an older one must not write to it.", refused.Message);
    }
}
