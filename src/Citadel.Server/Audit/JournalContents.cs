using System.Buffers.Binary;
using System.Text;

namespace Citadel.Server.Audit;

/// <summary>
/// What one journal file holds, read without trusting it: its header (or that the header is damaged),
/// every intact frame in file order, and the stretches of bytes that are neither a frame nor zeros.
/// After bytes that are no frame the reader looks for the next intact frame at every offset: a frame
/// is self-delimiting and carries a CRC-32 over all but its length, so a false match needs a length
/// field that fits and a checksum that matches by chance (about one in 4 billion per offset tried),
/// and it must then also carry a sequence number that follows. This tells a torn last write (nothing
/// intact after it but older frames) from damage in the middle (intact frames of later sequence
/// numbers after it) without a marker in the frame layout, which version-1 journals lack.
/// </summary>
internal sealed class JournalContents
{
    private const int MaxChainIdBytes = 256;

    private JournalContents(string path, ReadOnlyMemory<byte> bytes, string? chainId, List<JournalItem> items)
    {
        Path = path;
        Bytes = bytes;
        ChainId = chainId;
        Items = items;
    }

    public string Path { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The chain the header names, or null when the header is damaged.</summary>
    public string? ChainId { get; }

    /// <summary>Intact frames and unreadable stretches, in file order.</summary>
    public IReadOnlyList<JournalItem> Items { get; }

    public IEnumerable<JournalItem> Frames => Items.Where(i => i.IsFrame);

    /// <summary>The sequence number of the first intact frame in the file (the newest stretch's first in a journal written again), or long.MaxValue.</summary>
    public long FirstSequence => Frames.Select(f => f.Sequence).DefaultIfEmpty(long.MaxValue).First();

    public static JournalContents Read(string path, ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        var chainId = TryReadHeader(span, out var framesAt);
        var items = new List<JournalItem>();
        var checksums = new RangeCrc(bytes);
        int? badFrom = null;
        var at = framesAt;
        while (at < span.Length)
        {
            // Every offset after damage may claim a frame: its checksum costs the same whatever length it claims.
            var length = AuditFrame.Claimed(span[at..]);
            if (length > 0 && checksums.Of(at + AuditFrame.ChecksummedFrom, at + length - 4) != AuditFrame.ChecksumOf(span.Slice(at, length)))
            {
                length = 0;
            }

            if (length > 0)
            {
                CloseBad(items, ref badFrom, at);
                items.Add(new JournalItem(at, length, AuditFrame.SequenceOf(span[at..])));
                at += length;
                continue;
            }

            // A frame's length (85 bytes to 4 MiB, little-endian) has a non-zero byte among its first three,
            // so a frame begins at most two bytes before the end of a run of zeros: skip the rest of the run.
            var nonZero = span[at..].IndexOfAnyExcept((byte)0);
            if (nonZero < 0)
            {
                break;
            }

            if (nonZero >= 3)
            {
                CloseBad(items, ref badFrom, at);
                at += nonZero - 2;
                continue;
            }

            badFrom ??= at;
            at++;
        }

        CloseBad(items, ref badFrom, Math.Min(at, span.Length));
        if (chainId is null && items.FindIndex(i => i.IsFrame) is var first and > 0)
        {
            // Without a header the scan began at byte 0: what lies before the first frame is the damaged header.
            items.RemoveRange(0, first);
        }

        return new JournalContents(path, bytes, chainId, items);
    }

    /// <summary>
    /// What the journal adds to a chain whose store holds records up to <paramref name="storedThrough"/>.
    /// Frames of lower sequence numbers are older (in the store already, or the journal's previous use,
    /// which a journal written again keeps behind its new frames). A frame whose number does not follow
    /// the last one taken, after bytes that are no frame, is damage: the events between are lost. A jump
    /// with nothing damaged before it is not: with journal stripes (<see cref="AuditOptions.JournalStripes"/>)
    /// the events between are in the chain's other journals, which the drain merges by sequence number.
    /// </summary>
    public JournalReading Classify(long storedThrough)
    {
        var next = storedThrough + 1;
        var taken = new List<JournalItem>();
        var gaps = new List<JournalGap>();
        var older = 0;
        int? badAt = null;
        foreach (var item in Items)
        {
            if (!item.IsFrame)
            {
                badAt ??= item.Offset;
                continue;
            }

            if (item.Sequence < next)
            {
                older++;
                continue;
            }

            // A frame may follow a jump with nothing damaged before it: the numbers between went to the
            // chain's other stripes, or a failed write's batch took them (the drain records a hole as a gap).
            if (item.Sequence > next && badAt is not null)
            {
                gaps.Add(new JournalGap(next, item.Sequence - 1, badAt ?? item.Offset, Convert.ToHexStringLower(AuditFrame.PreviousHashOf(Bytes.Span[item.Offset..])), taken.Count));
            }

            taken.Add(item);
            next = item.Sequence + 1;
            badAt = null;
        }

        return new JournalReading(this, taken, gaps, badAt, older, next - 1);
    }

    /// <summary>The chain id and where the frames begin, or null (and 0) when the header is not one this code writes.</summary>
    private static string? TryReadHeader(ReadOnlySpan<byte> bytes, out int framesAt)
    {
        framesAt = 0;
        if (bytes.Length < AuditJournal.Magic.Length + 2 || !bytes.StartsWith(AuditJournal.Magic))
        {
            return null;
        }

        // Chain ids are short names (AuditOptions.ChainId, "local" or a node's name).
        var length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[AuditJournal.Magic.Length..]);
        if (length is 0 or > MaxChainIdBytes || bytes.Length < AuditJournal.Magic.Length + 2 + length)
        {
            return null;
        }

        try
        {
            var chainId = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.Slice(AuditJournal.Magic.Length + 2, length));
            if (chainId.Any(char.IsControl))
            {
                return null;
            }

            framesAt = AuditJournal.Magic.Length + 2 + length;
            return chainId;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static void CloseBad(List<JournalItem> items, ref int? badFrom, int end)
    {
        if (badFrom is { } from)
        {
            items.Add(new JournalItem(from, end - from, -1));
            badFrom = null;
        }
    }
}
