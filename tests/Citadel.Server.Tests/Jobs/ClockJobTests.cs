using Citadel.Server.Jobs;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Server.Tests.Jobs;

[Trait("Issue", "10")]
public sealed class ClockJobTests
{
    [Fact]
    public async Task Advancing_the_clock_holds_every_job_round_so_a_loop_round_waits_until_the_advance_has_counted_its_own()
    {
        var log = new List<string>();
        using var rotation = new RecordingJob("rotation", log);
        using var deletion = new RecordingJob("deletion", log);
        using var inAdvance = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();

        var advance = Task.Run(() => ClockJob.AdvanceAsync(
            [rotation, deletion],
            () =>
            {
                lock (log)
                {
                    log.Add("advance");
                }

                inAdvance.Set();
                gate.Wait();
            },
            CancellationToken.None));
        Assert.True(inAdvance.Wait(TimeSpan.FromSeconds(10)));

        // The deletion job's own loop comes round while the clock is being moved.
        var loop = deletion.RunOnceAsync(CancellationToken.None);
        await Task.Delay(100);
        Assert.False(loop.IsCompleted);

        gate.Set();
        var changed = await advance;
        Assert.Equal([1, 1], changed);
        Assert.Equal(1, await loop);
        Assert.Equal(["advance", "rotation", "deletion", "deletion"], log);
    }

    [Fact]
    [Trait("Issue", "18")]
    public async Task A_round_on_a_node_that_does_not_hold_the_job_lock_does_nothing_in_its_loop_nor_when_the_clock_advances()
    {
        var log = new List<string>();
        using var expiry = new RecordingJob("expiry", log, new HeldElsewhere());

        var looped = await expiry.RunOnceAsync(CancellationToken.None);
        var advanced = await ClockJob.AdvanceAsync([expiry], () => { }, CancellationToken.None);

        Assert.Equal(0, looped);
        Assert.Equal([0], advanced);
        Assert.Empty(log);
    }

    /// <summary>The job lock as a node sees it while another node holds it.</summary>
    private sealed class HeldElsewhere : IJobLock
    {
        public ValueTask<bool> TryHoldAsync(CancellationToken ct) => ValueTask.FromResult(false);
    }

    private sealed class RecordingJob(string name, List<string> log, IJobLock? jobLock = null) : ClockJob(TimeSpan.FromHours(1), jobLock ?? SingleNode.Instance, TimeProvider.System, NullLogger.Instance)
    {
        protected override Task<int> RunRoundAsync(CancellationToken ct)
        {
            lock (log)
            {
                log.Add(name);
            }

            return Task.FromResult(1);
        }
    }
}
