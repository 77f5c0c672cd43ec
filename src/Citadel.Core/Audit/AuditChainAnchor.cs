namespace Citadel.Core.Audit;

/// <summary>
/// Where an intact walk of a chain ended, so that the next walk can continue from it instead of the chain's start
/// (<see cref="AuditChainVerifier(string, AuditChainHead, AuditChainAnchor)"/>): the last record as it was verified
/// (the next walk re-reads it and compares, so a change to it is seen at once), the sequence number and link the next
/// record must have (a recorded gap moves both past the lost records), and what the chain held up to it — its first
/// sequence number, how many records, and the gaps recorded in it.
/// </summary>
public sealed record AuditChainAnchor(AuditRecord Last, long NextSequence, string NextPreviousHash, long FirstSequence, long Records, IReadOnlyList<AuditChainAnchor.RecordedGap> Gaps)
{
    /// <summary>A gap record (<see cref="AuditGap"/>) at <paramref name="Sequence"/> that stands for the records up to <paramref name="LastLost"/>.</summary>
    public readonly record struct RecordedGap(long Sequence, long LastLost, string Text);

    /// <summary>
    /// This anchor once retention removed every record before <paramref name="retainedFrom"/> (the chain's
    /// <see cref="AuditChainHead.RetainedFromSequence"/>): fewer records, and only the gaps still in the chain, as a
    /// walk from its new start would count them. Null when the start moved back (a restored database) or past the
    /// anchor record itself: the chain must be walked from its start.
    /// </summary>
    public AuditChainAnchor? RetainedFrom(long retainedFrom)
    {
        if (retainedFrom == FirstSequence)
        {
            return this;
        }

        if (retainedFrom < FirstSequence || retainedFrom > Last.Sequence)
        {
            return null;
        }

        // Every number before the new start was a record, or one a gap record before it stands for.
        var removed = retainedFrom - FirstSequence;
        foreach (var gap in Gaps)
        {
            if (gap.Sequence < retainedFrom)
            {
                removed -= gap.LastLost - gap.Sequence;
            }
        }

        return this with { FirstSequence = retainedFrom, Records = Records - removed, Gaps = Gaps.Where(g => g.Sequence >= retainedFrom).ToList() };
    }
}
