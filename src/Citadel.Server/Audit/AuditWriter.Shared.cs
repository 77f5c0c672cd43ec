using System.Globalization;
using Citadel.Core.Audit;
using Citadel.Storage;

namespace Citadel.Server.Audit;

/// <summary>
/// The journal in the shared database (PostgreSQL): the syncer commits each group of batches as one
/// row of sealed frames, and PostgreSQL's own WAL flush is the one durable write, so an acknowledged
/// event survives the loss of the node that took it (its disk included). The indexer derives the
/// trail from the frames it has in memory; the rows stay, as the record store: the trail's rows refer
/// to their records' bytes in them (<see cref="AuditRecordUtf8.Segment"/> names the row by its first
/// sequence number), and retention removes them with their events. Each node
/// holds an advisory lock on its chain for as long as it runs; a chain with rows whose lock can be
/// taken was left by a dead node, and any node derives it (at start and every
/// <see cref="AuditOptions.OrphanInterval"/>).
/// </summary>
internal sealed partial class AuditWriter
{
    /// <summary>
    /// Journal commits under way at once. One at a time left PostgreSQL idle between a commit's
    /// reply and the next, and every request waited for a whole commit behind the one before.
    /// </summary>
    private const int SharedCommitsInFlight = 3;

    private IAsyncDisposable? _claim;

    /// <summary>Held while the claim is checked, taken again or released (by the syncer's wake-up, the orphan timer, or the stop).</summary>
    private readonly SemaphoreSlim _claimLock = new(1, 1);
    private long _startSequence;
    private Timer? _orphans;
    private int _derivingOrphans;

    /// <summary>Claims this node's chain and returns the last frame an earlier run of the same chain id left in the database.</summary>
    private async Task<(long Sequence, byte[] Hash)?> ClaimSharedJournalAsync(CancellationToken ct)
    {
        _claim = await _journalStore!.TryClaimChainForWritingAsync(options.ChainId, ct)
            ?? throw new InvalidOperationException($"Another running node writes the audit chain '{options.ChainId}'. Give each node its own Audit.ChainId (or leave it unset: each node then takes a new one).");
        (long Sequence, byte[] Hash)? last = null;
        var records = new List<AuditRecordUtf8>();
        var stored = await store.GetChainHeadAsync(options.ChainId, ct);
        foreach (var row in await _journalStore.ReadJournalAsync(options.ChainId, stored?.Sequence ?? 0, ct))
        {
            records.Clear();
            AuditFrame.DecodeAll(row.Frames, 0, records);
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

        await _claimLock.WaitAsync();
        try
        {
            if (_claim is { } claim)
            {
                await claim.DisposeAsync();
                _claim = null;
            }
        }
        finally
        {
            _claimLock.Release();
        }
    }

    /// <summary>
    /// Claims this node's chain again when the claim is gone: PostgreSQL ends it with the session that
    /// took it, so a server restart leaves the node running with a chain any other node's orphan pass
    /// may take for dead. Until the claim is back, such a node can derive the chain, and the journal
    /// commits of this one are refused meanwhile (<see cref="AuditChainClaimedException"/>: they take the
    /// claim shared), so nothing is committed into a chain another node is deriving. Called after a
    /// journal commit failed (<paramref name="untilBack"/>: trying again every half second while the
    /// database is unreachable) and every <see cref="AuditOptions.OrphanInterval"/>; true when the claim is held.
    /// </summary>
    internal async Task<bool> ReclaimChainAsync(bool untilBack)
    {
        if (_journalStore is null || !await _claimLock.WaitAsync(0))
        {
            return true;
        }

        try
        {
            // A commit fails when the database goes down; the claim is taken again as soon as it is back.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await TryReclaimChainAsync();
                }
                catch (Exception) when (untilBack && !_stopping && attempt < 600)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500));
                }
                catch (Exception)
                {
                    // The next failed commit or the timer tries again.
                    return false;
                }
            }
        }
        finally
        {
            _claimLock.Release();
        }
    }

    /// <summary>Checks the claim and takes it again when it is gone (the caller holds <see cref="_claimLock"/>); throws while the database is unreachable.</summary>
    private async Task<bool> TryReclaimChainAsync()
    {
        if (_stopping || (_claim is not IAuditChainClaim held || await held.IsHeldAsync(CancellationToken.None)) && _claim is not null)
        {
            return true;
        }

        if (_claim is { } lost)
        {
            _claim = null;
            await lost.DisposeAsync();
        }

        _claim = await _journalStore!.TryClaimChainForWritingAsync(options.ChainId, CancellationToken.None);
        if (_claim is null)
        {
            logger.AuditChainClaimLost(options.ChainId);
            return false;
        }

        logger.AuditChainReclaimed(options.ChainId);

        // The database restarted: it may have lost the trail's last derived commits, and this node may take no request to find out.
        RequestTrailCheck();
        return true;
    }

    /// <summary>
    /// The syncer with the journal in the database: each group of batches waiting is committed as one
    /// row, with up to <see cref="SharedCommitsInFlight"/> commits under way at once (PostgreSQL flushes
    /// its WAL for several commits together), and the requests are answered in sequence order, each
    /// once its own commit returned. A commit that fails fails its requests only; the trail records its
    /// numbers as a gap (<see cref="Derive"/>, or <see cref="DeriveChainAsync"/> after a crash).
    /// </summary>
    private void SharedSyncLoop()
    {
        var inFlight = new Queue<SharedCommit>(SharedCommitsInFlight);
        try
        {
            while (true)
            {
                if (inFlight.Count < SharedCommitsInFlight && !_written.IsEmpty)
                {
                    inFlight.Enqueue(StartSharedCommit());
                    continue;
                }

                if (inFlight.TryPeek(out var oldest) && oldest.Commit.IsCompleted)
                {
                    inFlight.Dequeue();
                    var failure = oldest.Commit.Exception?.InnerException ?? (oldest.Commit.IsCanceled ? new OperationCanceledException() : null);
                    if (failure is not null)
                    {
                        // The database may have restarted, and this node's claim on its chain ended with its session.
                        _ = Task.Run(() => ReclaimChainAsync(untilBack: true));
                    }

                    Release(oldest.Batches, 0, oldest.Batches.Count, failure, oldest.Started);
                    oldest.Run?.Dispose();
                    foreach (var done in oldest.Batches)
                    {
                        done.Reset();
                        _batchPool.Enqueue(done);
                    }

                    continue;
                }

                if (inFlight.Count == 0 && _appenderDone && _written.IsEmpty)
                {
                    break;
                }

                // Until a batch is written (and a commit may start) or the oldest commit returns. The flag is
                // set with a full fence before the checks: a plain (release) write may become visible only
                // after the checks read, so an appender that queued a batch just then would see no sleeper to
                // wake, the checks no batch, and the syncer sleep with every waiting request in that batch.
                Interlocked.Exchange(ref _syncerSleeping, 1);
                var ready = (inFlight.Count < SharedCommitsInFlight && !_written.IsEmpty) || (inFlight.TryPeek(out oldest) && oldest.Commit.IsCompleted)
                    || (inFlight.Count == 0 && _appenderDone);
                if (!ready || Interlocked.CompareExchange(ref _syncerSleeping, 0, 1) != 1)
                {
                    _syncWake.Wait();
                }
            }
        }
        finally
        {
            _toIndex.Writer.TryComplete();
            _syncerDone.TrySetResult();
        }
    }

    /// <summary>Starts committing every batch waiting as one journal row; the commit's end wakes the syncer.</summary>
    private SharedCommit StartSharedCommit()
    {
        var batches = new List<WrittenBatch>();
        while (_written.TryDequeue(out var batch))
        {
            batches.Add(batch);
        }

        // The row is the record store: each batch's records are found by the row and where the batch begins in it.
        var first = batches[0].LastSequence - batches[0].Entries.Count + 1;
        var row = first.ToString(CultureInfo.InvariantCulture);
        var at = 0;
        foreach (var batch in batches)
        {
            batch.Frames!.Segment = row;
            batch.Frames.SegmentOffset = at;
            at += batch.Frames.Length;
        }

        FrameBuffer? run = null;
        var frames = batches[0].Frames!.WrittenMemory;
        if (batches.Count > 1)
        {
            run = new FrameBuffer(at);
            foreach (var batch in batches)
            {
                run.Write(batch.Frames!.Written);
            }

            frames = run.WrittenMemory;
        }

        var started = TimeProvider.System.GetTimestamp();
        Task commit;
        try
        {
            commit = _journalStore!.AppendJournalAsync(options.ChainId, first, batches[^1].LastSequence, frames, CancellationToken.None);
        }
        catch (Exception exception)
        {
            commit = Task.FromException(exception);
        }

        commit.ContinueWith(static (_, writer) => ((AuditWriter)writer!).WakeSyncer(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new SharedCommit(batches, run, commit, started);
    }

    /// <summary>One journal row being committed: its batches, the frames copied together (when several), the commit.</summary>
    private sealed record SharedCommit(List<WrittenBatch> Batches, FrameBuffer? Run, Task Commit, long Started);

    /// <summary>
    /// Before the indexer derives new batches: what an earlier run of this chain left (up to where this
    /// run began), and the chains dead nodes left; from then on, dead nodes' chains every <see cref="AuditOptions.OrphanInterval"/>.
    /// </summary>
    private long DeriveSharedLeftovers()
    {
        var recovered = DeriveChainAsync(options.ChainId, _startSequence).GetAwaiter().GetResult()
            + DeriveOrphansAsync(settledOnly: false).GetAwaiter().GetResult();
        _orphans ??= new Timer(_ => DeriveOrphansInBackground(), null, options.OrphanInterval, options.OrphanInterval);
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
            ReclaimChainAsync(untilBack: false).GetAwaiter().GetResult();
            if (DeriveOrphansAsync(settledOnly: true).GetAwaiter().GetResult() is var recovered and > 0)
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

    /// <summary>
    /// The trail head of each chain the last background pass found with rows past it: a chain is taken
    /// for dead there only when its head has not moved since (the orphan timer's thread alone uses it).
    /// </summary>
    private readonly Dictionary<string, long> _orphanHeads = new(StringComparer.Ordinal);

    /// <summary>
    /// Derives the chains with journal rows whose node is gone (their lock can be taken). With
    /// <paramref name="settledOnly"/> (the background pass), only those whose head has not moved since
    /// the pass before: a live node whose claim a database restart ended (until it claims its chain
    /// again) moves its head, and is left alone. Deriving it would be safe all the same: its commits are
    /// refused meanwhile, and the head moves only from where the deriver found it.
    /// </summary>
    internal async Task<long> DeriveOrphansAsync(bool settledOnly)
    {
        long recovered = 0;
        var chains = (await _journalStore!.ListJournalChainsAsync(CancellationToken.None)).Select(c => c.ChainId).ToList();
        if (settledOnly)
        {
            foreach (var gone in _orphanHeads.Keys.Except(chains, StringComparer.Ordinal).ToList())
            {
                _orphanHeads.Remove(gone);
            }
        }

        foreach (var chain in chains)
        {
            if (chain == options.ChainId)
            {
                continue;
            }

            if (settledOnly)
            {
                var head = (await store.GetChainHeadAsync(chain, CancellationToken.None))?.Sequence ?? 0;
                if (!_orphanHeads.TryGetValue(chain, out var seen) || seen != head)
                {
                    _orphanHeads[chain] = head;
                    continue;
                }
            }

            var claim = await _journalStore.TryClaimChainAsync(chain, CancellationToken.None);
            if (claim is null)
            {
                // The claim, not the head's moving, is what keeps a live node's chain from the pass: a node starved
                // of CPU (or whose indexer waits out a failed commit) moves no head for seconds.
                logger.AuditOrphanPassLeftChain(chain);
                continue;
            }

            await using (claim)
            {
                try
                {
                    recovered += await DeriveChainAsync(chain, long.MaxValue);
                }
                catch (AuditChainMovedException)
                {
                    // Its node is alive after all and derived it first (it claims the chain again after
                    // losing its claim in a database restart); it goes on with the chain.
                }
            }
        }

        return recovered;
    }

    /// <summary>Derives the trail from a claimed chain's journal rows past its head (frames up to <paramref name="upTo"/>); the rows stay, holding the records.</summary>
    private Task<long> DeriveChainAsync(string chainId, long upTo) => DeriveClaimedChainAsync(store, _journalStore!, chainId, upTo);

    /// <summary>
    /// Derives <paramref name="trail"/>'s chain <paramref name="chainId"/> from <paramref name="journal"/>'s rows past
    /// its head (frames up to <paramref name="upTo"/>), the caller holding the chain's claim: the server's writer, and
    /// `citadel audit` for a chain no running node holds (<see cref="AuditTools.CatchUpChainsAsync"/>).
    /// </summary>
    internal static async Task<long> DeriveClaimedChainAsync(IAuditStore trail, IAuditJournalStore journal, string chainId, long upTo)
    {
        var (head, headHash) = await TrailHeadAsync(trail, chainId, CancellationToken.None);
        long recovered = 0;
        var records = new List<AuditRecordUtf8>();
        foreach (var row in await journal.ReadJournalAsync(chainId, head, CancellationToken.None))
        {
            records.Clear();
            AuditFrame.DecodeAll(row.Frames, head, records);
            records.RemoveAll(r => r.Sequence > upTo);
            ReferTo(records, 0, row.FirstSequence.ToString(CultureInfo.InvariantCulture), 0);

            if (records.Count > 0)
            {
                // With several commits in flight, a later one can have committed when the node died before an earlier one did.
                if (records[0].Sequence > head + 1)
                {
                    await trail.AppendAsync(chainId, [GapBefore(chainId, head + 1, headHash, records[0], NotDurable(head + 1, records[0].Sequence - 1))], CancellationToken.None);
                }

                await trail.AppendDerivedAsync(chainId, records, CancellationToken.None);
                head = records[^1].Sequence;
                headHash = Convert.ToHexStringLower(records[^1].Hash.Span);
                recovered += records.Count;
            }
        }

        return recovered;
    }
}
