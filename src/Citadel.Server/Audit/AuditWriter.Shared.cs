using System.Globalization;
using Citadel.Core.Audit;

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
/// <see cref="OrphanInterval"/>).
/// </summary>
internal sealed partial class AuditWriter
{
    private static readonly TimeSpan OrphanInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Journal commits under way at once. One at a time left PostgreSQL idle between a commit's
    /// reply and the next, and every request waited for a whole commit behind the one before.
    /// </summary>
    private const int SharedCommitsInFlight = 3;

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

        if (_claim is { } claim)
        {
            await claim.DisposeAsync();
            _claim = null;
        }
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
                    Release(oldest.Batches, 0, oldest.Batches.Count, oldest.Commit.Exception?.InnerException ?? (oldest.Commit.IsCanceled ? new OperationCanceledException() : null), oldest.Started);
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

    /// <summary>Derives the trail from a claimed chain's journal rows past its head (frames up to <paramref name="upTo"/>); the rows stay, holding the records.</summary>
    private async Task<long> DeriveChainAsync(string chainId, long upTo)
    {
        var stored = await store.GetChainHeadAsync(chainId, CancellationToken.None);
        var (head, headHash) = stored is { } at ? (at.Sequence, at.Hash) : (0L, AuditChain.Genesis);
        long recovered = 0;
        var records = new List<AuditRecordUtf8>();
        foreach (var row in await _journalStore!.ReadJournalAsync(chainId, head, CancellationToken.None))
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
                    await store.AppendAsync(chainId, [GapBefore(chainId, head + 1, headHash, records[0], NotDurable(head + 1, records[0].Sequence - 1))], CancellationToken.None);
                }

                await store.AppendDerivedAsync(chainId, records, CancellationToken.None);
                head = records[^1].Sequence;
                headHash = Convert.ToHexStringLower(records[^1].Hash.Span);
                recovered += records.Count;
            }
        }

        return recovered;
    }
}
