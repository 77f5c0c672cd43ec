namespace Citadel.Server.Audit;

/// <summary>
/// What a journal adds to its chain (<see cref="JournalContents.Classify"/>): the frames to move, in order;
/// the gaps damage left between them; where bytes that are no frame follow the last one taken (a torn
/// last write, or what remains of an older frame: never acknowledged, dropped); how many older frames it
/// holds; and the last sequence number once it is moved.
/// </summary>
internal sealed record JournalReading(JournalContents Journal, IReadOnlyList<JournalItem> Taken, IReadOnlyList<JournalGap> Gaps, int? UnreadableAfterLast, int Older, long LastSequence)
{
    public bool Damaged => Gaps.Count > 0;

    /// <summary>The sequence numbers found intact after <paramref name="gap"/>: up to the next gap, or to the end.</summary>
    public (long First, long Last, int Count) FoundAfter(JournalGap gap)
    {
        var end = Gaps.FirstOrDefault(g => g.TakenBefore > gap.TakenBefore)?.TakenBefore ?? Taken.Count;
        return (Taken[gap.TakenBefore].Sequence, Taken[end - 1].Sequence, end - gap.TakenBefore);
    }

    /// <summary>An intact frame taken from the journal, as a slice of its bytes.</summary>
    public ReadOnlyMemory<byte> Frame(JournalItem item) => Journal.Bytes.Slice(item.Offset, item.Length);
}
