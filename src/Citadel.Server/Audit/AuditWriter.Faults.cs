namespace Citadel.Server.Audit;

/// <summary>
/// What the file journal's writer does when its disk fails it. A full volume (a write or a sync failing
/// with ENOSPC or EDQUOT, in any stripe) stops every stripe at once, not only the one that failed: the
/// others' zeros written ahead of their frames would take events for a while, and requests would fail and
/// succeed in turn. Appends then begin with a probe (<see cref="AuditJournal.Probe"/>, a write that needs
/// new space) until one succeeds, so requests fail together and recover together. A failed sync's frames
/// are cut off their journal before its requests are answered (<see cref="CutFailed"/>).
/// </summary>
internal sealed partial class AuditWriter
{
    private const int Enospc = 28;
    private const int Edquot = 122;

    /// <summary>Set when a journal write or sync failed for lack of space; cleared by the first probe that succeeds.</summary>
    private volatile bool _outOfSpace;

    /// <summary>Notes a failure for lack of space (the error number is the HResult of .NET's IOException on Unix, and of <see cref="AuditJournal.Sync"/>'s).</summary>
    private void NoteOutOfSpace(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is IOException { HResult: Enospc or Edquot })
            {
                _outOfSpace = true;
                return;
            }
        }
    }

    /// <summary>
    /// After a failed sync of <paramref name="journal"/>, before the requests of its batches from
    /// <paramref name="batch"/> on are answered as failed: cuts their frames off the journal
    /// (<see cref="AuditJournal.CutBack"/>), so that a process killed before the trail records their
    /// numbers as a gap leaves no frame of theirs for the next start's drain. An append that looked at the
    /// journal before it was marked broken may still be writing to it (one stripe unpaced, or the last
    /// append of a stop): the cut waits for the appending, so nothing lands after it. Holding the appending
    /// binds the holder to look at the queue after letting go, as every appender does.
    /// </summary>
    private void CutFailed(AuditJournal journal, WrittenBatch batch, long lastSequence)
    {
        var held = false;
        var wait = new SpinWait();
        while (!(held = Interlocked.CompareExchange(ref _appending, 1, 0) == 0) && !_appenderDone)
        {
            wait.SpinOnce();
        }

        try
        {
            journal.CutBack(batch.Offset);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            logger.AuditJournalNotCutBack(exception, batch.LastSequence - batch.Entries.Count + 1, lastSequence, journal.Path);
        }
        finally
        {
            if (held)
            {
                Interlocked.Exchange(ref _appending, 0);
            }
        }

        if (held && _running)
        {
            AppendPending();
        }
    }
}
