namespace Citadel.Server.Audit;

/// <summary>An intact frame (its sequence number) or a stretch of bytes that is no frame (sequence -1), at a byte offset of the file.</summary>
internal readonly record struct JournalItem(int Offset, int Length, long Sequence)
{
    public bool IsFrame => Sequence >= 0;
}
