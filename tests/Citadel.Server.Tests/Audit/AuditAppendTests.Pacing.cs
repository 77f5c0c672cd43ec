using System.Diagnostics;
using Citadel.Core.Audit;
using Citadel.Server.Audit;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// The file journal's sync pacing (<see cref="AuditOptions.SyncPace"/>): a sync during which other events
/// came is followed by the next only a pace after the last one began, the events waiting unwritten
/// meanwhile; a lone event is synced at once. Paces here are far longer than the server's (hundreds of
/// milliseconds to seconds), so that a held-back sync shows in the time taken, not in a race.
/// </summary>
public sealed partial class AuditAppendTests
{
    private int _syncs;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Events_recorded_one_at_a_time_are_each_synced_at_once_without_waiting_for_the_pace(int stripes)
    {
        var pace = TimeSpan.FromSeconds(5);
        var writer = await StartAsync(maxBatch: 512, stripes, pace, CountSyncs);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            await Record(writer);
        }

        // A single held-back sync would have taken the whole pace.
        Assert.True(clock.Elapsed < pace, $"20 events one at a time took {clock.Elapsed}");
        Assert.Equal(20, writer.Durable);
        Assert.Equal(20, Volatile.Read(ref _syncs));
        await StopAsync(writer);
        await AssertChainAsync(20);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Under_concurrent_load_a_sync_covers_every_batch_that_gathered_during_the_pace(int stripes)
    {
        const int callers = 32, each = 5, maxBatch = 4;
        var writer = await StartAsync(maxBatch, stripes, TimeSpan.FromMilliseconds(100), CountSyncs);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await Record(writer);
            }
        }))).WaitAsync(Limit);

        // Unpaced, up to one sync per batch of four (40); paced, about one per stripe and pace (five rounds of the callers).
        var syncs = Volatile.Read(ref _syncs);
        Assert.True(syncs <= 20, $"{syncs} syncs for {callers * each} events in batches of {maxBatch}");
        Assert.Equal(callers * each, writer.Durable);
        await StopAsync(writer);
        await AssertChainAsync(callers * each);
    }

    [Fact]
    public async Task A_writer_stopped_while_its_syncer_holds_back_the_next_sync_makes_every_waiting_event_durable_without_waiting_for_the_pace()
    {
        var pace = TimeSpan.FromSeconds(10);
        var held = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = true;
        var writer = await StartAsync(maxBatch: 512, stripes: 1, pace, journal =>
        {
            if (!journal.HasFrames || !first)
            {
                return 0;
            }

            first = false;
            entered.SetResult();
            return held.Task.GetAwaiter().GetResult();
        });

        // Event 1's sync is held; the others come meanwhile and wait unwritten (one stripe, paced).
        var one = Record(writer);
        await entered.Task.WaitAsync(Limit);
        var others = Enumerable.Range(0, 8).Select(_ => Record(writer)).ToArray();
        await Task.Delay(50);
        Assert.Equal(0, writer.BatchesAwaitingSync);

        // The sync ends during a load: the next is held back for the pace, the events still unwritten.
        held.SetResult(0);
        await one;
        await Task.Delay(200);
        Assert.All(others, o => Assert.False(o.IsCompleted));
        Assert.Equal(0, writer.BatchesAwaitingSync);
        Assert.Equal(1, writer.Durable);

        var clock = Stopwatch.StartNew();
        await writer.WaitIndexedAsync(Limit, CancellationToken.None);
        await writer.StopAsync(CancellationToken.None).WaitAsync(Limit);
        await Task.WhenAll(others).WaitAsync(Limit);
        Assert.True(clock.Elapsed < pace / 2, $"the stop took {clock.Elapsed}");
        Assert.Equal(9, writer.Durable);
        writer.Dispose();
        await AssertChainAsync(9);
    }

    private int CountSyncs(AuditJournal journal)
    {
        if (journal.HasFrames)
        {
            Interlocked.Increment(ref _syncs);
        }

        return 0;
    }

    private static async Task StopAsync(AuditWriter writer)
    {
        await writer.WaitIndexedAsync(Limit, CancellationToken.None);
        await writer.StopAsync(CancellationToken.None).WaitAsync(Limit);
        writer.Dispose();
    }

    /// <summary>The trail holds events 1 to <paramref name="count"/>, in one chain that verifies.</summary>
    private async Task AssertChainAsync(int count)
    {
        Assert.Equal(Enumerable.Range(1, count).Select(n => (long)n), _store.Records.Select(r => r.Sequence));
        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
    }

    private static Task Record(AuditWriter writer)
    {
        var e = new AuditEvent();
        TestEvents.Fill(e, "Encrypt");
        return writer.RecordAsync(e).AsTask().WaitAsync(Limit);
    }
}
