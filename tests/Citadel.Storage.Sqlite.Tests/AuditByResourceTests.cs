using Citadel.Core.Audit;

namespace Citadel.Storage.Sqlite.Tests;

/// <summary>Which (resource, hour) rows a batch of audit records needs written, and which it does not.</summary>
public sealed class AuditByResourceTests
{
    private const string Key = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000000";
    private const long Hour = 490_000;

    private static AuditRecord At(long timeMs, string? resource = Key) => new(
        "c1", 1, "e", DateTimeOffset.FromUnixTimeMilliseconds(timeMs), "111122223333", "Encrypt", "kms.amazonaws.com", null, null, resource, false, "{}", "p", "h");

    private static long Start(long hour) => hour * AuditByResource.MsPerHour;

    [Fact]
    public void An_event_before_its_resources_moment_of_the_hour_needs_the_row_of_its_hour_only()
    {
        var byResource = new AuditByResource();

        var pairs = byResource.Unwritten([At(Start(Hour)), At(Start(Hour) + 1, null)]);

        Assert.Equal([(Key, Hour)], pairs);
    }

    [Fact]
    public void An_event_past_its_resources_moment_needs_the_next_hours_row_too_so_the_hour_does_not_start_with_every_resource_writing()
    {
        var byResource = new AuditByResource();
        var late = Start(Hour) + AuditByResource.Spread(Key);

        var pairs = byResource.Unwritten([At(late - 1), At(late)]);
        byResource.Committed(pairs);

        Assert.Equal([(Key, Hour), (Key, Hour + 1)], pairs);
        Assert.Empty(byResource.Unwritten([At(Start(Hour + 1)), At(Start(Hour) + Math.Min(5, AuditByResource.Spread(Key) - 1))]));
    }

    [Fact]
    public void Rows_are_needed_again_until_their_batch_has_committed_and_for_hours_no_longer_remembered()
    {
        var byResource = new AuditByResource();
        var first = byResource.Unwritten([At(Start(Hour))]);

        Assert.Equal(first, byResource.Unwritten([At(Start(Hour))]));

        byResource.Committed(first);
        byResource.Committed(byResource.Unwritten([At(Start(Hour + 3))]));

        Assert.Equal([(Key, Hour)], byResource.Unwritten([At(Start(Hour))]));
        Assert.Empty(byResource.Unwritten([At(Start(Hour + 3))]));
    }

    [Fact]
    [Trait("Issue", "17")]
    public void Rows_remembered_as_written_are_needed_again_once_forgotten_after_the_store_lost_their_commits()
    {
        var byResource = new AuditByResource();
        var late = Start(Hour) + AuditByResource.Spread(Key);
        byResource.Committed(byResource.Unwritten([At(late)]));

        byResource.Forget();

        Assert.Equal([(Key, Hour), (Key, Hour + 1)], byResource.Unwritten([At(late)]));
    }

    [Fact]
    public void Utf8_records_need_the_same_rows_as_their_strings()
    {
        var byResource = new AuditByResource();
        var late = Start(Hour) + AuditByResource.Spread(Key);
        var record = new AuditRecordUtf8(1, late, false, "e"u8.ToArray(), "a"u8.ToArray(), "Encrypt"u8.ToArray(), "kms"u8.ToArray(),
            null, null, System.Text.Encoding.UTF8.GetBytes(Key), "{}"u8.ToArray(), new byte[32], new byte[32]);

        Assert.Equal(byResource.Unwritten([At(late)]), byResource.Unwritten([record]));
    }
}
