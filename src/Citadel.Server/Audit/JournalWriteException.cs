namespace Citadel.Server.Audit;

/// <summary>
/// A journal write failed (most often: no space left on the device). <see cref="Undone"/>: nothing of
/// it stayed in the journal, so its sequence numbers may be taken again and the chain has no gap.
/// <see cref="Freed"/>: bytes of zeros written ahead of the frames that the undoing cut off with it.
/// </summary>
internal sealed class JournalWriteException(Exception inner, bool undone, long freed = 0) : IOException(inner.Message, inner)
{
    public bool Undone { get; } = undone;

    public long Freed { get; } = freed;
}
