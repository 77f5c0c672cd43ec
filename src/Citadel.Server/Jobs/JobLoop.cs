using Microsoft.Extensions.Logging;

namespace Citadel.Server.Jobs;

/// <summary>Runs a background job now and then every interval until the host stops; a failure is logged and retried next time.</summary>
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
