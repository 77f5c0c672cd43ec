using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Citadel.Core.Audit;
using Citadel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit;

/// <summary>
/// The audit trail's single writer, with group commit, pipelined. A request builds its event's frame
/// on its own thread and queues it. Appending is combined: the request that finds no append under way
/// takes every frame waiting (its own and those queued meanwhile), chains them (sequence, previous
/// hash, hash) and appends them to one of the node's journal files (a stripe) with one write, then looks
/// again, so no thread is woken for it; that stripe's syncer, on a thread of its own, makes everything
/// appended to it so far durable with one fdatasync, and requests are released in sequence order
/// (AuditWriter.Stripes.cs). The next batch is formed and written while the previous one syncs, and a
/// request waits for exactly one sync that covers its event. Behind them, the indexer derives
/// the store's queryable trail from the synced batches without syncs of its own
/// (<see cref="IAuditStore.AppendDerivedAsync"/>); a journal is deleted only once what was derived
/// from it is durable (<see cref="IAuditStore.SyncDerivedAsync"/>). Reads of the trail wait for the
/// indexer to catch up (<see cref="WaitIndexedAsync"/>), so what a client was answered for is there.
/// With <paramref name="journalStore"/> (PostgreSQL registers one) the journal is in the shared database
/// instead of the node's files (see AuditWriter.Shared.cs).
/// </summary>
internal sealed partial class AuditWriter(IAuditStore store, AuditOptions options, ILogger<AuditWriter> logger, IAuditJournalStore? journalStore = null) : BackgroundService
{
    internal const int IndexBatch = 4096;

    /// <summary>
    /// After a small batch the indexer waits this long for more (unless a reader is waiting): one
    /// store transaction for hundreds of events costs far less per event than one for a dozen.
    /// </summary>
    private static readonly TimeSpan IndexInterval = TimeSpan.FromMilliseconds(100);

    // The appender: requests queue their entries, and whichever holds _appending appends what is queued;
    // the holder owns the chain and the open journal.
    private readonly ConcurrentQueue<AuditEntry> _pending = new();
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _hex = new byte[64];
    private int _appending;
    private volatile bool _running;
    private volatile bool _stopping;
    private volatile bool _appenderDone;
    private long _sequence;

    // The syncer: batches the appender wrote, waiting for the one sync that makes them durable.
    private readonly ConcurrentQueue<WrittenBatch> _written = new();
    private readonly ConcurrentQueue<WrittenBatch> _batchPool = new();
    private readonly SemaphoreSlim _syncWake = new(0);
    private readonly TaskCompletionSource _syncerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _syncerSleeping;
    private long _durable;

    // The indexer: synced batches go to the store; retired journals are deleted once what it derived from them is durable.
    private readonly Channel<FrameBuffer> _toIndex = Channel.CreateUnbounded<FrameBuffer>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly ConcurrentQueue<AuditJournal> _retired = new();
    private readonly SemaphoreSlim _readerWaiting = new(0, 1);
    private readonly TaskCompletionSource _indexerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _indexProgress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _indexed;
    private long _journalsCreated;

    private readonly IAuditJournalStore? _journalStore = journalStore;

    /// <summary>Where full journals are kept as the trail's record store (<see cref="JournalSegments"/>), or null: they are deleted once derived.</summary>
    private readonly string? _segmentDirectory = journalStore is null && options.JournalDirectory is { } journals ? JournalSegments.DirectoryFor(store, journals) : null;

    public bool Enabled => options.Enabled;

    /// <summary>How many journal files this writer has created.</summary>
    internal long JournalsCreated => Interlocked.Read(ref _journalsCreated);

    /// <summary>The last sequence number made durable in the journal.</summary>
    internal long Durable => Volatile.Read(ref _durable);

    /// <summary>The last sequence number the store's trail holds (derived from the journal).</summary>
    internal long Indexed => Volatile.Read(ref _indexed);

    /// <summary>
    /// A test's way to make an fdatasync of the file journal fail, as an I/O error does: called before
    /// each sync of the journals this writer creates, with the journal; a non-zero error number (EIO is
    /// 5) fails that sync with it. No configuration sets it: null, it costs a check per sync.
    /// </summary>
    internal Func<AuditJournal, int>? SyncFault { get; init; }

    /// <summary>
    /// A test's way to make a cut of the file journal fail (the undoing of a failed write, or the cut of a
    /// failed sync's frames, <see cref="AuditJournal.CutBack"/>): called before each, with the journal; a
    /// non-zero error number fails it. No configuration sets it: null, it costs a check per cut.
    /// </summary>
    internal Func<AuditJournal, int>? CutFault { get; init; }

    /// <summary>How many appended batches wait for a syncer (for tests that hold a sync).</summary>
    internal int BatchesAwaitingSync => _written.Count + _stripes.Sum(s => s.Written.Count);

    private string JournalDirectory => options.JournalDirectory ?? throw new InvalidOperationException("The audit journal directory is not set.");

    /// <summary>Records a request's event (built from <see cref="AuditEntry.Event"/>); completes when it is durable.</summary>
    public ValueTask RecordAsync(AuditEntry entry)
    {
        if (!options.Enabled)
        {
            return ValueTask.CompletedTask;
        }

        entry.Build();
        if (_stopping)
        {
            entry.Failed(Stopped());
            return entry.Durable;
        }

        _pending.Enqueue(entry);
        if (_running)
        {
            AppendPending();
        }

        // Enqueued just as the writer finished stopping: nobody will write it.
        while (_writerDone.Task.IsCompleted && _pending.TryDequeue(out var orphan))
        {
            orphan.Failed(Stopped());
        }

        return entry.Durable;
    }

    /// <summary>Records a background action's event; completes when it is durable.</summary>
    public ValueTask RecordAsync(AuditEvent auditEvent) => RecordAsync(new AuditEntry(auditEvent));

    /// <summary>
    /// Waits until the queryable trail holds every event made durable before the call (normally
    /// milliseconds behind), so a read sees what its caller was answered for; on PostgreSQL that includes
    /// what a database crash took from the trail (<see cref="CheckTrailHeadAsync"/>), and what other nodes
    /// acknowledged (<see cref="OtherChainsBehindAsync"/>). Gives up after <paramref name="timeout"/> and
    /// reads what is there.
    /// </summary>
    public async Task WaitIndexedAsync(TimeSpan timeout, CancellationToken ct)
    {
        var target = Volatile.Read(ref _durable);
        var check = options.Enabled ? await CheckTrailHeadAsync(ct) : 0;
        var others = options.Enabled ? await OtherChainsBehindAsync(ct) : null;
        if (Volatile.Read(ref _indexed) >= target && check == 0 && others is null)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            while (Volatile.Read(ref _indexed) < target || Volatile.Read(ref _trailChecksDone) < check)
            {
                var progress = Volatile.Read(ref _indexProgress);
                if (Volatile.Read(ref _indexed) >= target && Volatile.Read(ref _trailChecksDone) >= check)
                {
                    break;
                }

                WakeIndexer();
                await progress.Task.WaitAsync(limit.Token);
            }

            if (others is not null)
            {
                await CatchUpOtherChainsAsync(others, limit.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The store is behind (or down); the read answers with what it has.
        }
    }

    /// <summary>
    /// Takes the chain head from the store, or from the last frame an earlier run left in a journal
    /// when that is ahead: the server serves at once, and the indexer moves those frames into the
    /// store in the background (which needs the store writable, and a full disk may not allow).
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Enabled)
        {
            // A gap record at the head stands for the numbers after its own: they are never used again.
            var (stored, storedHash) = await TrailHeadAsync(store, options.ChainId, cancellationToken);
            _indexed = stored;
            var (sequence, hash) = (stored, Convert.FromHexString(storedHash));
            // Damage in what an earlier run left stops the start (with what to do) before the chain goes on past it.
            var left = _journalStore is null
                ? await AuditJournal.CheckAsync(JournalDirectory, store, options.ChainId, cancellationToken)
                : await ClaimSharedJournalAsync(cancellationToken);
            if (_segmentDirectory is not null)
            {
                // The trail's records are in the segments: one the server may not read stops the start here, saying so.
                JournalSegments.CheckReadable(_segmentDirectory);
            }

            if (left is { } last && last.Sequence > sequence)
            {
                (sequence, hash) = (last.Sequence, last.Hash.ToArray());
            }

            _startSequence = sequence;

            _sequence = _durable = sequence;
            hash.CopyTo(_hash, 0);
            Convert.TryToHexStringLower(_hash, _hex, out _);
            _indexedHash = Convert.ToHexStringLower(_hash);
            Writers.TryAdd(this, 0);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let the loops write and index what is queued before the process ends.
        _stopping = true;
        FinishAppending();
        WakeIndexer();
        await base.StopAsync(cancellationToken);
        Writers.TryRemove(this, out _);
        await ReleaseSharedJournalAsync();
        if (Volatile.Read(ref _indexed) >= Volatile.Read(ref _durable) && _derivedDurable)
        {
            DeleteIndexedJournals(long.MaxValue);
            foreach (var stripe in _stripes)
            {
                stripe.Journal?.Retire(_segmentDirectory);
            }
        }
        else
        {
            // The store did not take everything: the journals stay, and the next start moves them over.
            foreach (var stripe in _stripes)
            {
                stripe.Journal?.Dispose();
            }

            while (_retired.TryDequeue(out var retired))
            {
                retired.Dispose();
            }
        }

        foreach (var stripe in _stripes)
        {
            stripe.Journal = null;
        }
    }

    public override void Dispose()
    {
        Writers.TryRemove(this, out _);
        _sha256.Dispose();
        _readerWaiting.Dispose();
        _syncWake.Dispose();
        _claimLock.Dispose();
        foreach (var stripe in _stripes)
        {
            stripe.Wake.Dispose();
        }

        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return Task.CompletedTask;
        }

        // The syncers and the indexer have a thread of their own: they block (in fdatasync, in a store
        // transaction), and on a thread-pool thread they would hold back requests for as long.
        if (_journalStore is null)
        {
            StartStripeSyncers();
        }
        else
        {
            new Thread(SharedSyncLoop) { IsBackground = true, Name = "Citadel audit syncer" }.Start();
        }

        new Thread(IndexLoop) { IsBackground = true, Name = "Citadel audit indexer" }.Start();
        _running = true;
        AppendPending();
        return Task.WhenAll(_writerDone.Task, _syncerDone.Task, _indexerDone.Task);
    }

    /// <summary>
    /// Appends what is queued unless another thread is doing so; that one looks at the queue again
    /// after every batch, and once more after letting go, so an entry queued meanwhile is never left
    /// behind. No thread is woken for an append: measured under load, the wake-up of an appender thread
    /// of its own cost each request more than the append itself (docs/audit.md).
    /// </summary>
    private void AppendPending()
    {
        while (!_pending.IsEmpty && CanAppend() && Interlocked.CompareExchange(ref _appending, 1, 0) == 0)
        {
            try
            {
                AppendQueued();
            }
            finally
            {
                // A full fence: the loop's next look at the stripes must not come before the release (a syncer
                // that finds the appending taken counts on this look to see its stripe idle).
                Interlocked.Exchange(ref _appending, 0);
            }
        }
    }

    /// <summary>
    /// Appends batches of what is queued until the queue is empty; the caller holds <see cref="_appending"/>.
    /// Written only to idle stripes (several, or paced: <see cref="GathersBatches"/>), up to
    /// <see cref="MaxGathered"/> batches go to the stripe the first went to and are handed to its syncer
    /// together, so one sync covers them all (rather than one per batch of <see cref="AuditOptions.MaxBatch"/>,
    /// each after the last); then the next idle stripe is looked for (a caller that keeps recording must not
    /// keep the first events from their sync).
    /// </summary>
    private void AppendQueued()
    {
        var batch = NewBatch();
        JournalStripe? gathering = null;
        try
        {
            while (true)
            {
                // With every stripe syncing, the events wait for the first syncer done (which appends them).
                var stripe = gathering ?? (_journalStore is null ? ChooseStripe() : null);
                if (_journalStore is null && stripe is null)
                {
                    return;
                }

                while (batch.Entries.Count < options.MaxBatch && _pending.TryDequeue(out var entry))
                {
                    batch.Entries.Add(entry);
                }

                if (batch.Entries.Count == 0)
                {
                    return;
                }

                if (Append(batch, stripe))
                {
                    if (stripe is not null && GathersBatches)
                    {
                        _gathered.Add(batch);
                        gathering = stripe;
                        if (_gathered.Count == MaxGathered)
                        {
                            // Then the next idle stripe: a caller that keeps recording must not keep these from their sync.
                            HandGathered(stripe);
                            gathering = null;
                        }
                    }
                    else if (stripe is not null)
                    {
                        HandToStripe(stripe, batch);
                    }
                    else
                    {
                        _written.Enqueue(batch);
                        WakeSyncer();
                    }

                    batch = NewBatch();
                }
            }
        }
        catch (Exception exception)
        {
            // Not an I/O failure (Append handles those) but a defect: the batch's requests fail rather than wait forever.
            WriteFailed(exception, batch.Entries);
            batch.Entries.Clear();
        }
        finally
        {
            if (gathering is not null)
            {
                HandGathered(gathering);
            }

            if (batch.Entries.Count == 0)
            {
                _batchPool.Enqueue(batch);
            }
        }
    }

    /// <summary>
    /// Stopping: waits for an append under way, appends what is queued, and keeps the appending to
    /// itself for good; an entry queued after that is refused (by this, or by its own request).
    /// </summary>
    private void FinishAppending()
    {
        if (!_running || _appenderDone)
        {
            return;
        }

        var wait = new SpinWait();
        while (Interlocked.CompareExchange(ref _appending, 1, 0) != 0)
        {
            wait.SpinOnce();
        }

        try
        {
            _finishing = true;
            AppendQueued();
        }
        finally
        {
            _appenderDone = true;
            _writerDone.TrySetResult();
            while (_pending.TryDequeue(out var late))
            {
                late.Failed(Stopped());
            }

            WakeSyncer();
            foreach (var stripe in _stripes)
            {
                WakeStripe(stripe);
            }
        }
    }

    private void WakeSyncer()
    {
        if (Interlocked.CompareExchange(ref _syncerSleeping, 0, 1) == 1)
        {
            _syncWake.Release();
        }
    }

    private WrittenBatch NewBatch() => _batchPool.TryDequeue(out var batch) ? batch : new WrittenBatch(options.MaxBatch);

    /// <summary>
    /// Chains the batch's frames and appends them to <paramref name="stripe"/>'s journal with one write (no
    /// sync: that is the syncer's), or, with the journal in the database, to nothing yet (null). False when
    /// the write failed and was undone (or no journal could be had): its requests have failed, and the batch
    /// is reused. A failed write that could not be undone is handed on as written, with its
    /// <see cref="WrittenBatch.Failure"/> set: its syncer fails it in sequence order.
    /// </summary>
    private bool Append(WrittenBatch written, JournalStripe? stripe)
    {
        var entries = written.Entries;
        var length = 0;
        foreach (var entry in entries)
        {
            length += entry.Frame.Length;
        }

        // Exactly the batch's size: the indexer holds it until its records are in the store.
        var frames = new FrameBuffer(length);
        Span<byte> hash = stackalloc byte[32];
        Span<byte> hex = stackalloc byte[64];
        _hash.CopyTo(hash);
        _hex.CopyTo(hex);
        var sequence = _sequence;
        var latest = default(DateTimeOffset);
        foreach (var entry in entries)
        {
            latest = entry.Event.EventTime > latest ? entry.Event.EventTime : latest;
            var frame = entry.Frame.Written;
            AuditFrame.Seal(frame, ++sequence, hash, hex, _sha256, hash);
            Convert.TryToHexStringLower(hash, hex, out _);
            frames.Write(frame);
        }

        if (_journalStore is not null)
        {
            // The syncer commits the frames to the database.
            Advance(sequence, hash, hex);
            written.Journal = null;
            written.Frames = frames;
            written.LastSequence = sequence;
            return true;
        }

        var offset = 0L;
        try
        {
            if (stripe!.Journal is { } current && (current.Broken || current.Length + frames.Length > options.JournalBytes && current.HasFrames))
            {
                Retire(current, _sequence);
                stripe.Journal = null;
            }

            if (stripe.Journal is null)
            {
                stripe.Journal = AuditJournal.Create(JournalDirectory, options.ChainId, options.SyncJournal, SyncFault, CutFault);
                Interlocked.Increment(ref _journalsCreated);
            }

            var journal = stripe.Journal;
            if (_outOfSpace)
            {
                // The volume ran out of space (in any stripe): no stripe takes events, not even into the zeros
                // written ahead of its frames, until a write that needs new space succeeds (AuditWriter.Faults.cs),
                // more than what the journals' cuts freed since the disk filled.
                var freed = Volatile.Read(ref _freedWhileFull);
                journal.Probe(freed);
                Interlocked.Add(ref _freedWhileFull, -freed);
                _outOfSpace = false;
            }

            offset = journal.Length;
            if (_segmentDirectory is not null)
            {
                journal.LastEventTime = latest > journal.LastEventTime ? latest : journal.LastEventTime;
                frames.Segment = journal.SegmentName;
                frames.SegmentOffset = offset;
            }

            journal.Append(frames.Written);
        }
        catch (Exception exception)
        {
            NoteOutOfSpace(exception);
            if (stripe!.Journal is not { } broken || exception is JournalWriteException { Undone: true })
            {
                // Nothing of the batch is on disk (no journal could be created, or the failed write was
                // cut back): its sequence numbers are taken again, and the chain has no gap. A full
                // disk costs the requests made meanwhile, not the trail's verifiability.
                NoteFreed((exception as JournalWriteException)?.Freed ?? 0);
                frames.Dispose();
                WriteFailed(exception, entries);
                entries.Clear();
                return false;
            }

            // The journal may hold part of this batch (the write could not be undone): it takes no more
            // frames, and the batch's sequence numbers are not reused, so a frame that did reach the disk
            // never collides with a later one (verification reports the gap). The batch goes to the syncer
            // as a written one and fails there, after the batches before it, once its frames are cut off
            // the journal or, failing that, its numbers are a gap in the trail (ReleaseInOrder): answered
            // at once, a kill could let the next start's drain bring its frames in.
            broken.Broken = true;
            broken.BrokenBy ??= Reason(exception);
            Retire(broken, sequence);
            stripe.Journal = null;
            written.Failure = exception;
            written.Journal = broken;
        }

        Advance(sequence, hash, hex);
        written.Journal ??= stripe.Journal;
        written.Offset = offset;
        written.Frames = frames;
        written.LastSequence = sequence;
        return true;
    }

    private void Advance(long sequence, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> hex)
    {
        _sequence = sequence;
        hash.CopyTo(_hash);
        hex.CopyTo(_hex);
    }

    /// <summary>
    /// Answers the requests of batches <paramref name="from"/> to <paramref name="to"/>: made durable
    /// (counted, then released, and the frames handed to the indexer), or failed with <paramref name="failure"/>.
    /// Called in sequence order, so <see cref="Durable"/> only grows.
    /// </summary>
    private void Release(List<WrittenBatch> group, int from, int to, Exception? failure, long started)
    {
        if (failure is not null)
        {
            for (var i = from; i < to; i++)
            {
                Answer(group[i], failure);
            }

            return;
        }

        var events = 0;
        for (var i = from; i < to; i++)
        {
            events += group[i].Entries.Count;
        }

        // Counted (and an outage's end noted) before the requests are answered.
        Written(events, to - from, TimeProvider.System.GetElapsedTime(started));
        for (var i = from; i < to; i++)
        {
            Answer(group[i], null);
        }
    }

    /// <summary>
    /// Answers one batch's requests, in sequence order: made durable (<see cref="Durable"/> advanced, the
    /// requests released, the frames handed to the indexer; the caller counted it first), or failed with
    /// <paramref name="failure"/>.
    /// </summary>
    private void Answer(WrittenBatch batch, Exception? failure)
    {
        if (failure is not null)
        {
            // Null when they went to the indexer, to be recorded as a gap (ReleaseInOrder).
            batch.Frames?.Dispose();
            WriteFailed(failure, batch.Entries);
            return;
        }

        Volatile.Write(ref _durable, batch.LastSequence);
        foreach (var entry in batch.Entries)
        {
            entry.Completed();
        }

        _toIndex.Writer.TryWrite(batch.Frames!);
    }

    /// <summary>Hands a journal that takes no more frames to the indexer, which deletes it once what it derived from it is durable.</summary>
    private void Retire(AuditJournal journal, long lastSequence)
    {
        journal.LastSequence = lastSequence;
        _retired.Enqueue(journal);
    }

    /// <summary>
    /// Derives the store's trail from synced batches, on a thread of its own: a store transaction of
    /// thousands of events runs synchronously (SQLite), and on a thread-pool thread it would hold
    /// back requests for as long. First it moves in what an earlier run left in journals: the store
    /// must get a chain's records in sequence order.
    /// </summary>
    private void IndexLoop()
    {
        var records = new List<AuditRecordUtf8>(IndexBatch);
        var batches = new List<FrameBuffer>();
        var reader = _toIndex.Reader;
        try
        {
            if (!RecoverLeftovers(_journalStore is null ? DrainLeftovers : DeriveSharedLeftovers))
            {
                return;
            }

            while (WaitForBatchesOrCheck(reader))
            {
                CheckTrailIfAsked();
                FrameBuffer? lost = null;
                while (records.Count < IndexBatch && reader.TryRead(out var batch))
                {
                    if (batch.LostGap is not null)
                    {
                        // Frames that could not be cut off a journal: after the records before them, a gap, now.
                        lost = batch;
                        break;
                    }

                    Decode(batch, records);
                    batches.Add(batch);
                }

                if (records.Count > 0 && !Derive(records))
                {
                    return;
                }

                if (lost is not null)
                {
                    if (records.Count > 0)
                    {
                        MarkIndexed(Math.Max(records[^1].Sequence, Volatile.Read(ref _indexed)));
                        records.Clear();
                        DisposeAll(batches);
                    }

                    if (!RecordLost(lost))
                    {
                        return;
                    }

                    continue;
                }

                if (records.Count == 0)
                {
                    continue;
                }

                var last = records[^1].Sequence;
                var count = records.Count;
                records.Clear();
                DisposeAll(batches);
                _derivedDurable = false;
                MarkIndexed(Math.Max(last, Volatile.Read(ref _indexed)));
                if (_retired.TryPeek(out var full) && full.LastSequence <= last && !SyncDerived())
                {
                    return;
                }

                if (count < IndexBatch / 4 && !_stopping)
                {
                    _readerWaiting.Wait(IndexInterval);
                }
            }

            // Stopping: what was derived is made durable before the journals go.
            SyncDerived();
        }
        finally
        {
            _indexerDone.TrySetResult();
        }
    }

    private volatile bool _derivedDurable = true;

    private static void DisposeAll(List<FrameBuffer> batches)
    {
        foreach (var done in batches)
        {
            done.Dispose();
        }

        batches.Clear();
    }

    /// <summary>Makes what the indexer derived durable, then deletes the journals it came from.</summary>
    private bool SyncDerived()
    {
        if (_derivedDurable)
        {
            return true;
        }

        if (!Store(() => store.SyncDerivedAsync(CancellationToken.None), 0))
        {
            return false;
        }

        _derivedDurable = true;
        DeleteIndexedJournals(Volatile.Read(ref _indexed));
        return true;
    }

    private void MarkIndexed(long last)
    {
        Volatile.Write(ref _indexed, last);
        Interlocked.Exchange(ref _indexProgress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
    }

    /// <summary>Moves journals an earlier run left into the store; the writer began after their last frame.</summary>
    private long DrainLeftovers() =>
        AuditJournal.DrainAsync(JournalDirectory, store, logger, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Runs <paramref name="recover"/> (moving what an earlier run left into the store), retrying while
    /// the store cannot take it; then the store has every event before the first this run wrote.
    /// False when stopping first.
    /// </summary>
    private bool RecoverLeftovers(Func<long> recover)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var recovered = recover();
                if (recovered > 0)
                {
                    logger.AuditRecovered(recovered);
                }

                if (Volatile.Read(ref _indexed) < _startSequence)
                {
                    MarkIndexed(_startSequence);
                }

                return true;
            }
            catch (Exception exception)
            {
                logger.AuditIndexFailed(exception, 0, attempt);
                if (_stopping)
                {
                    return false;
                }

                Thread.Sleep(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
            }
        }
    }

    private static InvalidOperationException Stopped() => new("The audit writer has stopped; the event could not be recorded.");

    private void WakeIndexer()
    {
        try
        {
            _readerWaiting.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>Adds the batch's records to <paramref name="records"/> as slices of it: the batch is returned to the pool once they are in the store.</summary>
    private void Decode(FrameBuffer batch, List<AuditRecordUtf8> records)
    {
        var bytes = batch.WrittenMemory;
        var first = records.Count;
        if (AuditFrame.DecodeAll(bytes, 0, records) != bytes.Length)
        {
            // Cannot happen for frames this writer built; were it to, the journal still has them.
            logger.AuditIndexFailed(new InvalidDataException("An audit frame could not be read back for the queryable trail."), 1, 1);
        }

        if (batch.Segment is { } segment)
        {
            ReferTo(records, first, segment, batch.SegmentOffset);
        }
    }

    /// <summary>
    /// Points the records from <paramref name="first"/> on, decoded as slices of bytes that begin at
    /// <paramref name="offset"/> in <paramref name="segment"/> (a journal file, or a PostgreSQL journal row),
    /// at where their bytes are there: the store keeps that in place of the record.
    /// </summary>
    private static void ReferTo(List<AuditRecordUtf8> records, int first, string segment, long offset)
    {
        for (var i = first; i < records.Count; i++)
        {
            var at = MemoryMarshal.TryGetArray(records[i].Record, out var slice) ? slice.Offset : throw new InvalidOperationException("A decoded audit record is not a slice of the bytes it was decoded from.");
            records[i] = records[i] with { Segment = segment, RecordOffset = offset + at };
        }
    }

    /// <summary>Runs a store call, retrying while the store is unavailable; false when stopping with the store still down (the journal keeps the records).</summary>
    private bool Store(Func<Task> call, int count)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                call().GetAwaiter().GetResult();
                return true;
            }
            catch (Exception exception)
            {
                logger.AuditIndexFailed(exception, count, attempt);
                if (_stopping && attempt >= 3)
                {
                    return false;
                }

                Thread.Sleep(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
            }
        }
    }

    private void DeleteIndexedJournals(long indexed)
    {
        while (_retired.TryPeek(out var journal) && journal.LastSequence <= indexed && _retired.TryDequeue(out journal))
        {
            try
            {
                journal.Retire(_segmentDirectory);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Left behind, it holds only what the store has: the next start's drain skips and deletes it.
                journal.Dispose();
            }
        }
    }

    /// <summary>One appended batch on its way to the syncer; reused.</summary>
    private sealed class WrittenBatch(int capacity)
    {
        public List<AuditEntry> Entries { get; } = new(capacity);

        public AuditJournal? Journal { get; set; }

        /// <summary>Where its frames begin in <see cref="Journal"/>: a failed sync cuts the journal back to there (<see cref="AuditJournal.CutBack"/>).</summary>
        public long Offset { get; set; }

        public FrameBuffer? Frames { get; set; }

        public long LastSequence { get; set; }

        /// <summary>Set by its stripe's syncer: <see cref="Unsynced"/>, <see cref="SyncedState"/> or <see cref="FailedState"/>; read in sequence order by the release.</summary>
        public int State;

        /// <summary>Why its sync (or, set by the appender, its write) failed (set before <see cref="State"/>).</summary>
        public Exception? Failure { get; set; }

        /// <summary>Set (before <see cref="State"/>) when it failed and its frames could not be cut off its journal: its release records its numbers as a gap first.</summary>
        public bool Uncut { get; set; }

        public const int Unsynced = 0;
        public const int SyncedState = 1;
        public const int FailedState = 2;

        public void Reset()
        {
            Entries.Clear();
            Journal = null;
            Frames = null;
            Failure = null;
            Uncut = false;
            State = Unsynced;
        }
    }
}
