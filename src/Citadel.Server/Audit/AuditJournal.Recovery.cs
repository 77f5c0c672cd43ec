using Citadel.Core.Audit;
using Citadel.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Citadel.Server.Audit;

/// <summary>
/// The reading side of the journals: what a crash (or a stop before the store had everything) left
/// behind is moved into the store (<see cref="DrainAsync(string, IAuditStore, ILogger?, CancellationToken)"/>),
/// described (<see cref="InspectAsync"/>), or, after damage, moved with the gap recorded (<see cref="ResolveAsync"/>).
/// Damage is never skipped: a drain that finds it moves nothing and stops with what to do.
/// </summary>
internal sealed partial class AuditJournal
{
    /// <summary>What a damaged journal is renamed to: kept for forensics, never read again.</summary>
    public const string DamagedSuffix = ".damaged";

    /// <summary>
    /// The largest journal file read (1 GiB): a journal is started anew past <see cref="AuditOptions.JournalBytes"/>
    /// (16 MB), so only a batch of unusual size makes one larger. A file beyond it (a sparse file of terabytes
    /// in the journal directory) is refused whole rather than allocated.
    /// </summary>
    internal const long MaxReadBytes = 1L << 30;

    public static Task<long> DrainAsync(string directory, IAuditStore store, CancellationToken ct) => DrainAsync(directory, store, null, ct);

    /// <summary>
    /// Moves what journals left behind into the store, then deletes them. Journals locked by a running
    /// server are left to it. A chain's journals are merged by sequence number (with journal stripes a
    /// writer's batches alternate between files). Records the store already has are skipped, so draining
    /// twice is harmless; a torn last write (never acknowledged) is dropped and logged, and numbers that
    /// no journal holds before later ones that are (a stripe's torn tail, a failed sync) are recorded in
    /// the chain as a gap. A journal whose header is damaged but which holds no frames (a spare) is set
    /// aside. Damage — intact frames of later sequence numbers after bytes that are no frame in one file,
    /// or frames in a journal whose header is damaged — stops the drain before anything is moved, with
    /// <see cref="AuditJournalDamagedException"/>. Returns how many records were added.
    /// </summary>
    public static async Task<long> DrainAsync(string directory, IAuditStore store, ILogger? logger, CancellationToken ct)
    {
        using var open = OpenJournals(directory);
        var readings = await ReadAllAsync(open.Journals, store, ct);
        ThrowIfDamaged(readings, directory);
        foreach (var reading in readings.Where(r => r.ChainId is null))
        {
            var aside = SetAside(reading.Journal.Path);
            logger?.AuditJournalSetAside(reading.Journal.Path, aside);
        }

        long added = 0;
        foreach (var chain in Chains(readings))
        {
            foreach (var reading in chain.Where(r => r.UnreadableAfterLast is not null))
            {
                logger?.AuditJournalTailDropped(reading.LastSequence, reading.Journal.Path, reading.UnreadableAfterLast!.Value);
            }

            var merged = await MergeAsync(store, chain.Key, chain, TimeProvider.System, ct);
            foreach (var hole in merged.Holes)
            {
                logger?.AuditJournalHoleRecorded(hole.First, hole.Last, chain.Key);
            }

            added += await AppendAsync(store, chain.Key, merged.Records, ct);
            foreach (var reading in chain)
            {
                Keep(reading.Journal.Path, JournalSegments.DirectoryFor(store, directory), () => LastEventTimeIn(reading.Journal));
            }
        }

        return added;
    }

    /// <summary>
    /// Refuses (<see cref="AuditJournalDamagedException"/>) when a journal an earlier run left is damaged:
    /// a writer starting on the directory would otherwise continue the chain past events it cannot move.
    /// Otherwise returns the sequence number and hash of the last intact frame of <paramref name="chainId"/>
    /// those journals hold (journals locked by a running server are left alone), or null when there is
    /// none: a writer continues the chain from it before the frames are in the store. A journal whose
    /// header is damaged names no chain and is skipped here.
    /// </summary>
    public static async Task<(long Sequence, byte[] Hash)?> CheckAsync(string directory, IAuditStore store, string chainId, CancellationToken ct)
    {
        using var open = OpenJournals(directory);
        ThrowIfDamaged(await ReadAllAsync(open.Journals, store, ct), directory);
        (long Sequence, byte[] Hash)? last = null;
        foreach (var journal in open.Journals.Where(j => j.ChainId == chainId && j.Frames.Any()))
        {
            var frame = journal.Frames.MaxBy(f => f.Sequence);
            if (frame.Sequence > (last?.Sequence ?? 0))
            {
                last = (frame.Sequence, AuditFrame.Decode(journal.Bytes.Slice(frame.Offset, frame.Length)).Hash.ToArray());
            }
        }

        return last;
    }

    private static void ThrowIfDamaged(List<ChainReading> readings, string directory)
    {
        if (readings.FirstOrDefault(r => r.NeedsResolve) is { } damaged)
        {
            throw new AuditJournalDamagedException(Damage(damaged, directory, readings.Count(r => r.NeedsResolve) - 1));
        }
    }

    /// <summary>The time of a journal's last event (the latest, give or take the milliseconds between requests), or the Unix epoch when it holds none.</summary>
    private static DateTimeOffset LastEventTimeIn(JournalContents journal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(journal.Frames.Select(f => AuditFrame.Decode(journal.Bytes.Slice(f.Offset, f.Length)).EventTimeMs).DefaultIfEmpty(0).Max());

    /// <summary>What each journal holds, one paragraph of lines per journal, and whether any is damaged (needs `resolve`).</summary>
    public static async Task<(IReadOnlyList<string> Lines, bool Damaged)> InspectAsync(string directory, IAuditStore store, CancellationToken ct)
    {
        using var open = OpenJournals(directory);
        var lines = new List<string>();
        foreach (var path in open.InUse)
        {
            lines.Add($"{path}: in use by a running server (locked); not read");
        }

        var readings = await ReadAllAsync(open.Journals, store, ct);
        foreach (var reading in readings)
        {
            Describe(reading, lines);
        }

        foreach (var chain in Chains(readings))
        {
            foreach (var hole in (await MergeAsync(store, chain.Key, chain, TimeProvider.System, ct)).Holes.Where(h => h.DamagedIn is null))
            {
                lines.Add($"chain {chain.Key}: {Events(hole.First, hole.Last)} in no journal, later ones are (a torn tail or a failed sync, never acknowledged): the drain records them as a gap");
            }
        }

        if (lines.Count == 0)
        {
            lines.Add($"no audit journals in {directory}: everything is in the store");
        }

        return (lines, readings.Any(r => r.NeedsResolve));
    }

    /// <summary>
    /// Moves every intact frame into the store, as a drain does (a chain's journals merged by sequence
    /// number), and where damage lost events records the gap in the chain as an <see cref="AuditGap"/>
    /// record, as it does for numbers no journal holds; damaged journals (and spares whose header is
    /// damaged) are renamed to …<see cref="DamagedSuffix"/> for forensics, the others deleted. Returns
    /// what was done, one line each.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ResolveAsync(string directory, IAuditStore store, TimeProvider time, CancellationToken ct)
    {
        using var open = OpenJournals(directory);
        var readings = await ReadAllAsync(open.Journals, store, ct, inferChains: true);
        var done = new List<string>();
        foreach (var reading in readings.Where(r => r.ChainId is null))
        {
            done.Add($"{reading.Journal.Path}: damaged header, no events; set aside as {SetAside(reading.Journal.Path)}");
        }

        foreach (var chain in Chains(readings))
        {
            var merged = await MergeAsync(store, chain.Key, chain, time, ct);
            foreach (var hole in merged.Holes.Where(h => h.DamagedIn is null))
            {
                done.Add($"chain {chain.Key}: {Events(hole.First, hole.Last)} in no journal, later ones are (a torn tail or a failed sync, never acknowledged); the gap is recorded");
            }

            await AppendAsync(store, chain.Key, merged.Records, ct);
            foreach (var reading in chain)
            {
                var journal = reading.Journal;
                var gaps = merged.Holes.Count(h => h.DamagedIn == reading);
                foreach (var gap in reading.Gaps)
                {
                    done.Add($"{journal.Path}: {Events(gap.LostFirst, gap.LostLast)} lost at byte {gap.Offset}; the gap is recorded in chain {chain.Key}");
                }

                if (reading.UnreadableAfterLast is { } torn)
                {
                    done.Add($"{journal.Path}: torn tail at byte {torn} after event {reading.LastSequence} dropped (no later event follows it: never acknowledged)");
                }

                if (reading.Damaged || reading.HeaderDamaged)
                {
                    done.Add($"{journal.Path}: {reading.Taken.Count} intact events moved into the store ({reading.Taken.Count + gaps} records with the gaps); set aside as {SetAside(journal.Path)}");
                }
                else
                {
                    var segments = JournalSegments.DirectoryFor(store, directory);
                    done.Add($"{journal.Path}: {reading.Taken.Count} events moved into the store; {(segments is null ? "deleted" : $"kept in {segments}")}");
                    Keep(journal.Path, segments, () => LastEventTimeIn(journal));
                }
            }
        }

        return done;
    }

    /// <summary>The readings of each chain (journals whose chain is known), chains in order.</summary>
    private static IEnumerable<IGrouping<string, ChainReading>> Chains(List<ChainReading> readings) =>
        readings.Where(r => r.ChainId is not null).GroupBy(r => r.ChainId!, StringComparer.Ordinal).OrderBy(c => c.Key, StringComparer.Ordinal);

    /// <summary>
    /// The records a chain's journals add to the store, merged by sequence number after its head (with
    /// journal stripes, one file holds batches 1–10 and 21–30, another 11–20 and 31–40), and before each
    /// hole the merge leaves a gap record (<see cref="AuditWriter.GapBefore"/>): for numbers lost to
    /// damage in a journal, naming it; for numbers no journal holds (a stripe's torn tail, or a batch
    /// whose write or sync failed), as the writer records them. Those later events were never
    /// acknowledged (requests are answered in sequence order) but are valid: they are kept.
    /// </summary>
    private static async Task<MergedChain> MergeAsync(IAuditStore store, string chainId, IEnumerable<ChainReading> readings, TimeProvider time, CancellationToken ct)
    {
        // A recorded gap at the head stands for its numbers: a failed batch's frames a journal still holds are not brought in.
        var (head, previous) = await AuditWriter.TrailHeadAsync(store, chainId, ct);
        var next = head + 1;
        var frames = readings.SelectMany(r => r.Taken.Select(item => (Reading: r, Item: item)))
            .Where(f => f.Item.Sequence >= next)
            .OrderBy(f => f.Item.Sequence)
            .DistinctBy(f => f.Item.Sequence);
        var merged = new MergedChain([], []);
        foreach (var (reading, item) in frames)
        {
            var decoded = AuditFrame.Decode(reading.Frame(item));
            if (decoded.Sequence > next)
            {
                var last = decoded.Sequence - 1;
                var (damagedIn, gap) = readings.SelectMany(r => r.Gaps.Select(g => (Reading: r, Gap: g))).FirstOrDefault(d => d.Gap.LostFirst <= last && d.Gap.LostLast >= next);
                var reason = damagedIn is null
                    ? AuditWriter.NotDurable(next, last)
                    : $"the audit journal {System.IO.Path.GetFileName(damagedIn.Journal.Path)} was damaged at byte {gap.Offset}; set aside as {System.IO.Path.GetFileName(damagedIn.Journal.Path)}{DamagedSuffix}";
                merged.Records.Add(AuditWriter.GapBefore(chainId, next, previous, decoded, reason, time.GetUtcNow()));
                merged.Holes.Add(new Hole(next, last, damagedIn));
            }

            var record = decoded.ToRecord(chainId);
            merged.Records.Add(record);
            previous = record.Hash;
            next = record.Sequence + 1;
        }

        return merged;
    }

    /// <summary>What a chain's journals add to the store, merged, and the holes recorded as gaps in it.</summary>
    private sealed record MergedChain(List<AuditRecord> Records, List<Hole> Holes);

    /// <summary>Numbers no journal holds, before later ones that are; <paramref name="DamagedIn"/> is the journal whose damage lost them, if any.</summary>
    private sealed record Hole(long First, long Last, ChainReading? DamagedIn);

    /// <summary>
    /// Reads every journal and what it adds to its chain, chains in order and each chain's journals in
    /// order of their first frame (file names are random), each read against the store's head: a
    /// chain's journals may interleave (journal stripes), and <see cref="MergeAsync"/> puts their frames
    /// in sequence order.
    /// </summary>
    private static async Task<List<ChainReading>> ReadAllAsync(IReadOnlyList<JournalContents> journals, IAuditStore store, CancellationToken ct, bool inferChains = false)
    {
        var heads = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chainId in journals.Select(j => j.ChainId).OfType<string>().Distinct())
        {
            var naming = journals.Where(j => j.ChainId == chainId).ToList();
            // Sequence 0: the store has no such chain (a recorded gap at a head stands for numbers after it).
            if ((await AuditWriter.TrailHeadAsync(store, chainId, ct)).Sequence is var stored and > 0)
            {
                heads[chainId] = stored;
            }
            else if (naming.Min(j => j.FirstSequence) is var first && (first == 1 || first == long.MaxValue || naming.Count > 1))
            {
                // A new chain: its first frame, or, with stripes, several journals naming it (a torn tail in
                // one stripe can take event 1 with it; a damaged chain id is not the same in two files).
                heads[chainId] = 0;
            }

            // Otherwise the store has no such chain and no journal starts it: the header's chain id was damaged.
        }

        var chains = new Dictionary<JournalContents, string?>();
        foreach (var journal in journals)
        {
            chains[journal] = journal.ChainId is { } named && heads.ContainsKey(named) ? named
                : inferChains && journal.Frames.Any() ? await InferChainAsync(journal, heads.Keys, store, ct)
                : null;
        }

        var readings = new List<ChainReading>();
        foreach (var journal in journals.OrderBy(j => chains[j] ?? "", StringComparer.Ordinal).ThenBy(j => j.FirstSequence))
        {
            var headerDamaged = journal.ChainId is null || !heads.ContainsKey(journal.ChainId);
            if (chains[journal] is not { } chainId)
            {
                readings.Add(new ChainReading(journal.Classify(long.MaxValue - 1), null, headerDamaged));
                continue;
            }

            if (!heads.TryGetValue(chainId, out var head))
            {
                head = (await AuditWriter.TrailHeadAsync(store, chainId, ct)).Sequence;
                heads[chainId] = head;
            }

            readings.Add(new ChainReading(journal.Classify(head), chainId, headerDamaged));
        }

        return readings;
    }

    /// <summary>
    /// The chain a journal with a damaged header belongs to: the one whose record before its first frame has the hash
    /// that frame links to. Events that start a chain (event 1, linked to the genesis) while the store holds no chain
    /// yet (the server stopped before its first drain) belong to the chain the directory's other journals name, or,
    /// when none does, to the default chain (<see cref="AuditOptions.ChainId"/>): without this the server refuses to
    /// start and resolve cannot help.
    /// </summary>
    private static async Task<string> InferChainAsync(JournalContents journal, IEnumerable<string> namedElsewhere, IAuditStore store, CancellationToken ct)
    {
        var first = journal.Frames.First();
        var links = Convert.ToHexStringLower(AuditFrame.PreviousHashOf(journal.Bytes.Span[first.Offset..]));
        var heads = await store.ListChainsAsync(ct);
        if (heads.Count == 0 && first.Sequence == 1 && links == AuditChain.Genesis)
        {
            return namedElsewhere.Distinct(StringComparer.Ordinal).ToList() is [var named] ? named : new AuditOptions().ChainId;
        }

        foreach (var head in heads)
        {
            await foreach (var record in store.ReadChainAsync(head.ChainId, first.Sequence - 1, ct))
            {
                if (record.Sequence == first.Sequence - 1 && record.Hash == links)
                {
                    return head.ChainId;
                }

                break;
            }
        }

        return heads.Count == 1
            ? heads[0].ChainId
            : throw new InvalidOperationException($"the audit journal {journal.Path} has a damaged header and its events link to no chain in the store, so it cannot tell which chain they belong to; it was left as it is.");
    }

    private static async Task<long> AppendAsync(IAuditStore store, string chainId, IEnumerable<AuditRecord> records, CancellationToken ct)
    {
        long added = 0;
        foreach (var chunk in records.Chunk(1024))
        {
            await store.AppendAsync(chainId, chunk, ct);
            added += chunk.Length;
        }

        return added;
    }

    /// <summary>Renames a journal aside (never deleted: it is evidence); returns the new path.</summary>
    private static string SetAside(string path)
    {
        var aside = path + DamagedSuffix;
        for (var n = 2; File.Exists(aside); n++)
        {
            aside = $"{path}.{n}{DamagedSuffix}";
        }

        File.Move(path, aside);
        return aside;
    }

    private static string Damage(ChainReading reading, string directory, int more)
    {
        var journal = reading.Journal;
        var dataDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(directory));
        var what = reading.Gaps.Count > 0 && reading.Gaps[0] is { } gap
            ? $"is damaged at byte {gap.Offset}: after event {gap.LostFirst - 1} (the last intact one before it) {Found(reading.FoundAfter(gap))} follow intact, so {Events(gap.LostFirst, gap.LostLast)} would be lost"
            : $"has a damaged header but holds {Found(Range(journal.Frames.Select(f => f.Sequence).ToList()))}";
        var others = more > 0 ? $" ({more} more journal{(more == 1 ? " is" : "s are")} damaged too)" : "";
        return $"the audit journal {journal.Path} {what}{others}. Nothing was moved or deleted, and the server does not start, so no event number is used twice: "
            + $"see what each journal holds with `citadel audit journal inspect --data-dir {dataDirectory}`, then keep every intact event, record the gap in the chain and set the file aside with `citadel audit journal resolve --data-dir {dataDirectory}`.";
    }

    private static void Describe(ChainReading reading, List<string> lines)
    {
        var journal = reading.Journal;
        var frames = journal.Frames.ToList();
        if (reading.HeaderDamaged)
        {
            lines.Add(frames.Count == 0
                ? $"{journal.Path}: damaged header, no events: a spare; `resolve` (or the next start) sets it aside"
                : $"{journal.Path}: DAMAGED header, {Found(Range(frames.Select(f => f.Sequence).ToList()))} intact{(reading.ChainId is { } inferred ? $" (chain {inferred}, by their links)" : "")}: run `citadel audit journal resolve`");
            return;
        }

        lines.Add($"{journal.Path}: chain {journal.ChainId}, {journal.Bytes.Length} bytes");
        lines.Add(reading.Taken.Count == 0
            ? "  no events the store lacks"
            : $"  {Found(Range(reading.Taken.Select(t => t.Sequence).ToList()))} the store lacks (up to {reading.LastSequence})");
        if (reading.Older > 0)
        {
            lines.Add($"  {reading.Older} older events (in the store already, or left from the journal's previous use)");
        }

        foreach (var gap in reading.Gaps)
        {
            lines.Add($"  DAMAGED at byte {gap.Offset}: after event {gap.LostFirst - 1}, {Found(reading.FoundAfter(gap))} follow intact; {Events(gap.LostFirst, gap.LostLast)} lost: run `citadel audit journal resolve`");
        }

        if (reading.UnreadableAfterLast is { } offset)
        {
            lines.Add($"  torn tail at byte {offset} after event {reading.LastSequence}: no later event follows it (a write a crash interrupted, never acknowledged, or the rest of an older event); dropped");
        }
    }

    private static (long First, long Last, int Count) Range(List<long> sequences) =>
        sequences.Count == 0 ? (0, 0, 0) : (sequences.Min(), sequences.Max(), sequences.Count);

    private static string Found((long First, long Last, int Count) found) =>
        found.Count == 0 ? "no events"
        : found.Count == 1 ? $"event {found.First}"
        : found.Last - found.First + 1 == found.Count ? $"events {found.First}–{found.Last}"
        : $"{found.Count} events between {found.First} and {found.Last}";

    private static string Events(long first, long last) => first == last ? $"event {first}" : $"events {first}–{last}";

    /// <summary>Opens and locks every journal in <paramref name="directory"/>, reading it whole; those a running server holds are listed, not read.</summary>
    private static OpenedJournals OpenJournals(string directory)
    {
        var opened = new OpenedJournals();
        if (!Directory.Exists(directory))
        {
            return opened;
        }

        try
        {
            foreach (var path in Directory.GetFiles(directory, "*.journal").Order(StringComparer.Ordinal))
            {
                SafeFileHandle file;
                try
                {
                    file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    opened.InUse.Add(path);
                    continue;
                }

                opened.Files.Add(file);
                var length = RandomAccess.GetLength(file);
                if (length > MaxReadBytes)
                {
                    throw new AuditJournalDamagedException(
                        $"the audit journal {path} is {length} bytes, more than any journal Citadel writes ({MaxReadBytes} at most), so it is not one or it is damaged; it was not read, and nothing was moved or deleted. "
                        + $"Move it out of {directory} (keep it for forensics), then start again.");
                }

                var bytes = new byte[length];
                var read = 0;
                while (read < bytes.Length && RandomAccess.Read(file, bytes.AsSpan(read), read) is var n and > 0)
                {
                    read += n;
                }

                opened.Journals.Add(JournalContents.Read(path, bytes.AsMemory(0, read)));
            }

            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>Journals read and locked (each stays locked until moved and deleted or set aside).</summary>
    private sealed class OpenedJournals : IDisposable
    {
        public List<SafeFileHandle> Files { get; } = [];

        public List<JournalContents> Journals { get; } = [];

        public List<string> InUse { get; } = [];

        public void Dispose()
        {
            foreach (var file in Files)
            {
                file.Dispose();
            }
        }
    }

    /// <summary>A journal's reading and the chain it belongs to (null: its header is damaged and the chain is not known).</summary>
    private sealed record ChainReading(JournalReading Reading, string? ChainId, bool HeaderDamaged)
    {
        /// <summary>Damage, or events behind a damaged header: a drain stops; `resolve` is needed.</summary>
        public bool NeedsResolve => Damaged || HeaderDamaged && Journal.Frames.Any();

        public JournalContents Journal => Reading.Journal;

        public IReadOnlyList<JournalItem> Taken => Reading.Taken;

        public IReadOnlyList<JournalGap> Gaps => Reading.Gaps;

        public bool Damaged => Reading.Damaged;

        public int? UnreadableAfterLast => Reading.UnreadableAfterLast;

        public int Older => Reading.Older;

        public long LastSequence => Reading.LastSequence;

        public (long First, long Last, int Count) FoundAfter(JournalGap gap) => Reading.FoundAfter(gap);

        public ReadOnlyMemory<byte> Frame(JournalItem item) => Reading.Frame(item);
    }
}
