using Citadel.Storage.Cluster;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Jobs;

/// <summary>
/// A job driven by the key clock (rotation, deletion, expiry), run in rounds, one at a time: by its
/// loop, and by the development clock's endpoint, which moves the clock with every such job's round
/// held (<see cref="AdvanceAsync"/>). A loop round then cannot act on the new time before the
/// endpoint's round counts what became due — nor can two rounds both act on the same key.
/// Every round starts by holding the cluster's job lock (<see cref="IJobLock"/>) and does nothing on
/// a node that does not hold it, so every clock-driven job runs on one node only; a job cannot
/// forget to ask, since it only writes what a round does (<see cref="RunRoundAsync"/>).
/// </summary>
internal abstract class ClockJob(TimeSpan interval, IJobLock jobLock, TimeProvider time, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim _round = new(1, 1);

    /// <summary>
    /// Holds the rounds of <paramref name="jobs"/> (in the order given, the same for every caller),
    /// runs <paramref name="advance"/>, then a round of each job in that order. Returns how many
    /// keys each round changed.
    /// </summary>
    public static async Task<int[]> AdvanceAsync(IReadOnlyList<ClockJob> jobs, Action advance, CancellationToken ct)
    {
        var held = 0;
        try
        {
            for (; held < jobs.Count; held++)
            {
                await jobs[held]._round.WaitAsync(ct);
            }

            advance();
            var changed = new int[jobs.Count];
            for (var i = 0; i < jobs.Count; i++)
            {
                changed[i] = await jobs[i].LockedRoundAsync(ct);
            }

            return changed;
        }
        finally
        {
            for (var i = 0; i < held; i++)
            {
                jobs[i]._round.Release();
            }
        }
    }

    /// <summary>The wall clock, for event times and the loop's interval; the rules read the key clock (<c>KmsRuntime.Time</c>).</summary>
    protected TimeProvider WallClock => time;

    /// <summary>One round; returns how many keys it changed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await _round.WaitAsync(ct);
        try
        {
            return await LockedRoundAsync(ct);
        }
        finally
        {
            _round.Release();
        }
    }

    private async Task<int> LockedRoundAsync(CancellationToken ct) =>
        await jobLock.TryHoldAsync(ct) ? await RunRoundAsync(ct) : 0;

    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        JobLoop.RunAsync(GetType().Name, RunOnceAsync, interval, time, logger, stoppingToken);

    /// <summary>
    /// The shape of every round: lists what is due at the key clock's now (<paramref name="listDue"/>, a page at
    /// a time) and acts on each (<paramref name="act"/>: true when it changed it), until a pass changes nothing
    /// — an item a concurrent request changed first is listed no more, or stays unchanged. Returns how many changed.
    /// </summary>
    protected static async Task<int> WorkOffAsync<T>(
        TimeProvider keyClock,
        Func<DateTimeOffset, CancellationToken, Task<IReadOnlyList<T>>> listDue,
        Func<T, DateTimeOffset, CancellationToken, Task<bool>> act,
        CancellationToken ct)
    {
        var changed = 0;
        while (true)
        {
            var now = keyClock.GetUtcNow();
            var changedThisPass = 0;
            foreach (var item in await listDue(now, ct))
            {
                if (await act(item, now, ct))
                {
                    changedThisPass++;
                }
            }

            if (changedThisPass == 0)
            {
                return changed;
            }

            changed += changedThisPass;
        }
    }

    /// <summary>What a round does; the caller holds the round and the job lock.</summary>
    protected abstract Task<int> RunRoundAsync(CancellationToken ct);
}
