using Citadel.Server.Observability;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Jobs;

/// <summary>
/// Runs a background job now and then every interval (of <c>time</c>) until the host stops; a failure is logged and
/// retried next time. The clock-driven jobs (rotation, deletion, expiry) run once across nodes:
/// <see cref="ClockJob"/> starts each round by holding the job lock.
/// </summary>
internal static class JobLoop
{
    public static async Task RunAsync(string name, Func<CancellationToken, Task<int>> runOnce, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken stoppingToken)
    {
        KeyValuePair<string, object?>[] job = [new("job", name)];
        KeyValuePair<string, object?>[] ok = [new("job", name), new("result", "ok")];
        KeyValuePair<string, object?>[] failed = [new("job", name), new("result", "failed")];
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var items = await runOnce(stoppingToken);
                CitadelMetrics.JobRuns.Add(1, ok);
                CitadelMetrics.JobItems.Add(items, job);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                CitadelMetrics.JobRuns.Add(1, failed);
                logger.JobFailed(exception, name);
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
