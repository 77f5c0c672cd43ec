using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Tests.Fakes;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// The journal copies of a backup taken while a writer with stripes appends (<see cref="JournalCopyCut"/>):
/// a stripe copied earlier lacks what was appended to it after its copy, and the copies are cut there.
/// </summary>
public sealed partial class AuditJournalTests
{
    [Fact]
    [Trait("Issue", "17")]
    public async Task Copies_of_interleaved_stripes_with_a_hole_are_cut_at_it_and_drain_into_an_unbroken_chain_up_to_it()
    {
        // Stripe A was copied first: batch 41–50 was appended to it afterwards (its copy caught the first bytes of 41);
        // stripe B, copied later, holds batch 51–60 already.
        Frames(60);
        var a = WriteStripe([(1, 10), (21, 30)], torn: 41);
        var b = WriteStripe([(11, 20), (31, 40), (51, 60)]);
        var aBytes = await File.ReadAllBytesAsync(a.Path);
        var bBytes = await File.ReadAllBytesAsync(b.Path);
        var written = new DateTime(2026, 12, 4, 22, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(b.Path, written);
        var store = new MemoryAuditStore();
        store.Records.AddRange(_frames.Take(5).Select(f => AuditFrame.Decode(f).ToRecord(Chain)));

        var outcome = Assert.Single(JournalCopyCut.Apply([a.Path, b.Path], new Dictionary<string, long> { [Chain] = 5 }));

        Assert.Equal((Chain, 41L, (string?)null), (outcome.ChainId, outcome.Missing, outcome.LeftDamaged));
        Assert.Equal([b.Path], outcome.Truncated);
        Assert.Equal(aBytes, await File.ReadAllBytesAsync(a.Path));
        Assert.Equal(bBytes[..b.Offsets[20]], await File.ReadAllBytesAsync(b.Path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(b.Path));
        Assert.Equal(35, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), store.Records.Select(r => r.Sequence));
        var verified = AuditChain.Verify(Chain, store.Records, await store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.Empty(verified.Gaps);
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

        var outcome = Assert.Single(JournalCopyCut.Apply([a.Path, b.Path], new Dictionary<string, long> { [Chain] = 25 }));

        Assert.Equal((Chain, 0L, (string?)null), (outcome.ChainId, outcome.Missing, outcome.LeftDamaged));
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

        var outcome = Assert.Single(JournalCopyCut.Apply([a.Path, b.Path], new Dictionary<string, long> { [Chain] = 0 }));

        Assert.Equal($"the copy of the audit journal {Path.GetFileName(a.Path)} is damaged at byte {a.Offsets[2]}", outcome.LeftDamaged);
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

        var outcome = Assert.Single(JournalCopyCut.Apply([a.Path, b.Path], new Dictionary<string, long> { [Chain] = 0 }));

        Assert.Equal((null, $"the copy of the audit journal {Path.GetFileName(b.Path)} has a damaged header but holds events"), (outcome.ChainId, outcome.LeftDamaged));
        Assert.Equal(bytes, [File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path)]);
    }
}
