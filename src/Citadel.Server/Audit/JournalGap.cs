namespace Citadel.Server.Audit;

/// <summary>
/// Events a damaged journal lost: <paramref name="LostFirst"/>–<paramref name="LostLast"/>, at byte
/// <paramref name="Offset"/>; the frame after them links to <paramref name="NextPreviousHash"/> and is
/// the <paramref name="TakenBefore"/>th frame taken.
/// </summary>
internal sealed record JournalGap(long LostFirst, long LostLast, int Offset, string NextPreviousHash, int TakenBefore);
