using Citadel.Core.Audit;
using Citadel.Server.Audit;

namespace Citadel.Server.Tests.Audit;

public sealed partial class AuditAppendTests
{
    /// <summary>
    /// A batch's frames are in a buffer from <see cref="FrameBuffer.Pool"/>, which hands returned buffers out
    /// again at once. Were one returned while the indexer still held it (queued, or decoded but not yet in the
    /// store), a later batch's frames would overwrite it: the trail would have events twice, miss others, and
    /// its chain would not verify. Small batches of frames of many sizes, many of them queued behind an indexer
    /// whose every store transaction is slow, reused across the pool's sizes.
    /// </summary>
    [Fact]
    public async Task Batches_queued_behind_a_slow_indexer_keep_their_frames_until_their_records_are_in_the_store()
    {
        const int threads = 8, each = 300;
        _store.DeriveDelay = TimeSpan.FromMilliseconds(15);
        var writer = await StartAsync(maxBatch: 3, stripes: 2);
        try
        {
            // User agents from a few bytes to several KB: batches fall into different sizes of the pool. Events are
            // waited for in groups, so batches keep forming while the indexer sleeps.
            await RecordFromThreadsAsync(writer, threads, each, (e, t, i) => e.UserAgent = AgentOf(t, i), group: 16);

            Assert.Equal(threads * each, writer.Durable);
            Assert.True(writer.Indexed < writer.Durable, "The indexer was expected to be behind, holding batches.");
            await writer.WaitIndexedAsync(Limit, CancellationToken.None);
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None).WaitAsync(Limit);
            writer.Dispose();
        }

        Assert.Equal(Enumerable.Range(1, threads * each).Select(n => (long)n), _store.Records.Select(r => r.Sequence));
        var agents = _store.Records.Select(r => System.Text.Json.JsonDocument.Parse(r.Record).RootElement).ToDictionary(
            record => record.GetProperty("requestID").GetString()!,
            record => record.GetProperty("userAgent").GetString());
        Assert.Equal(threads * each, agents.Count);
        foreach (var (requestId, agent) in agents)
        {
            var t = int.Parse(requestId.Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
            var i = int.Parse(requestId.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(AgentOf(t, i), agent);
        }

        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
    }

    private static string AgentOf(int thread, int index) => new((char)('a' + thread), (index * 37 + thread * 101) % 5000);
}
