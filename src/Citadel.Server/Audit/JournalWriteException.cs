namespace Citadel.Server.Audit;

/// <summary>
/// A journal write failed (most often: no space left on the device). <see cref="Undone"/>: nothing of
/// it stayed in the journal, so its sequence numbers may be taken again and the chain has no gap.
/// </summary>
internal sealed class JournalWriteException(Exception inner, bool undone) : IOException(inner.Message, inner)
{
    public bool Undone { get; } = undone;
}
