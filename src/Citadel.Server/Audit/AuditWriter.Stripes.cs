using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Citadel.Server.Audit;

/// <summary>
/// The file journal's stripes (<see cref="AuditOptions.JournalStripes"/>): several journal files open at
/// once, each with a syncer thread of its own, so that several fdatasyncs are under way together and
/// throughput no longer follows one sync's latency. They must be separate files: a file system may hold
/// a file's lock for the whole of its fsync (FUSE does), so even the next write to the same file waits
/// for it. The appender still chains every batch in one sequence and writes each to a stripe whose
/// syncer has nothing to do; when every stripe is syncing, the events wait, and the first syncer done
/// appends them. Under concurrent load the syncs are paced (<see cref="AuditOptions.SyncPace"/>): a
/// syncer whose sync saw other events come starts its next one only a pace after the last sync began on
/// any stripe, so that fewer, fuller syncs cost less CPU per event (<see cref="HoldBack"/>). Requests are answered in sequence order: a batch is
/// released (its requests answered, <see cref="Durable"/> advanced, its frames handed to the indexer)
/// only once every batch before it is synced or failed. A failed sync fails its own stripe's batches
/// only; the trail records their numbers as a gap (<see cref="Derive"/>), and after a crash the drain
/// merges the stripes' journals by sequence number (AuditJournal.Recovery.cs).
/// </summary>
internal sealed partial class AuditWriter
{
    /// <summary>The file journal's stripes (none when the journal is in the database).</summary>
    private readonly JournalStripe[] _stripes = journalStore is null
        ? [.. Enumerable.Range(0, Math.Max(1, options.JournalStripes)).Select(i => new JournalStripe(i))]
        : [];

    /// <summary>Every batch the appender wrote to a stripe, in sequence order, until it is released.</summary>
    private readonly ConcurrentQueue<WrittenBatch> _inOrder = new();

    /// <summary>Held by the syncer that releases batches: one at a time, in sequence order.</summary>
    private readonly Lock _releasing = new();

    private int _stripeSyncers;

    /// <summary>Set while the writer stops: what is queued is written even to a stripe that is syncing.</summary>
    private volatile bool _finishing;

    /// <summary>When the last sync of any stripe began (a timestamp): the pacing counts from it.</summary>
    private long _lastSyncStart;

    /// <summary>Batches one append wrote to an idle stripe, handed to its syncer together (the appender's).</summary>
    private readonly List<WrittenBatch> _gathered = [];

    /// <summary>The most batches one append hands to one stripe's syncer together (<see cref="AppendQueued"/>).</summary>
    private const int MaxGathered = 4;

    /// <summary>Hands the batches gathered for <paramref name="stripe"/> to its syncer, in sequence order.</summary>
    private void HandGathered(JournalStripe stripe)
    {
        foreach (var gathered in _gathered)
        {
            HandToStripe(stripe, gathered);
        }

        _gathered.Clear();
    }

    /// <summary>Whether a batch goes only to an idle stripe, and one append's batches to its syncer together.</summary>
    private bool GathersBatches => _stripes.Length > 1 || _paced;

    /// <summary>Whether the syncs are paced (<see cref="AuditOptions.SyncPace"/>): then one stripe, too, is written only while idle.</summary>
    private readonly bool _paced = journalStore is null && options.SyncPace > TimeSpan.Zero && options.SyncJournal;

    private void StartStripeSyncers()
    {
        _stripeSyncers = _stripes.Length;
        foreach (var stripe in _stripes)
        {
            new Thread(() => StripeSyncLoop(stripe)) { IsBackground = true, Name = $"Citadel audit syncer {stripe.Index}" }.Start();
        }
    }

    /// <summary>
    /// The stripe for the next batch: the first whose syncer has nothing written and unsynced and is not
    /// holding back its next sync (the pacing). With several stripes and none idle, null: the events wait,
    /// and the first syncer done appends them (a larger batch), since a write to a file being synced may
    /// wait for the whole sync (FUSE holds the file's lock meanwhile). So with one stripe when the syncs are
    /// paced: each cycle is then one write and one sync. With one stripe unpaced (as before stripes) the
    /// next batch is written while the previous one syncs; so is what is left when the writer stops: to
    /// the stripe with the fewest batches outstanding whose sync began first. The caller holds <see cref="_appending"/>.
    /// </summary>
    private JournalStripe? ChooseStripe()
    {
        var best = _stripes[0];
        var bestOutstanding = int.MaxValue;
        var bestStarted = long.MaxValue;
        foreach (var stripe in _stripes)
        {
            var outstanding = Volatile.Read(ref stripe.Outstanding);
            if (outstanding == 0 && Volatile.Read(ref stripe.HeldBack) == 0)
            {
                return stripe;
            }

            var started = Volatile.Read(ref stripe.SyncStarted);
            if (outstanding < bestOutstanding || (outstanding == bestOutstanding && started < bestStarted))
            {
                (best, bestOutstanding, bestStarted) = (stripe, outstanding, started);
            }
        }

        return (_stripes.Length == 1 && !_paced) || _finishing ? best : null;
    }

    /// <summary>Whether queued events can be appended now (with the journal in the database, always).</summary>
    private bool CanAppend()
    {
        if (_journalStore is not null || (_stripes.Length == 1 && !_paced))
        {
            return true;
        }

        foreach (var stripe in _stripes)
        {
            if (Volatile.Read(ref stripe.Outstanding) == 0 && Volatile.Read(ref stripe.HeldBack) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Queues a written batch for its stripe's syncer, after putting it in line for the release (which must see it first).</summary>
    private void HandToStripe(JournalStripe stripe, WrittenBatch batch)
    {
        _inOrder.Enqueue(batch);
        Interlocked.Increment(ref stripe.Outstanding);
        stripe.Written.Enqueue(batch);
        WakeStripe(stripe);
    }

    private static void WakeStripe(JournalStripe stripe)
    {
        if (Interlocked.CompareExchange(ref stripe.Sleeping, 0, 1) == 1)
        {
            stripe.Wake.Release();
        }
    }

    /// <summary>
    /// One stripe's syncer: makes the batches written to its journal durable, one fdatasync for all that
    /// are waiting (per journal they went to), marks them synced or failed, and releases what can be
    /// released. A batch in a journal a sync failed in fails too: after a failed fdatasync, what the
    /// file holds is unknown. Paced (<see cref="AuditOptions.SyncPace"/>), a syncer whose sync saw
    /// other events come holds its stripe back until the pace since the last sync began, then appends
    /// what waited. The last syncer to stop closes the indexer's input.
    /// </summary>
    private void StripeSyncLoop(JournalStripe stripe)
    {
        var group = new List<WrittenBatch>();
        try
        {
            while (true)
            {
                while (stripe.Written.TryDequeue(out var batch))
                {
                    group.Add(batch);
                }

                if (group.Count == 0)
                {
                    if (_appenderDone && stripe.Written.IsEmpty)
                    {
                        break;
                    }

                    // Until a batch is written to this stripe, or the appender is done for good. A full fence
                    // (not a volatile write, which a later read may pass) before the queue is looked at again.
                    Interlocked.Exchange(ref stripe.Sleeping, 1);
                    if ((stripe.Written.IsEmpty && !_appenderDone) || Interlocked.CompareExchange(ref stripe.Sleeping, 0, 1) != 1)
                    {
                        stripe.Wake.Wait();
                    }

                    continue;
                }

                var sequenceBefore = group[^1].LastSequence;
                var paced = _paced;
                if (paced)
                {
                    // Busy while it syncs in any case; kept after the sync if the load turns out concurrent.
                    Volatile.Write(ref stripe.HeldBack, 1);
                }

                for (var from = 0; from < group.Count;)
                {
                    var journal = group[from].Journal!;
                    var to = from + 1;
                    while (to < group.Count && group[to].Journal == journal)
                    {
                        to++;
                    }

                    SyncAndMark(stripe, journal, group, from, to);
                    from = to;
                }

                group.Clear();

                // Looked at before the release: a caller answered by it may record its next event at once.
                var concurrent = paced && (!_pending.IsEmpty || Volatile.Read(ref _sequence) > sequenceBefore);
                ReleaseInOrder();
                if (paced)
                {
                    HoldBack(stripe, concurrent);
                }

                // Events that waited while every stripe was syncing (or while this one held back) go to this
                // one, idle now (or another). One stripe unpaced never makes them wait: its requests append them.
                if ((_stripes.Length > 1 || paced) && !_pending.IsEmpty && _running)
                {
                    AppendPending();
                }
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _stripeSyncers) == 0)
            {
                ReleaseInOrder();
                _toIndex.Writer.TryComplete();
                _syncerDone.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The pacing, after a sync: when events came while it ran (<paramref name="concurrent"/>: waiting, or
    /// written to another stripe), the next sync waits until <see cref="AuditOptions.SyncPace"/> after the
    /// last sync began on any stripe, while more events gather in the queue (the stripe stays busy
    /// meanwhile, so no request writes to it). Otherwise (one caller at a time, an idle server) nothing
    /// waits. The wait is a sleep, not a wake-up, so none can be lost: it ends by itself, or within a
    /// millisecond of a stop (which writes what is queued even to a stripe held back). The stripe is let
    /// go with a full fence before the caller looks at the queue: a request that queued an event and
    /// found the stripe held back counts on that look.
    /// </summary>
    private void HoldBack(JournalStripe stripe, bool concurrent)
    {
        while (concurrent && !_finishing)
        {
            var left = options.SyncPace - TimeProvider.System.GetElapsedTime(Volatile.Read(ref _lastSyncStart));
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            Pause(left < MaxPause ? left : MaxPause);
        }

        Interlocked.Exchange(ref stripe.HeldBack, 0);
    }

    /// <summary>The longest single sleep of a hold: a stop is noticed within it.</summary>
    private static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(1);

    /// <summary>Sleeps for <paramref name="span"/> (a fraction of a millisecond: Thread.Sleep counts whole ones).</summary>
    private static void Pause(TimeSpan span)
    {
        if (OperatingSystem.IsLinux())
        {
            var request = new TimeSpec { Seconds = span.Ticks / TimeSpan.TicksPerSecond, Nanoseconds = span.Ticks % TimeSpan.TicksPerSecond * 100 };
            _ = NanoSleep(in request, IntPtr.Zero);
        }
        else
        {
            Thread.Sleep(span < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : span);
        }
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in TimeSpec request, IntPtr remaining);

    /// <summary>struct timespec on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>
    /// Syncs <paramref name="journal"/> once for batches <paramref name="from"/> to <paramref name="to"/>
    /// and marks them. Once marked, a batch may be released and reused by another syncer at once: it is
    /// not touched after.
    /// </summary>
    private void SyncAndMark(JournalStripe stripe, AuditJournal journal, List<WrittenBatch> group, int from, int to)
    {
        var started = TimeProvider.System.GetTimestamp();
        Volatile.Write(ref stripe.SyncStarted, started);
        Volatile.Write(ref _lastSyncStart, started);
        Exception? failure = null;
        try
        {
            if (journal.Broken)
            {
                throw new IOException($"An earlier write or sync of the audit journal {journal.Path} failed ({journal.BrokenBy ?? "the cause was not recorded"}); the events after it were not recorded.");
            }

            journal.Sync();
            SyncDuration.Record(TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception)
        {
            journal.Broken = true;
            journal.BrokenBy ??= Reason(exception);
            failure = exception;
            NoteOutOfSpace(exception);
        }

        if (failure is not null)
        {
            // Before their requests are answered: no frame of a failed batch is left for a drain after a kill.
            CutFailed(journal, group, from, to);
        }

        Volatile.Write(ref stripe.SyncStarted, long.MaxValue);
        for (var i = from; i < to; i++)
        {
            var batch = group[i];

            // A batch whose own write failed (and could not be undone) fails with that.
            batch.Failure ??= failure;
            Volatile.Write(ref batch.State, failure is null ? WrittenBatch.SyncedState : WrittenBatch.FailedState);
        }

        Interlocked.Add(ref stripe.Outstanding, from - to);
    }

    /// <summary>
    /// Releases, in sequence order, every batch at the head of the line whose sync is done: made durable
    /// (counted, <see cref="Durable"/> advanced, its requests answered, its frames handed to the indexer
    /// in order), or failed. Stops at the first batch still unsynced: a later one waits for it, so an
    /// answer never claims an event durable while an earlier one may yet be lost.
    /// </summary>
    private void ReleaseInOrder()
    {
        lock (_releasing)
        {
            while (_inOrder.TryPeek(out var batch) && Volatile.Read(ref batch.State) is var state and not WrittenBatch.Unsynced)
            {
                _inOrder.TryDequeue(out _);
                if (state != WrittenBatch.FailedState)
                {
                    // Counted (and an outage's end noted) before the requests are answered.
                    Counted(batch.Entries.Count, 1);
                }
                else if (batch.Uncut)
                {
                    RecordLostBeforeAnswer(batch);
                }

                Answer(batch, state == WrittenBatch.FailedState ? batch.Failure! : null);

                batch.Reset();
                _batchPool.Enqueue(batch);
            }
        }
    }

    /// <summary>One journal file open for appends, with its own syncer; the appender owns <see cref="Journal"/>.</summary>
    private sealed class JournalStripe(int index)
    {
        public int Index { get; } = index;

        /// <summary>The open journal (rotated at <see cref="AuditOptions.JournalBytes"/> on its own).</summary>
        public AuditJournal? Journal { get; set; }

        /// <summary>Batches written to <see cref="Journal"/> and waiting for this stripe's syncer.</summary>
        public ConcurrentQueue<WrittenBatch> Written { get; } = new();

        public SemaphoreSlim Wake { get; } = new(0);

        public int Sleeping;

        /// <summary>Batches written to this stripe whose sync has not ended: 0 when its syncer is idle.</summary>
        public int Outstanding;

        /// <summary>1 from the start of a sync until its syncer let the stripe go (paced): busy meanwhile, as with <see cref="Outstanding"/>.</summary>
        public int HeldBack;

        /// <summary>When the running sync began (a timestamp), or long.MaxValue when none runs.</summary>
        public long SyncStarted = long.MaxValue;
    }
}
