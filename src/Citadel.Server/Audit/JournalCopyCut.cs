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
        var journals = copies.Where(IsJournal).Select(path => JournalContents.Read(path, File.ReadAllBytes(path))).ToList();
        if (journals.FirstOrDefault(j => j.ChainId is null && j.Frames.Any()) is { } headerless)
        {
            // Its frames may be any chain's, so a number missing from the others may be in it.
            return [new Outcome(null, 0, [], $"the copy of the audit journal {Path.GetFileName(headerless.Path)} has a damaged header but holds events: {KeptDamaged}")];
        }

        var outcomes = new List<Outcome>();
        foreach (var chain in journals.Where(j => j.ChainId is not null).GroupBy(j => j.ChainId!, StringComparer.Ordinal).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            outcomes.Add(Cut(chain.Key, chain.ToList(), heads.TryGetValue(chain.Key, out var head) ? head : null, source));
        }

        return outcomes;
    }

    /// <summary>One chain's copies cut at the first number they lack after <paramref name="head"/> (null: the database has no such chain).</summary>
    private static Outcome Cut(string chainId, List<JournalContents> journals, long? head, string source)
    {
        var readings = journals.Select(j => j.Classify(head ?? 0)).ToList();
        if (readings.FirstOrDefault(r => r.Damaged) is { } damaged)
        {
            return new Outcome(chainId, 0, [], $"the copy of the audit journal {Path.GetFileName(damaged.Journal.Path)} is damaged at byte {damaged.Gaps[0].Offset}: {KeptDamaged}");
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
                return Held(source, chainId, next)
                    ? new Outcome(chainId, next, readings.Where(r => r.Taken.Any(t => t.Sequence > next)).Select(r => Truncate(r, next)).ToList(), null)
                    : new Outcome(chainId, 0, [], $"audit event {next} of chain {chainId} is in none of the server's journals either (a failed write or sync): the audit journals are kept as they are, and the restored server records the gap");
            }

            next = sequence + 1;
        }

        return new Outcome(chainId, 0, [], null);
    }

    /// <summary>Whether a journal of the server holds event <paramref name="sequence"/> of <paramref name="chainId"/> now.</summary>
    private static bool Held(string source, string chainId, long sequence)
    {
        foreach (var path in Directory.GetFiles(source).Where(IsJournal))
        {
            byte[] bytes;
            try
            {
                using var file = UnlockedRead.Open(path);
                bytes = new byte[file.Length];
                file.ReadExactly(bytes);
            }
            catch (Exception exception) when (exception is FileNotFoundException or EndOfStreamException)
            {
                continue;
            }

            var journal = JournalContents.Read(path, bytes);
            if (journal.ChainId == chainId && journal.Frames.Any(f => f.Sequence == sequence))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsJournal(string path) => path.EndsWith(".journal", StringComparison.Ordinal);

    /// <summary>Truncates a copy at its first frame above <paramref name="missing"/>; returns its path.</summary>
    private static string Truncate(JournalReading reading, long missing)
    {
        var path = reading.Journal.Path;
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
    /// What the cut did to a chain's copies (<paramref name="ChainId"/> null: to every copy): cut at
    /// <paramref name="Missing"/>, the first number they lack (0: not cut), the copies truncated; or,
    /// when <paramref name="LeftAsIs"/> says why and what follows, nothing, for the restored node's drain.
    /// </summary>
    public sealed record Outcome(string? ChainId, long Missing, IReadOnlyList<string> Truncated, string? LeftAsIs);
}
