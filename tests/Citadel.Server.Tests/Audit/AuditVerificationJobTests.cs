using System.Globalization;
using System.Runtime.CompilerServices;
using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Protocol.Responses;
using Citadel.Server.Tests.Fakes;
using Citadel.Storage;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Citadel.Server.Tests.Audit;

[Trait("Issue", "21")]
public sealed class AuditVerificationJobTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly TimeSpan FullVerifyInterval = TimeSpan.FromHours(24);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly MemoryAuditStore _trail = new();
    private readonly CountingTrail _counted;

    public AuditVerificationJobTests() => _counted = new CountingTrail(_trail);

    [Fact]
    public async Task A_round_stores_the_chains_as_intact_with_their_records_and_the_time_it_ran()
    {
        Append(3);
        using var job = Job();

        var chains = await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, chains);
        var result = _trail.Verification!;
        Assert.Equal(Start, result.VerifiedAt);
        Assert.True(result.Intact);
        var chain = Assert.Single(result.Chains);
        Assert.Equal(("local", 3L, true), (chain.ChainId, chain.Records, chain.Intact));
        Assert.Empty(chain.Problems);
    }

    [Fact]
    public async Task A_changed_record_is_stored_as_broken_with_the_first_problem_first()
    {
        Append(3);
        _trail.Records[1] = _trail.Records[1] with { Record = _trail.Records[1].Record.Replace("Encrypt", "Decrypt", StringComparison.Ordinal) };
        using var job = Job();

        await job.RunOnceAsync(CancellationToken.None);

        var result = _trail.Verification!;
        Assert.False(result.Intact);
        var chain = Assert.Single(result.Chains);
        Assert.False(chain.Intact);
        Assert.Equal(["record 2 (event e2) was changed: its content does not match its hash"], chain.Problems);
    }

    [Fact]
    public async Task The_loop_verifies_again_after_the_interval_and_replaces_the_result()
    {
        Append(3);
        using var job = Job();
        await job.StartAsync(CancellationToken.None);
        await WaitForAsync(() => _trail.Verification is { Intact: true }, advance: false);

        // The last record verified, which the next round re-reads (a round between full walks reads nothing older).
        Change(3);
        await WaitForAsync(() => _trail.Verification is { Intact: false }, advance: true);
        await job.StopAsync(CancellationToken.None);

        var result = _trail.Verification!;
        Assert.InRange(result.VerifiedAt, Start + TimeSpan.FromMinutes(1), Start + FullVerifyInterval - TimeSpan.FromMinutes(1));
        Assert.Equal(["record 3 (event e3) was changed: its content does not match its hash"], Assert.Single(result.Chains).Problems);
    }

    [Fact]
    public async Task A_node_that_does_not_hold_the_job_lock_verifies_nothing_and_stores_nothing()
    {
        Append(2);
        using var job = new AuditVerificationJob(_trail, new AuditOptions(), new HeldElsewhere(), _time, NullLogger<AuditVerificationJob>.Instance);

        var chains = await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, chains);
        Assert.Null(_trail.Verification);
    }

    [Fact]
    public void Problems_in_the_API_leave_out_the_stored_values_and_gaps_their_reason()
    {
        var column = GetAuditChainStatusResponse.WithoutValues("record 3 (event e3): column username holds 'alice', but the hashed record says 'bob'");
        var gap = GetAuditChainStatusResponse.WithoutReason("record 1042 was lost: the audit journal /var/lib/citadel/audit-journal/x.journal was damaged (recorded as event e9)");

        Assert.Equal("record 3 (event e3): column username does not match the hashed record", column);
        Assert.Equal("record 1042 was lost", gap);
    }

    [Fact]
    public async Task A_second_round_reads_only_the_last_verified_record_and_the_records_added_since()
    {
        Append(100);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        var firstRound = _counted.TakeRead();
        Append(10);

        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal((100, 11), (firstRound, _counted.TakeRead()));
        var chain = Assert.Single(_trail.Verification!.Chains);
        Assert.Equal(("local", 110L, true), (chain.ChainId, chain.Records, chain.Intact));
        Assert.Empty(chain.Problems);
    }

    [Fact]
    public async Task A_round_with_nothing_new_reads_the_last_verified_record_only_and_stores_the_same_result_at_its_time()
    {
        Append(20);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        _counted.TakeRead();
        _time.Advance(TimeSpan.FromMinutes(1));

        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, _counted.TakeRead());
        Assert.Equal(Start + TimeSpan.FromMinutes(1), _trail.Verification!.VerifiedAt);
        var chain = Assert.Single(_trail.Verification.Chains);
        Assert.Equal((20L, true), (chain.Records, chain.Intact));
    }

    [Fact]
    public async Task A_record_added_and_changed_after_a_round_is_found_by_the_next_round()
    {
        Append(5);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        _counted.TakeRead();
        Append(5);
        Change(8);

        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(6, _counted.TakeRead());
        var chain = Assert.Single(_trail.Verification!.Chains);
        Assert.Equal((10L, false), (chain.Records, chain.Intact));
        Assert.Equal(["record 8 (event e8) was changed: its content does not match its hash"], chain.Problems);
    }

    [Fact]
    public async Task An_old_record_changed_after_a_round_is_not_read_by_the_next_round_but_found_by_the_next_full_walk()
    {
        Append(5);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        _counted.TakeRead();
        Change(2);
        Append(3);

        await job.RunOnceAsync(CancellationToken.None);
        var incremental = Assert.Single(_trail.Verification!.Chains);
        var incrementalRead = _counted.TakeRead();
        _time.Advance(FullVerifyInterval);
        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal((8L, true, 4), (incremental.Records, incremental.Intact, incrementalRead));
        Assert.Equal(8, _counted.TakeRead());
        var full = Assert.Single(_trail.Verification!.Chains);
        Assert.Equal((8L, false), (full.Records, full.Intact));
        Assert.Equal(["record 2 (event e2) was changed: its content does not match its hash"], full.Problems);
    }

    [Fact]
    public async Task The_last_verified_record_changed_is_found_by_the_next_round_though_the_records_after_it_link_to_its_hash()
    {
        Append(5);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        Change(5);
        Append(2);

        await job.RunOnceAsync(CancellationToken.None);

        var chain = Assert.Single(_trail.Verification!.Chains);
        Assert.Equal((7L, false), (chain.Records, chain.Intact));
        Assert.Equal(["record 5 (event e5) was changed: its content does not match its hash"], chain.Problems);
    }

    [Fact]
    public async Task The_last_verified_record_rewritten_with_its_hash_is_reported_at_every_round_until_the_original_is_back()
    {
        Append(5);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        var original = Change(5);
        var changed = _trail.Records[4];
        var forged = _trail.Records[4] = changed with { EventName = "Decrypt", Hash = AuditChain.Hash(changed.PreviousHash, changed.Record) };
        const string Problem = "record 5 (event e5) is not the record verified before, though the chain is consistent: it was rewritten from that record or an earlier one";

        await job.RunOnceAsync(CancellationToken.None);
        var rewritten = Assert.Single(_trail.Verification!.Chains);
        Append(2);
        _time.Advance(FullVerifyInterval);
        await job.RunOnceAsync(CancellationToken.None);
        var later = Assert.Single(_trail.Verification!.Chains);
        _trail.Records[4] = original;
        await job.RunOnceAsync(CancellationToken.None);
        var restored = Assert.Single(_trail.Verification!.Chains);

        Assert.NotEqual(original.Hash, forged.Hash);
        Assert.Equal((5L, false), (rewritten.Records, rewritten.Intact));
        Assert.Equal([Problem], rewritten.Problems);

        // A consistent walk (a full one, too) does not make the rewrite forgotten: the record verified before is the evidence.
        Assert.Equal((7L, false), (later.Records, later.Intact));
        Assert.Equal(Problem, later.Problems[0]);

        // The original back, the rewrite is no longer reported, and what else is wrong is: record 6 now links to the forged hash.
        Assert.DoesNotContain(Problem, restored.Problems);
    }

    [Fact]
    public async Task A_broken_chain_is_walked_whole_at_every_round_and_is_intact_after_repair()
    {
        Append(5);
        var original = Change(2);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        _counted.TakeRead();
        Append(2);

        await job.RunOnceAsync(CancellationToken.None);
        var stillBroken = Assert.Single(_trail.Verification!.Chains);
        var brokenRead = _counted.TakeRead();
        _trail.Records[1] = original;
        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal((7L, false, 7), (stillBroken.Records, stillBroken.Intact, brokenRead));
        Assert.Equal(["record 2 (event e2) was changed: its content does not match its hash"], stillBroken.Problems);
        Assert.Equal(7, _counted.TakeRead());
        var repaired = Assert.Single(_trail.Verification!.Chains);
        Assert.Equal((7L, true), (repaired.Records, repaired.Intact));
        Assert.Empty(repaired.Problems);
    }

    [Fact]
    public async Task A_chain_that_appears_between_rounds_is_walked_whole()
    {
        Append(3);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        _counted.TakeRead();
        Append(4, chain: "node-b");

        var chains = await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, chains);
        Assert.Equal(1 + 4, _counted.TakeRead());
        Assert.Equal(
            [("local", 3L, true), ("node-b", 4L, true)],
            _trail.Verification!.Chains.Select(c => (c.ChainId, c.Records, c.Intact)));
    }

    [Fact]
    public async Task After_retention_removed_records_before_the_last_verified_one_a_round_counts_the_records_left_as_a_full_walk_does()
    {
        Append(10);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        _counted.TakeRead();
        _counted.RemoveBefore(5);
        Append(2);

        await job.RunOnceAsync(CancellationToken.None);
        var incremental = Assert.Single(_trail.Verification!.Chains);
        var incrementalRead = _counted.TakeRead();
        _time.Advance(FullVerifyInterval);
        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal((8L, true, 3), (incremental.Records, incremental.Intact, incrementalRead));
        Assert.Equal(8, _counted.TakeRead());
        var full = Assert.Single(_trail.Verification!.Chains);
        Assert.Equal((8L, true), (full.Records, full.Intact));
    }

    [Fact]
    public async Task After_retention_removed_the_last_verified_record_the_chain_is_walked_from_its_new_start()
    {
        Append(5);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        _counted.TakeRead();
        Append(5);
        _counted.RemoveBefore(7);

        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(4, _counted.TakeRead());
        var chain = Assert.Single(_trail.Verification!.Chains);
        Assert.Equal((4L, true), (chain.Records, chain.Intact));
    }

    [Fact]
    public async Task A_node_that_gets_the_job_lock_back_walks_every_chain_again()
    {
        Append(5);
        var jobLock = new SwitchedLock();
        using var job = new AuditVerificationJob(_counted, new AuditOptions { FullVerifyInterval = FullVerifyInterval }, jobLock, _time, NullLogger<AuditVerificationJob>.Instance);
        await job.RunOnceAsync(CancellationToken.None);
        _counted.TakeRead();
        jobLock.Held = false;
        var elsewhere = await job.RunOnceAsync(CancellationToken.None);

        // Meanwhile another node's full walk may have stored this chain as broken; this node's anchor is past the change.
        Change(2);
        Append(1);
        jobLock.Held = true;
        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal((0, 6), (elsewhere, _counted.TakeRead()));
        var chain = Assert.Single(_trail.Verification!.Chains);
        Assert.Equal(["record 2 (event e2) was changed: its content does not match its hash"], chain.Problems);
    }

    [Fact]
    public async Task A_full_walk_that_failed_is_done_again_at_the_next_round()
    {
        Append(5);
        using var job = Job();
        await job.RunOnceAsync(CancellationToken.None);
        Change(2);
        _time.Advance(FullVerifyInterval);
        _counted.Down = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => job.RunOnceAsync(CancellationToken.None));
        _counted.Down = false;
        _counted.TakeRead();

        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(5, _counted.TakeRead());
        Assert.Equal(["record 2 (event e2) was changed: its content does not match its hash"], Assert.Single(_trail.Verification!.Chains).Problems);
    }

    [Fact]
    public void A_full_verify_interval_out_of_range_is_refused_with_its_range()
    {
        var result = new AuditOptionsValidator().Validate(null, new AuditOptions { FullVerifyInterval = TimeSpan.FromDays(8) });

        Assert.Equal(
            "Audit:FullVerifyInterval must be between 00:00:01 and 7.00:00:00, but was 8.00:00:00 (set it with CITADEL_Audit__FullVerifyInterval).",
            result.FailureMessage);
    }

    private AuditVerificationJob Job() =>
        new(_counted, new AuditOptions { VerifyInterval = TimeSpan.FromMinutes(1), FullVerifyInterval = FullVerifyInterval }, SingleNode.Instance, _time, NullLogger<AuditVerificationJob>.Instance);

    /// <summary>
    /// Appends <paramref name="count"/> chained Encrypt records whose columns match them, as the writer stores them, after the
    /// chain's last record (event ids e1, e2, … on "local", b-e1, … on other chains).
    /// </summary>
    private void Append(int count, string chain = "local")
    {
        var last = _trail.Records.LastOrDefault(r => r.ChainId == chain);
        var previous = last?.Hash ?? AuditChain.Genesis;
        var prefix = chain == "local" ? "e" : $"{chain}-e";
        var records = new List<AuditRecord>();
        for (var i = (last?.Sequence ?? 0) + 1; records.Count < count; i++)
        {
            var time = Start.AddHours(-1).AddSeconds(i);
            var timeText = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var record = $$"""{"eventVersion":"1.11","eventTime":"{{timeText}}","eventSource":"kms.amazonaws.com","eventName":"Encrypt","eventID":"{{prefix}}{{i}}","readOnly":true,"recipientAccountId":"111122223333"}""";
            var hash = AuditChain.Hash(previous, record);
            records.Add(new AuditRecord(chain, i, $"{prefix}{i}", time, "111122223333", "Encrypt", "kms.amazonaws.com", null, null, null, true, record, previous, hash));
            previous = hash;
        }

        _trail.AppendAsync(chain, records, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Edits record <paramref name="sequence"/> of "local" as someone with access to the database could: an Encrypt becomes a Decrypt, its hash stays. Returns the record as it was.</summary>
    private AuditRecord Change(long sequence)
    {
        var at = _trail.Records.FindIndex(r => r.ChainId == "local" && r.Sequence == sequence);
        var original = _trail.Records[at];
        _trail.Records[at] = original with { Record = original.Record.Replace("\"Encrypt\"", "\"Decrypt\"", StringComparison.Ordinal) };
        return original;
    }

    /// <summary>
    /// Waits for the job's loop (on the thread pool) to store what is expected, moving the fake clock on by the interval
    /// while it waits when <paramref name="advance"/> (the loop may not be waiting for its next round yet when the clock
    /// first moves). The deadline only ends a test that would otherwise hang.
    /// </summary>
    private async Task WaitForAsync(Func<bool> done, bool advance)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the verification job did not store the expected result within 30 s");
            if (advance)
            {
                _time.Advance(TimeSpan.FromMinutes(1));
            }

            await Task.Delay(10);
        }
    }

    /// <summary>
    /// The trail the job reads, counting the records it is given, and where retention would have left the chain "local"
    /// (<see cref="RemoveBefore"/>): its records before that removed and its head saying where it now starts.
    /// </summary>
    private sealed class CountingTrail(MemoryAuditStore trail) : IAuditStore
    {
        private long _retainedFrom = 1;
        private int _read;

        /// <summary>While set, reads fail, as those of a store that is down do.</summary>
        public bool Down { get; set; }

        /// <summary>How many records the reads yielded since the last call.</summary>
        public int TakeRead() => Interlocked.Exchange(ref _read, 0);

        /// <summary>Removes the records of "local" before <paramref name="sequence"/>, as retention does.</summary>
        public void RemoveBefore(long sequence)
        {
            trail.Records.RemoveAll(r => r.ChainId == "local" && r.Sequence < sequence);
            _retainedFrom = sequence;
        }

        public Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct) => throw new NotSupportedException();

        public async Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct) =>
            (await trail.ListChainsAsync(ct)).Select(h => h.ChainId == "local" ? h with { RetainedFromSequence = _retainedFrom } : h).ToList();

        public Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct) => throw new NotSupportedException();

        public async IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, [EnumeratorCancellation] CancellationToken ct)
        {
            if (Down)
            {
                throw new InvalidOperationException("The store is down.");
            }

            await foreach (var record in trail.ReadChainAsync(chainId, fromSequence, ct))
            {
                Interlocked.Increment(ref _read);
                yield return record;
            }
        }

        public Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct) => throw new NotSupportedException();

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) => throw new NotSupportedException();

        public Task SaveVerificationAsync(AuditVerification verification, CancellationToken ct) => trail.SaveVerificationAsync(verification, ct);

        public Task<AuditVerification?> GetVerificationAsync(CancellationToken ct) => trail.GetVerificationAsync(ct);
    }

    private sealed class SwitchedLock : IJobLock
    {
        public bool Held { get; set; } = true;

        public ValueTask<bool> TryHoldAsync(CancellationToken ct) => ValueTask.FromResult(Held);
    }

    private sealed class HeldElsewhere : IJobLock
    {
        public ValueTask<bool> TryHoldAsync(CancellationToken ct) => ValueTask.FromResult(false);
    }
}
