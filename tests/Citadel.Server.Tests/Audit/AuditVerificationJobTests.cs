using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Protocol.Responses;
using Citadel.Server.Tests.Fakes;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Citadel.Server.Tests.Audit;

[Trait("Issue", "21")]
public sealed class AuditVerificationJobTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly MemoryAuditStore _trail = new();

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

        _trail.Records.RemoveAt(1);
        await WaitForAsync(() => _trail.Verification is { Intact: false }, advance: true);
        await job.StopAsync(CancellationToken.None);

        var result = _trail.Verification!;
        Assert.InRange(result.VerifiedAt, Start + TimeSpan.FromMinutes(1), _time.GetUtcNow());
        Assert.Equal(["record 2 is missing (removed)", "record 3 does not link to record 2"], Assert.Single(result.Chains).Problems);
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

    private AuditVerificationJob Job() =>
        new(_trail, new AuditOptions { VerifyInterval = TimeSpan.FromMinutes(1) }, SingleNode.Instance, _time, NullLogger<AuditVerificationJob>.Instance);

    /// <summary>Appends <paramref name="count"/> chained Encrypt records whose columns match them, as the writer stores them.</summary>
    private void Append(int count)
    {
        var previous = AuditChain.Genesis;
        var records = new List<AuditRecord>();
        for (var i = 1; i <= count; i++)
        {
            var record = $$"""{"eventVersion":"1.11","eventTime":"2026-12-03T09:00:0{{i}}Z","eventSource":"kms.amazonaws.com","eventName":"Encrypt","eventID":"e{{i}}","readOnly":true,"recipientAccountId":"111122223333"}""";
            var hash = AuditChain.Hash(previous, record);
            records.Add(new AuditRecord("local", i, $"e{i}", Start.AddHours(-1).AddSeconds(i), "111122223333", "Encrypt", "kms.amazonaws.com", null, null, null, true, record, previous, hash));
            previous = hash;
        }

        _trail.AppendAsync("local", records, CancellationToken.None).GetAwaiter().GetResult();
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

    private sealed class HeldElsewhere : IJobLock
    {
        public ValueTask<bool> TryHoldAsync(CancellationToken ct) => ValueTask.FromResult(false);
    }
}
