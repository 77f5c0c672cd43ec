using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// Journals left by a writer with journal stripes (<see cref="AuditOptions.JournalStripes"/>): a chain's
/// batches alternate between files (stripe A holds 1–10 and 21–30, stripe B 11–20 and 31–40), and the
/// drain, inspect and resolve merge them by sequence number.
/// </summary>
public sealed partial class AuditJournalTests
{
    [Fact]
    [Trait("Issue", "17")]
    public async Task Interleaved_journals_of_two_stripes_drain_merged_in_sequence_order_into_one_chain_without_gaps()
    {
        Frames(40);
        var a = WriteStripe([(1, 10), (21, 30)]);
        var b = WriteStripe([(11, 20), (31, 40)]);
        var store = new MemoryAuditStore();

        var last = await AuditJournal.CheckAsync(_directory, store, Chain, CancellationToken.None);
        Assert.Equal(40, last?.Sequence);
        var (lines, damaged) = await AuditJournal.InspectAsync(_directory, store, CancellationToken.None);
        Assert.False(damaged);
        Assert.Equal(
            [
                $"{a.Path}: chain {Chain}, {new FileInfo(a.Path).Length} bytes",
                "  20 events between 1 and 30 the store lacks (up to 30)",
                $"{b.Path}: chain {Chain}, {new FileInfo(b.Path).Length} bytes",
                "  20 events between 11 and 40 the store lacks (up to 40)",
            ],
            lines);

        Assert.Equal(40, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), store.Records.Select(r => r.Sequence));
        Assert.Empty((await IntactAsync(store)).Gaps);
        Assert.Empty(Directory.GetFiles(_directory));
        Assert.Equal(0, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Interleaved_journals_drain_after_what_the_store_has_already()
    {
        Frames(40);
        WriteStripe([(1, 10), (21, 30)]);
        WriteStripe([(11, 20), (31, 40)]);
        var store = new MemoryAuditStore();
        store.Records.AddRange(_frames.Take(15).Select(f => AuditFrame.Decode(f).ToRecord(Chain)));

        Assert.Equal(25, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), store.Records.Select(r => r.Sequence));
        Assert.True(AuditChain.Verify(Chain, store.Records, await store.GetChainHeadAsync(Chain, CancellationToken.None)).Intact);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_torn_tail_in_one_stripe_with_later_events_in_another_is_recorded_as_a_gap_that_verifies_and_no_intact_event_is_dropped()
    {
        // Stripe A's batch 21–30 was torn by the crash after event 23: 24 is cut short, 25–30 never reached the disk.
        Frames(40);
        var a = WriteStripe([(1, 10), (21, 23)], torn: 24);
        var b = WriteStripe([(11, 20), (31, 40)]);
        var store = new MemoryAuditStore();
        var logger = new EntryLogger();

        var (lines, damaged) = await AuditJournal.InspectAsync(_directory, store, CancellationToken.None);
        Assert.False(damaged);
        Assert.Contains($"  torn tail at byte {a.Offsets[^1]} after event 23: no later event follows it (a write a crash interrupted, never acknowledged, or the rest of an older event); dropped", lines);
        Assert.Equal($"chain {Chain}: events 24–30 in no journal, later ones are (a torn tail or a failed sync, never acknowledged): the drain records them as a gap", lines[^1]);

        Assert.Equal(34, await AuditJournal.DrainAsync(_directory, store, logger, CancellationToken.None));
        Assert.Equal(
            Enumerable.Range(1, 23).Select(i => ((long)i, "Encrypt")).Append((24L, "AuditGap")).Concat(Enumerable.Range(31, 10).Select(i => ((long)i, "Encrypt"))),
            store.Records.Select(r => (r.Sequence, r.EventName)));
        var verified = await IntactAsync(store);
        Assert.Equal($"records 24–30 were lost: events 24-30 were not made durable (the audit journal's write or commit failed, or the node stopped first), so their requests were not carried out (recorded as event {store.Records[23].EventId})", Assert.Single(verified.Gaps));
        Assert.Equal(
            [
                (1092, $"Audit events 24-30 of chain {Chain} are in no journal, while later events are (a stripe's torn tail or failed sync; never acknowledged): the gap is recorded in the chain"),
                (1090, $"Dropped what follows audit event 23 in the journal {a.Path} from byte {a.Offsets[^1]}: no intact event of a later number follows it, so it is a write a crash interrupted, never acknowledged (or what remains of an older event in a journal written again)"),
            ],
            logger.Entries.OrderByDescending(e => e.Id));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Damage_in_the_middle_of_one_stripe_stops_the_drain_and_resolve_keeps_every_intact_event_of_both_with_the_gap_recorded()
    {
        Frames(15);
        var a = WriteStripe([(1, 5), (11, 15)]);
        var b = WriteStripe([(6, 10)]);
        FlipByte(a.Path, a.Offsets[2] + 200);
        var store = new MemoryAuditStore();

        var error = await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.StartsWith($"the audit journal {a.Path} is damaged at byte {a.Offsets[2]}: after event 2 (the last intact one before it) 7 events between 4 and 15 follow intact, so event 3 would be lost. Nothing was moved or deleted", error.Message, StringComparison.Ordinal);
        Assert.Empty(store.Records);
        Assert.Equal(2, Directory.GetFiles(_directory).Length);
        Assert.True((await AuditJournal.InspectAsync(_directory, store, CancellationToken.None)).Damaged);
        await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.CheckAsync(_directory, store, Chain, CancellationToken.None));

        var done = await AuditJournal.ResolveAsync(_directory, store, TimeProvider.System, CancellationToken.None);

        Assert.Equal(new long[] { 1, 2, 3 }.Concat(Enumerable.Range(4, 12).Select(i => (long)i)), store.Records.Select(r => r.Sequence));
        Assert.Equal("AuditGap", store.Records[2].EventName);
        var verified = await IntactAsync(store);
        Assert.Equal($"record 3 was lost: the audit journal {Path.GetFileName(a.Path)} was damaged at byte {a.Offsets[2]}; set aside as {Path.GetFileName(a.Path)}.damaged (recorded as event {store.Records[2].EventId})", Assert.Single(verified.Gaps));
        Assert.Equal(
            [
                $"{a.Path}: event 3 lost at byte {a.Offsets[2]}; the gap is recorded in chain {Chain}",
                $"{a.Path}: 9 intact events moved into the store (10 records with the gaps); set aside as {a.Path}.damaged",
                $"{b.Path}: 5 events moved into the store; deleted",
            ],
            done);
        Assert.Equal([a.Path + ".damaged"], Directory.GetFiles(_directory));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Resolve_records_a_hole_no_stripe_holds_as_a_gap()
    {
        Frames(20);
        var a = WriteStripe([(1, 5), (16, 20)]);
        var b = WriteStripe([(6, 10)]);
        var store = new MemoryAuditStore();

        var done = await AuditJournal.ResolveAsync(_directory, store, TimeProvider.System, CancellationToken.None);

        Assert.Equal(
            [
                $"chain {Chain}: events 11–15 in no journal, later ones are (a torn tail or a failed sync, never acknowledged); the gap is recorded",
                $"{a.Path}: 10 events moved into the store; deleted",
                $"{b.Path}: 5 events moved into the store; deleted",
            ],
            done);
        Assert.Equal(Enumerable.Range(1, 11).Concat(Enumerable.Range(16, 5)).Select(i => (long)i), store.Records.Select(r => r.Sequence));
        Assert.True(AuditChain.Verify(Chain, store.Records, await store.GetChainHeadAsync(Chain, CancellationToken.None)).Intact);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_journal_written_one_file_at_a_time_by_an_older_version_still_drains()
    {
        Frames(12);
        WriteStripe([(7, 12)]);
        WriteStripe([(1, 6)]);
        var store = new MemoryAuditStore();

        Assert.Equal(12, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), store.Records.Select(r => r.Sequence));
        Assert.Empty(AuditChain.Verify(Chain, store.Records, await store.GetChainHeadAsync(Chain, CancellationToken.None)).Gaps);
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(2)]
    [InlineData(4)]
    public async Task A_writer_with_stripes_on_a_slow_disk_stopped_while_the_store_is_down_leaves_interleaved_journals_that_drain_into_one_chain(int stripes)
    {
        // Every sync takes 2 ms, as on a throttled disk: under concurrent requests several stripes are written.
        var store = new MemoryAuditStore { Down = true };
        var options = new AuditOptions { ChainId = Chain, JournalDirectory = _directory, SyncJournal = true, MaxBatch = 8, JournalStripes = stripes };
        using (var writer = new AuditWriter(store, options, NullLogger<AuditWriter>.Instance) { SyncFault = _ => { Thread.Sleep(2); return 0; } })
        {
            await writer.StartAsync(CancellationToken.None);
            await Task.WhenAll(Enumerable.Range(0, 400).Select(_ =>
            {
                var e = new AuditEvent();
                TestEvents.Fill(e, "Encrypt");
                return writer.RecordAsync(e).AsTask();
            })).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(400, writer.Durable);
            await writer.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }

        // The journals stay (the store did not take them) and hold the chain between them, interleaved.
        var journals = Directory.GetFiles(_directory, "*.journal");
        Assert.InRange(journals.Length, 2, stripes);
        store.Down = false;
        Assert.Equal(400, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), store.Records.Select(r => r.Sequence));
        Assert.Equal(400, store.Records.Select(r => r.EventId).Distinct().Count());
        Assert.Empty((await IntactAsync(store)).Gaps);
        Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
    }

    /// <summary>Frames 1 to <paramref name="count"/>, chained, as the writer seals them (in <see cref="_frames"/>).</summary>
    private void Frames(int count)
    {
        for (var sequence = 1; sequence <= count; sequence++)
        {
            NextFrame(sequence, "Encrypt");
        }
    }

    /// <summary>
    /// A journal as one stripe leaves it: the frames of <paramref name="runs"/> (first and last sequence number of
    /// each), then, with <paramref name="torn"/>, the first 300 bytes of that frame; the byte offset of each frame.
    /// </summary>
    private (string Path, List<int> Offsets) WriteStripe((int First, int Last)[] runs, int? torn = null)
    {
        using var journal = AuditJournal.Create(_directory, Chain, sync: false);
        var offsets = new List<int>();
        foreach (var (first, last) in runs)
        {
            for (var sequence = first; sequence <= last; sequence++)
            {
                offsets.Add((int)journal.Length);
                journal.Append(_frames[sequence - 1]);
            }
        }

        if (torn is { } cut)
        {
            offsets.Add((int)journal.Length);
            journal.Append(_frames[cut - 1].AsSpan(0, 300));
        }

        return (journal.Path, offsets);
    }
}
