using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Tests.Fakes;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// When undoing a failed journal write, or cutting a failed sync's frames off the journal, fails too
/// (<see cref="AuditWriter.CutFault"/>): the requests are answered 500 only once the trail holds their
/// numbers as a gap, durably, so a drain after a kill brings none of their frames in. And on a full volume,
/// what such cuts free is not taken for space returned (docs/audit.md, "A full disk, and metrics").
/// </summary>
public sealed partial class AuditSyncFailureTests
{
    private const int Enospc = 28;

    /// <summary>
    /// With one stripe event 2 fails, after event 1; with two, event 1 fails in stripe A while event 2, in stripe B,
    /// is acknowledged after it. Either way the failed frame stays in its journal (the cut failed), and a kill
    /// leaves it to the next start's drain.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task When_the_cut_after_a_failed_fdatasync_fails_too_the_request_is_answered_once_its_number_is_a_durable_gap_and_a_drain_after_a_kill_brings_in_none_of_its_events(int stripes)
    {
        var cuts = 0;
        var writer = await StartAsync(journalBytes: 16 << 20, stripes: stripes, cutFault: _ => Interlocked.Increment(ref cuts) > 0 ? Eio : 0);
        var first = Record(writer);
        var firstSync = await _syncs.NextAsync();
        var (failed, failedSync, acknowledged) = (first, firstSync, (Task?)null);
        if (stripes == 1)
        {
            firstSync.Succeed();
            await first;
            failed = Record(writer);
            failedSync = await _syncs.NextAsync();
        }
        else
        {
            acknowledged = Record(writer);
            (await _syncs.NextAsync()).Succeed();
        }

        var length = failedSync.Journal.Length;
        failedSync.Fail();
        await Assert.ThrowsAsync<AuditUnavailableException>(() => failed);

        // Answered only once the trail holds the number as a gap, in what a crash of the store would leave too.
        var lost = stripes == 1 ? 2L : 1L;
        Assert.Equal((lost, lost), LostNumbers(Assert.Single(_store.Durable(), r => r.EventName == AuditGap.EventName)));
        Assert.Equal(1, Volatile.Read(ref cuts));
        Assert.Equal(length, failedSync.Journal.Length);
        Assert.InRange(new FileInfo(failedSync.Journal.Path).Length, length, long.MaxValue);
        if (acknowledged is not null)
        {
            await acknowledged;
        }

        var afterKill = await KillAsync();
        await AuditJournal.DrainAsync(Left, afterKill, CancellationToken.None);

        Assert.Equal(
            stripes == 1 ? [(1L, "Encrypt"), (2L, "AuditGap")] : [(1L, "AuditGap"), (2L, "Encrypt")],
            afterKill.Records.Select(r => (r.Sequence, r.EventName)));
        var verified = AuditChain.Verify(Chain, afterKill.Records, await afterKill.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.StartsWith($"record {lost} was lost: event {lost} was not made durable", Assert.Single(verified.Gaps), StringComparison.Ordinal);
        var notCut = Assert.Single(_logger.Entries, e => e.Id == 1018);
        Assert.Equal(LogLevel.Error, notCut.Level);
        Assert.StartsWith($"Could not cut the frames of audit events {lost}-{lost}, whose write or sync failed, off the journal {failedSync.Journal.Path}", notCut.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_logger.Entries, e => e.Id == 1019);
    }

    [Fact]
    public async Task When_the_cut_fails_and_the_trail_cannot_record_the_gap_the_request_is_answered_500_after_the_wait_the_log_says_the_trail_may_show_it_and_the_gap_is_recorded_once_the_store_is_back()
    {
        var writer = await StartAsync(journalBytes: 16 << 20, cutFault: _ => Eio, lostGapWait: TimeSpan.FromMilliseconds(300));
        var first = Record(writer);
        (await _syncs.NextAsync()).Succeed();
        await first;
        _store.Down = true;
        var second = Record(writer);
        (await _syncs.NextAsync()).Fail();

        await Assert.ThrowsAsync<AuditUnavailableException>(() => second);

        var notRecorded = Assert.Single(_logger.Entries, e => e.Id == 1019);
        Assert.Equal(LogLevel.Error, notRecorded.Level);
        Assert.StartsWith("The trail could not record audit events 2-2 as a gap within 0.3 s", notRecorded.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_store.Records, r => r.EventName == AuditGap.EventName);

        _store.Down = false;
        await StopAsync(writer);
        Assert.Equal([(1L, "Encrypt"), (2L, "AuditGap")], _store.Records.Select(r => (r.Sequence, r.EventName)));
        Assert.True(AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None)).Intact);
    }

    /// <summary>
    /// A write that fails for lack of space part way and whose undoing fails too leaves the journal broken with
    /// part of the batch in it. The volume has two pages free: the journal's header and first frames take them.
    /// </summary>
    [Fact]
    public async Task When_a_write_fails_for_lack_of_space_and_cannot_be_undone_its_request_is_answered_once_its_number_is_a_durable_gap_and_a_drain_after_a_kill_brings_in_none_of_it()
    {
        var volume = await MountVolumeAsync();
        try
        {
            var directory = Path.Combine(volume, "journal");
            Directory.CreateDirectory(directory);
            var reserve = Path.Combine(volume, "reserve");
            File.WriteAllBytes(reserve, new byte[8192]);
            Fill(Path.Combine(volume, "filler"));
            File.Delete(reserve);
            var writer = await StartAsync(journalBytes: 16 << 20, directory: directory, cutFault: _ => Eio, holdSyncs: false);

            AuditUnavailableException? refused = null;
            for (var i = 0; i < 100 && refused is null; i++)
            {
                refused = await Record(writer).ContinueWith(t => t.Exception?.InnerException as AuditUnavailableException, TaskScheduler.Default);
            }

            Assert.NotNull(refused);
            Assert.StartsWith("The request's audit event could not be recorded, so the request was not carried out: the audit journal could not be written: No space left on device", refused.Message, StringComparison.Ordinal);
            var lost = writer.Durable + 1;
            Assert.InRange(lost, 2, 100);
            Assert.Equal((lost, lost), LostNumbers(Assert.Single(_store.Durable(), r => r.EventName == AuditGap.EventName)));
            Assert.Single(_logger.Entries, e => e.Id == 1018);

            var afterKill = await KillAsync(directory);
            await AuditJournal.DrainAsync(Left, afterKill, CancellationToken.None);

            Assert.Equal(
                Enumerable.Range(1, (int)lost - 1).Select(s => ((long)s, "Encrypt")).Append((lost, "AuditGap")),
                afterKill.Records.Select(r => (r.Sequence, r.EventName)));
            Assert.True(AuditChain.Verify(Chain, afterKill.Records, await afterKill.GetChainHeadAsync(Chain, CancellationToken.None)).Intact);
        }
        finally
        {
            await UnmountAsync(volume);
        }
    }

    /// <summary>
    /// The volume is filled while the journal holds zeros written 1 MB ahead of its frames; then event 2's sync
    /// fails for lack of space, and cutting its frame off frees those zeros. A probe of a page alone would find
    /// space there: events would resume, use it up and fail again, requests failing and succeeding in turn.
    /// </summary>
    [Fact]
    public async Task On_a_full_volume_what_cutting_a_failed_batch_frees_is_not_taken_for_space_returned_and_requests_fail_until_space_does_return()
    {
        var volume = await MountVolumeAsync();
        try
        {
            var writer = await StartAsync(journalBytes: 16 << 20, directory: Path.Combine(volume, "journal"));
            var first = Record(writer);
            (await _syncs.NextAsync()).Succeed();
            await first;
            var filler = Fill(Path.Combine(volume, "filler"));
            var second = Record(writer);
            (await _syncs.NextAsync()).FailWith(Enospc);
            await Assert.ThrowsAsync<AuditUnavailableException>(() => second);

            for (var i = 0; i < 5; i++)
            {
                var refused = await Assert.ThrowsAsync<AuditUnavailableException>(() => Record(writer));
                Assert.StartsWith("The request's audit event could not be recorded, so the request was not carried out: the audit journal could not be written: No space left on device", refused.Message, StringComparison.Ordinal);
            }

            Assert.Equal(1, writer.Durable);
            File.Delete(filler);
            var third = Record(writer);
            (await _syncs.NextAsync()).Succeed();
            await third;

            Assert.Null(writer.Unavailable);
            await StopAsync(writer);
            Assert.Equal([(1L, "Encrypt"), (2L, "AuditGap"), (3L, "Encrypt")], _store.Records.Select(r => (r.Sequence, r.EventName)));
            Assert.True(AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None)).Intact);
        }
        finally
        {
            await UnmountAsync(volume);
        }
    }

    /// <summary>
    /// The trail as a kill leaves it after events 2 and 3 failed together and their gap was recorded at the head,
    /// their journal deleted once that was durable: the next run must not use their numbers again.
    /// </summary>
    [Fact]
    public async Task A_writer_started_on_a_trail_whose_head_is_a_recorded_gap_goes_on_after_the_last_number_the_gap_stands_for()
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hash = new byte[32];
        var frames = new List<AuditRecordUtf8>();
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            using var entry = new AuditEntry();
            TestEvents.Fill(entry.Event, "Encrypt");
            entry.Build();
            var next = new byte[32];
            AuditFrame.Seal(entry.Frame.Written, sequence, hash, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash)), sha256, next);
            frames.Add(AuditFrame.Decode(entry.Frame.Written.ToArray()));
            hash = next;
        }

        var recorded = frames[0].ToRecord(Chain);
        await _store.AppendAsync(Chain, [recorded, AuditWriter.GapThrough(Chain, 2, recorded.Hash, frames[2], AuditWriter.NotDurable(2, 3))], CancellationToken.None);

        var writer = await StartAsync(journalBytes: 16 << 20, holdSyncs: false);
        await Record(writer);
        await StopAsync(writer);

        Assert.Equal([(1L, "Encrypt"), (2L, "AuditGap"), (4L, "Encrypt")], _store.Records.Select(r => (r.Sequence, r.EventName)));
        Assert.Equal(Convert.ToHexStringLower(hash), _store.Records[2].PreviousHash);
        var verified = AuditChain.Verify(Chain, _store.Records, await _store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
    }

    private static (long First, long Last) LostNumbers(AuditRecord gap)
    {
        var data = JsonDocument.Parse(gap.Record).RootElement.GetProperty("additionalEventData");
        return (data.GetProperty("lostFirstSequence").GetInt64(), data.GetProperty("lostLastSequence").GetInt64());
    }

    /// <summary>Where <see cref="KillAsync"/> leaves the journal files.</summary>
    private string Left => Path.Combine(_directory, "left");

    /// <summary>
    /// The kill: the journal files as a killed process leaves them (copied by another process: the writer's lock
    /// keeps this one from opening them) to <see cref="Left"/>, and a store holding what the trail made durable.
    /// </summary>
    private async Task<MemoryAuditStore> KillAsync(string? directory = null)
    {
        Directory.CreateDirectory(Left);
        foreach (var path in Directory.GetFiles(directory ?? _directory, "*.journal"))
        {
            var (code, error) = await RunAsync("cp", path, Left);
            Assert.True(code == 0, error);
        }

        var afterKill = new MemoryAuditStore();
        if (_store.Durable() is { Count: > 0 } durable)
        {
            await afterKill.AppendAsync(Chain, durable, CancellationToken.None);
        }

        return afterKill;
    }

    /// <summary>Mounts an 8 MB tmpfs in the test's directory for a test to fill (needs root, as the end-to-end AuditDiskFullTests; without it the test fails saying so).</summary>
    private async Task<string> MountVolumeAsync()
    {
        var volume = Path.Combine(_directory, "volume");
        Directory.CreateDirectory(volume);
        var (code, error) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", volume);
        Assert.True(code == 0, $"This test mounts an 8 MB tmpfs to fill it, which needs root (CI runs as root): mount exited with {code}: {error.Trim()}");
        return volume;
    }

    /// <summary>Stops the writers (a sync they hold let go) and unmounts <paramref name="volume"/>.</summary>
    private async Task UnmountAsync(string volume)
    {
        _syncs.LetAllSucceed();
        foreach (var writer in _writers)
        {
            await writer.StopAsync(CancellationToken.None).WaitAsync(Limit);
        }

        await RunAsync("umount", "-l", volume);
    }
}
