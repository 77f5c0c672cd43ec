using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Citadel.Core.Audit;
using Citadel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit;

/// <summary>
/// The audit trail's single writer, with group commit. A request builds its event's frame on its own
/// thread and waits; the writer takes every frame waiting, chains them (sequence, previous hash,
/// hash), appends them to the node's journal with one write and one fdatasync, and releases the
/// requests: a request is answered only after its event is durable. Behind it, the indexer moves
/// the journal's records into the store's queryable trail in large batches; reads of the trail wait
/// for it to catch up (<see cref="WaitIndexedAsync"/>), so what a client was answered for is there.
/// </summary>
internal sealed class AuditWriter(IAuditStore store, AuditOptions options, ILogger<AuditWriter> logger) : BackgroundService
{
    private const int IndexBatch = 4096;

    /// <summary>
    /// After a small batch the indexer waits this long for more (unless a reader is waiting): one
    /// store transaction for hundreds of events costs far less per event than one for a dozen.
    /// </summary>
    private static readonly TimeSpan IndexInterval = TimeSpan.FromMilliseconds(100);

    // The writer: requests queue their entries and wake it; it owns the chain and the journals.
    private readonly ConcurrentQueue<AuditEntry> _pending = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _hex = new byte[64];
    private int _sleeping;
    private volatile bool _stopping;
    private AuditJournal? _journal;
    private Task<AuditJournal>? _spare;
    private long _sequence;
    private long _durable;

    // The indexer: written batches go to the store; full journals are reused (or deleted) once it has them.
    private readonly Channel<FrameBuffer> _toIndex = Channel.CreateUnbounded<FrameBuffer>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly ConcurrentQueue<AuditJournal> _retired = new();

    // Full journals the store has everything of, to be written again from the start (see AuditJournal).
    private readonly ConcurrentQueue<AuditJournal> _reusable = new();
    private long _journalsCreated;
    private readonly SemaphoreSlim _readerWaiting = new(0, 1);
    private readonly TaskCompletionSource _indexerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _indexProgress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _indexed;

    public bool Enabled => options.Enabled;

    /// <summary>How many journal files this writer has created (written with zeros); full ones are reused, so it stays small.</summary>
    internal long JournalsCreated => Interlocked.Read(ref _journalsCreated);

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
        if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
        {
            _wake.Release();
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
    /// milliseconds behind), so a read sees what its caller was answered for. Gives up after
    /// <paramref name="timeout"/> and reads what is there.
    /// </summary>
    public async Task WaitIndexedAsync(TimeSpan timeout, CancellationToken ct)
    {
        var target = Volatile.Read(ref _durable);
        if (Volatile.Read(ref _indexed) >= target)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var progress = Volatile.Read(ref _indexProgress);
                if (Volatile.Read(ref _indexed) >= target)
                {
                    return;
                }

                WakeIndexer();
                await progress.Task.WaitAsync(limit.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The store is behind (or down); the read answers with what it has.
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Enabled)
        {
            // What a crash (or a store that was down at the last stop) left in journals goes to the store first.
            var recovered = await AuditJournal.DrainAsync(JournalDirectory, store, logger, cancellationToken);
            if (recovered > 0)
            {
                logger.AuditRecovered(recovered);
            }

            if (await store.GetChainHeadAsync(options.ChainId, cancellationToken) is { } head)
            {
                _sequence = head.Sequence;
                Convert.FromHexString(head.Hash, _hash, out _, out _);
            }

            Convert.TryToHexStringLower(_hash, _hex, out _);
            _durable = _indexed = _sequence;
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let the loops write and index what is queued before the process ends.
        _stopping = true;
        _wake.Release();
        WakeIndexer();
        await base.StopAsync(cancellationToken);
        if (_spare is { } spare)
        {
            try
            {
                (await spare).Delete();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // An unused spare left behind holds no events; the next start deletes it.
            }
        }

        while (_reusable.TryDequeue(out var reusable))
        {
            reusable.Delete();
        }

        if (Volatile.Read(ref _indexed) >= Volatile.Read(ref _durable))
        {
            DeleteIndexedJournals(long.MaxValue);
            _journal?.Delete();
        }
        else
        {
            // The store did not take everything: the journal stays, and the next start moves it over.
            _journal?.Dispose();
            while (_retired.TryDequeue(out var retired))
            {
                retired.Dispose();
            }
        }

        _journal = null;
    }

    public override void Dispose()
    {
        _sha256.Dispose();
        _readerWaiting.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return Task.CompletedTask;
        }

        // The writer has a thread of its own: woken by a request, it runs at once instead of queuing
        // behind the requests' work in the thread pool, which made every batch wait longer.
        new Thread(WriteLoop) { IsBackground = true, Name = "Citadel audit writer" }.Start();
        new Thread(IndexLoop) { IsBackground = true, Name = "Citadel audit indexer" }.Start();
        return Task.WhenAll(_writerDone.Task, _indexerDone.Task);
    }

    private void WriteLoop()
    {
        var entries = new List<AuditEntry>(options.MaxBatch);
        try
        {
            while (true)
            {
                while (entries.Count < options.MaxBatch && _pending.TryDequeue(out var entry))
                {
                    entries.Add(entry);
                }

                if (entries.Count > 0)
                {
                    WriteBatch(entries);
                    entries.Clear();
                    continue;
                }

                if (_stopping)
                {
                    break;
                }

                Sleep();
            }
        }
        finally
        {
            // Requests that slipped in while stopping are refused, not left waiting.
            while (_pending.TryDequeue(out var late))
            {
                late.Failed(Stopped());
            }

            _toIndex.Writer.TryComplete();
            _writerDone.TrySetResult();
        }
    }

    /// <summary>Waits for a request to enqueue an event (or for the stop), without missing a wake-up.</summary>
    private void Sleep()
    {
        Volatile.Write(ref _sleeping, 1);
        if (!_pending.IsEmpty && Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
        {
            return;
        }

        _wake.Wait();
    }

    /// <summary>Chains the frames, appends them with one write and one sync, and releases their requests.</summary>
    private void WriteBatch(List<AuditEntry> entries)
    {
        var batch = new FrameBuffer(entries.Count * 2048);
        Span<byte> hash = stackalloc byte[32];
        Span<byte> hex = stackalloc byte[64];
        _hash.CopyTo(hash);
        _hex.CopyTo(hex);
        var sequence = _sequence;
        try
        {
            foreach (var entry in entries)
            {
                var frame = entry.Frame.Written;
                AuditFrame.Seal(frame, ++sequence, hash, hex, _sha256, hash);
                Convert.TryToHexStringLower(hash, hex, out _);
                batch.Write(frame);
            }

            if (_journal is null || !_journal.HasRoomFor(batch.Length))
            {
                var full = _journal;
                _journal = null;
                Retire(full, reusable: true);
                _journal = NextJournal(batch.Length);
            }

            _journal.Append(batch.Written);
            _journal.Sync();
        }
        catch (Exception exception)
        {
            // The journal may now hold part of this batch, which no request is answered for. It takes
            // no more frames, and the batch's sequence numbers are not reused: a frame that did reach
            // the disk never collides with a later one (verification reports the gap).
            logger.AuditWriteFailed(exception, entries.Count);
            Retire(_journal, reusable: false);
            _journal = null;
            _sequence = sequence;
            hash.CopyTo(_hash);
            hex.CopyTo(_hex);
            batch.Dispose();
            foreach (var entry in entries)
            {
                entry.Failed(exception);
            }

            return;
        }

        _sequence = sequence;
        hash.CopyTo(_hash);
        hex.CopyTo(_hex);
        Volatile.Write(ref _durable, sequence);
        foreach (var entry in entries)
        {
            entry.Completed();
        }

        _toIndex.Writer.TryWrite(batch);
    }

    /// <summary>
    /// The journal to continue in: a full one the store has everything of, started again; else the
    /// spare made ready in the background (zero-filling takes some milliseconds, and more when the
    /// disk is busy), and the next spare is started. A batch larger than a journal gets its own.
    /// </summary>
    private AuditJournal NextJournal(int batchBytes)
    {
        if (_reusable.TryDequeue(out var reused))
        {
            if (reused.Rewind().HasRoomFor(batchBytes))
            {
                return reused;
            }

            reused.Delete();
        }

        var spare = _spare;
        _spare = Task.Run(CreateJournal);
        var journal = spare is null ? CreateJournal() : spare.GetAwaiter().GetResult();
        if (journal.HasRoomFor(batchBytes))
        {
            return journal;
        }

        journal.Delete();
        Interlocked.Increment(ref _journalsCreated);
        return AuditJournal.Create(JournalDirectory, options.ChainId, options.SyncJournal, batchBytes);
    }

    private AuditJournal CreateJournal()
    {
        Interlocked.Increment(ref _journalsCreated);
        return AuditJournal.Create(JournalDirectory, options.ChainId, options.SyncJournal, options.JournalBytes);
    }

    /// <summary>
    /// Once the store has everything written to it, a full journal is reused (<paramref name="reusable"/>);
    /// one a write failed in is deleted, as are full ones beyond the two kept for reuse.
    /// </summary>
    private void Retire(AuditJournal? journal, bool reusable)
    {
        if (journal is null)
        {
            return;
        }

        journal.LastSequence = Volatile.Read(ref _durable);
        journal.Reusable = reusable;
        _retired.Enqueue(journal);
    }

    /// <summary>
    /// Moves written batches into the store, on a thread of its own: a store transaction of
    /// thousands of events runs synchronously (SQLite), and on a thread-pool thread it would hold
    /// back requests for as long.
    /// </summary>
    private void IndexLoop()
    {
        var records = new List<AuditRecordUtf8>(IndexBatch);
        var batches = new List<FrameBuffer>();
        var reader = _toIndex.Reader;
        try
        {
            while (reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
            {
                while (records.Count < IndexBatch && reader.TryRead(out var batch))
                {
                    Decode(batch, records);
                    batches.Add(batch);
                }

                if (records.Count == 0)
                {
                    continue;
                }

                if (!Append(records))
                {
                    return;
                }

                var last = records[^1].Sequence;
                var count = records.Count;
                records.Clear();
                foreach (var done in batches)
                {
                    done.Dispose();
                }

                batches.Clear();
                DeleteIndexedJournals(last);
                Volatile.Write(ref _indexed, last);
                Interlocked.Exchange(ref _indexProgress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
                if (count < IndexBatch / 4 && !_stopping)
                {
                    _readerWaiting.Wait(IndexInterval);
                }
            }
        }
        finally
        {
            _indexerDone.TrySetResult();
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
        if (AuditFrame.DecodeAll(bytes, 0, records) != bytes.Length)
        {
            // Cannot happen for frames this writer built; were it to, the journal still has them.
            logger.AuditIndexFailed(new InvalidDataException("An audit frame could not be read back for the queryable trail."), 1, 1);
        }
    }

    /// <summary>Appends to the store, retrying while it is unavailable; false when stopping with the store still down (the journal keeps the records).</summary>
    private bool Append(List<AuditRecordUtf8> records)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                store.AppendAsync(options.ChainId, records, CancellationToken.None).GetAwaiter().GetResult();
                return true;
            }
            catch (Exception exception)
            {
                logger.AuditIndexFailed(exception, records.Count, attempt);
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
            if (journal.Reusable && !_stopping && _reusable.Count < 2)
            {
                _reusable.Enqueue(journal);
            }
            else
            {
                journal.Delete();
            }
        }
    }
}
