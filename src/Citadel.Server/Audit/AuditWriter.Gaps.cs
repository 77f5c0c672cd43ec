using System.Text;
using System.Text.Json;
using Citadel.Core.Audit;
using Citadel.Storage;

namespace Citadel.Server.Audit;

/// <summary>
/// Events whose journal write failed keep their sequence numbers (part of a failed write may be on
/// disk, or a failed commit may have committed after all, so the numbers are never used twice), and
/// with several commits in flight (PostgreSQL) a later batch can be durable when an earlier one is
/// not. The trail records each such hole as an <see cref="AuditGap"/> record, as `citadel audit
/// journal resolve` does for damage, so `citadel audit verify` says what was lost and why instead of
/// reporting records removed.
/// </summary>
internal sealed partial class AuditWriter
{
    /// <summary>The hash of the last record the indexer put in the trail (hex).</summary>
    private string _indexedHash = AuditChain.Genesis;

    /// <summary>
    /// Whether the store's trail may not end where the indexer last put it: a store call failed (its
    /// commit may have happened, its reply lost), or the store refused an append that did not continue
    /// its head (a derived commit, made without waiting for PostgreSQL's WAL flush, lost in a server
    /// crash). The next derive reads the head first (<see cref="CatchUpTrail"/>).
    /// </summary>
    private bool _trailUnsure;

    /// <summary>
    /// Puts <paramref name="records"/> (in sequence order) in the trail, with a gap record before each
    /// that does not follow the one before it, retrying while the store is unavailable; after a failure
    /// it goes on from the store's head, so a record is neither taken twice nor left out. False when
    /// stopping with the store down (the journal keeps the records).
    /// </summary>
    private bool Derive(List<AuditRecordUtf8> records)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (_trailUnsure)
                {
                    CatchUpTrail(records[0].Sequence - 1);
                }

                DeriveAfterHead(records);
                return true;
            }
            catch (Exception exception)
            {
                _trailUnsure = true;
                logger.AuditIndexFailed(exception, records.Count, attempt);
                if (_stopping && attempt >= 3)
                {
                    return false;
                }

                // A moved head is known at once (the store answered); an unreachable store is given time.
                if (exception is not AuditChainMovedException)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
                }
            }
        }
    }

    /// <summary>
    /// Derives the records past the trail's head (<see cref="_indexed"/>, <see cref="_indexedHash"/>),
    /// moving the head after each store call that returns.
    /// </summary>
    private void DeriveAfterHead(List<AuditRecordUtf8> records)
    {
        var next = Volatile.Read(ref _indexed) + 1;
        var start = 0;
        while (start < records.Count && records[start].Sequence < next)
        {
            start++;
        }

        for (var i = start; i < records.Count; i++)
        {
            var record = records[i];
            if (record.Sequence > next)
            {
                if (i > start)
                {
                    AppendDerived(records, start, i);
                }

                var gap = GapBefore(options.ChainId, next, _indexedHash, record, NotDurable(next, record.Sequence - 1));
                store.AppendAsync(options.ChainId, [gap], CancellationToken.None).GetAwaiter().GetResult();

                // The gap stands for the numbers up to the record's, which links to the last lost one.
                Volatile.Write(ref _indexed, record.Sequence - 1);
                _indexedHash = Convert.ToHexStringLower(record.PreviousHash.Span);
                start = i;
            }

            next = record.Sequence + 1;
        }

        if (start < records.Count)
        {
            AppendDerived(records, start, records.Count);
        }
    }

    /// <summary>
    /// Records the numbers of <paramref name="lost"/>'s frames (a failed batch that could not be cut off its
    /// journal), and any before them not yet in the trail, as a gap after the trail's head, makes it durable
    /// and completes <see cref="FrameBuffer.LostGap"/>: only then are their requests answered, so a drain after
    /// a kill finds the gap standing for them and brings none of those frames in. Retries while the store is
    /// unavailable; false when stopping with it still down.
    /// </summary>
    private bool RecordLost(FrameBuffer lost)
    {
        var records = new List<AuditRecordUtf8>();
        AuditFrame.DecodeAll(lost.WrittenMemory, 0, records);
        var last = records[^1];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (_trailUnsure)
                {
                    CatchUpTrail(records[0].Sequence - 1);
                }

                if (Volatile.Read(ref _indexed) < last.Sequence)
                {
                    var first = Volatile.Read(ref _indexed) + 1;
                    var gap = GapThrough(options.ChainId, first, _indexedHash, last, NotDurable(first, last.Sequence));
                    store.AppendAsync(options.ChainId, [gap], CancellationToken.None).GetAwaiter().GetResult();
                    Volatile.Write(ref _indexed, last.Sequence);
                    _indexedHash = Convert.ToHexStringLower(last.Hash.Span);
                }

                break;
            }
            catch (Exception exception)
            {
                _trailUnsure = true;
                logger.AuditIndexFailed(exception, 1, attempt);
                if (_stopping && attempt >= 3)
                {
                    lost.Dispose();
                    return false;
                }

                Thread.Sleep(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
            }
        }

        _derivedDurable = false;
        var durable = SyncDerived();
        MarkIndexed(Volatile.Read(ref _indexed));
        if (durable)
        {
            lost.LostGap!.TrySetResult();
        }

        lost.Dispose();
        return durable;
    }

    private void AppendDerived(List<AuditRecordUtf8> records, int from, int to)
    {
        var run = from == 0 && to == records.Count ? records : records.GetRange(from, to - from);
        store.AppendDerivedAsync(options.ChainId, run, CancellationToken.None).GetAwaiter().GetResult();
        Volatile.Write(ref _indexed, records[to - 1].Sequence);
        _indexedHash = Convert.ToHexStringLower(records[to - 1].Hash.Span);
    }

    /// <summary>
    /// Takes the trail's head from the store. With the journal in the database, a head behind
    /// <paramref name="upTo"/> (the record before the batch being derived) means derived commits were
    /// lost: the records up to there are derived again from the journal rows, which were committed
    /// durably before their requests were answered. A head ahead of the indexer is a commit that
    /// happened though its call failed: those records are not taken twice.
    /// </summary>
    private void CatchUpTrail(long upTo)
    {
        var head = TrailHeadAsync(options.ChainId).GetAwaiter().GetResult();
        if (_journalStore is not null && head.Sequence < upTo)
        {
            // The lost commits wrote resource hours too, which the store remembers having written.
            _journalStore.DerivedCommitsLost();
            if (DeriveChainAsync(options.ChainId, upTo).GetAwaiter().GetResult() is var rederived and > 0)
            {
                logger.AuditRederived(rederived);
                TrailRederived.Add(rederived);
            }

            head = TrailHeadAsync(options.ChainId).GetAwaiter().GetResult();
        }

        // A file journal's store commits in-process: its head is never behind what it acknowledged.
        if (_journalStore is not null || head.Sequence > Volatile.Read(ref _indexed))
        {
            Volatile.Write(ref _indexed, head.Sequence);
            _indexedHash = head.Hash;
        }

        _trailUnsure = false;
    }

    /// <summary>
    /// Where the store's trail of a chain ends: the last sequence number it holds or stands for, and the
    /// hash the next record links to. A gap record at the head stands for the numbers after its own.
    /// </summary>
    private Task<(long Sequence, string Hash)> TrailHeadAsync(string chainId) => TrailHeadAsync(store, chainId, CancellationToken.None);

    /// <summary>
    /// Where <paramref name="trail"/>'s chain <paramref name="chainId"/> ends, a gap record at its head standing
    /// for the numbers after its own (see the instance overload). The drain after a crash reads it too: the
    /// frames of numbers a recorded gap stands for are never brought in.
    /// </summary>
    internal static async Task<(long Sequence, string Hash)> TrailHeadAsync(IAuditStore trail, string chainId, CancellationToken ct)
    {
        if (await trail.GetChainHeadAsync(chainId, ct) is not { } head)
        {
            return (0, AuditChain.Genesis);
        }

        await foreach (var record in trail.ReadChainAsync(chainId, head.Sequence, ct))
        {
            if (record.Sequence == head.Sequence && AuditGap.TryRead(record, out var lostLast, out var next))
            {
                return (lostLast, next);
            }

            break;
        }

        return (head.Sequence, head.Hash);
    }

    internal static string NotDurable(long first, long last) => first == last
        ? $"event {first} was not made durable (the audit journal's write or commit failed, or the node stopped first), so its request was not carried out"
        : $"events {first}-{last} were not made durable (the audit journal's write or commit failed, or the node stopped first), so their requests were not carried out";

    /// <summary>
    /// The record for the events <paramref name="lostFirst"/> up to the one before <paramref name="next"/>,
    /// chained after <paramref name="previousHash"/>, filed under <paramref name="next"/>'s account and region,
    /// at <paramref name="now"/> (or the system's time).
    /// </summary>
    internal static AuditRecord GapBefore(string chainId, long lostFirst, string previousHash, AuditRecordUtf8 next, string reason, DateTimeOffset? now = null) =>
        Gap(chainId, lostFirst, next.Sequence - 1, previousHash, next.PreviousHash.Span, next, reason, now);

    /// <summary>
    /// The record for the events <paramref name="lostFirst"/> up to <paramref name="last"/> (a lost event: the
    /// next record links to its hash), chained after <paramref name="previousHash"/>, filed under
    /// <paramref name="last"/>'s account and region: at the head of the trail, no event follows it yet.
    /// </summary>
    internal static AuditRecord GapThrough(string chainId, long lostFirst, string previousHash, AuditRecordUtf8 last, string reason) =>
        Gap(chainId, lostFirst, last.Sequence, previousHash, last.Hash.Span, last, reason, null);

    private static AuditRecord Gap(
        string chainId, long lostFirst, long lostLast, string previousHash, ReadOnlySpan<byte> nextPreviousHash, AuditRecordUtf8 neighbour, string reason, DateTimeOffset? now)
    {
        var region = "";
        using (var json = JsonDocument.Parse(neighbour.Record))
        {
            if (json.RootElement.TryGetProperty("awsRegion"u8, out var value) && value.ValueKind == JsonValueKind.String)
            {
                region = value.GetString()!;
            }
        }

        return AuditGap.Record(
            chainId, lostFirst, lostLast, previousHash, Convert.ToHexStringLower(nextPreviousHash), reason,
            Encoding.UTF8.GetString(neighbour.AccountId.Span), region, now ?? TimeProvider.System.GetUtcNow());
    }
}
