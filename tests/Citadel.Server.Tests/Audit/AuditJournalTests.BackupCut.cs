using System.Security.Cryptography;
using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Hosting;
using Citadel.Server.Tests.Fakes;
using Citadel.Storage;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// The journal copies of a backup taken while a writer with stripes appends (<see cref="JournalCopyCut"/>):
/// a stripe copied earlier lacks what was appended to it after its copy, and the copies are cut there.
/// </summary>
public sealed partial class AuditJournalTests
{
    [Fact]
    [Trait("Issue", "17")]
    public async Task Copies_of_interleaved_stripes_with_a_hole_the_server_has_filled_since_are_cut_at_it_and_drain_into_an_unbroken_chain_up_to_it()
    {
        // Stripe A was copied first: batch 41–50 was appended to it afterwards (its copy caught the first bytes of 41);
        // stripe B, copied later, holds batch 51–60 already. The server's stripe A holds 41–50 now.
        Frames(60);
        var server = ServerJournals([(1, 10), (21, 30), (41, 50)]);
        var a = WriteStripe([(1, 10), (21, 30)], torn: 41);
        var b = WriteStripe([(11, 20), (31, 40), (51, 60)]);
        var aBytes = await File.ReadAllBytesAsync(a.Path);
        var bBytes = await File.ReadAllBytesAsync(b.Path);
        var written = new DateTime(2026, 12, 4, 22, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(b.Path, written);
        var store = new MemoryAuditStore();
        store.Records.AddRange(_frames.Take(5).Select(f => AuditFrame.Decode(f).ToRecord(Chain)));

        // A journal an earlier `resolve` set aside, its header damaged: evidence, never read again, as the drain does not.
        var aside = WriteStripe([(1, 5)]).Path;
        FlipByte(aside, 2);
        File.Move(aside, aside + AuditJournal.DamagedSuffix);

        var outcome = Assert.Single(JournalCopyCut.Apply([a.Path, b.Path, aside + AuditJournal.DamagedSuffix], server, new Dictionary<string, long> { [Chain] = 5 }));

        Assert.Equal((Chain, 41L, (string?)null), (outcome.ChainId, outcome.Missing, outcome.LeftAsIs));
        Assert.Equal([b.Path], outcome.Truncated);
        Assert.Equal(aBytes, await File.ReadAllBytesAsync(a.Path));
        Assert.Equal(bBytes[..b.Offsets[20]], await File.ReadAllBytesAsync(b.Path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(b.Path));
        Assert.Equal(35, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), store.Records.Select(r => r.Sequence));
        Assert.Empty((await IntactAsync(store)).Gaps);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_backup_whose_journal_was_appended_to_after_its_copy_cuts_the_later_copy_before_its_hash_goes_into_the_manifest()
    {
        // The data directory's stripes as the backup copies them; batch 41–50 is appended to stripe A once the copies are made.
        Frames(60);
        var data = DataDirectory(out var journals);
        var a = Path.Combine(journals, "a.journal");
        var b = Path.Combine(journals, "b.journal");
        File.Move(WriteStripe([(1, 10), (21, 30)]).Path, a);
        var stripeB = WriteStripe([(11, 20), (31, 40), (51, 60)]);
        File.Move(stripeB.Path, b);
        var backup = new FakeStoreBackup(new Dictionary<string, long> { [Chain] = 0 }, () => File.AppendAllBytes(a, [.. _frames.Skip(40).Take(10).SelectMany(f => f)]));
        var progress = new StringWriter();
        var target = Path.Combine(_directory, "backup");

        var manifest = await new BackupWriter(backup, progress, TimeProvider.System).WriteAsync(data, target, CancellationToken.None);

        var copyOfB = await File.ReadAllBytesAsync(Path.Combine(target, JournalSegments.JournalDirectoryName, "b.journal"));
        Assert.Equal(stripeB.Offsets[20], copyOfB.Length);
        Assert.Contains(new BackupFile($"{JournalSegments.JournalDirectoryName}/b.journal", copyOfB.Length, Convert.ToHexStringLower(SHA256.HashData(copyOfB))), manifest.Files);
        Assert.Contains($"backup: the audit trail of chain {Chain} ends before event 41, which a journal copied earlier did not hold yet; 1 journal copy was cut there", progress.ToString(), StringComparison.Ordinal);
        var store = new MemoryAuditStore();
        Assert.Equal(40, await AuditJournal.DrainAsync(Path.Combine(target, JournalSegments.JournalDirectoryName), store, CancellationToken.None));
        Assert.Empty(AuditChain.Verify(Chain, store.Records, await store.GetChainHeadAsync(Chain, CancellationToken.None)).Gaps);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_hole_the_servers_journals_have_too_is_not_cut_and_the_drain_records_it_as_the_server_would()
    {
        // Batch 41–50 failed on the server (its write or sync): no journal holds it, and the store had no gap record yet.
        Frames(60);
        var server = ServerJournals([(1, 10), (21, 30)], [(11, 20), (31, 40), (51, 60)]);
        var a = WriteStripe([(1, 10), (21, 30)]);
        var b = WriteStripe([(11, 20), (31, 40), (51, 60)]);
        var bytes = new[] { File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path) };

        var outcome = Assert.Single(JournalCopyCut.Apply([a.Path, b.Path], server, new Dictionary<string, long> { [Chain] = 0 }));

        Assert.Equal($"audit event 41 of chain {Chain} is in none of the server's journals either (a failed write or sync): the audit journals are kept as they are, and the restored server records the gap", outcome.LeftAsIs);
        Assert.Equal(bytes, [File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path)]);
        var store = new MemoryAuditStore();
        Assert.Equal(51, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal("AuditGap", store.Records[40].EventName);
    }

    [Fact]
    [Trait("Issue", "17")]
    public void Copies_without_a_hole_after_the_head_are_left_as_they_are()
    {
        // 21–25 are missing but below the database's head: they are in a journal the server moved to its segments.
        Frames(40);
        var a = WriteStripe([(1, 10), (26, 30)]);
        var b = WriteStripe([(11, 20), (31, 40)]);
        var bytes = new[] { File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path) };

        var outcome = Assert.Single(JournalCopyCut.Apply([a.Path, b.Path], ServerJournals(), new Dictionary<string, long> { [Chain] = 25 }));

        Assert.Equal((Chain, 0L, (string?)null), (outcome.ChainId, outcome.Missing, outcome.LeftAsIs));
        Assert.Empty(outcome.Truncated);
        Assert.Equal(bytes, [File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path)]);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Damage_in_the_middle_of_one_copy_is_not_cut_away_and_the_drain_reports_it()
    {
        // Event 3 is damaged in stripe A; 11–15 are also missing (a hole a cut would otherwise end the copies at).
        Frames(20);
        var a = WriteStripe([(1, 5), (16, 20)]);
        var b = WriteStripe([(6, 10)]);
        FlipByte(a.Path, a.Offsets[2] + 200);
        var bytes = new[] { File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path) };

        var outcome = Assert.Single(JournalCopyCut.Apply([a.Path, b.Path], ServerJournals(), new Dictionary<string, long> { [Chain] = 0 }));

        Assert.Equal($"the copy of the audit journal {Path.GetFileName(a.Path)} is damaged at byte {a.Offsets[2]}: the audit journals are kept as they are, and the restored server's drain will stop and say what to run", outcome.LeftAsIs);
        Assert.Empty(outcome.Truncated);
        Assert.Equal(bytes, [File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path)]);
        var error = await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.DrainAsync(_directory, new MemoryAuditStore(), CancellationToken.None));
        Assert.StartsWith($"the audit journal {a.Path} is damaged at byte {a.Offsets[2]}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Issue", "17")]
    public void A_copy_whose_header_is_damaged_but_holds_events_leaves_every_copy_as_it_is()
    {
        // Its events may be the ones the other copies lack: nothing can be cut without losing them.
        Frames(30);
        var a = WriteStripe([(1, 10), (21, 30)]);
        var b = WriteStripe([(11, 20)]);
        FlipByte(b.Path, 2);
        var bytes = new[] { File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path) };

        var outcome = Assert.Single(JournalCopyCut.Apply([a.Path, b.Path], ServerJournals(), new Dictionary<string, long> { [Chain] = 0 }));

        Assert.Equal((null, $"the copy of the audit journal {Path.GetFileName(b.Path)} has a damaged header but holds events: the audit journals are kept as they are, and the restored server's drain will stop and say what to run"), (outcome.ChainId, outcome.LeftAsIs));
        Assert.Equal(bytes, [File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path)]);
    }

    /// <summary>The server's journal directory as it is when the copies are cut: a journal for each of <paramref name="stripes"/> (runs of sequence numbers).</summary>
    private string ServerJournals(params (int First, int Last)[][] stripes)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, "server")).FullName;
        foreach (var runs in stripes)
        {
            File.Move(WriteStripe(runs).Path, Path.Combine(directory, Guid.NewGuid().ToString("N") + ".journal"));
        }

        return directory;
    }

    /// <summary>A store's backup that copies a database of one byte, runs <paramref name="atCopy"/> as the server would go on meanwhile, and names <paramref name="heads"/>.</summary>
    private sealed class FakeStoreBackup(IReadOnlyDictionary<string, long> heads, Action atCopy) : IStoreBackup
    {
        public int KnownSchemaVersion => 1;

        public IStoreSnapshot Begin(string database) => new Snapshot(atCopy);

        public (int SchemaVersion, byte[]? RootKeyCheck) Describe(string database) => (1, null);

        public IReadOnlyDictionary<string, long> ChainHeads(string database) => heads;

        private sealed class Snapshot(Action atCopy) : IStoreSnapshot
        {
            public void CopyTo(string destination)
            {
                File.WriteAllBytes(destination, [0]);
                atCopy();
            }

            public void Dispose()
            {
            }
        }
    }
}
