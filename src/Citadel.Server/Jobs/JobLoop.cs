using Microsoft.Extensions.Logging;

namespace Citadel.Server.Jobs;

/// <summary>
/// Runs a background job now and then every interval until the host stops; a failure is logged and
/// retried next time. Jobs that must run once across nodes (rotation, deletion, expiry) start each
/// run with <c>IJobLock.TryHoldAsync</c> and do nothing on a node that does not hold it.
/// </summary>
internal static class JobLoop
{
    public static async Task RunAsync(string name, Func<CancellationToken, Task<int>> runOnce, TimeSpan interval, ILogger logger, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runOnce(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.JobFailed(exception, name);
            }

            try
            {
                await Task.Delay(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
