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

    /// <summary>The outcome of walking a chain; <see cref="Gaps"/> are losses recorded in it (<see cref="AuditGap"/>), which leave it intact.</summary>
    public sealed record Verification(string ChainId, long Records, bool Intact, IReadOnlyList<string> Problems)
    {
        public IReadOnlyList<string> Gaps { get; init; } = [];
    }

    /// <summary>
    /// Walks records in sequence order and reports the first broken link and what is missing or changed:
    /// a gap in sequence numbers (removed records), a record whose hash does not match its content
    /// (changed), a stored column that does not match the record (what LookupEvents filters on or
    /// returns, changed beside the record), a link that does not match the previous record, and a head
    /// that is ahead of the last record (a truncated tail).
    /// </summary>
    public static Verification Verify(string chainId, IEnumerable<AuditRecord> records, AuditChainHead? head)
    {
        var verifier = new AuditChainVerifier(chainId, head);
        foreach (var record in records)
        {
            if (!verifier.Add(record))
            {
                break;
            }
        }

        return verifier.Finish();
    }

    /// <summary><see cref="Verify"/> over a store's records as they are read, without holding them all.</summary>
    public static Task<Verification> VerifyAsync(string chainId, IAsyncEnumerable<AuditRecord> records, AuditChainHead? head, CancellationToken ct) =>
        VerifyAsync(new AuditChainVerifier(chainId, head), records.GetAsyncEnumerator(ct));

    /// <summary>Feeds <paramref name="verifier"/> the rest of <paramref name="records"/> (then disposed) and finishes it; its <see cref="AuditChainVerifier.Anchor"/> is then set.</summary>
    public static async Task<Verification> VerifyAsync(AuditChainVerifier verifier, IAsyncEnumerator<AuditRecord> records)
    {
        await using (records)
        {
            while (await records.MoveNextAsync())
            {
                if (!verifier.Add(records.Current))
                {
                    break;
                }
            }
        }

        return verifier.Finish();
    }

    internal static string Records(long from, long to, string one, string several) =>
        from == to ? $"record {from} {one}" : $"records {from}–{to} {several}";
}
