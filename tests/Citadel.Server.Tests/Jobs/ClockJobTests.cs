using Citadel.Server.Jobs;
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

    private sealed class RecordingJob(string name, List<string> log) : ClockJob(TimeSpan.FromHours(1), NullLogger.Instance)
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
