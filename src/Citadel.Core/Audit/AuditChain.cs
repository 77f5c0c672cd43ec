using System.Security.Cryptography;
using System.Text;

namespace Citadel.Core.Audit;

/// <summary>
/// The hash chain of audit records: hash(n) = SHA-256(hash(n-1) as hex || 0x0A || record JSON as
/// UTF-8), hex-encoded; the first record of a chain links to <see cref="Genesis"/>. Changing,
/// removing or reordering a record breaks every later link.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string Hash(string previousHash, string record)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[256];
        Append(hash, previousHash, buffer);
        hash.AppendData("\n"u8);
        Append(hash, record, buffer);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    private static void Append(IncrementalHash hash, string text, Span<byte> buffer)
    {
        // UTF-8 in chunks through a stack buffer: no copy of the record on the heap.
        var encoder = Encoding.UTF8.GetEncoder();
        var chars = text.AsSpan();
        while (!chars.IsEmpty)
        {
            encoder.Convert(chars, buffer, flush: true, out var used, out var written, out _);
            hash.AppendData(buffer[..written]);
            chars = chars[used..];
        }
    }

    /// <summary>The outcome of walking a chain.</summary>
    public sealed record Verification(string ChainId, long Records, bool Intact, IReadOnlyList<string> Problems);

    /// <summary>
    /// Walks records in sequence order and reports the first broken link and what is missing or changed:
    /// a gap in sequence numbers (removed records), a record whose hash does not match its content
    /// (changed), a link that does not match the previous record, and a head that is ahead of the
    /// last record (a truncated tail).
    /// </summary>
    public static Verification Verify(string chainId, IEnumerable<AuditRecord> records, AuditChainHead? head)
    {
        var problems = new List<string>();
        long count = 0;
        long? expectedSequence = head?.RetainedFromSequence;
        string? previousHash = null;
        AuditRecord? last = null;
        var stopped = false;
        foreach (var record in records)
        {
            count++;
            if (expectedSequence is { } expected && record.Sequence != expected)
            {
                problems.Add(record.Sequence > expected
                    ? $"{Records(expected, record.Sequence - 1, "is", "are")} missing (removed)"
                    : $"record {record.Sequence} is out of order");
            }

            if (Hash(record.PreviousHash, record.Record) != record.Hash)
            {
                problems.Add($"record {record.Sequence} (event {record.EventId}) was changed: its content does not match its hash");
            }

            if (previousHash is not null && record.PreviousHash != previousHash)
            {
                problems.Add($"record {record.Sequence} does not link to record {record.Sequence - 1}");
            }
            else if (previousHash is null && record.Sequence == 1 && record.PreviousHash != Genesis)
            {
                problems.Add("record 1 does not start the chain");
            }

            previousHash = record.Hash;
            expectedSequence = record.Sequence + 1;
            last = record;
            if (problems.Count >= 20)
            {
                problems.Add("(stopped after 20 problems)");
                stopped = true;
                break;
            }
        }

        // Stopped early, the last record read is not the chain's last: comparing it with the head would report a false truncation.
        if (head is not null && !stopped)
        {
            if (last is null && head.Sequence >= head.RetainedFromSequence)
            {
                problems.Add($"the chain head is record {head.Sequence}, but no records remain (all removed)");
            }
            else if (last is not null && last.Sequence < head.Sequence)
            {
                problems.Add($"the chain head is record {head.Sequence}, but the last record is {last.Sequence}: {Records(last.Sequence + 1, head.Sequence, "was", "were")} removed from the end");
            }
            else if (last is not null && last.Sequence == head.Sequence && last.Hash != head.Hash)
            {
                problems.Add($"the last record {last.Sequence} does not match the chain head's hash");
            }
        }

        return new Verification(chainId, count, problems.Count == 0, problems);
    }

    private static string Records(long from, long to, string one, string several) =>
        from == to ? $"record {from} {one}" : $"records {from}–{to} {several}";
}
