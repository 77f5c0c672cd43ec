using Citadel.Core.Audit;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>
/// The case both providers' migration tests run for audit lookups by resource (SQLite migration 6,
/// PostgreSQL migration 4): events written, the schema taken back to before the migration, the
/// migration run again, and the events found by resource.
/// </summary>
public static class ResourceHoursMigrationCase
{
    public static readonly AuditQuery ByKey = new(
        "111122223333", null, null, AuditLookupKey.ResourceName, "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000000", 50, null);

    /// <summary>Three events of the key, seven hours apart.</summary>
    public static List<AuditRecord> Records()
    {
        var now = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
        return Enumerable.Range(1, 3).Select(i => new AuditRecord(
            "c1", i, Guid.NewGuid().ToString(), now.AddHours(i * 7), ByKey.AccountId, "Encrypt", "kms.amazonaws.com", null, null, ByKey.AttributeValue, false, "{}", AuditChain.Genesis, $"{i:x64}")).ToList();
    }

    /// <summary>The events as the schema before <paramref name="migration"/> left them: no hours table, the old index by (resource, time).</summary>
    public static string Undo(int migration) => $"""
        DROP TABLE audit_resource_hours;
        DROP INDEX audit_by_second_resource;
        CREATE INDEX audit_by_resource ON audit_events (resource_name, event_time);
        DELETE FROM schema_version WHERE version = {migration};
        """;

    /// <summary>All three found, newest first, on one page.</summary>
    public static void AssertFound(IReadOnlyList<AuditRecord> found, AuditCursor? next)
    {
        Assert.Equal([3L, 2L, 1L], found.Select(r => r.Sequence).ToList());
        Assert.Null(next);
    }
}
