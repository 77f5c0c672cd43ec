using Citadel.Core.Audit;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>The audit trail's lookups, above all by resource: across seconds, hours and days, in pages, in a time range.</summary>
public abstract partial class StoreContractTests
{
    private const string KeyA = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000000";
    private const string KeyB = "arn:aws:kms:us-east-1:111122223333:key/bbbbbbbb-0000-0000-0000-000000000000";

    private IAuditStore Audit => (IAuditStore)Store;

    /// <summary>Appends one batch to chain "c1" after what is there, one record per (resource, time).</summary>
    private async Task<List<AuditRecord>> AppendEventsAsync(params (string? Resource, DateTimeOffset Time)[] events)
    {
        var head = await Audit.GetChainHeadAsync("c1", Ct);
        var next = (head?.Sequence ?? 0) + 1;
        var records = events.Select((e, i) => new AuditRecord(
            "c1", next + i, Guid.NewGuid().ToString(), e.Time, Account, "Encrypt", "kms.amazonaws.com", "alice", "AKIDALICE",
            e.Resource, false, "{}", AuditChain.Genesis, $"{next + i:x64}")).ToList();
        await Audit.AppendAsync("c1", records, Ct);
        return records;
    }

    private async Task<List<AuditRecord>> LookupAllByResourceAsync(string resource, int pageSize, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var all = new List<AuditRecord>();
        AuditCursor? after = null;
        do
        {
            var (records, next) = await Audit.LookupAsync(new AuditQuery(Account, from, to, AuditLookupKey.ResourceName, resource, pageSize, after), Ct);
            Assert.True(records.Count <= pageSize);
            all.AddRange(records);
            after = next;
        }
        while (after is not null);

        return all;
    }

    private static List<long> NewestFirst(IEnumerable<AuditRecord> records) =>
        records.OrderByDescending(r => r.EventTime).ThenByDescending(r => r.Sequence).Select(r => r.Sequence).ToList();

    [Fact]
    public async Task Lookup_by_resource_pages_through_every_event_of_the_resource_newest_first_across_seconds_hours_and_days()
    {
        var written = await AppendEventsAsync(
            (KeyA, Now),
            (KeyB, Now),
            (KeyA, Now.AddMilliseconds(999)),
            (KeyA, Now.AddSeconds(1)),
            (null, Now.AddSeconds(1)),
            (KeyA, Now.AddMinutes(59)),
            (KeyA, Now.AddHours(1)),
            (KeyB, Now.AddHours(2)),
            (KeyA, Now.AddDays(3)));
        written.AddRange(await AppendEventsAsync((KeyA, Now.AddDays(3)), (KeyA, Now.AddDays(-40))));

        var found = await LookupAllByResourceAsync(KeyA, pageSize: 2);

        Assert.Equal(NewestFirst(written.Where(r => r.ResourceName == KeyA)), found.Select(r => r.Sequence).ToList());
        Assert.All(found, r => Assert.Equal(KeyA, r.ResourceName));
        Assert.Equal(written.Single(r => r.Sequence == found[^1].Sequence), found[^1]);
    }

    [Fact]
    public async Task Lookup_by_resource_keeps_to_the_time_range_to_the_millisecond()
    {
        var written = await AppendEventsAsync(
            (KeyA, Now.AddMilliseconds(-1)),
            (KeyA, Now),
            (KeyA, Now.AddMilliseconds(500)),
            (KeyA, Now.AddHours(5)),
            (KeyA, Now.AddHours(5).AddMilliseconds(1)));

        var found = await LookupAllByResourceAsync(KeyA, pageSize: 50, from: Now, to: Now.AddHours(5));

        Assert.Equal(NewestFirst(written.Skip(1).Take(3)), found.Select(r => r.Sequence).ToList());
    }

    [Fact]
    public async Task Lookup_by_resource_finds_events_of_one_hour_written_in_separate_batches()
    {
        var first = await AppendEventsAsync((KeyA, Now), (KeyB, Now));
        var second = await AppendEventsAsync((KeyB, Now.AddSeconds(1)), (KeyA, Now.AddSeconds(2)));

        var found = await LookupAllByResourceAsync(KeyB, pageSize: 50);

        Assert.Equal([second[0].Sequence, first[1].Sequence], found.Select(r => r.Sequence).ToList());
    }

    [Fact]
    public async Task Lookup_by_resource_does_not_return_another_accounts_events()
    {
        await AppendEventsAsync((KeyA, Now));

        var (records, next) = await Audit.LookupAsync(new AuditQuery("444455556666", null, null, AuditLookupKey.ResourceName, KeyA, 50, null), Ct);

        Assert.Empty(records);
        Assert.Null(next);
    }

    [Fact]
    public async Task Lookup_by_resource_after_retention_returns_the_events_kept()
    {
        var old = await AppendEventsAsync((KeyA, Now.AddDays(-10)), (KeyB, Now.AddDays(-10)));
        var kept = await AppendEventsAsync((KeyA, Now), (KeyB, Now.AddSeconds(1)));

        var deleted = await Audit.DeleteOlderThanAsync(Now.AddDays(-1), Ct);
        var again = await AppendEventsAsync((KeyA, Now.AddSeconds(2)));

        Assert.Equal(old.Count, deleted);
        Assert.Equal([again[0].Sequence, kept[0].Sequence], (await LookupAllByResourceAsync(KeyA, pageSize: 1)).Select(r => r.Sequence).ToList());
        Assert.Equal([kept[1].Sequence], (await LookupAllByResourceAsync(KeyB, pageSize: 1)).Select(r => r.Sequence).ToList());
    }

    [Fact]
    public async Task Records_appended_as_utf8_bytes_read_back_as_the_same_records()
    {
        static ReadOnlyMemory<byte> Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
        var hashes = Enumerable.Range(0, 3).Select(i => Enumerable.Repeat((byte)(0xA0 + i), 32).ToArray()).ToArray();
        AuditRecordUtf8[] records =
        [
            new(1, Now.ToUnixTimeMilliseconds(), false, Utf8("e-1"), Utf8(Account), Utf8("Encrypt"), Utf8("kms.amazonaws.com"),
                Utf8("alice"), Utf8("AKIDALICE"), Utf8(KeyA), Utf8("""{"eventName":"Encrypt","ü":"✓"}"""), hashes[0], hashes[1]),
            new(2, Now.AddSeconds(1).ToUnixTimeMilliseconds(), true, Utf8("e-2"), Utf8(Account), Utf8("ListKeys"), Utf8("kms.amazonaws.com"),
                null, null, null, Utf8("{}"), hashes[1], hashes[2]),
            new(3, Now.AddSeconds(2).ToUnixTimeMilliseconds(), false, Utf8("e-3"), Utf8(Account), Utf8("Decrypt"), Utf8("kms.amazonaws.com"),
                Utf8(""), Utf8(""), Utf8(""), Utf8("{}"), hashes[2], hashes[0]),
        ];

        await Audit.AppendAsync("c1", records, Ct);

        var stored = new List<AuditRecord>();
        await foreach (var record in Audit.ReadChainAsync("c1", 1, Ct))
        {
            stored.Add(record);
        }

        Assert.Equal(records.Select(r => r.ToRecord("c1")), stored);
        Assert.Equal("a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2", stored[1].Hash);
        Assert.Equal(("", "", ""), (stored[2].Username, stored[2].AccessKeyId, stored[2].ResourceName));
        Assert.Equal(new AuditChainHead("c1", 3, stored[2].Hash, 1), await Audit.GetChainHeadAsync("c1", Ct));
        Assert.Equal([1L], (await LookupAllByResourceAsync(KeyA, pageSize: 50)).Select(r => r.Sequence));
    }

    /// <summary>
    /// Event ids as the service makes them (version 7, of the event's millisecond), as older versions made them (random), and a
    /// version-7 id of another time: each found alone, within the query's account and time range, in one or more batches.
    /// </summary>
    [Fact]
    [Trait("Issue", "17")]
    public async Task Lookup_by_event_id_finds_version_7_ids_random_ids_and_version_7_ids_not_of_their_time()
    {
        var head = (await Audit.GetChainHeadAsync("c1", Ct))?.Sequence ?? 0;
        string[] ids = [Guid.CreateVersion7(Now.AddSeconds(1)).ToString(), Guid.NewGuid().ToString(), Guid.CreateVersion7(Now.AddDays(-3)).ToString(), Guid.CreateVersion7(Now.AddSeconds(4)).ToString()];
        var records = ids.Select((id, i) => new AuditRecord(
            "c1", head + i + 1, id, Now.AddSeconds(i + 1), Account, "Encrypt", "kms.amazonaws.com", "alice", "AKIDALICE", KeyA, false, "{}", AuditChain.Genesis, $"{i:x64}")).ToList();
        await Audit.AppendAsync("c1", records[..2], Ct);
        await Audit.AppendAsync("c1", records[2..], Ct);

        foreach (var record in records)
        {
            var (found, next) = await Audit.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventId, record.EventId, 50, null), Ct);
            Assert.Equal([record.Sequence], found.Select(r => r.Sequence));
            Assert.Null(next);
            Assert.Equal(record, found[0]);

            var (inRange, _) = await Audit.LookupAsync(new AuditQuery(Account, record.EventTime, record.EventTime, AuditLookupKey.EventId, record.EventId, 50, null), Ct);
            Assert.Single(inRange);
            var (before, _) = await Audit.LookupAsync(new AuditQuery(Account, null, record.EventTime.AddMilliseconds(-1), AuditLookupKey.EventId, record.EventId, 50, null), Ct);
            Assert.Empty(before);
            var (otherAccount, _) = await Audit.LookupAsync(new AuditQuery("444455556666", null, null, AuditLookupKey.EventId, record.EventId, 50, null), Ct);
            Assert.Empty(otherAccount);
        }

        foreach (var unknown in new[] { Guid.CreateVersion7(Now.AddSeconds(1)).ToString(), Guid.NewGuid().ToString(), "not-an-id", "" })
        {
            var (found, _) = await Audit.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventId, unknown, 50, null), Ct);
            Assert.Empty(found);
        }
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Lookup_by_event_id_after_retention_finds_the_events_kept_only()
    {
        var old = await AppendEventsAsync((KeyA, Now.AddDays(-10)), (KeyB, Now.AddDays(-10)));
        var kept = await AppendEventsAsync((KeyA, Now));

        await Audit.DeleteOlderThanAsync(Now.AddDays(-1), Ct);

        foreach (var (record, expected) in old.Select(r => (r, 0)).Append((kept[0], 1)))
        {
            var (found, _) = await Audit.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventId, record.EventId, 50, null), Ct);
            Assert.Equal(expected, found.Count);
        }
    }

    /// <summary>Many events of few resources in one second, batch after batch: a page boundary inside a batch's run of one resource.</summary>
    [Fact]
    [Trait("Issue", "17")]
    public async Task Lookup_by_resource_pages_through_interleaved_resources_of_one_second_written_in_several_batches()
    {
        var second = Now.AddMilliseconds(-Now.Millisecond);
        var written = new List<AuditRecord>();
        for (var batch = 0; batch < 3; batch++)
        {
            written.AddRange(await AppendEventsAsync(Enumerable.Range(0, 20).Select(i => ((string?)(i % 3 == 0 ? KeyB : KeyA), second.AddMilliseconds((batch * 20) + i))).ToArray()));
        }

        var found = await LookupAllByResourceAsync(KeyA, pageSize: 7);

        Assert.Equal(NewestFirst(written.Where(r => r.ResourceName == KeyA)), found.Select(r => r.Sequence).ToList());
        Assert.Equal(NewestFirst(written.Where(r => r.ResourceName == KeyB)), (await LookupAllByResourceAsync(KeyB, pageSize: 5)).Select(r => r.Sequence).ToList());
    }
}
