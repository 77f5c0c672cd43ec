namespace Citadel.Server.Audit;

/// <summary>
/// What the file journal's writer does when its disk fails it. A full volume (a write or a sync failing
/// with ENOSPC or EDQUOT, in any stripe) stops every stripe at once, not only the one that failed: the
/// others' zeros written ahead of their frames would take events for a while, and requests would fail and
/// succeed in turn. Appends then begin with a probe (<see cref="AuditJournal.Probe"/>, a write that needs
/// new space beyond what the journals' own cuts freed) until one succeeds, so requests fail together and
/// recover together. A failed batch's frames are cut off their journal before its requests are answered
/// (<see cref="CutFailed"/>); when even the cut fails, its numbers are made a durable gap in the trail
/// first (<see cref="RecordLostBeforeAnswer"/>).
/// </summary>
internal sealed partial class AuditWriter
{
    /// <summary>Set when a journal write or sync failed for lack of space; cleared by the first probe that succeeds.</summary>
    private volatile bool _outOfSpace;

    /// <summary>
    /// Bytes the journals cut off (failed batches' frames, the zeros written ahead of them) while out of
    /// space: free again, but not space returned. The probe must find more (<see cref="AuditJournal.Probe"/>),
    /// or events would resume in it, use it up and fail again.
    /// </summary>
    private long _freedWhileFull;

    /// <summary>
    /// How long the answer to requests whose frames could not be cut off their journal waits for their
    /// numbers to be a durable gap in the trail (<see cref="RecordLostBeforeAnswer"/>); then they are answered
    /// as failed all the same, and the log says the trail may later show them. Tests shorten it.
    /// </summary>
    internal TimeSpan LostGapWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Notes a failure for lack of space (the error number is the HResult of .NET's IOException on Unix, and of <see cref="AuditJournal.Sync"/>'s).</summary>
    private void NoteOutOfSpace(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is IOException { HResult: AuditJournal.Enospc or AuditJournal.Edquot })
            {
                _outOfSpace = true;
                return;
            }
        }
    }

    /// <summary>Counts bytes a journal's cut freed while out of space, which the next probe must find besides.</summary>
    private void NoteFreed(long bytes)
    {
        if (bytes > 0 && _outOfSpace)
        {
            Interlocked.Add(ref _freedWhileFull, bytes);
        }
    }

    /// <summary>
    /// After a failed sync of <paramref name="journal"/> (or a failed write that could not be undone), before
    /// the requests of batches <paramref name="from"/> to <paramref name="to"/> are answered as failed: cuts
    /// their frames off the journal (<see cref="AuditJournal.CutBack"/>), so that a process killed before
    /// the trail records their numbers as a gap leaves no frame of theirs for the next start's drain. An
    /// append that looked at the journal before it was marked broken may still be writing to it (one stripe
    /// unpaced, or the last append of a stop): the cut waits for the appending, so nothing lands after it.
    /// Holding the appending binds the holder to look at the queue after letting go, as every appender does.
    /// When the cut fails, the batches are marked <see cref="WrittenBatch.Uncut"/>: their release makes their
    /// numbers a durable gap in the trail before it answers them.
    /// </summary>
    private void CutFailed(AuditJournal journal, List<WrittenBatch> group, int from, int to)
    {
        var held = false;
        var wait = new SpinWait();
        while (!(held = Interlocked.CompareExchange(ref _appending, 1, 0) == 0) && !_appenderDone)
        {
            wait.SpinOnce();
        }

        try
        {
            NoteFreed(journal.CutBack(group[from].Offset));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            logger.AuditJournalNotCutBack(exception, FirstSequence(group[from]), group[to - 1].LastSequence, journal.Path);
            for (var i = from; i < to; i++)
            {
                group[i].Uncut = true;
            }
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

    private static long FirstSequence(WrittenBatch batch) => batch.LastSequence - batch.Entries.Count + 1;

    /// <summary>
    /// Before a failed batch whose frames could not be cut off its journal is answered (in sequence order,
    /// so every batch before it is answered and handed to the indexer): hands its frames to the indexer,
    /// which records its numbers as a gap in the trail after those batches and makes it durable
    /// (<see cref="RecordLost"/>), and waits for that, at most <see cref="LostGapWait"/>. A drain after a
    /// kill then takes the gap as standing for those numbers and brings none of the frames in. The trail
    /// cannot record it (the store is down, the indexer stopped): the requests are answered as failed all
    /// the same, and the log says the trail may show them. Rare (a cut needs no space; it fails on a dying
    /// disk), so the syncer that releases may wait here.
    /// </summary>
    private void RecordLostBeforeAnswer(WrittenBatch batch)
    {
        var frames = batch.Frames!;
        batch.Frames = null;
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        frames.LostGap = recorded;
        if (!_toIndex.Writer.TryWrite(frames))
        {
            frames.Dispose();
        }
        else
        {
            WakeIndexer();
            Task.WaitAny([recorded.Task, _indexerDone.Task], LostGapWait);
            if (recorded.Task.IsCompletedSuccessfully)
            {
                return;
            }
        }

        logger.AuditLostGapNotRecorded(FirstSequence(batch), batch.LastSequence, LostGapWait.TotalSeconds);
    }
}
