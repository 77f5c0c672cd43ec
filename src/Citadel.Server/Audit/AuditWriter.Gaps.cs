using System.Text;
using System.Text.Json;
using Citadel.Core.Audit;

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
    /// Puts <paramref name="records"/> (in sequence order) in the trail, with a gap record before each
    /// that does not follow the one before it. False when stopping with the store down.
    /// </summary>
    private bool Derive(List<AuditRecordUtf8> records)
    {
        var next = Volatile.Read(ref _indexed) + 1;
        var start = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (record.Sequence > next)
            {
                if (i > start && !Store(() => store.AppendDerivedAsync(options.ChainId, records.GetRange(start, i - start), CancellationToken.None), i - start))
                {
                    return false;
                }

                var previous = i > 0 ? Convert.ToHexStringLower(records[i - 1].Hash.Span) : _indexedHash;
                var gap = GapBefore(options.ChainId, next, previous, record, NotDurable(next, record.Sequence - 1));
                if (!Store(() => store.AppendAsync(options.ChainId, [gap], CancellationToken.None), 1))
                {
                    return false;
                }

                start = i;
            }

            next = record.Sequence + 1;
        }

        var rest = start == 0 ? records : records.GetRange(start, records.Count - start);
        if (!Store(() => store.AppendDerivedAsync(options.ChainId, rest, CancellationToken.None), rest.Count))
        {
            return false;
        }

        _indexedHash = Convert.ToHexStringLower(records[^1].Hash.Span);
        return true;
    }

    internal static string NotDurable(long first, long last) => first == last
        ? $"event {first} was not made durable (the audit journal's write or commit failed, or the node stopped first), so its request was not carried out"
        : $"events {first}-{last} were not made durable (the audit journal's write or commit failed, or the node stopped first), so their requests were not carried out";

    /// <summary>
    /// The record for the events <paramref name="lostFirst"/> up to the one before <paramref name="next"/>,
    /// chained after <paramref name="previousHash"/>, filed under <paramref name="next"/>'s account and region,
    /// at <paramref name="now"/> (or the system's time).
    /// </summary>
    internal static AuditRecord GapBefore(string chainId, long lostFirst, string previousHash, AuditRecordUtf8 next, string reason, DateTimeOffset? now = null)
    {
        var region = "";
        using (var json = JsonDocument.Parse(next.Record))
        {
            if (json.RootElement.TryGetProperty("awsRegion"u8, out var value) && value.ValueKind == JsonValueKind.String)
            {
                region = value.GetString()!;
            }
        }

        return AuditGap.Record(
            chainId, lostFirst, next.Sequence - 1, previousHash, Convert.ToHexStringLower(next.PreviousHash.Span), reason,
            Encoding.UTF8.GetString(next.AccountId.Span), region, now ?? TimeProvider.System.GetUtcNow());
    }
}
