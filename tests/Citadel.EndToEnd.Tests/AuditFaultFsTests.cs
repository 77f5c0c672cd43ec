using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// A real server whose data directory is on <see cref="FaultFs"/>, a FUSE passthrough that makes the audit
/// journal's disk fail while the server runs: fdatasync and ftruncate with EIO, then a kill -9 and a restart
/// on the same directory; a write with ENOSPC, and recovery without a restart. Unlike the writer's test hooks
/// (AuditWriter.SyncFault, CutFault) the failures come from the kernel, through the .NET runtime's own calls,
/// and what a failed cut leaves behind is really in the file the next start drains. Faults hit only files
/// under audit-journal/: the database beside them stays writable.
/// </summary>
[Trait("Issue", "17")]
public sealed class AuditFaultFsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string JournalsOnly = "match=/audit-journal/";

    private const string CutFailed = "Could not cut the frames of audit events";

    private const string GapNotRecorded = "could not record audit events";

    /// <summary>
    /// fdatasync and the cut after it (ftruncate) fail with EIO under concurrent Encrypts. The failed batches'
    /// frames stay in the journal, and the server answers 500 only once the trail holds their numbers as a
    /// gap (event 1018), so the drain after the kill brings none of them in.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public Task When_fdatasync_and_the_cut_fail_with_EIO_under_load_the_failed_Encrypts_answer_500_and_after_a_kill_and_a_restart_the_trail_holds_every_acknowledged_one_none_of_the_failed_and_a_recorded_gap(int stripes) =>
        FailSyncsUnderLoadThenKillAsync(stripes, cutFails: true);

    /// <summary>
    /// One fdatasync fails with EIO and the cut (ftruncate, then fdatasync) works: the failed frames are gone from
    /// the journal before the 500s. The load stops at the first 500 and the server is killed at once, before the
    /// indexer could record a gap behind a later event: then only the cut keeps the drain from bringing the
    /// failed events in. One failure only, since the cut syncs too: an fdatasync that kept failing would fail
    /// the cut as well (the test above).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public Task When_one_fdatasync_fails_with_EIO_under_load_its_Encrypts_answer_500_their_frames_are_cut_off_and_after_a_kill_and_a_restart_the_trail_holds_every_acknowledged_one_and_none_of_the_failed(int stripes) =>
        FailSyncsUnderLoadThenKillAsync(stripes, cutFails: false);

    /// <summary>
    /// Every write to a journal fails with ENOSPC from the FUSE layer while the volume's free-block count
    /// (statvfs) says there is space: unlike a full tmpfs (AuditDiskFullTests), the writer's probe must write
    /// to find out, and the zeros written ahead of the frames take no event either.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task When_journal_writes_fail_with_ENOSPC_requests_fail_with_one_log_line_LookupEvents_answers_and_the_server_recovers_by_itself_once_writes_work_again(int stripes)
    {
        await using var volume = await FaultFs.MountAsync();
        await using var server = await StartServerAsync(volume, stripes);
        var dataDirectory = server.DataDirectory;
        var acknowledged = new List<string>();
        var failed = new List<string>();
        using var kms = server.Client();
        var keyId = (await kms.NewKeyAsync()).KeyId;
        for (var i = 0; i < 10; i++)
        {
            acknowledged.Add((await kms.EncryptAsync(keyId, [(byte)i])).ResponseMetadata.RequestId);
        }

        volume.Set("write=ENOSPC");
        for (var i = 0; i < 20; i++)
        {
            var refused = await Assert.ThrowsAsync<KMSInternalException>(() => kms.EncryptAsync(keyId, [1]));
            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Equal($"An internal error occurred. Request id: {refused.RequestId}", refused.Message);
            failed.Add(refused.RequestId);
        }

        Assert.True(volume.Failed("write") > 0, "faultfs failed the journal's writes");
        static bool CouldNotWrite(string line) => line.Contains("Could not write", StringComparison.Ordinal) && line.Contains("audit events", StringComparison.Ordinal);
        await Kms.EventuallyAsync(() => Task.FromResult(server.Output.Any(CouldNotWrite)), "the server logs that the journal could not be written");
        Assert.Equal(1, server.Output.Count(CouldNotWrite));
        var unavailable = await AuditSyncFailureTests.ReadyAsync(server.Endpoint, HttpStatusCode.ServiceUnavailable);
        Assert.StartsWith("the audit journal could not be written: No space left on device", unavailable.GetProperty("checks").GetProperty("audit").GetString(), StringComparison.Ordinal);

        // Reads answer meanwhile, from what was acknowledged.
        await AssertTrailHoldsAsync(server, acknowledged, failed);

        volume.Set("off");

        // No restart: the next request's write works.
        acknowledged.Add((await kms.EncryptAsync(keyId, [2])).ResponseMetadata.RequestId);
        await Kms.EventuallyAsync(
            () => Task.FromResult(server.Output.Any(line => line.Contains("The audit journal is writable again", StringComparison.Ordinal))),
            "the server logs that the journal is writable again");
        await AuditSyncFailureTests.ReadyAsync(server.Endpoint, HttpStatusCode.OK);
        await AssertTrailHoldsAsync(server, acknowledged, failed);
        server.Kill();

        // Each failed write was undone (its ftruncate worked): the chain has no gap.
        var verify = await VerifyAsync(dataDirectory);
        Assert.Empty(verify.Gaps);
        output.WriteLine($"{stripes} stripe(s): {acknowledged.Count} acknowledged, {failed.Count} refused; faultfs failed {volume.Failed("write")} writes.");
    }

    /// <summary>
    /// The journal's lock holds on the FUSE mount: faultfs implements no locking, so the kernel keeps flock
    /// locks itself, and another process (this one) cannot take the running server's journal.
    /// </summary>
    [Fact]
    public async Task The_running_servers_journal_lock_holds_on_the_FUSE_mount()
    {
        await using var volume = await FaultFs.MountAsync();
        await using var server = await StartServerAsync(volume, stripes: 1);
        var dataDirectory = server.DataDirectory;
        using (var kms = server.Client())
        {
            await kms.NewKeyAsync();
        }

        var journal = Assert.Single(Directory.GetFiles(Path.Combine(dataDirectory, "audit-journal"), "*.journal"));

        Assert.Throws<IOException>(() => File.OpenHandle(journal, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());

        server.Kill();
        File.OpenHandle(journal, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();
    }

    /// <summary>A server whose data directory is on <paramref name="volume"/>, with <paramref name="stripes"/> journal stripes; faults will hit its journals only.</summary>
    private static async Task<ServerProcess> StartServerAsync(FaultFs volume, int stripes)
    {
        volume.Set(JournalsOnly);
        var server = new ServerProcess(Path.Combine(volume.Path, "data"));
        server.Environment["CITADEL_Audit__JournalStripes"] = stripes.ToString(CultureInfo.InvariantCulture);
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Eight clients Encrypt; the faults are switched on; at the first 500 from the 20th on whose frames are still
    /// in a journal (the cut failing), or at the first 500 (it working), the server is killed (kill -9) at once,
    /// the faults switched off, and it is started again on the same directory.
    /// </summary>
    private async Task FailSyncsUnderLoadThenKillAsync(int stripes, bool cutFails)
    {
        await using var volume = await FaultFs.MountAsync();
        await using var server = await StartServerAsync(volume, stripes);
        var dataDirectory = server.DataDirectory;
        // With the cut failing, the kill waits for a 500 whose frames are in a journal: the first 500s may come from
        // batches that never reached one (a new journal for a failed stripe cannot be created with fsync failing),
        // answered at once, while an uncut batch's requests wait for their gap and would be cut off by the kill.
        var load = new EncryptLoad(server, cutFails
            ? failed => failed.Count >= 20 && (FailedIdsInJournals(volume, failed).Count > 0 || failed.Count >= 500)
            : failed => failed.Count >= 1);
        string keyId;
        using (var kms = server.Client())
        {
            keyId = (await kms.NewKeyAsync()).KeyId;
            var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(() => load.RunAsync(kms, keyId))).ToArray();
            await Kms.EventuallyAsync(() => Task.FromResult(load.Acknowledged.Count >= 100), "100 Encrypts are acknowledged", TimeSpan.FromSeconds(30));
            volume.Set(cutFails ? "fsync=EIO truncate=EIO" : "fsync=EIO:1");
            await Task.WhenAll(clients);
        }

        if (cutFails)
        {
            Assert.True(volume.Failed("fsync") > 0, "faultfs failed the journal's fdatasync");
            Assert.True(volume.Failed("truncate") > 0, "faultfs failed the cut's ftruncate");
            await Kms.EventuallyAsync(() => Task.FromResult(server.Output.Any(line => line.Contains(CutFailed, StringComparison.Ordinal))), "the server logs that it could not cut the failed frames off (event 1018)");
        }
        else
        {
            Assert.Equal(1, volume.Failed("fsync"));
            Assert.Equal(0, volume.Failed("truncate"));
            Assert.DoesNotContain(server.Output, line => line.Contains(CutFailed, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(server.Output, line => line.Contains(GapNotRecorded, StringComparison.Ordinal));

        // What the next start will drain, read past the FUSE layer: with the cut failed, frames of failed
        // requests are still there (else this test would prove nothing about the gap); with it working, none is.
        var leftInJournals = FailedIdsInJournals(volume, load.Failed);
        Assert.True(
            cutFails == (leftInJournals.Count > 0),
            $"{leftInJournals.Count} failed requests' events are in a journal at the kill (with the cut {(cutFails ? "failing, some must be" : "working, none may be")})");

        volume.Set("off");
        await server.StartAsync();
        var acknowledged = load.Acknowledged.ToList();
        using (var kms = server.Client())
        {
            // The chain goes on after the restart.
            acknowledged.Add((await kms.EncryptAsync(keyId, [9])).ResponseMetadata.RequestId);
        }

        await AssertTrailHoldsAsync(server, acknowledged, [.. load.Failed], load.Unanswered);
        var gapsLookedUp = await CloudTrail.LookupAllAsync(server.Endpoint, CloudTrail.Attribute("EventName", "AuditGap"));
        server.Kill();

        // With the cut failed, the failed numbers are a recorded gap. With it working, they are one only when an
        // event after them was made durable before the kill; else the chain goes on after the last durable event.
        var verify = await VerifyAsync(dataDirectory);
        if (cutFails)
        {
            Assert.NotEmpty(verify.Gaps);
            Assert.NotEmpty(gapsLookedUp);
        }

        output.WriteLine(
            $"{stripes} stripe(s), cut {(cutFails ? "failing" : "working")}: {acknowledged.Count} acknowledged, {load.Failed.Count} answered 500 " +
            $"({leftInJournals.Count} of them still in a journal at the kill), {load.Unanswered} cut off by the kill; faultfs failed {volume.Failed("fsync")} fdatasyncs and {volume.Failed("truncate")} ftruncates; " +
            $"{verify.Gaps.Count} recorded gap(s): {string.Join(" | ", verify.Gaps)}");
    }

    /// <summary>
    /// Clients that Encrypt until the server is killed, which the one that gets a 500 after which
    /// <c>killWhen</c> holds (of the 500s so far) does at once: what each request came to. A request is
    /// acknowledged, answered 500, or cut off by the kill (unanswered: its event may or may not be in the
    /// trail); anything else fails the test.
    /// </summary>
    private sealed class EncryptLoad(ServerProcess server, Func<IReadOnlyCollection<string>, bool> killWhen)
    {
        private int _killing;
        private volatile bool _killed;
        private int _unanswered;

        public ConcurrentBag<string> Acknowledged { get; } = [];

        public ConcurrentBag<string> Failed { get; } = [];

        public int Unanswered => Volatile.Read(ref _unanswered);

        public async Task RunAsync(AmazonKeyManagementServiceClient kms, string keyId)
        {
            while (!_killed)
            {
                try
                {
                    Acknowledged.Add((await kms.EncryptAsync(keyId, [1])).ResponseMetadata.RequestId);
                }
                catch (KMSInternalException refused)
                {
                    Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
                    Failed.Add(refused.RequestId);
                    if (!_killed && killWhen(Failed) && Interlocked.Exchange(ref _killing, 1) == 0)
                    {
                        _killed = true;
                        server.Kill();
                    }
                }
                catch (Exception) when (_killed)
                {
                    Interlocked.Increment(ref _unanswered);
                }
            }
        }
    }

    /// <summary>The failed requests whose ids are in a journal file, read from the backing directory.</summary>
    private static List<string> FailedIdsInJournals(FaultFs volume, IEnumerable<string> failed)
    {
        var journals = Directory.GetFiles(Path.Combine(volume.Backing, "data", "audit-journal"), "*.journal")
            .Select(file => Encoding.Latin1.GetString(File.ReadAllBytes(file)))
            .ToList();
        return failed.Where(id => journals.Any(text => text.Contains(id, StringComparison.Ordinal))).ToList();
    }

    /// <summary>
    /// LookupEvents returns (once the trail has caught up) every acknowledged Encrypt, none answered 500, and no
    /// other but at most <paramref name="unanswered"/> (requests a kill cut off, which may or may not have been carried out).
    /// </summary>
    private static async Task AssertTrailHoldsAsync(ServerProcess server, List<string> acknowledged, List<string> failed, int unanswered = 0)
    {
        HashSet<string> inTrail = [];
        await Kms.EventuallyAsync(
            async () =>
            {
                inTrail = (await CloudTrail.LookupAllAsync(server.Endpoint, CloudTrail.Attribute("EventName", "Encrypt")))
                    .Select(e => CloudTrail.RequestId(CloudTrail.Record(e))!)
                    .ToHashSet();
                return inTrail.IsSupersetOf(acknowledged);
            },
            $"the trail holds the {acknowledged.Count} acknowledged Encrypts",
            TimeSpan.FromSeconds(30));
        Assert.Empty(failed.Intersect(inTrail));
        Assert.InRange(inTrail.Count - acknowledged.Count, 0, unanswered);
    }

    /// <summary>`citadel audit verify` on the stopped server's directory: it exits 0 and says the one chain is intact; the recorded gaps it prints.</summary>
    private static async Task<(string Chain, List<string> Gaps)> VerifyAsync(string dataDirectory)
    {
        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", dataDirectory);
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        var lines = verify.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^chain local: \d+ records, intact$", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.StartsWith("  recorded gap: record", line, StringComparison.Ordinal));
        return (lines[0], lines.Skip(1).ToList());
    }
}
