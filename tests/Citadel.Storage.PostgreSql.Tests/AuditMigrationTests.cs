using Citadel.Core.Audit;
using Npgsql;

namespace Citadel.Storage.PostgreSql.Tests;

/// <summary>Migration 4 (audit lookups by resource) on a database that already holds events.</summary>
public sealed class AuditMigrationTests : PostgresTestBase
{
    private const string Account = "111122223333";
    private const string Key = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000000";
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public async Task Events_written_before_migration_4_are_found_by_resource_after_it()
    {
        var records = Enumerable.Range(1, 3).Select(i => new AuditRecord(
            "c1", i, Guid.NewGuid().ToString(), Now.AddHours(i * 7), Account, "Encrypt", "kms.amazonaws.com", null, null, Key, false, "{}", "p", $"h{i}")).ToList();
        await Store.AppendAsync("c1", records, CancellationToken.None);

        // Back to schema 3: the events as version 3 left them, without the hours table.
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var undo = connection.CreateCommand();
            undo.CommandText = """
                DROP TABLE audit_resource_hours;
                DROP INDEX audit_by_second_resource;
                CREATE INDEX audit_by_resource ON audit_events (resource_name, event_time);
                DELETE FROM schema_version WHERE version = 4;
                """;
            await undo.ExecuteNonQueryAsync();
        }

        var store = NewStore();
        await store.MigrateAsync(CancellationToken.None);
        var (found, next) = await store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.ResourceName, Key, 50, null), CancellationToken.None);

        Assert.Equal([3L, 2L, 1L], found.Select(r => r.Sequence).ToList());
        Assert.Null(next);
    }
}
