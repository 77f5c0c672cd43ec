using Citadel.Core.Audit;

namespace Citadel.Server.Audit;

/// <summary>
/// The journal in the shared database (PostgreSQL): the syncer commits each group of batches as one
/// row of sealed frames, and PostgreSQL's own WAL flush is the one durable write, so an acknowledged
/// event survives the loss of the node that took it (its disk included). The indexer derives the
/// trail from the frames it has in memory and deletes the rows in the same transaction. Each node
/// holds an advisory lock on its chain for as long as it runs; a chain with rows whose lock can be
/// taken was left by a dead node, and any node derives it (at start and every
/// <see cref="OrphanInterval"/>).
/// </summary>
internal sealed partial class AuditWriter
{
    private static readonly TimeSpan OrphanInterval = TimeSpan.FromSeconds(30);

    private IAsyncDisposable? _claim;
    private long _startSequence;
    private Timer? _orphans;
    private int _derivingOrphans;

    /// <summary>Claims this node's chain and returns the last frame an earlier run of the same chain id left in the database.</summary>
    private async Task<(long Sequence, byte[] Hash)?> ClaimSharedJournalAsync(CancellationToken ct)
    {
        _claim = await _journalStore!.TryClaimChainAsync(options.ChainId, ct)
            ?? throw new InvalidOperationException($"Another running node writes the audit chain '{options.ChainId}'. Give each node its own Audit.ChainId (or leave it unset: each node then takes a new one).");
        (long Sequence, byte[] Hash)? last = null;
        var records = new List<AuditRecordUtf8>();
        foreach (var run in await _journalStore.ReadJournalAsync(options.ChainId, ct))
        {
            records.Clear();
            AuditFrame.DecodeAll(run, 0, records);
            if (records.Count > 0 && records[^1].Sequence > (last?.Sequence ?? 0))
            {
                last = (records[^1].Sequence, records[^1].Hash.ToArray());
            }
        }

        return last;
    }

    private async Task ReleaseSharedJournalAsync()
    {
        if (_orphans is { } timer)
        {
            await timer.DisposeAsync();
        }

        if (_claim is { } claim)
        {
            await claim.DisposeAsync();
            _claim = null;
        }
    }

    /// <summary>Commits the frames of a group of batches to the database as one row (the syncer's durable write).</summary>
    private void CommitShared(List<WrittenBatch> group, int from, int to)
    {
        var first = group[from].LastSequence - group[from].Entries.Count + 1;
        if (to - from == 1)
        {
            _journalStore!.AppendJournalAsync(options.ChainId, first, group[from].LastSequence, group[from].Frames!.WrittenMemory, CancellationToken.None).GetAwaiter().GetResult();
            return;
        }

        var length = 0;
        for (var i = from; i < to; i++)
        {
            length += group[i].Frames!.Length;
        }

        using var run = new FrameBuffer(length);
        for (var i = from; i < to; i++)
        {
            run.Write(group[i].Frames!.Written);
        }

        _journalStore!.AppendJournalAsync(options.ChainId, first, group[to - 1].LastSequence, run.WrittenMemory, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Before the indexer derives new batches: what an earlier run of this chain left (up to where this
    /// run began), and the chains dead nodes left; from then on, dead nodes' chains every <see cref="OrphanInterval"/>.
    /// </summary>
    private long DeriveSharedLeftovers()
    {
        var recovered = DeriveChainAsync(options.ChainId, _startSequence).GetAwaiter().GetResult()
            + DeriveOrphansAsync().GetAwaiter().GetResult();
        _orphans ??= new Timer(_ => DeriveOrphansInBackground(), null, OrphanInterval, OrphanInterval);
        return recovered;
    }

    private void DeriveOrphansInBackground()
    {
        if (Interlocked.Exchange(ref _derivingOrphans, 1) == 1)
        {
            return;
        }

        try
        {
            if (DeriveOrphansAsync().GetAwaiter().GetResult() is var recovered and > 0)
            {
                logger.AuditRecovered(recovered);
            }
        }
        catch (Exception exception)
        {
            logger.AuditIndexFailed(exception, 0, 1);
        }
        finally
        {
            Volatile.Write(ref _derivingOrphans, 0);
        }
    }

    /// <summary>Derives the chains with journal rows whose node is gone (their lock can be taken).</summary>
    private async Task<long> DeriveOrphansAsync()
    {
        long recovered = 0;
        foreach (var chain in await _journalStore!.ListJournalChainsAsync(CancellationToken.None))
        {
            if (chain == options.ChainId)
            {
                continue;
            }

            var claim = await _journalStore.TryClaimChainAsync(chain, CancellationToken.None);
            if (claim is null)
            {
                continue;
            }

            await using (claim)
            {
                recovered += await DeriveChainAsync(chain, long.MaxValue);
            }
        }

        return recovered;
    }

    /// <summary>Moves a claimed chain's journal rows (frames up to <paramref name="upTo"/>) into the trail and deletes them.</summary>
    private async Task<long> DeriveChainAsync(string chainId, long upTo)
    {
        var head = (await store.GetChainHeadAsync(chainId, CancellationToken.None))?.Sequence ?? 0;
        long recovered = 0;
        var records = new List<AuditRecordUtf8>();
        foreach (var run in await _journalStore!.ReadJournalAsync(chainId, CancellationToken.None))
        {
            records.Clear();
            AuditFrame.DecodeAll(run, head, records);
            records.RemoveAll(r => r.Sequence > upTo);
            if (records.Count > 0)
            {
                await store.AppendDerivedAsync(chainId, records, CancellationToken.None);
                head = records[^1].Sequence;
                recovered += records.Count;
            }
        }

        // Rows whose frames the trail had already (or that held none intact).
        await _journalStore.DeleteJournalAsync(chainId, Math.Min(head, upTo), CancellationToken.None);
        return recovered;
    }
}
