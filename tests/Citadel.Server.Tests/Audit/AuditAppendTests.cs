using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// Appending is combined on the requests' own threads (no appender thread): whichever request finds no
/// append under way writes every event queued. These tests record from many threads at once and while
/// the writer stops, through a real file journal with synced writes.
/// </summary>
[Trait("Issue", "17")]
public sealed partial class AuditAppendTests : IDisposable
{
    private const string Chain = "node-a";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-append-").FullName;
    private readonly MemoryAuditStore _store = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Events_recorded_from_many_threads_at_once_are_each_durable_once_in_one_unbroken_chain(int stripes)
    {
        const int threads = 8, each = 250;
        var writer = await StartAsync(maxBatch: 16, stripes);
        try
        {
            await RecordFromThreadsAsync(writer, threads, each);

            Assert.Equal(threads * each, writer.Durable);
            await writer.WaitIndexedAsync(Limit, CancellationToken.None);
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None).WaitAsync(Limit);
            writer.Dispose();
        }

        Assert.Equal(Enumerable.Range(1, threads * each).Select(n => (long)n), _store.Records.Select(r => r.Sequence));
        Assert.Equal(threads * each, _store.Records.Select(r => System.Text.Json.JsonDocument.Parse(r.Record).RootElement.GetProperty("requestID").GetString()).Distinct().Count());
        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
    }

    [Fact]
    public async Task Events_recorded_while_the_writer_stops_are_either_durable_or_refused_never_left_waiting()
    {
        var writer = await StartAsync(maxBatch: 4);
        var waits = new List<Task>();
        using var recording = new CancellationTokenSource();
        var recorders = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            var mine = new List<Task>();
            while (!recording.IsCancellationRequested)
            {
                // Groups of eight, each waited for, as requests on a few connections would.
                var group = new Task[8];
                for (var i = 0; i < group.Length; i++)
                {
                    var e = new AuditEvent();
                    TestEvents.Fill(e, "Encrypt");
                    group[i] = writer.RecordAsync(e).AsTask();
                }

                mine.AddRange(group);
                Task.WhenAll(group).ContinueWith(_ => { }, TaskScheduler.Default).Wait(Limit);
            }

            return mine;
        }, TaskCreationOptions.LongRunning)).ToArray();

        await Task.Delay(200);
        await writer.StopAsync(CancellationToken.None).WaitAsync(Limit);
        recording.Cancel();
        foreach (var recorder in recorders)
        {
            waits.AddRange(await recorder.WaitAsync(Limit));
        }

        writer.Dispose();

        // Every wait ends: durable, or refused because the writer stopped.
        await Task.WhenAll(waits.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(Limit);
        var durable = waits.Count(w => w.IsCompletedSuccessfully);
        var refused = waits.Where(w => w.IsFaulted).Select(w => w.Exception!.InnerException).ToList();
        Assert.True(durable > 0, "nothing was recorded before the stop");
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Equal("The audit writer has stopped; the event could not be recorded.", r!.Message));
        Assert.Equal(durable, writer.Durable);

        // What was acknowledged is in the trail, in one chain; nothing refused is.
        Assert.Equal(Enumerable.Range(1, durable).Select(n => (long)n), _store.Records.Select(r => r.Sequence));
        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
    }

    /// <summary>
    /// Records <paramref name="each"/> Encrypt events (request ids "thread-index", shaped further by <paramref name="shape"/>)
    /// from each of <paramref name="threads"/> threads started together; with <paramref name="group"/>, each thread waits for
    /// its events in groups of that many, as requests on a few connections do. Completes when all are durable.
    /// </summary>
    private static async Task RecordFromThreadsAsync(AuditWriter writer, int threads, int each, Action<AuditEvent, int, int>? shape = null, int group = 0)
    {
        using var start = new Barrier(threads);
        var recorders = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            var waits = new List<Task>(each);
            for (var i = 0; i < each; i++)
            {
                var e = new AuditEvent();
                TestEvents.Fill(e, "Encrypt");
                e.RequestId = $"{t}-{i}";
                shape?.Invoke(e, t, i);
                waits.Add(writer.RecordAsync(e).AsTask());
                if (group > 0 && i % group == group - 1)
                {
                    Task.WaitAll(waits.ToArray(), Limit);
                }
            }

            return Task.WhenAll(waits);
        }, TaskCreationOptions.LongRunning).Unwrap()).ToArray();
        await Task.WhenAll(recorders).WaitAsync(Limit);
    }

    private async Task<AuditWriter> StartAsync(int maxBatch, int stripes = 2, TimeSpan? pace = null, Func<AuditJournal, int>? syncFault = null)
    {
        var options = new AuditOptions { ChainId = Chain, JournalDirectory = _directory, SyncJournal = true, MaxBatch = maxBatch, JournalBytes = 256 << 10, JournalStripes = stripes };
        options.SyncPace = pace ?? options.SyncPace;
        var writer = new AuditWriter(_store, options, NullLogger<AuditWriter>.Instance) { SyncFault = syncFault };
        await writer.StartAsync(CancellationToken.None);
        return writer;
    }
}
