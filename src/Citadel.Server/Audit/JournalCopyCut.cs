using Citadel.Storage;

namespace Citadel.Server.Audit;

/// <summary>
/// Cuts the copies `citadel backup` made of a running node's journal directory so that each chain's
/// frames after the database copy's head form one unbroken sequence. The journals are copied one after
/// another while the server appends: with journal stripes (<see cref="AuditOptions.JournalStripes"/>) a
/// stripe copied later can hold events after a batch that a stripe copied earlier lacks (it was appended
/// after that copy), and the restored node's drain would record the missing numbers as a gap. Each copy
/// is therefore truncated at the frame boundary before its first frame above the first number missing
/// from the merged copies, when the server's journals hold it now (it was appended after a copy): the
/// backup is a point in time, up to that number, and every event cut was acknowledged after the copies
/// began (requests are answered in sequence order). A number the server's journals lack too is a hole
/// of the server's own (a failed write or sync, whose gap record the store did not have yet at the
/// moment): nothing is cut, and the restored node records the gap as the server would. Damage is never
/// cut away: a chain whose copies hold damage in the middle of a file (intact later frames after bytes
/// that are no frame), or a copy with a damaged header that holds frames (its chain is not known), leaves
/// every copy as it is, for the restored node's drain to report. Journal segments are not cut: the server moves a
/// journal there only after a FULL checkpoint, which cannot complete while the backup's read transaction
/// is open, so every event in a copied segment is in the database copy.
/// </summary>
internal static class JournalCopyCut
{
    /// <summary>What the restored server does with copies left as they are because of damage.</summary>
    private const string KeptDamaged = "the audit journals are kept as they are, and the restored server's drain will stop and say what to run";

    /// <summary>
    /// Cuts <paramref name="copies"/> (journal files) against <paramref name="heads"/>, each chain's last
    /// sequence number in the database copy (a chain missing there has none yet), where a number they lack
    /// is now in the server's journals, the files of <paramref name="source"/> (read without their lock);
    /// returns what was done per chain. A cut file keeps its last-write time.
    /// </summary>
    public static IReadOnlyList<Outcome> Apply(IEnumerable<string> copies, string source, IReadOnlyDictionary<string, long> heads)
    {
        // As the drain reads them: a journal set aside (….damaged) is evidence, already resolved into the store, never read again.
        // One copy is in memory at a time (up to 17 MB): what the cut needs of each is kept, its bytes are not.
        var buffer = Array.Empty<byte>();
        var readings = new List<CopyReading>();
        foreach (var path in copies.Where(IsJournal))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var journal = Read(path, file, ref buffer);
            var head = journal.ChainId is { } chainId && heads.TryGetValue(chainId, out var stored) ? stored : (long?)null;
            var reading = journal.Classify(head ?? 0);
            readings.Add(new CopyReading(path, journal.ChainId, head, journal.Frames.Any(), reading.Taken, reading.Damaged ? reading.Gaps[0].Offset : null));
        }

        if (readings.FirstOrDefault(r => r.ChainId is null && r.HoldsFrames) is { } headerless)
        {
            // Its frames may be any chain's, so a number missing from the others may be in it.
            return [new Outcome(null, 0, [], $"the copy of the audit journal {Path.GetFileName(headerless.Path)} has a damaged header but holds events: {KeptDamaged}")];
        }

        var outcomes = new List<Outcome>();
        foreach (var chain in readings.Where(r => r.ChainId is not null).GroupBy(r => r.ChainId!, StringComparer.Ordinal).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            outcomes.Add(Cut(chain.Key, chain.ToList(), chain.First().Head, source, ref buffer));
        }

        return outcomes;
    }

    /// <summary>One chain's copies cut at the first number they lack after <paramref name="head"/> (null: the database has no such chain).</summary>
    private static Outcome Cut(string chainId, List<CopyReading> readings, long? head, string source, ref byte[] buffer)
    {
        if (readings.FirstOrDefault(r => r.DamagedAt is not null) is { } damaged)
        {
            return new Outcome(chainId, 0, [], $"the copy of the audit journal {Path.GetFileName(damaged.Path)} is damaged at byte {damaged.DamagedAt}: {KeptDamaged}");
        }

        var next = (head ?? 0) + 1;
        var sequences = readings.SelectMany(r => r.Taken).Select(t => t.Sequence).Order().Distinct().ToList();
        if (head is null && sequences.Count > 0 && sequences[0] != 1)
        {
            // A chain the database does not know that no copy starts: more likely a damaged chain id than a new chain.
            return new Outcome(chainId, 0, [], $"the copies of chain {chainId}'s audit journals do not begin it, and the database has no such chain: {KeptDamaged}");
        }

        foreach (var sequence in sequences)
        {
            if (sequence > next)
            {
                return Held(source, chainId, next, ref buffer)
                    ? new Outcome(chainId, next, readings.Where(r => r.Taken.Any(t => t.Sequence > next)).Select(r => Truncate(r, next)).ToList(), null)
                    : new Outcome(chainId, 0, [], $"audit event {next} of chain {chainId} is in none of the server's journals either (a failed write or sync): the audit journals are kept as they are, and the restored server records the gap");
            }

            next = sequence + 1;
        }

        return new Outcome(chainId, 0, [], null);
    }

    /// <summary>Whether a journal of the server holds event <paramref name="sequence"/> of <paramref name="chainId"/> now.</summary>
    private static bool Held(string source, string chainId, long sequence, ref byte[] buffer)
    {
        foreach (var path in Directory.GetFiles(source).Where(IsJournal))
        {
            JournalContents journal;
            try
            {
                using var file = UnlockedRead.Open(path);
                journal = Read(path, file, ref buffer);
            }
            catch (Exception exception) when (exception is FileNotFoundException or EndOfStreamException)
            {
                continue;
            }

            if (journal.ChainId == chainId && journal.Frames.Any(f => f.Sequence == sequence))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="path"/> is a journal the drain reads (not one set aside, ….damaged); the backup's copy checks these too.</summary>
    internal static bool IsJournal(string path) => path.EndsWith(".journal", StringComparison.Ordinal);

    /// <summary>
    /// The journal <paramref name="file"/> holds, as long as it is now, read into <paramref name="buffer"/> (grown as
    /// needed): valid until the next read into it. The parser needs a file's bytes whole (after bytes that are no frame
    /// it looks for the next intact frame at every offset), so frames are not read one at a time.
    /// </summary>
    private static JournalContents Read(string path, FileStream file, ref byte[] buffer)
    {
        var length = checked((int)file.Length);
        if (buffer.Length < length)
        {
            buffer = new byte[length];
        }

        file.ReadExactly(buffer, 0, length);
        return JournalContents.Read(path, buffer.AsMemory(0, length));
    }

    /// <summary>Truncates a copy at its first frame above <paramref name="missing"/>; returns its path.</summary>
    private static string Truncate(CopyReading reading, long missing)
    {
        var path = reading.Path;
        var written = File.GetLastWriteTimeUtc(path);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(reading.Taken.First(t => t.Sequence > missing).Offset);
            file.Flush(flushToDisk: true);
        }

        File.SetLastWriteTimeUtc(path, written);
        return path;
    }

    /// <summary>
    /// What the cut needs of a copy, kept without its bytes: its chain (null: the header is damaged) and that chain's
    /// <paramref name="Head"/> in the database copy, whether it holds frames, the frames after the head it adds, in file
    /// order, and where it is damaged in the middle (<see cref="JournalReading.Damaged"/>), if it is.
    /// </summary>
    private sealed record CopyReading(string Path, string? ChainId, long? Head, bool HoldsFrames, IReadOnlyList<JournalItem> Taken, int? DamagedAt);

    /// <summary>
    /// What the cut did to a chain's copies (<paramref name="ChainId"/> null: to every copy): cut at
    /// <paramref name="Missing"/>, the first number they lack (0: not cut), the copies truncated; or,
    /// when <paramref name="LeftAsIs"/> says why and what follows, nothing, for the restored node's drain.
    /// </summary>
    public sealed record Outcome(string? ChainId, long Missing, IReadOnlyList<string> Truncated, string? LeftAsIs);
}
