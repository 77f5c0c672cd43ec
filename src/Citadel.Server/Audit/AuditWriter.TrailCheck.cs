using System.Threading.Channels;

namespace Citadel.Server.Audit;

/// <summary>
/// With the journal in the database (PostgreSQL), the trail is derived with commits that do not wait for
/// the WAL flush, so a database crash can lose the last of them while the node goes on believing the trail
/// holds what it derived. The next derive finds that out (<see cref="CatchUpTrail"/>), but a node that takes
/// no request after the crash derives nothing: its trail stayed short of events it had acknowledged, and its
/// reads, which wait only until the indexer has derived every durable event, found nothing to wait for. So a
/// read first compares the store's chain head with what the indexer derived (one primary-key query, on reads
/// only: the request path is untouched) and, when the store is behind, has the indexer catch the trail up
/// before it reads. A database restart seen by the claim on the chain asks for the same check, so an idle
/// node also catches up without a read of its own (within <see cref="AuditOptions.OrphanInterval"/>), for
/// the CLI; other nodes' reads do not wait for that (AuditWriter.OtherChains.cs).
/// </summary>
internal sealed partial class AuditWriter
{
    /// <summary>Checks of the trail's head asked for (<see cref="RequestTrailCheck"/>) and done by the indexer (which alone writes <see cref="_trailChecksDone"/>).</summary>
    private long _trailChecksAsked;
    private long _trailChecksDone;

    /// <summary>Cancelled to wake the indexer from its wait for batches when a check is asked for; replaced by the indexer once cancelled.</summary>
    private CancellationTokenSource _trailCheckWake = new();

    /// <summary>
    /// Whether the store's trail of this node's chain ends before what the indexer derived into it (PostgreSQL
    /// only: SQLite commits in the process, and a crash that loses its commits ends the process too). Asks the
    /// indexer to catch up when it does, and returns the check to wait for, else 0.
    /// </summary>
    private async Task<long> CheckTrailHeadAsync(CancellationToken ct)
    {
        if (_journalStore is null)
        {
            return 0;
        }

        // Read first: the store's head was at least this when the query below runs, unless commits were lost.
        var derived = Volatile.Read(ref _indexed);
        var head = await store.GetChainHeadAsync(options.ChainId, ct);
        return (head?.Sequence ?? 0) < derived ? RequestTrailCheck() : 0;
    }

    /// <summary>
    /// Asks the indexer to read the trail's head and derive again what the store lost (even when no batch
    /// comes); returns the check's number, done once <see cref="_trailChecksDone"/> reaches it.
    /// </summary>
    private long RequestTrailCheck()
    {
        // Both full fences: the indexer replaces the token, then looks at the count; this counts, then cancels.
        var check = Interlocked.Increment(ref _trailChecksAsked);
        Volatile.Read(ref _trailCheckWake).Cancel();
        WakeIndexer();
        return check;
    }

    /// <summary>Waits for synced batches or a check of the trail's head; false once no batch will come.</summary>
    private bool WaitForBatchesOrCheck(ChannelReader<FrameBuffer> reader)
    {
        while (true)
        {
            var wake = Volatile.Read(ref _trailCheckWake);
            if (Volatile.Read(ref _trailChecksAsked) != _trailChecksDone)
            {
                return true;
            }

            try
            {
                return reader.WaitToReadAsync(wake.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                Interlocked.CompareExchange(ref _trailCheckWake, new CancellationTokenSource(), wake);
            }
        }
    }

    /// <summary>
    /// Does the checks asked for since the last: reads the trail's head and derives again what the store
    /// lost (<see cref="CatchUpTrail"/>), then lets the readers waiting for them go on. A store that cannot
    /// be read leaves it to the next derive or read (the readers' own reads fail meanwhile).
    /// </summary>
    private void CheckTrailIfAsked()
    {
        var asked = Volatile.Read(ref _trailChecksAsked);
        if (asked == _trailChecksDone)
        {
            return;
        }

        try
        {
            CatchUpTrail(Volatile.Read(ref _indexed));
        }
        catch (Exception exception)
        {
            _trailUnsure = true;
            logger.AuditIndexFailed(exception, 0, 1);
        }

        Volatile.Write(ref _trailChecksDone, asked);
        MarkIndexed(Volatile.Read(ref _indexed));
    }
}
