using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Server.Tests.Audit;

/// <summary>The audit journal in the shared database (PostgreSQL): several commits in flight, answered in order, holes recorded.</summary>
[Trait("Issue", "17")]
public sealed class AuditSharedJournalTests : IDisposable
{
    private const string Chain = "node-a";

    /// <summary>Long enough for the writer to start a commit it should not start, or answer a request it should not answer.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private readonly MemoryJournalStore _store = new();
    private readonly AuditWriter _writer;

    public AuditSharedJournalTests() =>
        _writer = new AuditWriter(_store, new AuditOptions { ChainId = Chain, MaxBatch = 1 }, NullLogger<AuditWriter>.Instance, _store);

    public void Dispose()
    {
        _writer.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Three_journal_commits_are_in_flight_at_once_and_requests_are_answered_in_sequence_order_each_once_its_own_commit_returned()
    {
        var ((first, c1), (second, c2), (third, c3)) = await ThreeInFlightAsync();
        var fourth = Record();
        await Task.Delay(Settle);

        Assert.Equal(3, _store.CommitsStarted);
        c2.Complete();
        c3.Complete();
        await Task.Delay(Settle);
        Assert.False(second.IsCompleted || third.IsCompleted);
        c1.Complete();
        await Task.WhenAll(first, second, third);
        var c4 = await _store.NextCommitAsync();
        Assert.False(fourth.IsCompleted);
        c4.Complete();
        await fourth;

        Assert.Equal([(1L, 1L), (2L, 2L), (3L, 3L), (4L, 4L)], new[] { c1, c2, c3, c4 }.Select(c => (c.First, c.Last)));
        Assert.Equal(4, _writer.Durable);
        await StopAsync();
        Assert.Equal([1L, 2, 3, 4], _store.Trail.Records.Select(r => r.Sequence));
        Assert.True(AuditChain.Verify(Chain, _store.Trail.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None)).Intact);
    }

    [Fact]
    public async Task Each_derived_record_refers_to_its_bytes_in_its_journal_row_also_in_a_row_of_several_batches()
    {
        var ((first, c1), (second, c2), (third, c3)) = await ThreeInFlightAsync();
        var (fourth, fifth) = (Record(), Record());
        await Task.Delay(Settle);
        c1.Complete();
        var c4 = await _store.NextCommitAsync();
        c2.Complete();
        c3.Complete();
        c4.Complete();
        await Task.WhenAll(first, second, third, fourth, fifth);
        await StopAsync();

        // Batches 4 and 5 waited behind three commits in flight: one row holds both.
        Assert.Equal((4L, 5L), (c4.First, c4.Last));
        Assert.Equal([1L, 2, 3, 4, 5], _store.Derived.Select(d => d.Sequence));
        Assert.Equal(["1", "2", "3", "4", "4"], _store.Derived.Select(d => d.Row));
        Assert.All(_store.Derived, d =>
        {
            var row = _store.Rows.Single(r => r.First.ToString(System.Globalization.CultureInfo.InvariantCulture) == d.Row);
            Assert.Equal(d.Record, row.Frames.AsSpan((int)d.Offset, d.Record.Length).ToArray());
        });
        Assert.True(_store.Derived[4].Offset > _store.Rows.Single(r => r.First == 4).Frames.Length / 2);
    }

    [Fact]
    public async Task A_journal_commit_that_fails_fails_its_own_requests_only_and_the_trail_records_its_events_as_a_gap_that_verifies()
    {
        var ((first, c1), (second, c2), (third, c3)) = await ThreeInFlightAsync();

        c3.Complete();
        c2.Fail();
        c1.Complete();

        await first;
        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => second);
        Assert.Equal("The request's audit event could not be recorded, so the request was not carried out: the audit journal could not be written: The database connection was lost.", failure.Message);
        await third;
        await StopAsync();
        Assert.Equal([(1L, "Encrypt"), (2L, "AuditGap"), (3L, "Encrypt")], _store.Trail.Records.Select(r => (r.Sequence, r.EventName)));
        var verified = AuditChain.Verify(Chain, _store.Trail.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.StartsWith("record 2 was lost: event 2 was not made durable (the audit journal's write or commit failed, or the node stopped first), so its request was not carried out", Assert.Single(verified.Gaps));
    }

    [Fact]
    public async Task A_node_that_died_after_a_later_commit_returned_but_before_an_earlier_one_did_leaves_a_hole_the_next_node_records_as_a_gap()
    {
        // The dead node's chain: events 1, 2 and 3 chained; the row of 2 was never committed.
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hash = new byte[32];
        var frames = Enumerable.Range(1, 3).Select(sequence => Frame(sequence, sha256, ref hash)).ToList();
        _store.AddRow("dead", 1, 1, frames[0]);
        _store.AddRow("dead", 3, 3, frames[2]);

        await _writer.StartAsync(CancellationToken.None);
        for (var waited = 0; (await _store.GetChainHeadAsync("dead", CancellationToken.None))?.Sequence != 3 && waited < 200; waited++)
        {
            // The indexer derives what dead nodes left as it starts, in the background.
            await Task.Delay(50);
        }

        await StopAsync();

        var dead = _store.Trail.Records.Where(r => r.ChainId == "dead").ToList();
        Assert.Equal([(1L, "Encrypt"), (2L, "AuditGap"), (3L, "Encrypt")], dead.Select(r => (r.Sequence, r.EventName)));
        Assert.Equal("111122223333", dead[1].AccountId);
        var verified = AuditChain.Verify("dead", dead, await _store.GetChainHeadAsync("dead", CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.Single(verified.Gaps);
        // The rows stay: they are the record store the trail's rows refer to (retention removes them).
        Assert.Equal([1L, 3L], _store.Rows.Where(r => r.Chain == "dead").Select(r => r.First));
    }

    [Fact]
    public async Task A_read_derives_another_chain_whose_journal_rows_are_past_its_trail_when_no_running_node_holds_it()
    {
        var frames = OtherChain(3);
        await StartWithOtherChainHeldAsync();
        Assert.Null(await _store.GetChainHeadAsync("other", CancellationToken.None));

        // Its node is gone, or lost its claim when the database restarted and has not taken it again.
        _store.Hold("other", held: false);

        await _writer.WaitIndexedAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal(3, (await _store.GetChainHeadAsync("other", CancellationToken.None))?.Sequence);
        Assert.Equal(1, _store.Claims("other", given: true));
        await StopAsync();
        var other = _store.Trail.Records.Where(r => r.ChainId == "other").ToList();
        Assert.True(AuditChain.Verify("other", other, await _store.GetChainHeadAsync("other", CancellationToken.None)).Intact);
        Assert.Equal(frames.Count, other.Count);
    }

    [Fact]
    public async Task A_read_waits_for_another_chain_a_running_node_holds_until_its_trail_reaches_the_journal_rows_it_found()
    {
        var frames = OtherChain(3);
        await StartWithOtherChainHeldAsync();

        // The node that holds the chain derives it a moment later, as its indexer does (or its check after claiming it again).
        var derivedAt = DateTime.MinValue;
        var liveNode = Task.Run(async () =>
        {
            await Task.Delay(Settle);
            await DeriveAsync("other", frames);
            derivedAt = DateTime.UtcNow;
        });
        await _writer.WaitIndexedAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        var readAt = DateTime.UtcNow;
        await liveNode;

        Assert.Equal(3, (await _store.GetChainHeadAsync("other", CancellationToken.None))?.Sequence);
        Assert.True(readAt >= derivedAt, $"the read went on {(derivedAt - readAt).TotalMilliseconds} ms before the chain was derived");
        Assert.Equal(0, _store.Claims("other", given: true));
        await StopAsync();
    }

    [Fact]
    public async Task A_read_waits_for_another_chain_that_stays_short_once_and_not_again_while_it_stays_where_it_was()
    {
        OtherChain(3);
        await StartWithOtherChainHeldAsync();
        var limit = TimeSpan.FromSeconds(1);

        var first = System.Diagnostics.Stopwatch.StartNew();
        await _writer.WaitIndexedAsync(limit, CancellationToken.None);
        Assert.True(first.Elapsed >= limit * 0.9, $"the first read waited {first.ElapsedMilliseconds} ms");

        var second = System.Diagnostics.Stopwatch.StartNew();
        await _writer.WaitIndexedAsync(limit, CancellationToken.None);
        Assert.True(second.Elapsed < limit / 2, $"the second read waited {second.ElapsedMilliseconds} ms");

        // A new row: the chain moved on, and a read waits for it again.
        using (var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var hash = new byte[32];
            _store.AddRow("other", 4, 4, Frame(4, sha256, ref hash));
        }

        var third = System.Diagnostics.Stopwatch.StartNew();
        await _writer.WaitIndexedAsync(limit, CancellationToken.None);
        Assert.True(third.Elapsed >= limit * 0.9, $"the third read waited {third.ElapsedMilliseconds} ms");
        await StopAsync();
    }

    /// <summary>Another node's chain: <paramref name="count"/> events, one journal row each, none derived; a running node holds it (<see cref="MemoryJournalStore.Hold"/>).</summary>
    private List<byte[]> OtherChain(int count)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hash = new byte[32];
        var frames = Enumerable.Range(1, count).Select(sequence => Frame(sequence, sha256, ref hash)).ToList();
        _store.Hold("other", held: true);

        for (var i = 0; i < count; i++)
        {
            _store.AddRow("other", i + 1, i + 1, frames[i]);
        }

        return frames;
    }

    /// <summary>Starts the writer and waits until its start's orphan pass has asked for the other chain (and was refused it).</summary>
    private async Task StartWithOtherChainHeldAsync()
    {
        await _writer.StartAsync(CancellationToken.None);
        for (var waited = 0; _store.Claims("other") == 0 && waited < 200; waited++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, _store.Claims("other", given: true));
    }

    /// <summary>Derives the frames into the trail as the chain's own node does.</summary>
    private async Task DeriveAsync(string chain, List<byte[]> frames)
    {
        var records = new List<AuditRecordUtf8>();
        foreach (var frame in frames)
        {
            AuditFrame.DecodeAll(frame, 0, records);
        }

        await _store.AppendDerivedAsync(chain, records, CancellationToken.None);
    }

    /// <summary>Starts the writer and records three requests, one commit each, none returned yet.</summary>
    private async Task<((Task, MemoryJournalStore.Commit), (Task, MemoryJournalStore.Commit), (Task, MemoryJournalStore.Commit))> ThreeInFlightAsync()
    {
        await _writer.StartAsync(CancellationToken.None);
        var first = Record();
        var c1 = await _store.NextCommitAsync();
        var second = Record();
        var c2 = await _store.NextCommitAsync();
        var third = Record();
        return ((first, c1), (second, c2), (third, await _store.NextCommitAsync()));
    }

    private Task Record()
    {
        var e = new AuditEvent();
        TestEvents.Fill(e, "Encrypt");
        return _writer.RecordAsync(e).AsTask();
    }

    private async Task StopAsync()
    {
        await _writer.WaitIndexedAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await _writer.StopAsync(CancellationToken.None);
    }

    private static byte[] Frame(long sequence, IncrementalHash sha256, ref byte[] hash)
    {
        using var entry = new AuditEntry();
        TestEvents.Fill(entry.Event, "Encrypt");
        entry.Build();
        var next = new byte[32];
        AuditFrame.Seal(entry.Frame.Written, sequence, hash, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash)), sha256, next);
        hash = next;
        return entry.Frame.Written.ToArray();
    }
}
