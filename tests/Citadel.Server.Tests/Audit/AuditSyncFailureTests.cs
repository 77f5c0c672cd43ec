using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Tests.Fakes;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// A failed fdatasync of the file journal (an I/O error, not a full disk), made to fail through
/// <see cref="AuditWriter.SyncFault"/>: every sync with frames waits until the test lets it succeed or
/// fail with EIO. Alone in its collection: it counts <c>citadel.audit.write.failures</c>, which every
/// writer in the process adds to.
/// </summary>
[Trait("Issue", "17")]
[Collection("audit-write-failures")]
public sealed partial class AuditSyncFailureTests : IAsyncLifetime, IDisposable
{
    private const string Chain = "node-a";
    private const int Eio = 5;

    /// <summary>How long a step may take before the test fails (a writer that never answers fails it, not hangs it).</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-syncfail-").FullName;
    private readonly HeldSyncs _syncs = new();
    private readonly EntryLogger _logger = new();
    private readonly MemoryAuditStore _store = new();
    private readonly MeterListener _metrics = new();
    private readonly List<AuditWriter> _writers = [];
    private long _writeFailures;

    public AuditSyncFailureTests()
    {
        _metrics.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Citadel.Audit" && instrument.Name == "citadel.audit.write.failures")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _metrics.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _writeFailures, value));
        _metrics.Start();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Also after a test that failed with a sync held: the writer is stopped before it is disposed.</summary>
    public async Task DisposeAsync()
    {
        _syncs.LetAllSucceed();
        foreach (var writer in _writers)
        {
            await writer.StopAsync(CancellationToken.None).WaitAsync(Limit);
            writer.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task A_failed_fdatasync_fails_every_request_in_its_journal_the_next_event_goes_to_a_new_journal_after_their_numbers_and_the_trail_records_them_as_a_gap_that_verifies()
    {
        // Events 3 and 4 are appended to the same journal behind event 2.
        var writer = await StartAsync(journalBytes: 16 << 20);
        var (second, failed, third, fourth) = await ThreeAfterOneAsync(writer);
        await UntilAsync(() => writer.BatchesAwaitingSync == 2);
        failed.Fail();

        var cause = await Assert.ThrowsAsync<AuditUnavailableException>(() => second);
        Assert.Equal($"The request's audit event could not be recorded, so the request was not carried out: the audit journal could not be written: Input/output error (fdatasync of the audit journal {failed.Journal.Path})", cause.Message);
        foreach (var behind in new[] { third, fourth })
        {
            var after = await Assert.ThrowsAsync<AuditUnavailableException>(() => behind);
            Assert.Equal($"The request's audit event could not be recorded, so the request was not carried out: the audit journal could not be written: An earlier write or sync of the audit journal {failed.Journal.Path} failed (Input/output error (fdatasync of the audit journal {failed.Journal.Path})); the events after it were not recorded.", after.Message);
        }

        Assert.Equal(1, writer.Durable);
        Assert.Equal(3, Interlocked.Read(ref _writeFailures));
        Assert.StartsWith("the audit journal could not be written: ", writer.Unavailable, StringComparison.Ordinal);
        Assert.Contains(failed.Journal.Path, writer.Unavailable, StringComparison.Ordinal);

        // Readiness says the cause, not only that something failed earlier.
        Assert.Contains("Input/output error", writer.Unavailable, StringComparison.Ordinal);
        Assert.True(failed.Journal.Broken);

        // No restart: the next request's event goes to a new journal, numbered after the failed ones.
        var fifth = Record(writer);
        var next = await _syncs.NextAsync();
        Assert.NotEqual(failed.Journal.Path, next.Journal.Path);
        next.Succeed();
        await fifth;

        Assert.Equal(5, writer.Durable);
        Assert.Null(writer.Unavailable);
        Assert.Equal(2, writer.JournalsCreated);
        Assert.Equal(3, Interlocked.Read(ref _writeFailures));
        Assert.Equal([(LogLevel.Error, 1010, "Could not write 1 audit events; their requests fail, and so will others until a write succeeds (logged again at most once a minute; metric citadel.audit.write.failures counts them)"), (LogLevel.Warning, 1014, "The audit journal is writable again; requests are recorded and answered")], _logger.Entries);
        await StopAsync(writer);
        Assert.Equal([(1L, "Encrypt"), (2L, "AuditGap"), (5L, "Encrypt")], _store.Records.Select(r => (r.Sequence, r.EventName)));
        var gap = JsonDocument.Parse(_store.Records[1].Record).RootElement.GetProperty("additionalEventData");
        Assert.Equal(2, gap.GetProperty("lostFirstSequence").GetInt64());
        Assert.Equal(4, gap.GetProperty("lostLastSequence").GetInt64());
        Assert.Equal("events 2-4 were not made durable (the audit journal's write or commit failed, or the node stopped first), so their requests were not carried out", gap.GetProperty("reason").GetString());
        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.Equal($"records 2–4 were lost: events 2-4 were not made durable (the audit journal's write or commit failed, or the node stopped first), so their requests were not carried out (recorded as event {_store.Records[1].EventId})", Assert.Single(verified.Gaps));
        Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_failed_fdatasync_in_a_group_of_batches_in_two_journals_fails_the_batches_of_its_own_journal_only(int failing)
    {
        // Journals of one event each: a journal is retired by every append while batches are in flight.
        var writer = await StartAsync(journalBytes: 1);
        var first = Record(writer);
        var held = await _syncs.NextAsync();
        var second = Record(writer);
        var third = Record(writer);
        await UntilAsync(() => writer.BatchesAwaitingSync == 2);
        held.Succeed();
        await first;

        // Events 2 and 3 are one group for the syncer: one sync per journal, one after the other.
        var syncs = new[] { await NextSucceedingOrFailingAsync(failing == 0), await NextSucceedingOrFailingAsync(failing == 1) };
        var requests = new[] { second, third };
        var fourth = Record(writer);
        (await _syncs.NextAsync()).Succeed();
        await fourth;

        Assert.NotEqual(syncs[0].Path, syncs[1].Path);
        await Assert.ThrowsAsync<AuditUnavailableException>(() => requests[failing]);
        await requests[1 - failing];
        Assert.Equal(1, Interlocked.Read(ref _writeFailures));
        Assert.Equal(4, writer.Durable);
        Assert.Null(writer.Unavailable);
        await StopAsync(writer);
        var lost = 2L + failing;
        Assert.Equal(
            new[] { 1L, 2, 3, 4 }.Select(sequence => (sequence, sequence == lost ? "AuditGap" : "Encrypt")),
            _store.Records.Select(r => (r.Sequence, r.EventName)));
        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.Equal($"record {lost} was lost: event {lost} was not made durable (the audit journal's write or commit failed, or the node stopped first), so its request was not carried out (recorded as event {_store.Records[(int)lost - 1].EventId})", Assert.Single(verified.Gaps));
    }

    [Fact]
    public async Task A_writer_stopped_after_a_failed_sync_deletes_that_journal_and_the_next_run_continues_after_the_last_durable_event_in_a_chain_that_verifies()
    {
        var writer = await StartAsync(journalBytes: 16 << 20);
        var first = Record(writer);
        (await _syncs.NextAsync()).Succeed();
        await first;
        var second = Record(writer);
        (await _syncs.NextAsync()).Fail();
        await Assert.ThrowsAsync<AuditUnavailableException>(() => second);

        // Nothing after the failed event was made durable: no hole to record, and no frame of it is kept.
        await StopAsync(writer);
        Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
        var again = await StartAsync(journalBytes: 16 << 20);
        var third = new AuditEvent();
        TestEvents.Fill(third, "Decrypt");
        var recorded = again.RecordAsync(third).AsTask().WaitAsync(Limit);
        (await _syncs.NextAsync()).Succeed();
        await recorded;
        await StopAsync(again);

        Assert.Equal([(1L, "Encrypt"), (2L, "Decrypt")], _store.Records.Select(r => (r.Sequence, r.EventName)));
        Assert.Equal(third.EventId.ToString("D"), _store.Records[1].EventId);
        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.Empty(verified.Gaps);
    }

    [Fact]
    public async Task With_two_stripes_two_syncs_run_at_once_requests_are_answered_in_sequence_order_and_a_failed_sync_fails_only_its_own_stripes_batches()
    {
        // Event 1's sync is held; event 2 goes to the other stripe, whose syncer is idle, and is synced at once.
        var (writer, first, held, second, other) = await StartTwoSyncsAsync();
        other.Succeed();

        // Durable, but not answered: event 1 before it is not yet.
        await Task.Delay(100);
        Assert.False(second.IsCompleted);
        Assert.Equal(0, writer.Durable);

        // Event 3 goes to the idle stripe again, behind event 2 in the same file.
        var third = Record(writer);
        var again = await _syncs.NextAsync();
        Assert.Equal(other.Journal.Path, again.Journal.Path);
        again.Succeed();
        await Task.Delay(100);
        Assert.False(third.IsCompleted);

        // Event 1's sync fails: its request fails; events 2 and 3, in the other stripe, are answered.
        held.Fail();
        var cause = await Assert.ThrowsAsync<AuditUnavailableException>(() => first);
        Assert.Contains($"Input/output error (fdatasync of the audit journal {held.Journal.Path})", cause.Message, StringComparison.Ordinal);
        await second;
        await third;
        Assert.Equal(3, writer.Durable);
        Assert.Equal(1, Interlocked.Read(ref _writeFailures));
        Assert.Null(writer.Unavailable);
        Assert.True(held.Journal.Broken);
        Assert.False(other.Journal.Broken);

        // The next event goes to a new journal in the failed stripe's place or to the healthy one; either way it is durable.
        var fourth = Record(writer);
        (await _syncs.NextAsync()).Succeed();
        await fourth;
        Assert.Equal(4, writer.Durable);

        await StopAsync(writer);
        Assert.Equal([(1L, "AuditGap"), (2L, "Encrypt"), (3L, "Encrypt"), (4L, "Encrypt")], _store.Records.Select(r => (r.Sequence, r.EventName)));
        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.Equal($"record 1 was lost: event 1 was not made durable (the audit journal's write or commit failed, or the node stopped first), so its request was not carried out (recorded as event {_store.Records[0].EventId})", Assert.Single(verified.Gaps));
        Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
    }

    [Fact]
    public async Task With_every_stripe_syncing_the_next_event_waits_unwritten_and_goes_to_the_first_stripe_whose_sync_ends()
    {
        var (writer, first, a, second, b) = await StartTwoSyncsAsync();

        // Both syncs run: event 3 is not written to either file (a write to a file being synced may wait for the sync).
        var third = Record(writer);
        await Task.Delay(100);
        Assert.Equal(0, writer.BatchesAwaitingSync);
        var lengths = (a.Journal.Length, b.Journal.Length);

        // Stripe B's sync ends first: its syncer appends event 3 to B, and it is synced there.
        b.Succeed();
        var c = await _syncs.NextAsync();
        Assert.Equal(b.Journal.Path, c.Journal.Path);
        Assert.Equal(lengths.Item1, a.Journal.Length);
        Assert.True(b.Journal.Length > lengths.Item2);
        c.Succeed();
        await Task.Delay(100);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);
        a.Succeed();
        await Task.WhenAll(first, second, third);
        Assert.Equal(3, writer.Durable);
        await StopAsync(writer);
        Assert.Equal([1L, 2, 3], _store.Records.Select(r => r.Sequence));
        Assert.True(AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None)).Intact);
    }

    [Fact]
    public async Task Paced_a_failed_fdatasync_fails_only_its_own_batch_and_the_events_that_waited_unwritten_behind_it_are_durable_in_a_new_journal()
    {
        // Events 3 and 4 wait unwritten (paced, one stripe is written only while idle).
        var writer = await StartAsync(journalBytes: 16 << 20, pace: TimeSpan.FromMilliseconds(20));
        var (second, failed, third, fourth) = await ThreeAfterOneAsync(writer);
        await Task.Delay(100);
        Assert.Equal(0, writer.BatchesAwaitingSync);
        var length = failed.Journal.Length;
        failed.Fail();
        await Assert.ThrowsAsync<AuditUnavailableException>(() => second);

        // After the pace, the syncer appends both (two batches of one) to a new journal and syncs them once.
        var next = await _syncs.NextAsync();
        Assert.NotEqual(failed.Journal.Path, next.Journal.Path);

        // Event 2's frame was cut off the failed journal (no drain after a kill finds it), and nothing was written to it after.
        Assert.InRange(failed.Journal.Length, 1, length - 1);
        Assert.Equal(failed.Journal.Length, new FileInfo(failed.Journal.Path).Length);
        next.Succeed();
        await third;
        await fourth;
        Assert.Equal(4, writer.Durable);
        Assert.Equal(1, Interlocked.Read(ref _writeFailures));
        Assert.Null(writer.Unavailable);

        await StopAsync(writer);
        Assert.Equal([(1L, "Encrypt"), (2L, "AuditGap"), (3L, "Encrypt"), (4L, "Encrypt")], _store.Records.Select(r => (r.Sequence, r.EventName)));
        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.Equal($"record 2 was lost: event 2 was not made durable (the audit journal's write or commit failed, or the node stopped first), so its request was not carried out (recorded as event {_store.Records[1].EventId})", Assert.Single(verified.Gaps));
    }

    /// <summary>
    /// Killed right after a failed sync, before the trail recorded the failed numbers as a gap (the store is
    /// down here, so the indexer records nothing): the failed batch's frames were written to the page cache,
    /// which a killed process leaves for the drain at the next start. That drain must not bring in an event
    /// for a request the client was answered 500 for ("not carried out"). With one stripe nothing follows the
    /// failed event (the next run continues after event 1); with two, event 2 in the other stripe was
    /// acknowledged after event 1 failed, and the drain records event 1 as a gap.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Killed_after_a_failed_fdatasync_before_the_gap_is_recorded_the_drain_brings_in_no_event_of_the_failed_batch(int stripes)
    {
        _store.Down = true;
        var writer = await StartAsync(journalBytes: 16 << 20, stripes: stripes);
        var first = Record(writer);
        var firstSync = await _syncs.NextAsync();
        Task second;
        if (stripes == 1)
        {
            firstSync.Succeed();
            await first;
            second = Record(writer);
            (await _syncs.NextAsync()).Fail();
            await Assert.ThrowsAsync<AuditUnavailableException>(() => second);
        }
        else
        {
            second = Record(writer);
            var secondSync = await _syncs.NextAsync();
            Assert.NotEqual(firstSync.Journal.Path, secondSync.Journal.Path);
            firstSync.Fail();
            secondSync.Succeed();
            await Assert.ThrowsAsync<AuditUnavailableException>(() => first);
            await second;
        }

        // The kill: the journal files as a killed process leaves them (copied by another process: the
        // writer's lock keeps this one from opening them), and none of the trail, which was down.
        var left = Path.Combine(_directory, "left");
        Directory.CreateDirectory(left);
        foreach (var path in Directory.GetFiles(_directory, "*.journal"))
        {
            using var copy = System.Diagnostics.Process.Start("cp", [path, left])!;
            await copy.WaitForExitAsync();
            Assert.Equal(0, copy.ExitCode);
        }

        _store.Down = false;
        var afterKill = new MemoryAuditStore();
        await AuditJournal.DrainAsync(left, afterKill, CancellationToken.None);

        Assert.Equal(
            stripes == 1 ? [(1L, "Encrypt")] : [(1L, "AuditGap"), (2L, "Encrypt")],
            afterKill.Records.Select(r => (r.Sequence, r.EventName)));
        var verified = AuditChain.Verify(Chain, afterKill.Records, await afterKill.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
    }

    /// <summary>
    /// The full-disk rule with two stripes (docs/audit.md, "A full disk"): once one stripe's sync fails for
    /// lack of space, the other stripe takes no events either, though the zeros written ahead of its frames
    /// would, until a write that needs new space succeeds. The journals are on a small tmpfs the test fills
    /// (mounting needs root, as the end-to-end AuditDiskFullTests; without it the test fails saying so).
    /// </summary>
    [Fact]
    public async Task With_two_stripes_a_sync_failing_for_lack_of_space_stops_the_other_stripe_too_until_a_write_that_needs_new_space_succeeds()
    {
        var volume = await MountVolumeAsync();
        try
        {
            // Event 1 in stripe A, event 2 in stripe B: each journal has zeros written 1 MB ahead of its frames.
            var (writer, first, a, second, b) = await StartTwoSyncsAsync(Path.Combine(volume, "journal"));
            b.FailWith(Enospc);
            a.Succeed();
            var cause = await Assert.ThrowsAsync<AuditUnavailableException>(() => second);
            Assert.Contains($"No space left on device (fdatasync of the audit journal {b.Journal.Path})", cause.Message, StringComparison.Ordinal);
            await first;

            // Filled after the failure: cutting event 2's frame off stripe B's journal freed the zeros ahead of it.
            var filler = Fill(Path.Combine(volume, "filler"));

            // Stripe A is idle and its zeros would take the events: they fail, each after a write that needs new space.
            for (var i = 0; i < 5; i++)
            {
                var refused = await Assert.ThrowsAsync<AuditUnavailableException>(() => Record(writer));
                Assert.StartsWith("The request's audit event could not be recorded, so the request was not carried out: the audit journal could not be written: No space left on device", refused.Message, StringComparison.Ordinal);
            }

            Assert.Equal(1, writer.Durable);
            Assert.StartsWith("the audit journal could not be written: No space left on device", writer.Unavailable, StringComparison.Ordinal);

            // Space returns: the next event's probe finds it, and the event is durable.
            File.Delete(filler);
            var third = Record(writer);
            (await _syncs.NextAsync()).Succeed();
            await third;
            Assert.Null(writer.Unavailable);
            Assert.Equal(6, Interlocked.Read(ref _writeFailures));

            // Event 2's number stays lost (its sync failed); the refused events' numbers were taken again.
            await StopAsync(writer);
            Assert.Equal([(1L, "Encrypt"), (2L, "AuditGap"), (3L, "Encrypt")], _store.Records.Select(r => (r.Sequence, r.EventName)));
            var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
            Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        }
        finally
        {
            await UnmountAsync(volume);
        }
    }

    /// <summary>Writes a file until the volume has no space left; returns its path.</summary>
    private static string Fill(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        var block = new byte[64 << 10];
        foreach (var size in new[] { block.Length, 512 })
        {
            try
            {
                while (true)
                {
                    stream.Write(block, 0, size);
                }
            }
            catch (IOException)
            {
                // Full at this size; smaller writes take what is left.
            }
        }

        return path;
    }

    private static async Task<(int Code, string Error)> RunAsync(string file, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, error);
    }

    /// <summary>Event 1 made durable, then event 2 recorded with its sync held, and events 3 and 4 recorded behind it.</summary>
    private async Task<(Task Second, HeldSync SecondSync, Task Third, Task Fourth)> ThreeAfterOneAsync(AuditWriter writer)
    {
        var first = Record(writer);
        (await _syncs.NextAsync()).Succeed();
        await first;
        var second = Record(writer);
        var secondSync = await _syncs.NextAsync();
        return (second, secondSync, Record(writer), Record(writer));
    }

    /// <summary>A writer with two stripes and two events recorded, each in its own stripe's journal, both syncs held.</summary>
    private async Task<(AuditWriter Writer, Task First, HeldSync FirstSync, Task Second, HeldSync SecondSync)> StartTwoSyncsAsync(string? directory = null)
    {
        var writer = await StartAsync(journalBytes: 16 << 20, stripes: 2, directory: directory);
        var first = Record(writer);
        var firstSync = await _syncs.NextAsync();
        var second = Record(writer);
        var secondSync = await _syncs.NextAsync();
        Assert.NotEqual(firstSync.Journal.Path, secondSync.Journal.Path);
        return (writer, first, firstSync, second, secondSync);
    }

    private async Task<AuditJournal> NextSucceedingOrFailingAsync(bool fail)
    {
        var sync = await _syncs.NextAsync();
        if (fail)
        {
            sync.Fail();
        }
        else
        {
            sync.Succeed();
        }

        return sync.Journal;
    }

    /// <summary>
    /// One stripe unless said, and then unpaced unless said: most tests here are about batches written
    /// behind a failed sync in the same journal, which one stripe does only unpaced. Several stripes are paced as by default.
    /// Every sync is held (<see cref="HeldSyncs"/>) unless <paramref name="holdSyncs"/> is false; <paramref name="cutFault"/> fails cuts.
    /// </summary>
    private async Task<AuditWriter> StartAsync(
        long journalBytes, int stripes = 1, TimeSpan? pace = null, string? directory = null, Func<AuditJournal, int>? cutFault = null, TimeSpan? lostGapWait = null, bool holdSyncs = true)
    {
        var options = new AuditOptions
        {
            ChainId = Chain,
            JournalDirectory = directory ?? _directory,
            SyncJournal = true,
            MaxBatch = 1,
            JournalBytes = journalBytes,
            JournalStripes = stripes,
            SyncPace = pace ?? (stripes == 1 ? TimeSpan.Zero : new AuditOptions().SyncPace),
        };
        var writer = new AuditWriter(_store, options, _logger)
        {
            SyncFault = holdSyncs ? _syncs.Hook : null,
            CutFault = cutFault,
            LostGapWait = lostGapWait ?? Limit / 2,
        };
        _writers.Add(writer);
        await writer.StartAsync(CancellationToken.None);
        return writer;
    }

    private static async Task StopAsync(AuditWriter writer)
    {
        await writer.WaitIndexedAsync(Limit, CancellationToken.None);
        await writer.StopAsync(CancellationToken.None).WaitAsync(Limit);
    }

    private static Task Record(AuditWriter writer)
    {
        var e = new AuditEvent();
        TestEvents.Fill(e, "Encrypt");
        return writer.RecordAsync(e).AsTask().WaitAsync(Limit);
    }

    /// <summary>Waits for what the writer's threads do next (not for a time): fails after <see cref="Limit"/>.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(Limit);
        while (!condition())
        {
            await Task.Delay(5, limit.Token);
        }
    }

    /// <summary>
    /// The writer's syncs of journals that hold frames, each held until the test lets it succeed or fail
    /// with EIO (a new journal's header sync goes through).
    /// </summary>
    private sealed class HeldSyncs
    {
        private readonly Channel<HeldSync> _held = Channel.CreateUnbounded<HeldSync>();
        private volatile bool _released;

        public int Hook(AuditJournal journal)
        {
            if (!journal.HasFrames || _released)
            {
                return 0;
            }

            var sync = new HeldSync(journal);
            _held.Writer.TryWrite(sync);
            return sync.Result.Task.GetAwaiter().GetResult();
        }

        public async Task<HeldSync> NextAsync()
        {
            using var limit = new CancellationTokenSource(Limit);
            return await _held.Reader.ReadAsync(limit.Token);
        }

        /// <summary>Lets every sync held or to come succeed, so that a test that failed does not leave the writer's syncer waiting.</summary>
        public void LetAllSucceed()
        {
            _released = true;
            while (_held.Reader.TryRead(out var sync))
            {
                sync.Succeed();
            }
        }
    }

    private sealed class HeldSync(AuditJournal journal)
    {
        public AuditJournal Journal { get; } = journal;

        public TaskCompletionSource<int> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Succeed() => Result.TrySetResult(0);

        public void Fail() => Result.TrySetResult(Eio);

        public void FailWith(int errno) => Result.TrySetResult(errno);
    }

    /// <summary>Keeps what is logged: level, event id and message.</summary>
    private sealed class EntryLogger : ILogger<AuditWriter>
    {
        private readonly Lock _lock = new();
        private readonly List<(LogLevel, int, string)> _entries = [];

        public List<(LogLevel Level, int Id, string Message)> Entries
        {
            get
            {
                lock (_lock)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lock)
            {
                _entries.Add((logLevel, eventId.Id, formatter(state, exception)));
            }
        }
    }
}

[CollectionDefinition("audit-write-failures", DisableParallelization = true)]
public sealed class AuditWriteFailuresGroup;
