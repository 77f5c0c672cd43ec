using System.Text.Json;
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

    public static Task<long> DrainAsync(string directory, IAuditStore store, CancellationToken ct) => DrainAsync(directory, store, null, ct);

    /// <summary>
    /// Moves what journals left behind into the store, then deletes them. Journals locked by a running
    /// server are left to it. Records the store already has are skipped, so draining twice is harmless;
    /// a torn last write (never acknowledged) is dropped and logged. A journal whose header is damaged
    /// but which holds no frames (a spare) is set aside. Damage — intact frames of later sequence numbers
    /// after bytes that are no frame, or frames in a journal whose header is damaged — stops the drain
    /// before anything is moved, with <see cref="AuditJournalDamagedException"/>. Returns how many records were added.
    /// </summary>
    public static async Task<long> DrainAsync(string directory, IAuditStore store, ILogger? logger, CancellationToken ct)
    {
        using var open = OpenJournals(directory);
        var readings = await ReadAllAsync(open.Journals, store, ct);
        ThrowIfDamaged(readings, directory);
        long added = 0;
        foreach (var reading in readings)
        {
            if (reading.ChainId is not { } chainId)
            {
                var aside = SetAside(reading.Journal.Path);
                logger?.AuditJournalSetAside(reading.Journal.Path, aside);
                continue;
            }

            if (reading.UnreadableAfterLast is { } offset)
            {
                logger?.AuditJournalTailDropped(reading.LastSequence, reading.Journal.Path, offset);
            }

            added += await AppendAsync(store, chainId, reading.Taken.Select(t => AuditFrame.Decode(reading.Frame(t)).ToRecord(chainId)), ct);
            Keep(reading.Journal.Path, JournalSegments.DirectoryFor(store, directory), () => LastEventTimeIn(reading.Journal));
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

        if (lines.Count == 0)
        {
            lines.Add($"no audit journals in {directory}: everything is in the store");
        }

        return (lines, readings.Any(r => r.NeedsResolve));
    }

    /// <summary>
    /// Moves every intact frame into the store, as a drain does, and where damage lost events records the
    /// gap in the chain as an <see cref="AuditGap"/> record; damaged journals (and spares whose header is
    /// damaged) are renamed to …<see cref="DamagedSuffix"/> for forensics, the others deleted. Returns
    /// what was done, one line each.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ResolveAsync(string directory, IAuditStore store, TimeProvider time, CancellationToken ct)
    {
        using var open = OpenJournals(directory);
        var readings = await ReadAllAsync(open.Journals, store, ct, inferChains: true);
        var done = new List<string>();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reading in readings)
        {
            var journal = reading.Journal;
            if (reading.ChainId is not { } chainId)
            {
                done.Add($"{journal.Path}: damaged header, no events; set aside as {SetAside(journal.Path)}");
                continue;
            }

            if (!hashes.TryGetValue(chainId, out var previous))
            {
                previous = (await store.GetChainHeadAsync(chainId, ct))?.Hash ?? AuditChain.Genesis;
            }

            var records = new List<AuditRecord>();
            for (var i = 0; i < reading.Taken.Count; i++)
            {
                var record = AuditFrame.Decode(reading.Frame(reading.Taken[i])).ToRecord(chainId);
                if (reading.Gaps.FirstOrDefault(g => g.TakenBefore == i) is { } gap)
                {
                    var (account, region) = Neighbour(record);
                    var reason = $"the audit journal {System.IO.Path.GetFileName(journal.Path)} was damaged at byte {gap.Offset}; set aside as {System.IO.Path.GetFileName(journal.Path)}{DamagedSuffix}";
                    records.Add(AuditGap.Record(chainId, gap.LostFirst, gap.LostLast, previous, gap.NextPreviousHash, reason, account, region, time.GetUtcNow()));
                    done.Add($"{journal.Path}: {Events(gap.LostFirst, gap.LostLast)} lost at byte {gap.Offset}; the gap is recorded in chain {chainId}");
                }

                records.Add(record);
                previous = record.Hash;
            }

            hashes[chainId] = previous;
            if (reading.UnreadableAfterLast is { } torn)
            {
                done.Add($"{journal.Path}: torn tail at byte {torn} after event {reading.LastSequence} dropped (no later event follows it: never acknowledged)");
            }

            var added = await AppendAsync(store, chainId, records, ct);
            if (reading.Damaged || reading.HeaderDamaged)
            {
                done.Add($"{journal.Path}: {reading.Taken.Count} intact events moved into the store ({added} records with the gaps); set aside as {SetAside(journal.Path)}");
            }
            else
            {
                var segments = JournalSegments.DirectoryFor(store, directory);
                done.Add($"{journal.Path}: {reading.Taken.Count} events moved into the store; {(segments is null ? "deleted" : $"kept in {segments}")}");
                Keep(journal.Path, segments, () => LastEventTimeIn(journal));
            }
        }

        return done;
    }

    /// <summary>
    /// Reads every journal and what it adds to its chain, chains in order and each chain's journals in
    /// sequence order (file names are random; an append after a gap would make the store skip the records
    /// before it), each read against the store's head as the journals before it would leave it.
    /// </summary>
    private static async Task<List<ChainReading>> ReadAllAsync(IReadOnlyList<JournalContents> journals, IAuditStore store, CancellationToken ct, bool inferChains = false)
    {
        var heads = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chainId in journals.Select(j => j.ChainId).OfType<string>().Distinct())
        {
            if (await store.GetChainHeadAsync(chainId, ct) is { } head)
            {
                heads[chainId] = head.Sequence;
            }
            else if (journals.Where(j => j.ChainId == chainId).Min(j => j.FirstSequence) is var first && (first == 1 || first == long.MaxValue))
            {
                heads[chainId] = 0;
            }

            // Otherwise the store has no such chain and no journal starts it: the header's chain id was damaged.
        }

        var chains = new Dictionary<JournalContents, string?>();
        foreach (var journal in journals)
        {
            chains[journal] = journal.ChainId is { } named && heads.ContainsKey(named) ? named
                : inferChains && journal.Frames.Any() ? await InferChainAsync(journal, store, ct)
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
                head = (await store.GetChainHeadAsync(chainId, ct))?.Sequence ?? 0;
            }

            var reading = journal.Classify(head);
            heads[chainId] = Math.Max(head, reading.LastSequence);
            readings.Add(new ChainReading(reading, chainId, headerDamaged));
        }

        return readings;
    }

    /// <summary>The chain a journal with a damaged header belongs to: the one whose record before its first frame has the hash that frame links to.</summary>
    private static async Task<string> InferChainAsync(JournalContents journal, IAuditStore store, CancellationToken ct)
    {
        var first = journal.Frames.First();
        var links = Convert.ToHexStringLower(AuditFrame.PreviousHashOf(journal.Bytes.Span[first.Offset..]));
        var heads = await store.ListChainsAsync(ct);
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

    /// <summary>The account and region a gap record is filed under: the first event after the gap's.</summary>
    private static (string Account, string Region) Neighbour(AuditRecord record)
    {
        using var json = JsonDocument.Parse(record.Record);
        var region = json.RootElement.TryGetProperty("awsRegion", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
        return (record.AccountId, region);
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
                var bytes = new byte[RandomAccess.GetLength(file)];
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
